"""The answer service on the association's notices plus a lecture notice published today:
which activity a question means, what it asks, and what is said when the notice is silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.answers import Answer, Asked, Topic
from services.answers.topics import topic_of
from services.container import Services
from services.ingest.loader import NoticeLoader
from tests.conftest import FIXTURE_KNOWLEDGE, KNOWLEDGE_DIR, build_services

LECTURE = """关于举办2027年第一期“质量大讲堂”的通知

各会员单位：
为推广先进质量管理方法，上海市质量协会定于2027年3月18日（星期四）下午13:30—16:30，在长宁区泰安路74号市质协三楼报告厅举办2027年第一期“质量大讲堂”。现将有关事项通知如下：
一、主题：数字化时代的质量管理
二、参加对象：会员单位质量负责人
三、本期名额150人，额满为止，每家单位限报2人。本次讲座免费，会场提供茶歇。讲座结束后可在市质协视频号回看。
四、请于2027年3月10日前登录市质协网站报名。
联系人：王敏，电话：021-6543 2187

上海市质量协会
2027年1月5日
"""


@pytest.fixture
def svc(sqlite_url: str, tmp_path: Path) -> Services:
    built = build_services(sqlite_url, [KNOWLEDGE_DIR, FIXTURE_KNOWLEDGE])
    publish(built, tmp_path, "lecture-2027-1.txt", LECTURE)
    yield built
    built.engine.dispose()


def ask(svc: Services, text: str, topic: Topic | None = None, **context) -> Answer:
    return svc.answers.answer(Asked(topic=topic or topic_of(None, text), text=text, **context))


def publish(svc: Services, folder: Path, file_name: str, text: str) -> None:
    """A notice staff publish from the command line, as the loader ingests it."""
    notice = folder / file_name
    notice.write_text(text, encoding="utf-8")
    NoticeLoader(svc.session_factory).ingest(notice)


def test_a_short_name_means_the_lectures_still_to_come_not_earlier_years(svc):
    answer = ask(svc, "大讲堂收费吗")
    # the fixture's 冬季质量大讲堂 (December) and the notice's (March) are both to come: one question
    assert answer.response == "utter_which_activity" and answer.candidates is not None
    offered = [svc.activities.summary(i) for i in answer.candidates]
    assert sorted(s.year for s in offered if s) == [2026, 2027]
    picked = ask(svc, "第一期大讲堂收费吗")
    assert picked.response == "utter_activity_fee" and "免费" in str(picked.values["fee"])


def test_a_year_the_member_names_is_the_one_answered(svc):
    answer = ask(svc, "2019年的大讲堂是什么时候", Topic.TIME)
    # two notices of 2019 tell of it (the plan and the report): which of them, never another year
    assert answer.candidates is not None
    assert {s.year for s in map(svc.activities.summary, answer.candidates) if s} == {2019}


def test_a_month_the_member_names_chooses_among_those_to_come(svc):
    answer = ask(svc, "3月那个大讲堂几号")
    assert answer.response == "utter_activity_time" and "2027年3月18日" in str(answer.values["when"])


def test_a_follow_up_stays_on_the_activity_of_the_conversation(svc):
    first = ask(svc, "第一期大讲堂几号")
    assert first.response == "utter_activity_time" and "2027年3月18日" in str(first.values["when"])
    where = ask(svc, "在哪", remembered=first.activity, follow_up=True)
    assert where.response == "utter_activity_place" and "泰安路74号" in str(where.values["location"])


def test_words_say_what_is_asked_whatever_the_intent_guessed():
    assert topic_of("signup", "质量奖什么时候开始申报") is Topic.TIME
    assert topic_of("ask_activity_time", "报名截止到哪天") is Topic.DEADLINE
    assert topic_of("ask_activity_details", "非会员多少钱") is Topic.FEE
    assert topic_of("ask_activity_details", "大讲堂") is Topic.DETAILS
    assert topic_of("ask_capacity", "我们单位打算去3个人 有优惠吗") is Topic.FEE  # the group rate
    assert topic_of("ask_fee", "能现场交钱吗") is Topic.OTHER  # how to pay, not how much
    assert topic_of("ask_fee", "一等奖多少钱") is Topic.OTHER  # the prize
    assert topic_of("ask_activity_details", "我能多带一个同事吗") is Topic.OTHER  # a per-unit limit
    assert topic_of("ask_phases", "要交评审费吗") is Topic.FEE  # a fee, though 评审 names a stage
    assert topic_of(None, "学生价多少") is Topic.FEE
    assert topic_of(None, "质协会员能打几折") is Topic.FEE  # a discount
    assert topic_of("ask_fee", "评上了奖多少钱") is Topic.OTHER  # the award's money, not a fee
    assert topic_of(None, "论文征集截稿到啥时候") is Topic.DEADLINE
    assert topic_of(None, "那几天去不了，钱能退吗") is Topic.OTHER  # a refund, not the dates


def test_what_the_record_has_no_field_for_is_read_from_its_notice(svc):
    answer = ask(svc, "第一期大讲堂有茶歇吗", Topic.OTHER)
    assert answer.response == "utter_document_answer" and "茶歇" in str(answer.values["answer"])


def test_a_silent_notice_is_said_to_be_silent_with_whom_to_ask(svc):
    answer = ask(svc, "第一期大讲堂能停车吗", Topic.OTHER)
    assert answer.response == "utter_notice_silent"
    assert "王敏" in str(answer.values["hint"]) and "021-6543 2187" in str(answer.values["hint"])


def test_audience_and_capacity_come_from_the_notice(svc):
    assert "质量负责人" in str(ask(svc, "第一期大讲堂哪些人能参加").values["audience"])
    capacity = ask(svc, "第一期大讲堂名额多少")
    assert capacity.response == "utter_activity_capacity" and capacity.values["capacity"] == 150


def test_an_unknown_name_is_not_answered_with_another_activity(svc):
    answer = ask(svc, "火星质量节什么时候", Topic.TIME, named="火星质量节")
    assert answer.response == "utter_activity_not_found" and answer.activity is None


def test_whether_one_can_follow_online_is_not_answered_with_the_hall(svc):
    online = ask(svc, "第一期大讲堂有线上直播吗", Topic.PLACE)
    assert online.response != "utter_activity_place" and "泰安路" not in str(online.values)
    hall = ask(svc, "第一期大讲堂在哪里", Topic.PLACE)
    assert hall.response == "utter_activity_place"


def test_a_per_unit_limit_is_read_from_the_notice_not_taken_for_the_capacity(svc):
    for question in ("第一期大讲堂一家单位能去几个人", "第一期大讲堂我们公司能去三个人吗",
                     "第一期大讲堂一个公司能报几个"):
        answer = ask(svc, question)
        assert answer.response == "utter_document_answer", question
        assert "每家单位限报2人" in str(answer.values["answer"]), question


def test_the_activity_notice_answers_in_other_words_and_refuses_what_it_does_not_say(svc):
    replay = ask(svc, "第一期大讲堂当天没空，能看回放吗", Topic.OTHER)
    assert replay.response == "utter_document_answer" and "回看" in str(replay.values["answer"])
    interpreting = ask(svc, "第一期大讲堂有同声传译吗", Topic.OTHER)
    assert interpreting.response == "utter_notice_silent"


def test_how_many_days_and_whether_one_can_still_sign_up_for_what_is_over(svc):
    days = ask(svc, "第三届世界质量论坛一共几天", Topic.TIME)
    assert days.response == "utter_activity_time" and "2019年12月5日至6日" in str(days.values["when"])
    assert "utter_days_count" in str(days.values["when"])
    over = ask(svc, "第三届世界质量论坛现在还能报名吗")
    assert over.response == "utter_activity_over"


SHORTLIST = """关于2026年度上海市质量信得过班组拟命名名单的公示

各有关单位：
经单位申报推荐和评审委员会审定，拟命名以下班组为“2026年度上海市质量信得过班组”，现予以公示。
1 上海浦江特种变压器有限公司 绕线一班
2 上海东沪精密铸造有限公司 熔炼工段
公示期：2026年11月30日至12月6日。
如有异议，请在公示期内以书面形式向市质量协会反映，并署真实姓名。

上海市质量协会
2026年11月30日
"""


def test_a_question_without_a_name_reads_the_notice_the_conversation_is_reading(svc, tmp_path: Path):
    publish(svc, tmp_path, "shortlist-2026.txt", SHORTLIST)
    first = ask(svc, "上海东沪精密铸造的熔炼工段评上了吗", Topic.OTHER)
    assert first.response == "utter_document_answer" and first.notice is not None
    until = ask(svc, "公示到哪天", notice=first.notice)
    assert until.response == "utter_document_answer" and "12月6日" in str(until.values["answer"])
    named = ask(svc, "要实名吗", notice=first.notice)
    assert "真实姓名" in str(named.values.get("answer")), named
    award = ask(svc, "什么时候颁奖", notice=first.notice)  # the 公示 does not say; no other activity is meant
    assert award.response == "utter_document_no_answer"


def test_whom_to_turn_to_about_the_results_is_the_contact_below_the_sentence(svc, tmp_path: Path):
    whom_lines = "受理部门：上海市质量协会班组工作部\n联系人：钟立群  电话：021-6433 5150\n"
    publish(svc, tmp_path, "shortlist-2026.txt", SHORTLIST.replace("并署真实姓名。\n", "并署真实姓名。\n" + whom_lines))
    first = ask(svc, "上海东沪精密铸造的熔炼工段评上了吗", Topic.OTHER)
    whom = ask(svc, "有异议找谁", notice=first.notice)
    assert whom.response == "utter_document_answer", whom
    assert "异议" in str(whom.values["answer"]) and "钟立群" in str(whom.values["answer"]), whom
    until = ask(svc, "公示到哪天", notice=first.notice)  # no one is added to an answer that is not whom
    assert "钟立群" not in str(until.values["answer"]), until


def test_a_question_of_results_finds_the_shortlist_before_past_activities_of_the_name(svc, tmp_path: Path):
    publish(svc, tmp_path, "shortlist-2026.txt", SHORTLIST)
    until = ask(svc, "信得过班组公示到哪天")
    assert until.response == "utter_document_answer" and "12月6日" in str(until.values["answer"])
    out = ask(svc, "信得过班组结果出来了吗")
    assert out.response == "utter_document_answer" and "拟命名" in str(out.values["answer"])
    assert out.notice == until.notice is not None
    # the NLU tags 信得过班组 as an activity's name, and the conversation was about the lecture
    listed = ask(svc, "东沪精密铸造评上了没")  # a name the list gives, not the title
    assert listed.response == "utter_document_answer" and "熔炼工段" in str(listed.values["answer"]), listed
    tagged = ask(svc, "信得过班组公示到哪天", named="信得过班组", remembered="2027年第一期“质量大讲堂”")
    assert tagged.response == "utter_document_answer" and "12月6日" in str(tagged.values["answer"])


def test_the_kind_of_activity_alone_means_the_one_of_that_kind_still_to_come(svc, tmp_path: Path):
    publish(svc, tmp_path, "forum-2027.txt", "关于召开2027长三角制造业质量创新论坛的通知\n各会员单位：\n"
            "我会定于2027年1月8日在上海国际会议中心召开2027长三角制造业质量创新论坛。\n"
            "上海市质量协会\n2026年11月28日\n")
    when = ask(svc, "论坛几号开", Topic.TIME)  # the fixtures' other forums are over
    assert when.response == "utter_activity_time" and "2027年1月8日" in str(when.values["when"])
    publish(svc, tmp_path, "essay-2027.txt", "关于举办第三届“质量故事”征文活动的通知\n各单位：\n"
            "一、征稿时间：即日起至2027年3月15日。\n二、投稿方式：稿件发送至 zw@example.org。\n"
            "上海市质量协会\n2026年11月26日\n")
    closing = ask(svc, "征文啥时候截止", Topic.DEADLINE)
    assert closing.response == "utter_deadline" and closing.values["deadline"] == "2027年3月15日", closing


def test_an_activity_announced_alone_is_never_answered_from_another_notice_of_its_year(svc, tmp_path: Path):
    publish(svc, tmp_path, "forum-2027-parking.txt", "关于召开2027长三角质量论坛的通知\n各会员单位：\n"
            "我会定于2027年4月8日在上海国际会议中心召开2027长三角质量论坛。会场提供免费停车位。\n"
            "上海市质量协会\n2027年1月6日\n")
    parking = ask(svc, "第一期大讲堂能停车吗", Topic.OTHER)  # the forum's parking is not the lecture's
    assert parking.response == "utter_notice_silent"


def test_applying_means_the_award_not_the_course_of_the_same_name(svc, tmp_path: Path):
    publish(svc, tmp_path, "cqo-award-2027.txt", "关于开展2027年度上海市优秀首席质量官推荐评选的通知\n各会员单位：\n"
            "一、推荐评选安排\n1. 申报阶段：2027年1月4日至3月31日。\n2. 评审阶段：2027年4月至6月。\n"
            "上海市质量协会\n2026年11月25日\n")
    publish(svc, tmp_path, "cqo-course-2027.txt", "关于举办2027年浦东新区首席质量官能力提升研修班的通知\n各有关企业：\n"
            "定于2027年4月7日在浦东新区锦绣路1888号举办研修班。请于2027年3月20日前报名。\n"
            "上海市浦东新区市场监督管理局\n2026年11月23日\n")
    deadline = ask(svc, "首席质量官申报啥时候截止", Topic.DEADLINE)
    assert deadline.activity == "2027年度上海市优秀首席质量官推荐评选", deadline
    course = ask(svc, "首席质量官研修班啥时候截止", Topic.DEADLINE)
    assert course.activity == "2027年浦东新区首席质量官能力提升研修班", course


def test_a_stage_the_question_names_is_answered_with_its_dates(svc, tmp_path: Path):
    publish(svc, tmp_path, "qc-2027.txt", "关于开展2027年上海市优秀质量管理小组成果申报及发表交流活动的通知\n各单位：\n"
            "二、工作安排\n（一）网上申报。即日起至2027年3月31日止，登录申报系统填报。\n"
            "（二）专家初审。2027年4月，组织专家进行书面评审。\n（三）发表交流。2027年5月中下旬，现场发表交流。\n"
            "上海市质量协会\n2026年11月20日\n")
    presenting = ask(svc, "现场发表大概什么时候", Topic.TIME,
                     remembered="2027年上海市优秀质量管理小组成果申报及发表交流活动")
    assert presenting.response == "utter_activity_phases" and "2027年5月" in str(presenting.values), presenting
    assert "专家初审" not in str(presenting.values)


def test_a_stage_in_a_third_of_a_month_is_said_as_the_notice_says_it(svc, tmp_path: Path):
    publish(svc, tmp_path, "award-2027.txt", "关于开展2027年度质量创新奖申报工作的通知\n各单位：\n四、时间安排\n"
            "（一）申报：即日起至2027年3月31日；\n（二）材料评审：2027年4月；\n（三）现场评审：2027年5月中旬至6月下旬；\n"
            "（四）表彰：2027年9月上旬。\n上海市质量协会\n2026年11月25日\n")
    answer = ask(svc, "现场评审大概什么时候", Topic.TIME, remembered="2027年度质量创新奖申报")
    assert "2027年5月中旬至6月下旬" in str(answer.values), answer
    # the stages listed under 时间安排 together span the activity, and applying closes the sign-up
    details = svc.activities.details(svc.activities.resolve("2027年度质量创新奖申报").matches[0].id)
    assert details is not None and details.summary.span is not None
    assert details.summary.span.describe() == "2026年11月25日至2027年9月上旬"


def test_a_per_unit_limit_answers_whatever_word_the_member_uses_for_the_people(svc):
    answer = ask(svc, "能多带个同事一起去吗", remembered="2027年第一期“质量大讲堂”")
    assert answer.response == "utter_document_answer" and "每家单位限报2人" in answer.values["answer"], answer


def test_who_is_responsible_is_the_units_the_notice_names_for_that_activity(svc, tmp_path: Path):
    publish(svc, tmp_path, "jiading-quality-month-2027.txt", "关于开展2027年嘉定区“质量月”活动的通知\n各单位：\n"
            "三、重点活动\n（一）“质量开放日”企业参观活动\n1. 时间：2027年9月\n2. 负责单位：区市场监管局、区质量协会\n"
            "（二）嘉定区职工质量知识竞赛\n1. 时间：2027年9月10日至9月25日\n2. 负责单位：区总工会、区市场监管局\n"
            "上海市嘉定区市场监督管理局\n2027年8月25日\n")
    responsible = ask(svc, "嘉定区职工质量知识竞赛是哪个单位负责的", Topic.ORGANISER)
    assert responsible.response == "utter_activity_organiser", responsible
    assert responsible.values["organisers"] == "嘉定区总工会、嘉定区市场监管局"


def test_when_and_where_to_gather_and_how_to_join_online_are_read_from_their_lines(svc, tmp_path: Path):
    publish(svc, tmp_path, "songjiang-open-day-2027.txt", "关于开展2027年松江区“质量开放日”观摩活动的通知\n"
            "各会员单位：\n定于2027年1月15日（星期五）上午举办2027年松江区“质量开放日”观摩活动。\n二、行程安排\n"
            "8:15  在区市场监督管理局正门口（西林北路1010号）集合，8:30准时发车\n约12:00  返回原集合地点\n"
            "三、线上同步\n会议号：582-316-947\n入会密码：8866\n上海市松江区市场监督管理局\n2026年12月1日\n")
    meet = ask(svc, "松江区质量开放日几点集合", Topic.TIME)
    assert meet.response == "utter_document_answer" and "8:15" in str(meet.values["answer"]), meet
    leave = ask(svc, "松江区质量开放日几点发车", Topic.TIME)
    assert "8:30" in str(leave.values.get("answer")), leave
    board = ask(svc, "松江区质量开放日在哪上车", Topic.PLACE)
    assert board.response == "utter_document_answer" and "西林北路1010号" in str(board.values["answer"]), board
    meeting = ask(svc, "松江区质量开放日腾讯会议号多少", Topic.PLACE)
    assert "582-316-947" in str(meeting.values.get("answer")), meeting


def test_why_what_to_sit_and_how_many_in_the_unit_asked_are_read_from_their_sentences(svc, tmp_path: Path):
    publish(svc, tmp_path, "auditor-2027.txt", "2027年第一期内审员培训及考核报名简章\n"
            "因原定教室临时改造，本期培训地点调整至宜山路700号。\n一、培训时间：2027年2月1日至3日。\n"
            "二、考试内容：RB/T 214—2017通用要求。\n三、考试不合格者可在一年内免费补考一次。\n"
            "四、每人限报1次，已报名的学员无需重新报名。\n五、报名方式：发送至 pxb@example.org。\n"
            "上海市检验检测认证协会\n2026年11月24日\n")
    about = {"remembered": "2027年第一期内审员培训及考核"}
    for question, expected in (("为啥换地方", "临时改造"), ("考试考什么", "RB/T 214"), ("考不过咋办", "补考"),
                               ("之前报过名还要再报吗", "无需重新报名"), ("一个人能报几次", "限报1次")):
        answer = ask(svc, question, Topic.OTHER, **about)
        assert expected in str(answer.values), (question, answer)


def test_another_activity_of_the_notice_talked_about_is_named_by_two_characters(svc, tmp_path: Path):
    publish(svc, tmp_path, "series-2027.txt", "关于开展2027年“巾帼质量”系列活动的通知\n"
            "一、女职工质量创新沙龙\n时间：2027年3月8日14:00。地点：城桥镇鼓浪屿路999号。名额：30名。\n"
            "二、线上质量知识竞答\n时间：2027年3月15日至21日。平台：“崇明市场监管”微信公众号。\n"
            "崇明区总工会\n2026年11月23日\n")
    answer = ask(svc, "竞答几号开始", Topic.TIME, remembered="女职工质量创新沙龙")
    assert answer.activity == "线上质量知识竞答" and "2027年3月15日" in str(answer.values), answer


def test_a_stage_a_length_and_online_viewing_of_a_contest_are_read_from_its_own_sentences(svc, tmp_path: Path):
    publish(svc, tmp_path, "pharma-qc-2027.txt", "关于举办2027年上海市医药行业QC小组成果发表赛的通知\n各会员单位：\n"
            "二、赛程安排\n（一）预赛：2027年4月22日至23日，分组进行现场发表，预赛地点另行通知。\n"
            "（二）决赛：2027年5月27日全天，地点为上海市医药行业协会三楼多功能厅。\n"
            "每个成果发表时间不超过12分钟，提问答辩3分钟。\n三、奖项设置\n决赛设一等奖、二等奖、三等奖。\n"
            "上海市医药行业协会\n2026年11月24日\n")
    about = {"remembered": "2027年上海市医药行业QC小组成果发表赛"}
    where = ask(svc, "预赛地点定了没", Topic.PLACE, **about)
    assert "另行通知" in str(where.values), where
    length = ask(svc, "每个成果发表多长时间", Topic.TIME, **about)
    assert length.response == "utter_document_answer" and "12分钟" in str(length.values["answer"]), length
    assert "三、奖项设置" not in str(length.values["answer"])  # the next heading is not part of the answer
    online = ask(svc, "决赛有没有线上直播", Topic.PHASES, **about)
    assert online.response == "utter_notice_silent", online


def test_a_member_s_own_name_finds_the_activity_by_a_word_only_its_name_has(svc, tmp_path: Path):
    publish(svc, tmp_path, "cold-store-2027.txt", "关于组织会员单位参加“走进鲜达智慧冷库”企业开放日活动的通知\n"
            "各会员单位：\n一、活动时间\n2027年4月16日（周五）9:30—15:00\n"
            "参加人员请于当天上午8:00在地铁2号线淞虹路站3号口集合，8:15准时发车。\n"
            "上海市冷链物流行业协会\n2026年11月25日\n")
    answer = ask(svc, "冷库参观早上几点集合", Topic.TIME)
    assert answer.activity == "“走进鲜达智慧冷库”企业开放日活动" and "8:00" in str(answer.values), answer


def test_a_rank_in_a_results_table_is_the_row_of_the_name_asked(svc, tmp_path: Path):
    rows = "".join(f"| {n} | 案例{n} | 上海{name}有限公司 | {rank} |\n" for n, name, rank in (
        (1, "外滩源丽晶酒店管理", "一等"), (2, "瑞康医学检验所", "一等"), (3, "南京东路老大房食品", "二等"),
        (4, "豫园商城物业管理", "二等"), (5, "浦江融信金融服务", "二等"), (6, "老庙珠宝检测中心", "三等"),
        (7, "华氏大药房黄浦连锁", "三等"), (8, "黄浦城市更新建设管理", "三等")))
    publish(svc, tmp_path, "huangpu-cases-2026.txt", "关于2026年度黄浦区质量提升优秀案例评选结果的公示\n"
            "现予以公示。\n一、拟入选名单\n| 序号 | 案例名称 | 申报单位 | 等级 |\n| --- | --- | --- | --- |\n" + rows
            + "二、公示时间\n2026年12月1日至12月7日。\n上海市黄浦区市场监督管理局\n2026年11月30日\n")
    answer = ask(svc, "老庙那个是几等", Topic.OTHER)
    assert "老庙珠宝检测中心有限公司  三等" in str(answer.values.get("answer")), answer
    assert "外滩源" not in str(answer.values.get("answer"))


def test_what_members_ask_of_taking_part_is_read_from_the_sentence_of_its_shape(svc, tmp_path: Path):
    publish(svc, tmp_path, "welding-2027.txt", "关于举办2027年上海市船舶行业职工焊工技能竞赛的通知\n各有关单位：\n"
            "一、参赛条件\n本市船舶修造企业在职职工，从事焊接工作满2年，年龄18至55周岁。\n"
            "二、竞赛安排\n理论考试：2027年5月8日上午9时。\n实操比赛：2027年5月22日。\n"
            "三、奖励办法\n竞赛按理论20%、实操80%计算总成绩。\n"
            "各项目第一名，推荐申报“上海市五一劳动奖章”；各项目前三名授予“技术能手”称号。\n"
            "四、其他\n比赛期间提供午餐。参赛选手须穿着工作服及劳保鞋。\n"
            "五、报名材料\n1. 身份证复印件1份；\n2. 焊工作业证复印件1份；\n3. 2寸证件照2张。\n"
            "六、联系方式\n韩立  电话：021-2290 5218\n上海市船舶工业行业协会\n2026年11月23日\n")
    about = {"remembered": "2027年上海市船舶行业职工焊工技能竞赛"}
    for question, expected in (("我干焊工才一年半，能报吗", "满2年"), ("我17岁可以报名吗", "18至55周岁"),
                               ("拿第一有什么奖励", "五一劳动奖章"), ("比赛管饭不", "午餐"),
                               ("要穿什么", "工作服"), ("报名要交哪些材料", "焊工作业证")):
        answer = ask(svc, question, **about)
        assert expected in str(answer.values), (question, answer)


def test_a_change_notice_answers_what_it_does_not_restate_with_its_as_before_sentence(svc, tmp_path: Path):
    publish(svc, tmp_path, "appliance-course-moved.txt", "关于“家电产品质量安全合规”公开课调整时间及举办形式的通知\n"
            "各会员单位：\n我会原定于2026年12月10日（星期四）下午在协会二楼会议室举办线下公开课。现作如下调整：\n"
            "一、时间调整\n公开课改期至2027年1月7日（星期四）14:00—16:00举办。\n"
            "二、其他事项\n课程内容、参加对象及费用等其他事项仍按原通知执行。\n"
            "上海市家用电器行业协会\n2026年12月1日\n")
    about = {"remembered": "“家电产品质量安全合规”公开课"}
    assert "按原通知执行" in str(ask(svc, "这个课收费吗", **about).values)
    assert "12月10日" in str(ask(svc, "原来是定在哪天的", **about).values)


def test_this_years_programme_answers_of_its_own_activities_past_or_not(svc, tmp_path: Path):
    publish(svc, tmp_path, "jiading-quality-month-2026.txt", "关于开展2026年嘉定区“质量月”活动的通知\n各有关单位：\n"
            "一、活动主题\n质量强区　品质嘉定\n二、重点活动\n（一）嘉定区职工质量知识竞赛\n1. 时间：9月10日至9月25日\n"
            "2. 方式：线上答题，职工通过“嘉定工会”微信小程序参与，每人限答2次。\n"
            "（二）“质量开放日”企业参观活动\n1. 时间：9月份\n2. 内容：组织市民代表走进区内质量标杆企业。\n"
            "上海市嘉定区市场监督管理局\n2026年8月25日\n")
    theme = ask(svc, "今年质量月主题是啥", Topic.THEME, year="今年")
    assert "质量强区" in str(theme.values), theme  # not 青年质量… by the 年质 of 今年质量月
    how = ask(svc, "知识竞赛怎么参加", Topic.SIGNUP_METHOD, named="知识竞赛", notice=theme.notice)
    assert "嘉定工会" in str(how.values), how


def test_a_short_name_jieba_cuts_apart_and_an_age_said_as_38了_find_their_answers(svc, tmp_path: Path):
    publish(svc, tmp_path, "green-belt-2027.txt", "2027年六西格玛绿带培训班（第一期）报名简章\n"
            "一、培训时间：2027年3月15日至19日，每天9:00—16:30。\n二、参加对象：35周岁以下的质量工作者。\n"
            "三、本期讲座不安排线上直播，课件会后不对外提供。\n上海市质量协会\n2026年12月2日\n")
    when = ask(svc, "绿带班几号开课", Topic.TIME)  # jieba: 绿/带班
    assert when.activity == "2027年六西格玛绿带培训班（第一期）" and "3月15日" in str(when.values), when
    about = {"remembered": when.activity}
    assert "35周岁以下" in str(ask(svc, "我今年38了还能听吗", **about).values)
    assert "不安排线上直播" in str(ask(svc, "有没有直播 在外地想线上听", **about).values)


def test_a_session_s_own_deadline_and_how_long_its_exam_takes_are_read_from_their_lines(svc, tmp_path: Path):
    publish(svc, tmp_path, "iso9001-2027.txt", "ISO 9001质量管理体系内审员培训班招生简章（2026—2027年度）\n"
            "【考试与证书】\n培训最后一天下午进行闭卷考试，时长90分钟。\n【开班安排】\n"
            "第一期：2026年12月14日—16日（周一至周三）\n第二期：2027年1月11日-13日（周一至周三）\n"
            "上课地点：上海市质量协会培训中心\n【报名方式】\n登录协会网站在线报名。\n第一期报名截止：12月9日\n"
            "第二期报名截止：2027年1月5日\n上海市质量协会\n2026年11月20日\n")
    about = {"remembered": "ISO 9001质量管理体系内审员培训班"}
    assert "2027年1月5日" in str(ask(svc, "那第二期报名截止是哪天", Topic.DEADLINE, **about).values)
    assert "90分钟" in str(ask(svc, "考试考多长时间", Topic.TIME, **about).values)
    assert "2026年12月14日" in str(ask(svc, "内审员培训第一期哪天开课", Topic.TIME).values)


def test_a_rank_given_as_a_heading_over_table_rows_is_said_with_the_row(svc, tmp_path: Path):
    publish(svc, tmp_path, "improvement-cases-2026.txt", "关于2026年上海市质量改进优秀案例评选结果的公示\n"
            "经专家评审，现将评选结果予以公示。\n一等奖\n名次　案例名称　　　　　申报单位　　　　　得分\n"
            "1　　 基于数字孪生的焊装缺陷预测　　上海申驰汽车零部件有限公司　　93.6\n二等奖\n"
            "4　　 提高精密铸件一次交检合格率　　上海嘉铖精密铸造有限公司　　90.4\n"
            "6　　 减少数控机床主轴非计划停机时间　　上海恒润精密机械有限公司　　89.2\n"
            "公示期：2026年12月4日至12月10日。如有异议，请以书面形式向市质量协会反映。\n"
            "上海市质量协会\n2026年12月4日\n")
    answer = ask(svc, "恒润精密那个案例拿了几等奖", Topic.OTHER)
    assert "二等奖" in str(answer.values.get("answer")) and "恒润精密" in str(answer.values.get("answer")), answer
    assert "申驰" not in str(answer.values.get("answer"))


VISIT = ("【活动报名】走进标杆企业｜2月25日赴临港观摩精益生产与卓越绩效实践\n上海质量 2026-12-04\n"
         "活动时间：2027年2月25日（周四）8:00—17:00\n集合地点：人民广场地铁站1号口\n"
         "费用：会员单位300元/人，非会员单位500元/人（含往返交通、午餐及保险）\n"
         "注意事项：厂区内禁止拍照、录像。\n报名：请于2月19日前电话报名。联系人：施佳琪 021-6431 5502\n")
FORUM = ("关于举办“2027上海卓越绩效管理论坛”暨标杆企业现场交流活动的通知\n各会员单位：\n"
         "上海市质量协会将于1月21日举办“2027上海卓越绩效管理论坛”，并于次日组织标杆企业现场交流活动。\n"
         "一、论坛\n时间：2027年1月21日（星期四）9:00—16:30\n地点：上海虹桥锦华大酒店三楼锦华厅\n"
         "费用：会员单位免费；非会员单位800元/人（含资料、午餐）\n"
         "二、标杆企业现场交流\n时间：2027年1月22日（星期五）8:30—15:00\n名额：限40人\n"
         "上海市质量协会\n2026年11月30日\n")


def test_a_word_of_the_notice_s_title_names_its_event_when_the_activity_s_name_does_not(svc, tmp_path: Path):
    publish(svc, tmp_path, "lingang-visit.txt", VISIT)
    answer = ask(svc, "临港那个参观是几号", Topic.TIME)
    assert "2027年2月25日" in str(answer.values) and answer.activity, answer
    # the notice's sentence answers what its record has no field for
    assert "禁止拍照" in str(ask(svc, "临港参观进去能拍照吗", Topic.OTHER).values)


def test_a_notice_of_an_event_to_come_is_meant_before_a_past_year_s_item_of_its_words(svc, tmp_path: Path):
    publish(svc, tmp_path, "excellence-forum.txt", FORUM)
    answer = ask(svc, "卓越绩效论坛是1月几号", Topic.TIME)
    assert "2027年1月21日" in str(answer.values), answer
    # words of neither of its two events: the notice's own sentence
    fee = ask(svc, "卓越绩效论坛非会员多少钱一个人", Topic.FEE)
    assert "800元" in str(fee.values), fee


def test_words_every_notice_may_use_or_a_verb_of_a_title_name_no_notice(svc, tmp_path: Path):
    publish(svc, tmp_path, "lingang-visit.txt", VISIT)
    for question in ("收费吗", "怎么参加", "报名截止哪天"):
        answer = ask(svc, question)
        assert "标杆" not in (answer.activity or "") and "临港" not in str(answer.values), (question, answer)


def test_a_question_of_something_the_record_s_field_does_not_name_gets_the_notice_s_sentence(svc, tmp_path: Path):
    publish(svc, tmp_path, "teams-2027.txt", "关于开展2027年度上海市质量信得过班组建设活动的通知\n各会员单位：\n"
            "一、申报时间\n2027年2月1日至4月15日。\n二、申报方式\n登录班组申报系统在线填写申报表；同时将加盖公章的"
            "纸质材料一式三份寄送至市质量协会评价部。\n三、评审\n2027年5月至6月组织现场评审，7月公布结果。\n"
            "上海市质量协会\n2026年11月27日\n")
    about = {"remembered": "2027年度上海市质量信得过班组建设活动"}
    mailed = ask(svc, "纸质材料寄给谁", Topic.DEADLINE, **about)  # the NLU's guess: a deadline
    assert "评价部" in str(mailed.values), mailed
    # the field says what is asked (哪个单位 asks for the units; 还能报名吗 for the deadline): the field answers
    assert ask(svc, "现在还能报名吗", Topic.DEADLINE, **about).response == "utter_deadline"


def test_a_step_of_the_notice_other_than_signing_up_is_answered_with_its_own_dates(svc, tmp_path: Path):
    publish(svc, tmp_path, "award-briefing.txt",
            "关于召开2027年度浦东新区区长质量奖申报政策解读会的通知\n各有关单位：\n一、时间：2027年2月25日14:00-16:00\n二、地点：浦东新区市民中心\n三、报名：请于2027年2月22日前报名。\n"
            "四、其他：2027年度区长质量奖申报工作预计于2027年3月1日启动，申报截止时间为2027年4月15日，"
            "评审结果预计于2027年9月公布。\n浦东新区市场监督管理局\n2026年12月2日\n")
    about = {"remembered": "2027年度浦东新区区长质量奖申报政策解读会"}
    # 申报 is a step of the award the briefing is about: not the briefing's sign-up deadline nor its day
    assert "4月15日" in str(ask(svc, "申报截止到几号", Topic.DEADLINE, **about).values)
    assert "3月1日" in str(ask(svc, "什么时候开始申报", Topic.TIME, **about).values)
    # results a notice plans to publish (预计于…公布) are still the answer to when they come out
    assert "9月" in str(ask(svc, "评审结果啥时候出", Topic.TIME, **about).values)
    # the briefing's own sign-up deadline and day stay the record's
    assert ask(svc, "报名截止到几号", Topic.DEADLINE, **about).response == "utter_deadline"
    assert ask(svc, "解读会几号开", Topic.TIME, **about).response == "utter_activity_time"


def test_hours_asked_of_a_stage_with_a_day_only_are_its_sentence_s_or_not_stated(svc, tmp_path: Path):
    publish(svc, tmp_path, "skills-contest.txt",
            "关于举办2027年长宁区职工质量管理技能竞赛的通知\n各基层工会：\n一、竞赛安排\n"
            "（一）初赛：2027年3月6日（星期六）9:00-11:00，线上理论考试。\n"
            "（二）决赛：2027年4月10日（星期六），地点为长宁区职工技能实训基地。决赛具体时间及场次安排另行通知。\n"
            "二、报名\n请于2027年2月20日前报名。\n长宁区总工会\n2026年11月18日\n")
    about = {"remembered": "2027年长宁区职工质量管理技能竞赛"}
    # the stage's day is no answer to 几点: its sentence says the hours follow
    assert "另行通知" in str(ask(svc, "决赛几点开始", Topic.TIME, **about).values)
    assert "9:00" in str(ask(svc, "初赛几点开始", Topic.TIME, **about).values)


def test_a_fee_said_beside_two_events_is_each_one_s_and_a_ticket_is_a_fee(svc, tmp_path: Path):
    publish(svc, tmp_path, "two-events.txt",
            "关于举办2027年宝山区标准化政策宣讲会和区长质量奖申报辅导会的通知\n各有关企业：\n"
            "一、标准化政策宣讲会\n（一）时间：2027年1月14日（星期四）14:00-16:00\n（二）地点：宝山区行政服务中心\n"
            "二、区长质量奖申报辅导会\n（一）时间：2027年1月21日（星期四）14:00-16:30\n（二）地点：宝山智慧湾科创园\n"
            "三、其他\n两场活动均不收取费用。请于1月8日前发送回执。\n宝山区市场监督管理局\n2026年11月20日\n")
    for name in ("标准化政策宣讲会", "区长质量奖申报辅导会"):
        answer = ask(svc, "要门票吗", remembered=name)
        assert answer.response == "utter_activity_fee" and "不收取费用" in str(answer.values), (name, answer)
    assert topic_of(None, "钱汇到哪个账号") is not Topic.FEE  # the account, not the amount


def test_a_year_plan_row_gives_way_to_the_notice_that_announces_its_activity(svc, tmp_path: Path):
    publish(svc, tmp_path, "jiading-plan-2027.txt", "嘉定区质量发展局\n\n关于印发嘉定区2027年质量提升活动安排的通知\n\n"
            "各镇、街道：\n现将活动安排印发给你们，具体方案另行通知。\n\n"
            "序号　活动名称　　　　　　　　　时间　　　　　　　牵头单位\n"
            "1　　质量安全进社区宣传周　　　　4月10日—16日　　区质量发展局\n"
            "2　　六西格玛黑带研修班　　　　　7月　　　　　　　区质量协会\n\n"
            "嘉定区质量发展局\n2026年11月30日\n")
    publish(svc, tmp_path, "blackbelt-2027.txt", "关于举办2027年六西格玛黑带研修班的通知\n各会员单位：\n"
            "我会定于2027年5月10日在市质协培训中心举办2027年六西格玛黑带研修班。\n"
            "上海市质量协会\n2026年12月1日\n")
    announced = ask(svc, "黑带研修班几号开课", Topic.TIME)
    assert announced.response == "utter_activity_time" and "5月10日" in str(announced.values["when"]), announced
    planned = ask(svc, "进社区宣传周是哪几天", Topic.TIME)  # a row no notice has announced yet
    assert "4月10日" in str(planned.values.get("when")) and "16日" in str(planned.values.get("when")), planned


def test_a_plan_row_named_better_still_gives_way_to_the_announced_activity_unless_the_plan_is_named(svc, tmp_path):
    publish(svc, tmp_path, "fengxian-plan-2027.txt", "奉贤区质量发展局\n\n关于印发奉贤区2027年质量活动安排的通知\n\n"
            "各有关单位：\n现将活动安排印发给你们。\n\n"
            "序号  活动名称                    时间        负责单位\n"
            "1     质量开放日（企业进校园）    5月         区教育局\n"
            "2     区QC小组成果发表会          7月         区总工会\n\n"
            "奉贤区质量发展局\n2026年12月1日\n")
    publish(svc, tmp_path, "open-day-2027.txt", "关于举办2027年第一期“质量开放日”活动的通知\n各会员单位：\n"
            "我会定于2027年3月10日在上海瀚海精密机械有限公司举办2027年第一期“质量开放日”活动。\n"
            "上海市质量协会\n2026年11月26日\n")
    announced = ask(svc, "开放日去哪个企业参观", Topic.PLACE)
    assert announced.activity == "2027年第一期“质量开放日”活动", announced
    planned = ask(svc, "奉贤区里的QC发表会明年大概几月份", Topic.TIME)
    assert planned.activity == "区QC小组成果发表会" and "7月" in str(planned.values["when"]), planned


def test_signing_up_online_does_not_say_whether_one_can_watch_online(svc, tmp_path: Path):
    publish(svc, tmp_path, "annual-meeting-2027.txt", "关于召开2027年质量技术年会的通知\n各会员单位：\n"
            "我会定于2027年3月12日在上海虹锦国际酒店召开2027年质量技术年会。\n"
            "报名方式：请于3月5日前扫描二维码在线报名。\n上海市质量协会\n2026年12月3日\n")
    watched = ask(svc, "质量技术年会有没有线上直播可以看")
    assert watched.response == "utter_notice_silent", watched


def test_a_place_in_a_ranked_results_table_is_its_row(svc, tmp_path: Path):
    publish(svc, tmp_path, "quiz-results-2026.txt", "关于2026年质量知识竞答决赛成绩的公示\n\n"
            "经评定，现将决赛成绩予以公示。\n\n"
            "名次  代表队                    得分   奖项\n"
            "1     上海申华电机代表队        288    一等奖\n"
            "2     上海沪光纺织代表队        270    二等奖\n"
            "3     上海浦江食品代表队        262    二等奖\n\n"
            "公示期：2026年12月2日至12月8日。\n上海市质量协会\n2026年12月1日\n")
    first = ask(svc, "质量知识竞答决赛谁拿了第一")
    assert "申华电机" in str(first.values.get("answer")), first
    second = ask(svc, "第二名多少分", notice=first.notice)
    assert "270" in str(second.values.get("answer")), second


CONTEST = """关于举办2027年长宁区“质量杯”职工质量知识竞赛的通知

各基层工会：
一、竞赛安排
  阶段    时间                          形式              地点
  初赛    2027年3月1日—3月14日           线上答题          “长宁质量”微信小程序
  复赛    2027年4月10日                  笔试              另行通知
  决赛    2027年5月20日（星期四）下午     现场竞赛          长宁区职工活动中心（愚园路1258号）
二、报名方式
请于2027年2月20日前将报名表发送至 cnzl@example.org。

长宁区总工会
2026年12月1日
"""


def test_where_a_contest_held_in_no_one_place_is_where_each_round_is(svc, tmp_path: Path):
    publish(svc, tmp_path, "contest-2027.txt", CONTEST)
    where = ask(svc, "质量杯知识竞赛在哪比", Topic.PLACE)
    assert where.response == "utter_document_answer", where
    assert "微信小程序" in str(where.values["answer"]) and "愚园路1258号" in str(where.values["answer"]), where
    final = ask(svc, "质量杯知识竞赛决赛在哪", Topic.PLACE)
    assert "愚园路1258号" in str(final.values["answer"]) and "小程序" not in str(final.values["answer"]), final


def test_an_activity_in_sessions_on_days_of_their_own_is_told_session_by_session(svc, tmp_path: Path):
    publish(svc, tmp_path, "open-day-2027.txt", "关于举办2027年首期“质量开放日”活动的通知\n各会员单位：\n"
            "本期开放日共安排两场：\n第一场：3月10日（周三）13:30-16:30\n第二场：3月24日（周三）13:30-16:30\n"
            "请于3月3日前报名。\n上海市质量协会\n2026年11月26日\n")
    when = ask(svc, "质量开放日是哪天", Topic.TIME)
    assert when.response == "utter_activity_time", when
    assert "3月10日（第一场）" in str(when.values["when"]) and "3月24日（第二场）" in str(when.values["when"]), when


def test_a_refund_is_answered_by_what_the_notice_says_of_refunds_not_by_the_dates(svc, tmp_path: Path):
    publish(svc, tmp_path, "cqo-postponed.txt", "关于首席质量官任职培训班延期举办的通知\n各有关单位：\n"
            "原定于2027年1月19日至21日举办的首席质量官任职培训班延期至2027年3月16日至18日举办。\n"
            "一、已报名学员无需重新报名。如因时间冲突无法参加，请于2027年1月15日前告知我会，已缴费用全额退还。\n"
            "上海市质量协会\n2026年12月6日\n")
    refund = ask(svc, "首席质量官任职培训班那几天去不了，钱能退吗")
    assert refund.response == "utter_document_answer" and "全额退还" in str(refund.values["answer"]), refund


SESSIONS = """上海市质量协会
关于举办2027年卓越绩效自评师培训班的通知
各会员单位：
本会定于2027年举办卓越绩效自评师培训班，现将有关事项通知如下：
一、班次安排
班次　　日期　　　　　地点　　　　　　　　　　　　名额　　报名截止
第一期　3月8日—10日　协会培训中心（长寿路100号）　　30人　　2月26日
第二期　5月10日—12日　嘉定会议中心（城中路8号）　　　25人　　4月28日
第三期　7月5日—7日　　线上（腾讯会议）　　　　　　　50人　　6月25日
二、培训费用
第一期、第二期（面授）：会员单位2000元/人，非会员单位2400元/人；第三期（线上）：1200元/人。
上海市质量协会
2026年11月20日
"""


def test_a_course_s_session_is_found_by_its_number_or_by_how_it_is_held(svc, tmp_path: Path):
    publish(svc, tmp_path, "sessions.txt", SESSIONS)
    second = ask(svc, "自评师培训第二期在哪上课")
    assert second.response == "utter_activity_place" and "嘉定会议中心" in str(second.values["location"])
    online = ask(svc, "线上那期报名截止哪天", remembered=second.activity, follow_up=True)
    assert online.response == "utter_deadline" and "2027年6月25日" in str(online.values["deadline"])
    # the two sessions held in person cost the same: said once, of the course
    in_person = ask(svc, "面授班非会员多少钱", remembered=online.activity, follow_up=True)
    assert in_person.response == "utter_activity_fee" and "2400元" in str(in_person.values["fee"])
    assert in_person.values["activity"] == "2027年卓越绩效自评师培训班"
    # the sessions' places differ: which one
    assert ask(svc, "自评师培训班在哪上课").candidates is not None


def test_a_thing_the_activity_s_notice_does_not_name_is_said_to_be_missing(svc):
    # the lecture's notice says it is free, and nothing of paying by instalments or of lodging
    assert ask(svc, "第一期大讲堂学费能分期付吗", Topic.FEE).response == "utter_notice_silent"
    assert ask(svc, "第一期大讲堂管住宿吗").response == "utter_notice_silent"
    assert ask(svc, "第一期大讲堂收费吗").response == "utter_activity_fee"
