"""What a careful reader takes from a notice, on notices written the ways real ones are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from services.ingest.cleaning import clean_text
from services.ingest.contacts import read_contacts
from services.ingest.dates import DateReader, time_of_day
from services.ingest.extraction import extract
from services.ingest.fields import capacity
from services.ingest.loader import read_and_extract
from services.ingest.readers import UnreadableNotice
from services.ingest.records import NoticeKind

FIXTURES = Path(__file__).parent / "fixtures"


def read(text: str):
    return extract(clean_text(text), "notice.txt")


def spans(text: str, issued: dt.date = dt.date(2026, 12, 2)) -> list[tuple[str, str]]:
    return [(f.span.start.iso(), f.span.end.iso()) for f in DateReader(issued).find(text)]


def test_dates_in_every_common_form_keep_their_precision():
    assert spans("2027年3月18日（周四）") == [("2027-03-18", "2027-03-18")]
    assert spans("2027.4.7—4.9（共3天）") == [("2027-04-07", "2027-04-09")]
    assert spans("2027-05-10至2027-05-20") == [("2027-05-10", "2027-05-20")]
    assert spans("2027年3月9日—10日") == [("2027-03-09", "2027-03-10")]
    assert spans("2027年6月~7月") == [("2027-06", "2027-07")]
    assert spans("12月—2月") == [("2026-12", "2027-02")]
    assert spans("2027年5月中旬至6月下旬") == [("2027-05中旬", "2027-06下旬")]
    assert spans("9月中下旬") == [("2027-09", "2027-09")]


def test_a_third_of_a_month_is_said_back_as_the_notice_said_it():
    (found,) = DateReader(dt.date(2026, 11, 25)).find("现场评审：2027年5月中旬至6月下旬")
    assert found.span.describe() == "2027年5月中旬至6月下旬"
    assert found.span.end.last_day == dt.date(2027, 6, 30)
    (early,) = DateReader(dt.date(2026, 11, 25)).find("决赛：2027年6月上旬")
    assert early.span.describe() == "2027年6月上旬" and early.span.end.last_day == dt.date(2027, 6, 10)


def test_without_a_date_of_issue_a_yearless_date_is_the_one_nearest_the_event():
    reader = DateReader(None, anchor=dt.date(2027, 1, 9))
    assert [f.span.start.iso() for f in reader.find("1月6日前")] == ["2027-01-06"]
    assert [f.span.start.iso() for f in reader.find("12月20日起")] == ["2026-12-20"]


def test_a_date_without_a_year_is_the_next_one_after_the_notice():
    assert spans("2月22日前报名") == [("2027-02-22", "2027-02-22")]
    assert spans("9月1日上午", issued=dt.date(2026, 8, 20)) == [("2026-09-01", "2026-09-01")]
    assert spans("11月6日前", issued=dt.date(2026, 10, 20)) == [("2026-11-06", "2026-11-06")]


def test_the_time_of_day_is_when_it_runs_not_when_to_sign_in():
    assert time_of_day("2027年3月18日（周四）13:30-16:30（13:00开始签到）") == "13:30-16:30"
    assert time_of_day("6月23日14:00起报到") is None
    assert time_of_day("9月1日（周二）上午") == "上午"


@pytest.mark.parametrize("text, seats", [
    ("名额：150名，按报名先后确认", 150), ("本期限60人，额满为止", 60), ("会场共设200个座位，额满即止", 200),
    ("每期限60人，额满为止", 60), ("训练营共招收学员50名", 50), ("现场设席位150个，额满即止", 150),
    ("每家单位限报2支队伍", None), ("本年度拟命名不超过120个班组", None), ("不限人数", None),
])
def test_capacity_is_seats_not_quotas(text, seats):
    assert capacity(text)[0] == seats


def test_a_shared_line_of_details_belongs_to_every_person_listed_before_it():
    contacts = read_contacts(["联系方式", "李娜 电话：021-6238 5521 手机：13901785520", "周强 电话：021-6238 5523",
                              "传真：021-6238 5500 邮箱：qcpx@example.org",
                              "市总工会经济技术部 钱佳 电话：021-6322 8890"], "上海市质量协会")
    assert [(c.org, c.person, c.phone, c.mobile, c.fax) for c in contacts] == [
        ("上海市质量协会", "李娜", "021-6238 5521", "13901785520", "021-6238 5500"),
        ("上海市质量协会", "周强", "021-6238 5523", None, "021-6238 5500"),
        ("上海市总工会经济技术部", "钱佳", "021-6322 8890", None, None),
    ]
    assert contacts[2].email is None



@pytest.mark.parametrize("lines, expected", [
    # an organisation alone above its people; a name and a number without labels; padded names
    (["上海市质量协会会员服务部", "联系人：陈思远  021-6433 5120", "周  敏  021-6433 5127",
      "电子邮箱：dajiangtang@example.org"],
     [("上海市质量协会会员服务部", "陈思远", "021-6433 5120", None, "dajiangtang@example.org"),
      ("上海市质量协会会员服务部", "周敏", "021-6433 5127", None, "dajiangtang@example.org")]),
    # the unit in brackets after the name; one of the issuer's departments, one whole
    (["徐  敏（恒川公司质量部）021-5768 2201 / 136 0000 3391", "刘晓燕（培训部）  电话：021-5665 2318"],
     [("恒川公司质量部", "徐敏", "021-5768 2201", "136 0000 3391", None),
      ("上海市食品协会培训部", "刘晓燕", "021-5665 2318", None, None)]),
    # whose each number is, after it
    (["咨询电话：021-6433 5135（李老师）、021-6433 5136（黄老师）", "电子邮箱：qc@example.org"],
     [("上海市食品协会", "李老师", "021-6433 5135", None, "qc@example.org"),
      ("上海市食品协会", "黄老师", "021-6433 5136", None, "qc@example.org")]),
    # the organisation before a colon, labels without one
    (["区总工会经济工作部：郑  雯  电话 021-6251 3308", "区职工技术协会：何志强  手机 139 0000 8825"],
     [("区总工会经济工作部", "郑雯", "021-6251 3308", None, None),
      ("区职工技术协会", "何志强", None, "139 0000 8825", None)]),
    # labels glued to their values; a number before the labels; the unit glued to the name
    (["上海市医药行业协会质量部：钱慧，电话021-6247 3308，邮箱yyqc@example.org",
      "市质协培训部  丁一凡  18017623359  邮箱：youth@example.org",
      "联系人：区市场监管局质量发展科徐志华，电话6991 2345转8012"],
     [("上海市医药行业协会质量部", "钱慧", "021-6247 3308", None, "yyqc@example.org"),
      ("上海市质协培训部", "丁一凡", None, "18017623359", "youth@example.org"),
      ("区市场监管局质量发展科", "徐志华", "6991 2345转8012", None, None)]),
    # what each contact is for before a colon, then the unit; a shared line's label with a note
    (["质量沙龙：区质量协会秘书处  王晓  电话：021-5678 0922", "开放日：区市场监管局质量科  陈雯  电话：021-5678 0937",
      "邮箱（两场共用）：bs@example.org"],
     [("区质量协会秘书处", "王晓", "021-5678 0922", None, "bs@example.org"),
      ("区市场监管局质量科", "陈雯", "021-5678 0937", None, "bs@example.org")]),
    # the person's department after 联系人, then the person
    (["联系人：培训部　包文静　电话：021-6952 3318"],
     [("上海市食品协会培训部", "包文静", "021-6952 3318", None, None)]),
])
def test_contact_lines_in_the_shapes_notices_print_them(lines, expected):
    contacts = read_contacts(["联系方式", *lines], "上海市食品协会")
    assert [(c.org, c.person, c.phone, c.mobile, c.email) for c in contacts] == expected


def test_a_contact_table_is_read_a_person_a_row_by_its_header():
    text = clean_text("五、联系方式\n| 单位 | 联系人 | 电话 | 电子邮箱 |\n| --- | --- | --- | --- |\n"
                      "| 杨浦区市场监管局质量发展科 | 符敏 | 021-2503 3812 | ypzlfz@example.org |\n"
                      "| 上海市质量协会（技术支撑单位） | 吕一鸣 | 021-6433 5126转612 | |\n")
    contacts = read_contacts(text.split("\n"), "上海市杨浦区市场监督管理局")
    assert [(c.org, c.person, c.phone, c.email) for c in contacts] == [
        ("杨浦区市场监管局质量发展科", "符敏", "021-2503 3812", "ypzlfz@example.org"),
        ("上海市质量协会", "吕一鸣", "021-6433 5126转612", None),
    ]


def test_each_event_of_a_programme_has_the_people_its_section_names():
    record = extract(clean_text(
        "关于开展2027年“质量月”系列活动的通知\n各会员单位：\n现将有关活动安排通知如下。\n"
        "一、质量知识竞赛\n时间：2027年9月5日\n地点：宝山区职工活动中心\n联系人：王明 电话：021-6600 1111\n"
        "二、质量开放日\n时间：2027年9月12日\n地点：宝钢园区\n联系人：李红 手机：13900001111\n"
        "三、其他事项\n咨询电话：021-6200 0000（张老师）\n上海市质量协会\n2026年11月20日\n"))
    assert [(a.name, [c.person for c in a.contacts]) for a in record.activities] == [
        ("质量知识竞赛", ["王明"]), ("质量开放日", ["李红"])]
    assert [c.person for c in record.contacts] == ["王明", "李红", "张老师"]


def test_a_programme_event_without_its_own_people_has_its_units_contacts():
    record = extract(clean_text(
        "关于印发2027年“3·15”系列活动安排的通知\n各有关单位：\n"
        "一、消费维权咨询日\n时间：2027年3月15日\n地点：静安寺广场\n负责单位：区消保委\n"
        "二、消费知识竞答\n时间：2027年3月16日\n地点：线上\n负责单位：区市场监管局消保科\n"
        "三、联系方式\n区消保委：杭雪 电话：021-6111 2222\n区市场监管局消保科：陶维民 电话：021-6111 3333\n"
        "上海市静安区市场监督管理局\n2026年11月20日\n"))
    assert [(a.name, [c.person for c in a.contacts]) for a in record.activities] == [
        ("消费维权咨询日", ["杭雪"]), ("消费知识竞答", ["陶维民"])]


def test_a_sentence_giving_a_number_is_no_contact():
    assert read_contacts(["请于1月29日前E-mail至qcc@example.com，或传真至021-6270 5500。"], None) == []

LECTURE = """上海市质量协会
关于举办2027年第一期质量大讲堂的通知
各会员单位：
我会定于2027年3月18日（星期四）下午13:30—16:30，在长宁区泰安路74号市质协三楼报告厅举办2027年第一期质量大讲堂。
一、讲座内容
1. 卓越绩效评价准则解读；
2. 质量成本管理；
3. 数字化质量管理案例。
二、本期名额150人，额满为止。本次讲座免费。
三、请于2027年3月10日前将报名回执发送至 px@example.org 报名。
联系人：王敏 电话：021-6543 2187
上海市质量协会
2026年12月1日
"""


def test_a_lecture_is_one_activity_and_its_topics_are_not_activities():
    notice = read(LECTURE)
    assert notice.kind is NoticeKind.ANNOUNCEMENT
    [lecture] = notice.activities
    assert lecture.name == "2027年第一期质量大讲堂"
    assert lecture.span is not None and lecture.span.describe() == "2027年3月18日"
    assert lecture.time_of_day == "13:30-16:30"
    assert lecture.place == "长宁区泰安路74号市质协三楼报告厅"
    assert (lecture.capacity, lecture.signup_deadline) == (150, dt.date(2027, 3, 10))
    assert lecture.fee is not None and lecture.fee.startswith("免费")
    assert lecture.source_of("capacity") == "本期名额150人"


QC_TRADITIONAL = """上海市質量協會
關於開展2027年上海市QC小組成果發(fā)表活動的通知
各會員單位：
現將有關事項通知如下：
一、活動安排
（一）成果申報：2027年4月1日—5月31日，請通過市質協網站在線申報系統提交材料；
（二）專家評審：2027年6月；
（三）發(fā)表交流：2027年7月15日。
二、聯繫人：趙一鳴 電話：021-6387 1104
上海市質量協會
2026年12月1日
"""


def test_phases_of_one_activity_in_traditional_script_are_not_activities():
    notice = read(QC_TRADITIONAL)
    [qc] = notice.activities
    assert "发表" in qc.name
    assert [p.name for p in qc.phases] == ["成果申报", "专家评审", "发表交流"]
    assert qc.span is not None and (qc.span.start.iso(), qc.span.end.iso()) == ("2027-04-01", "2027-07-15")
    assert qc.signup_deadline == dt.date(2027, 5, 31)


def _phases(text: str) -> list[tuple[str, str, str]]:
    [activity] = read(text).activities
    return [(p.name, p.span.start.iso(), p.span.end.iso()) for p in activity.phases if p.span]


def test_stages_written_as_headings_with_their_dates_in_brackets_or_after_a_full_stop():
    notice = ("上海市徐汇区质量协会\n关于开展2027年度徐汇区“质量标杆”评选活动的通知\n各有关企业：\n"
              "三、评选程序\n（一）申报阶段（2026年12月7日至2027年1月29日）\n1. 企业自愿申报。\n"
              "（二）初审阶段（2027年2月）\n（三）评审阶段（2027年3月1日至3月31日）\n"
              "四、联系方式\n方瑜 021-5496 3307\n上海市徐汇区质量协会\n2026年11月30日\n")
    assert _phases(notice) == [("申报阶段", "2026-12-07", "2027-01-29"), ("初审阶段", "2027-02", "2027-02"),
                               ("评审阶段", "2027-03-01", "2027-03-31")]
    applied = ("上海市质量协会\n关于开展2027年QC小组成果申报的通知\n各会员单位：\n二、工作安排\n"
               "（一）网上申报。即日起至2027年3月31日止，申报单位登录系统填报。\n"
               "（二）专家初审。2027年4月，组织专家进行书面评审。\n上海市质量协会\n2026年11月20日\n")
    assert _phases(applied) == [("网上申报", "2026-11-20", "2027-03-31"), ("专家初审", "2027-04", "2027-04")]


def test_stages_in_a_text_table_and_items_under_a_sentence_that_announces_stages():
    table = ("上海市徐汇区总工会\n关于举办2027年徐汇区“质量杯”职工质量知识竞赛的通知\n各单位：\n三、竞赛安排\n"
             "阶段    时间                   形式              地点\n"
             "初赛    2027年3月1日—3月14日    线上答题          “徐汇质量”微信小程序\n"
             "复赛    2027年4月中旬           笔试＋现场抢答     另行通知\n"
             "决赛    2027年5月20日（星期四）下午   现场竞赛     徐汇区职工活动中心\n"
             "上海市徐汇区总工会\n2026年11月30日\n")
    assert [name for name, _, _ in _phases(table)] == ["初赛", "复赛", "决赛"]
    staged = ("上海市质量协会\n关于举办第十二期首席质量官任职培训班的通知\n各会员单位：\n（二）培训时间与形式\n"
              "培训分三个阶段进行：\n1. 集中面授：2027年3月15日（周一）至3月19日（周五），共5天；\n"
              "2. 标杆企业现场教学：2027年3月26日（周五）；\n3. 结业考核与论文答辩：2027年4月9日（周五）。\n"
              "（三）培训地点\n质量大厦6楼。\n上海市质量协会\n2026年11月25日\n")
    assert _phases(staged) == [("集中面授", "2027-03-15", "2027-03-19"),
                               ("标杆企业现场教学", "2027-03-26", "2027-03-26"),
                               ("结业考核与论文答辩", "2027-04-09", "2027-04-09")]


def test_a_place_stated_inside_a_sentence_when_no_field_or_event_sentence_gives_one():
    notice = read("嘉定区总工会\n关于举办嘉定区第三届“质量工匠杯”职工QC成果竞赛的通知\n各基层工会：\n"
                  "（二）复赛：2027年3月12日（星期五），现场发表。\n（三）决赛：2027年4月15日（星期四），现场发表及答辩。\n"
                  "复赛、决赛地点均为嘉定区工人文化宫（博乐路118号）。\n嘉定区总工会\n2026年11月16日\n")
    [contest] = notice.activities
    assert contest.place == "嘉定区工人文化宫（博乐路118号）"


def test_an_event_sentence_held_through_a_platform_after_its_name():
    notice = read("上海市闵行区市场监督管理局\n关于开展“质量强企”线上公益课堂（第三讲）的通知\n各有关企业：\n"
                  "第三讲定于11月27日（星期五）下午14:00—15:30通过腾讯会议在线举行，现将有关事项通知如下：\n"
                  "一、参加对象\n辖区企业质量管理人员。\n上海市闵行区市场监督管理局\n2026年11月16日\n")
    [lesson] = notice.activities
    assert lesson.span is not None and lesson.span.describe() == "2026年11月27日"
    assert lesson.time_of_day == "14:00-15:30"


def test_two_activities_under_bulleted_headings_are_two():
    notice = read("上海市质量协会会员服务部\n关于开展2027年第一季度会员专题活动的通知\n各会员单位：\n"
                  "现将两项会员专题活动安排通知如下。\n■ 活动一：《产品质量法》修订要点宣贯会\n"
                  "时间：2027年2月25日（星期四）下午14:00—17:00\n地点：上海市质量协会5楼报告厅\n"
                  "■ 活动二：“质量经理人读书会”春季沙龙\n时间：2027年3月20日（星期六）上午9:30~11:30\n"
                  "地点：上海质量书屋（黄浦区复兴中路505号2楼）\n上海市质量协会会员服务部\n2026年11月19日\n")
    assert [a.name for a in notice.activities] == ["《产品质量法》修订要点宣贯会", "“质量经理人读书会”春季沙龙"]


WECHAT_HACKATHON = """# 📢 报名开启｜2027质量创新黑客松来啦！32小时，用数据和AI解决真实质量难题

上海质协　2026-11-28 08:30　发表于上海

## 📅 时间｜

4月17日（周六）9:00 ~ 4月18日（周日）17:00

## 📍 地点｜

上海理工大学军工路校区 图书馆一楼创客空间（杨浦区军工路516号）

## 🗓 赛程｜

- **线上报名**：即日起至3月31日
- **赛前线上培训**：4月10日（周六）19:00—20:30，腾讯会议
- **现场比赛**：4月17日~18日，18日下午路演评审及颁奖

现场限30支队伍，额满即止！
"""


def test_a_wechat_article_with_its_schedule_in_a_list():
    [hackathon] = read(WECHAT_HACKATHON).activities
    assert hackathon.name == "2027质量创新黑客松"
    assert hackathon.span is not None and (hackathon.span.start.iso(), hackathon.span.end.iso()) == (
        "2027-04-17", "2027-04-18")
    assert hackathon.place is not None and "军工路516号" in hackathon.place
    assert [p.name for p in hackathon.phases] == ["线上报名", "赛前线上培训", "现场比赛"]
    assert hackathon.signup_deadline == dt.date(2027, 3, 31)


def test_a_fee_someone_else_pays_is_free_and_a_change_notice_names_its_activity_after_the_verb():
    [course] = read("上海市浦东新区市场监督管理局\n关于举办2027年浦东新区首席质量官能力提升研修班的通知\n各有关企业：\n"
                    "定于2027年4月7日在浦东新区锦绣路1888号举办研修班。\n四、费用\n"
                    "本次研修班培训费由区市场监管局承担，学员不缴纳任何费用。\n"
                    "上海市浦东新区市场监督管理局\n2026年11月23日\n").activities
    assert course.fee is not None and course.fee.startswith("免费")
    [meeting] = read("上海市建筑施工行业协会\n关于调整“2027年质量信得过班组建设经验交流会”会场及参会名额的通知\n"
                     "各会员单位：\n一、会议时间不变，仍为2027年1月21日（星期四）下午。\n"
                     "二、会场由协会三楼会议室调整为静安区市民中心报告厅。\n上海市建筑施工行业协会\n2026年11月24日\n"
                     ).activities
    assert meeting.name == "2027年质量信得过班组建设经验交流会"


def test_sign_up_from_today_until_a_day_ends_there():
    [salon] = read("第28期质量沙龙｜当AI遇上质量检验\n时间：2027年1月9日（周六）14:00-17:00\n"
                   "地点：长宁区虹桥路1386号\n报名方式：即日起至1月6日，扫描二维码填写报名信息。\n").activities
    assert salon.signup_deadline == dt.date(2027, 1, 6)


def test_a_section_with_stages_and_no_time_is_an_activity_of_its_own():
    notice = read("共青团上海市奉贤区委员会\n关于开展2027年奉贤区“青春质量行”系列活动的通知\n各单位：\n"
                  "一、青年质量微课大赛\n（一）参赛对象：全区35周岁以下青年职工。\n（二）赛程安排：\n"
                  "1. 作品征集：即日起至2027年2月28日；\n2. 网络评审：2027年3月上旬；\n"
                  "二、“走进标杆”企业观摩\n（一）时间：2027年1月27日（星期三）13:00—16:30。\n"
                  "共青团上海市奉贤区委员会\n2026年12月1日\n")
    assert [a.name for a in notice.activities] == ["青年质量微课大赛", "“走进标杆”企业观摩"]
    assert [p.name for p in notice.activities[0].phases] == ["作品征集", "网络评审"]


def test_a_results_announcement_invites_nobody():
    notice = read("上海市质量协会\n关于2026年度质量信得过班组拟命名名单的公示\n各有关单位：\n"
                  "公示期为2026年11月30日至12月6日。\n联系人：赵一鸣 电话：021-6387 1104\n"
                  "上海市质量协会\n2026年11月30日\n")
    assert notice.kind is NoticeKind.RESULTS
    assert notice.activities == []
    assert [c.person for c in notice.contacts] == ["赵一鸣"]


def test_a_postponement_gives_the_new_date_and_keeps_the_old_one():
    notice = read("上海市质量协会\n关于2027年QC小组成果发表交流会延期举办的通知\n各会员单位：\n"
                  "一、时间调整\n由2027年1月21日调整为2027年3月4日（星期四）8:30-17:00。\n"
                  "二、地点调整\n由市质协培训中心调整为静安区市民中心一楼报告厅。\n"
                  "上海市质量协会\n2026年11月27日\n")
    assert notice.kind is NoticeKind.CHANGE
    [meeting] = notice.activities
    assert meeting.name == "2027年QC小组成果发表交流会"
    assert meeting.span is not None and meeting.span.describe() == "2027年3月4日"
    assert meeting.place == "静安区市民中心一楼报告厅"
    assert meeting.previously == {"span": "2027年1月21日", "place": "市质协培训中心"}


def test_events_numbered_inside_a_section_with_their_fields_in_one_paragraph():
    _, notice = read_and_extract(FIXTURES / "2027-qc-presentation-notice.txt")
    assert [a.name for a in notice.activities] == ["2027年上海市QC小组成果发表交流会", "2027年质量大讲堂（第一期）"]
    qc, lecture = notice.activities
    assert (qc.capacity, qc.signup_deadline, qc.theme) == (120, dt.date(2027, 3, 31), "数智赋能 质量提升")
    assert (lecture.fee, lecture.signup_deadline) == ("会务费300元/人", dt.date(2027, 5, 10))


def test_a_notice_with_nothing_to_join_has_no_activities_and_says_so():
    _, notice = read_and_extract(FIXTURES / "bad" / "no-activities-notice.txt")
    assert notice.issued_on == dt.date(2028, 1, 10)
    assert notice.activities == []
    assert notice.doubts == ["未识别出活动，请手工添加"]


def test_a_damaged_file_is_refused_with_the_reason():
    with pytest.raises(UnreadableNotice, match=r"damaged-notice\.docx: cannot be read as docx"):
        read_and_extract(FIXTURES / "bad" / "damaged-notice.docx")


WECHAT_ARTICLE = """# 报名｜第3期“质量下午茶”：聊聊质量成本

原创 质协青委会 [上海市质量协会](javascript:void(0);) *2026年12月01日 09:30* *上海*

## 🗓 活动信息
时间：2027.1.22（周五）14:00~16:30
地点：上海市质量协会3楼创新工作室
人数：限40人
⏰ 报名截止：1月15日 12:00，报名结果将于1月18日前短信通知。
📞 咨询
小吴 021-6433 5166（工作日 9:00-17:00）
"""


def test_a_wechat_article_names_its_activity_in_the_title_and_dates_itself_in_the_byline():
    notice = extract(clean_text(WECHAT_ARTICLE), "article.md")
    assert notice.issued_on == dt.date(2026, 12, 1)
    [salon] = notice.activities
    assert salon.name == "第3期“质量下午茶”"
    assert salon.span is not None and salon.span.start.first_day == dt.date(2027, 1, 22)
    assert salon.signup_deadline == dt.date(2027, 1, 15)  # the deadline's own date, not the results'
    assert salon.capacity == 40
    assert [(c.person, c.phone) for c in notice.contacts] == [("小吴", "021-6433 5166")]


def test_an_invitation_titled_with_a_bar_is_read():
    text = ("邀请函｜走进恒川·2027年“质量开放日”\n各位质量同仁：\n"
            "上海恒川精密机械有限公司将于2027年4月16日（周五）上午9:30-11:30举办2027年“质量开放日”，欢迎参加。\n"
            "上海恒川精密机械有限公司\n2026年12月1日\n")
    notice = read(text)
    assert [a.name for a in notice.activities] == ["2027年“质量开放日”"]


def test_a_change_notice_states_the_new_time_and_place_and_keeps_the_old_ones():
    text = ("关于“2026年宝山区首席质量官能力提升培训班”延期举办的通知\n台品协字第2026-047号\n各有关企业：\n"
            "原定于2026年12月10日至11日在区市场监督管理局三楼会议室举办的“2026年宝山区首席质量官能力提升培训班”，"
            "经研究决定延期举办。现将调整事项通知如下：\n"
            "一、培训时间由2026年12月10日—11日调整为2027年1月13日—14日，每天9:00~16:00。\n"
            "二、培训地点由区市场监督管理局三楼会议室调整为宝山区科技创新中心二楼报告厅。\n"
            "三、报名截止日期由2026年12月1日延长至2027年1月6日。\n"
            "上海市宝山区市场监督管理局\n2026年11月30日\n")
    [course] = read(text).activities
    assert course.span is not None and course.span.start.first_day == dt.date(2027, 1, 13)
    assert course.span.end.first_day == dt.date(2027, 1, 14)
    assert course.place == "宝山区科技创新中心二楼报告厅"
    assert course.previously["place"] == "区市场监督管理局三楼会议室"


def test_a_change_to_an_online_class_gives_its_platform_not_the_place_first_planned():
    text = ("关于“家电产品质量安全合规”公开课调整时间及举办形式的通知\n各会员单位：\n"
            "我会原定于2026年12月10日（星期四）下午在协会二楼会议室举办线下公开课。现对有关安排作如下调整：\n"
            "一、时间调整\n公开课改期至2027年1月7日（星期四）14:00—16:00举办。\n"
            "二、形式调整\n由线下举办改为线上举办，通过腾讯会议进行。\n会议号：628 317 905\n"
            "上海市家用电器行业协会\n2026年12月1日\n")
    [course] = read(text).activities
    assert course.place == "线上（腾讯会议，会议号628 317 905）"


def test_sections_headed_by_an_events_name_with_a_colon_are_events():
    text = ("关于举办2027年临港新片区“质量服务进园区”系列活动的通知\n各有关企业：\n现将各项活动安排通知如下。\n"
            "一、标准化沙龙：企业标准“领跑者”培育\n时间：2027年3月9日（周二）14:00—16:30\n地点：政务服务中心301会议室\n"
            "二、计量器具免费检定服务日\n时间：2027年3月23日（周二）—3月24日（周三）\n地点：创新魔坊1号楼大堂\n"
            "三、联系方式：蒋文斌　电话：021-6828 3361\n"
            "临港新片区市场监督管理局\n2026年11月26日\n")
    assert [a.name for a in read(text).activities] == ["标准化沙龙：企业标准“领跑者”培育", "计量器具免费检定服务日"]


def test_sign_up_ways_by_their_labels_a_date_before_the_way_and_travel_advice_apart():
    text = ("2027年第一期纺织品检验员培训报名简章\n"
            "一、培训安排\n培训时间：2027年3月6日至4月24日，每周六9:00—16:00。\n"
            "培训地点：东华大学延安路校区第三教学楼\n场馆停车资源紧张，建议乘坐轨道交通前往。\n"
            "二、报名材料\n1. 身份证复印件1份；\n2. 学历证书复印件1份。\n"
            "三、报名方式及截止时间\n现场报名：工作日9:00—16:00，第三教学楼210室；\n"
            "邮件报名：将上述材料扫描件发送至fzjy@example.org。\n"
            "东华大学继续教育学院\n2026年12月1日\n")
    [course] = read(text).activities
    assert course.place == "东华大学延安路校区第三教学楼"
    assert course.signup_method == ("现场报名：工作日9:00—16:00，第三教学楼210室；"
                                    "邮件报名：将上述材料扫描件发送至fzjy@example.org")
    salon = read("关于举办标准化沙龙的通知\n时间：2027年3月9日14:00—16:30\n地点：301会议室\n"
                 "报名：3月5日前通过“临港市场监管”微信公众号“活动报名”栏目报名。\n"
                 "临港新片区市场监督管理局\n2026年11月26日\n").activities[0]
    assert salon.signup_deadline == dt.date(2027, 3, 5)
    assert salon.signup_method == "通过“临港市场监管”微信公众号“活动报名”栏目报名"


def test_an_invitation_titled_only_邀请函_names_the_event_it_invites_to():
    text = ("邀 请 函\n尊敬的＿＿＿＿：\n上海市松江区质量技术协会联合上海佘山质量技术服务中心，"
            "共同举办“2026长三角质量发展论坛”，诚邀您拨冗出席！\n一、时间地点\n时间：2026年11月27日（星期五）下午13:30—16:30\n地点：云间会议中心二楼\n"
            "上海市松江区质量技术协会\n2026年11月2日\n")
    [forum] = read(text).activities
    assert forum.name == "2026长三角质量发展论坛" and forum.place == "云间会议中心二楼"


@pytest.mark.parametrize("text, name", [
    # the event named on a dash line under 邀请函, the letter after the addressees
    ("邀 请 函\n——2026年徐汇区“质量大讲堂”第四期\n各有关企业：\n徐汇区市场监督管理局定于2026年11月20日（星期五）下午"
     "14:00—16:30在徐汇区南丹东路300号3楼多功能厅举办2026年徐汇区“质量大讲堂”第四期。诚邀贵单位派员参加。\n"
     "徐汇区市场监督管理局\n2026年11月2日\n", "2026年徐汇区“质量大讲堂”第四期"),
    # a year in brackets after 招生简章
    ("ISO 9001质量管理体系内审员培训班招生简章（2026—2027年度）\n【开班安排】\n上课时间：2026年12月14日—16日\n"
     "上课地点：上海市质量协会培训中心\n上海市质量协会\n2026年11月20日\n", "ISO 9001质量管理体系内审员培训班"),
    # a WeChat article's banner before the bar, and its exclamation
    ("# 招募令｜“3·15”质量咨询服务青年志愿者招募啦！\n## 活动时间\n2027年3月15日（周一）9:00—16:00\n"
     "## 活动地点\n南京东路步行街世纪广场\n", "“3·15”质量咨询服务青年志愿者招募"),
])
def test_titles_in_the_shapes_notices_and_articles_give_them_name_the_activity(text, name):
    assert [a.name for a in read(text).activities] == [name]


def test_a_postponement_in_one_sentence_moves_the_activity_not_its_deadline():
    text = ("关于“2026长三角质量发展论坛”延期举办的通知\n各有关单位：\n"
            "原定于2026年12月4日（星期五）在上海举办的“2026长三角质量发展论坛”，经主办单位研究决定，"
            "延期至2027年1月8日（星期五）举办。\n一、尚未报名的单位可继续报名，报名截止时间顺延至2026年12月31日。\n"
            "上海市质量协会\n2026年11月26日\n")
    [forum] = read(text).activities
    assert forum.span is not None and forum.span.start.first_day == dt.date(2027, 1, 8)
    assert forum.signup_deadline == dt.date(2026, 12, 31)


def test_sessions_of_a_course_and_a_fee_under_a_bracketed_heading():
    text = ("ISO 9001质量管理体系内审员培训班招生简章（2026—2027年度）\n【开班安排】\n"
            "第一期：2026年12月14日—16日（周一至周三）\n第二期：2027年1月11日-13日（周一至周三）\n上课地点：上海市质量协会培训中心\n【费用】\n会员单位：2200元/人\n"
            "非会员单位：2600元/人\n另收资料费150元/人。\n报名方式：登录协会网站在线报名。\n上海市质量协会\n2026年11月20日\n")
    [course] = read(text).activities
    assert [p.name for p in course.phases] == ["第一期", "第二期"]
    assert course.span is not None and course.span.end.last_day == dt.date(2027, 1, 13)
    assert course.fee is not None and "2600元/人" in course.fee and "2200元/人" in course.fee


def test_sessions_in_a_table_whose_cells_are_one_wide_space_apart():
    text = ("关于举办2027年上半年内审员培训班的通知\n各会员单位：\n一、培训对象\n企业内审员。\n二、场次安排\n"
            "期次　　日期　　　　　地点　　　　　　名额\n第一期　2月23日—25日　市质协培训中心　40人\n"
            "第二期　4月13日—15日　松江开元名庭酒店　35人\n三、报名方式\n登录协会网站在线报名。\n"
            "上海市质量协会\n2026年11月18日\n")
    first, second = read(text).activities  # each with places of its own: signed up for apart
    assert (first.start.first_day, first.place, first.capacity) == (dt.date(2027, 2, 23), "市质协培训中心", 40)
    assert (second.start.first_day, second.place, second.capacity) == (dt.date(2027, 4, 13), "松江开元名庭酒店", 35)


def test_an_article_with_two_numbered_activities_stores_both():
    text = ("# 青年招募令｜质量进社区 + 青年质量沙龙，两场活动等你来！\n"
            "## 活动一：“青春护航·质量进社区”青年志愿服务\n- 时间：2026年12月19日（周六）9:00-11:30\n"
            "- 地点：普陀区兰溪路120号兰溪青年公园南广场\n"
            "## 活动二：“青创质享”青年质量创新沙龙\n- 时间：2027年1月9日（周六）14:00-16:30\n"
            "- 地点：普陀区云岭东路89号苏河青年汇2楼共享空间\n")
    notice = extract(clean_text(text), "article.md")
    assert [a.name for a in notice.activities] == ["“青春护航·质量进社区”青年志愿服务", "“青创质享”青年质量创新沙龙"]


def test_an_article_titled_with_its_activity_before_a_bar_names_it():
    text = ("# 第28期质量沙龙｜当AI遇上质量检验：视觉检测落地的那些“坑”\n"
            "- **时间**：2027年1月9日（周六）14:00-17:00\n- **地点**：长宁文化艺术中心3楼\n")
    assert [a.name for a in extract(clean_text(text), "article.md").activities] == ["第28期质量沙龙"]


def test_the_signature_above_an_attachment_dates_the_notice():
    text = ("关于开展2026年嘉定区“质量月”活动的通知\n各有关单位：\n现就开展活动通知如下：\n"
            "一、启动仪式\n1. 时间：9月1日（星期二）上午\n二、职工质量知识竞赛\n1. 时间：9月10日至9月25日\n"
            "上海市嘉定区市场监督管理局\n2026年8月25日\n附件\n2026年嘉定区“质量月”重点活动安排表\n"
            "|序号|活动名称|时间|\n| 1 |启动仪式|9月1日上午|\n")
    notice = read(text)
    assert notice.issued_on == dt.date(2026, 8, 25)
    assert [(a.name, a.span.start.first_day if a.span else None) for a in notice.activities] == [
        ("启动仪式", dt.date(2026, 9, 1)), ("职工质量知识竞赛", dt.date(2026, 9, 10))]


def test_a_capacity_under_its_heading_and_a_sign_up_window_under_a_schedule():
    record = read("2027长三角质量发展大会志愿者招募公告\n大会将于2027年4月15日至16日在松江区举行，现招募志愿者。\n"
                  "一、招募人数\n40名\n二、工作安排\n1. 报名：2027年2月22日到3月12日；\n"
                  "2. 面试：3月下旬；\n3. 大会服务：4月15日到16日。\n"
                  "三、报名方式\n扫描二维码填写报名表。\n上海市质量协会\n2026年11月20日\n")
    (activity,) = record.activities
    assert activity.capacity == 40
    assert activity.signup_deadline == dt.date(2027, 3, 12)
    assert [p.name for p in activity.phases] == ["报名", "面试", "大会服务"]
    assert activity.signup_method and "二维码" in activity.signup_method


@pytest.mark.parametrize("text, name", [
    # a letter titled only 邀请函, its event named in quotes before 将于…召开
    ("邀　请　函\n尊敬的会员单位：\n由上海市食品质量安全促进会主办的“2027长三角食品质量安全发展年会”"
     "将于2027年3月25日至26日在上海召开。诚邀贵单位派员参加。\n一、会议地点\n上海兰汀国际大酒店\n",
     "2027长三角食品质量安全发展年会"),
    # X报名通知, and a change sentence's 举行的第一站 names no event
    ("“走进标杆企业”现场观摩活动（2027年第一季度）报名通知\n各会员单位：\n原计划于2026年12月举行的第一站，"
     "改期至2027年1月21日。\n观摩时间：1月21日（周四）9:30—15:30\n", "“走进标杆企业”现场观摩活动（2027年第一季度）"),
    # a supplementary notice is of its activity
    ("关于2027年六西格玛绿带培训班的补充通知\n各会员单位：\n培训时间：2027年3月15日至19日\n",
     "2027年六西格玛绿带培训班"),
    # a WeChat headline: the short name before the bar, whatever it is
    ("质量诊所进园区｜2027首站开诊，免费“问诊”等你来！\n时间：2027年1月19日（周二）9:00-16:00\n地点：松江工业区\n",
     "质量诊所进园区"),
])
def test_more_shapes_of_titles_and_letters_name_the_activity(text, name):
    assert [a.name for a in read(text).activities] == [name]


def test_a_column_s_tag_before_the_bar_is_no_name():
    text = "直播预告｜医药质量公益课第4讲：数据完整性\n时间：2027年1月12日（周二）19:00-20:30\n"
    assert all(a.name != "直播预告" for a in read(text).activities)


def test_labels_after_a_bullet_or_in_brackets_are_fields_and_an_agenda_gives_the_clock():
    text = ("关于举办“质量大讲堂”第58期线上讲座的通知\n各会员单位：\n"
            "我会定于2027年1月14日（星期四）下午举办“质量大讲堂”第58期线上讲座。\n"
            "【费　　用】会员单位人员免费；非会员单位人员每人100元\n■ 培训教材：自备\n"
            "13:30—14:00　入会调试\n14:00—16:30　讲座\n上海市质量协会\n2026年12月1日\n")
    [lecture] = read(text).activities
    assert lecture.fee is not None and "100元" in lecture.fee  # not only 会员单位人员免费
    assert lecture.time_of_day == "14:00-16:30"  # not 下午, nor the sign-in row


YEAR_PLAN = """嘉定区质量发展局

关于印发嘉定区2027年质量提升活动安排的通知

各镇、街道，各有关单位：

现将《嘉定区2027年质量提升活动安排》印发给你们，具体方案另行通知。

序号　活动名称　　　　　　　　　时间　　　　　　　牵头单位
1　　质量安全进社区宣传周　　　　4月10日—16日　　区质量发展局、区消保委
2　　卓越绩效自评师培训　　　　　6月　　　　　　　区质量协会
3　　“质量月”主题论坛　　　　　　9月—10月　　　　区质量发展局

嘉定区质量发展局
2026年12月3日
"""


def test_each_row_of_a_year_plan_is_an_activity_with_its_month_and_units():
    record = read(YEAR_PLAN)
    assert [a.name for a in record.activities] == ["质量安全进社区宣传周", "卓越绩效自评师培训", "“质量月”主题论坛"]
    week, training, forum = record.activities
    assert (week.span.start.iso(), week.span.end.iso()) == ("2027-04-10", "2027-04-16")
    assert training.span.start.iso() == "2027-06"  # the plan's year, not the issue's
    assert (forum.span.start.iso(), forum.span.end.iso()) == ("2027-09", "2027-10")
    assert week.responsible_units == ["区质量发展局", "区消保委"]


def test_an_agenda_table_names_talks_not_activities():
    record = read("""关于举办质量工程师论坛的通知

定于2027年3月6日在市质协报告厅举办质量工程师论坛。

时间　　　活动名称　　　　　　　主讲人
09:00　　开幕致辞　　　　　　　　王平
09:30　　可靠性工程实践　　　　　李明
10:30　　测量系统分析　　　　　　赵丽

上海市质量协会
2026年12月1日
""")
    assert [a.name for a in record.activities] == ["质量工程师论坛"]


COPIED_WECHAT_PAGE = """点击蓝字　关注我们

重磅｜2027年度“品质之星”评选启动，评选说明会同步报名！

上海市质量协会　2026年12月1日 10:00　上海

2027年度“品质之星”评选工作正式启动。

▌ 怎么参评？
登录评选系统在线填写参评表。
参评时间：2027年1月5日—3月20日

▌ 评选说明会
时间：1月15日（周五）09:30-11:30
地点：市质协2楼会议室
名额：60人

▌ 咨询
上海市质量协会评价部
周敏　021-6233 1234

- END -

编辑｜小周
审核｜评价部

阅读原文　　分享　收藏　点赞　在看
"""


def test_a_wechat_page_copied_whole_loses_its_furniture_and_keeps_its_byline():
    record = read(COPIED_WECHAT_PAGE)
    assert record.title.startswith("重磅｜2027年度“品质之星”评选启动")
    assert record.issuer == "上海市质量协会"
    assert record.issued_on == dt.date(2026, 12, 1)
    assert "阅读原文" not in clean_text(COPIED_WECHAT_PAGE) and "编辑｜小周" not in clean_text(COPIED_WECHAT_PAGE)


def test_an_event_under_a_bar_heading_is_an_activity_beside_the_notice_own():
    award, briefing = read(COPIED_WECHAT_PAGE).activities
    assert award.name == "2027年度“品质之星”"
    assert award.signup_deadline == dt.date(2027, 3, 20)
    assert briefing.name == "评选说明会"
    assert briefing.span.start.iso() == "2027-01-15" and briefing.capacity == 60


def test_a_change_notice_saying_only_the_new_place_replaces_the_place():
    record = read("""关于2027年质量检验技能比武延期举办的通知

各有关单位：

原定于2027年1月21日在上海申工技师学院举行的“2027年质量检验技能比武”，比武延期至2027年3月24日举行，比赛地点调整为上海临港职业培训中心（海港大道1877号）。

上海市质量协会
2026年12月5日
""")
    (contest,) = record.activities
    assert contest.place == "上海临港职业培训中心（海港大道1877号）"
    assert contest.span.start.iso() == "2027-03-24"


def test_a_course_in_modules_has_each_module_as_a_stage_and_runs_from_the_first_to_the_last():
    record = read("""关于举办2027年精益生产培训班的通知

各会员单位：

上海市质量协会定于2027年3月至5月举办精益生产培训班。

一、培训安排
（一）课程分三个模块集中授课：
1. 第一模块（价值流）：3月8日至3月10日
2. 第二模块（标准作业）：3月29日至3月31日
3. 第三模块（持续改进）：4月19日至4月21日

上海市质量协会
2026年11月24日
""")
    (course,) = record.activities
    assert [p.name for p in course.phases] == ["第一模块（价值流）", "第二模块（标准作业）", "第三模块（持续改进）"]
    assert (course.span.start.iso(), course.span.end.iso()) == ("2027-03-08", "2027-04-21")


def test_a_fee_set_as_a_table_under_its_heading_keeps_every_price():
    record = read("""2027年精益六西格玛黑带培训招生简章

上海市质量协会定于2027年3月6日在市质协培训中心举办精益六西格玛黑带培训班。

1. 培训地点
市质协培训中心

2. 培训费用
   类别                 标准
   会员单位学员         6800元/人
   非会员单位学员       7800元/人
费用包含：教材、午餐、考试及证书费。
""")
    (course,) = record.activities
    assert course.fee == "会员单位学员 6800元/人；非会员单位学员 7800元/人"


def test_events_under_long_headings_and_one_held_by_a_sentence_are_each_an_activity():
    record = read("""关于开展2027年第一季度会员服务活动的通知

各会员单位：

联合会将于2027年第一季度组织以下会员服务活动。

一、IATF 16949核心工具（APQP/PPAP/FMEA/MSA/SPC）专题培训
1. 时间：2027年1月19日（星期二）9:00-16:00
2. 地点：汽车创新港A座2楼培训室

二、供应商质量管理经验交流会
1. 时间：2027年1月26日（星期二）13:30-16:30
2. 地点：联合会会议室

三、2027年度会员大会
联合会2027年度会员大会拟于2027年3月召开，具体时间、地点和议程另行通知。

上海汽车零部件产业联合会
2026年12月1日
""")
    names = [a.name for a in record.activities]
    assert names == ["IATF 16949核心工具（APQP/PPAP/FMEA/MSA/SPC）专题培训", "供应商质量管理经验交流会",
                     "2027年度会员大会"]
    assert record.activities[2].span.start.iso() == "2027-03"


def test_a_change_of_another_step_s_time_does_not_move_the_activity():
    record = read("""关于调整2027年宝山区职工技能竞赛决赛时间和地点的通知

各有关单位：

原定决赛于2027年3月20日在宝山区职工服务中心举行，现作如下调整：

一、决赛时间
调整为2027年4月10日（星期六）8:30-12:00。

二、决赛地点
调整为宝山区工人文化宫二楼剧场。

三、入围名单公布时间
决赛入围名单公布时间由原定的3月10日调整为3月31日。

上海市宝山区总工会
2026年11月30日
""")
    (final,) = record.activities
    assert final.name == "2027年宝山区职工技能竞赛决赛"
    assert final.span.start.iso() == "2027-04-10" and final.place == "宝山区工人文化宫二楼剧场"


def test_sessions_with_the_same_hours_give_the_activity_its_hours():
    record = read("""关于举办2027年企业标准化宣贯会的通知

各有关企业：

区市场监管局定于2027年1月分片区举办三场企业标准化宣贯会。

一、场次安排
场次      日期              时间           地点
第一场    1月12日（星期二）  13:30-16:30    莘庄镇社区文化活动中心
第二场    1月14日（星期四）  13:30-16:30    科创服务中心B座
第三场    1月19日（星期二）  13:30-16:30    吴泾镇市民服务中心

上海市闵行区市场监督管理局
2026年12月2日
""")
    (sessions,) = record.activities
    assert sessions.time_of_day == "13:30-16:30"
    assert (sessions.span.start.iso(), sessions.span.end.iso()) == ("2027-01-12", "2027-01-19")
