"""The notice scorer's rules (bot.notice_eval): what counts as the same value, and how values are counted.

These test the scorer, not the extractor: the records are built by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.notice_eval import (
    EXTRACTORS,
    gold_record,
    key_facts,
    load_gold,
    main,
    name_similarity,
    pair_activities,
    same_issuer,
    same_number,
    same_text,
    same_time_of_day,
    same_title,
    score_notice,
    score_set,
    time_of_day_key,
)
from services.dates import DatePoint, DateSpan
from services.ingest.records import ActivityRecord, Contact, NoticeKind, NoticeRecord, Phase

DEV = Path(__file__).resolve().parents[2] / "evaluation" / "notices" / "dev"


def day(text: str) -> DatePoint:
    return DatePoint.parse(text)


def span(start: str, end: str | None = None) -> DateSpan:
    return DateSpan(day(start), day(end or start))


def notice(*activities: ActivityRecord, contacts: tuple[Contact, ...] = (), title: str = "关于举办讲座的通知",
           issuer: str | None = "上海市质量协会", issued_on: dt.date | None = dt.date(2026, 11, 25)) -> NoticeRecord:
    return NoticeRecord(title=title, issuer=issuer, issued_on=issued_on, kind=NoticeKind.ANNOUNCEMENT,
                        activities=list(activities), contacts=list(contacts))


# -- equality rules ------------------------------------------------------------------------

def test_text_fields_match_across_scripts_spaces_and_punctuation():
    assert same_text("上海市質量協會培訓中心3樓", "上海市质量协会 培训中心 3楼")
    assert same_text("免费（不收取报名费）", "免费,不收取报名费")
    assert same_text("ＱＣ小组", "QC小组")


def test_pinyin_artefacts_are_ignored():
    assert same_text("發(fā)表會", "发表会")


def test_text_matches_when_the_extracted_contains_the_gold():
    assert same_text("上海国际会议中心", "地点：上海国际会议中心（浦东新区滨江大道2727号）")


def test_a_fragment_of_the_gold_is_not_a_match():
    gold = "上海市质量协会培训中心3楼多功能厅（徐汇区漕宝路1218号）"
    assert same_text(gold, "上海市质量协会培训中心3楼多功能厅")  # over half of it
    assert not same_text(gold, "上海")


def test_most_key_facts_in_other_words_match():
    gold = "会员单位800元/人，非会员单位1200元/人（含教材和午餐）"
    assert same_text(gold, "会员单位每人800元；非会员单位每人1200元，含教材和午餐")


def test_a_phrase_with_a_word_more_is_the_same_fact():
    assert same_text("免费（不收取任何费用）", "免费（评选工作不向申报单位收取任何费用）")
    assert not same_text("无需报名；在视频号预约直播", "关注视频号，点击预约直播")


def test_a_wrong_number_is_not_the_same_fact():
    gold = "会员单位800元/人，非会员单位1200元/人"
    assert not same_text(gold, "会员单位800元/人，非会员单位1000元/人")
    assert not same_text("3楼", "300楼")


def test_key_facts_are_numbers_and_runs_of_chinese_and_latin():
    numbers, words = key_facts("登录www.example.org/sqa，或发送至px@example.org（3月12日前）")
    assert numbers == ["3", "12"]
    assert "登录" in words and "example" in words and "或发送至" in words
    assert "月" not in words  # a single character is not a fact


def test_phone_numbers_compare_by_digits_and_may_lack_the_area_code():
    assert same_number("021-6543 2187", "（021）65432187")
    assert same_number("021-6543 2187", "6543-2187")
    assert same_number("138 1742 6630", "13817426630")
    assert not same_number("021-6543 2187", "021-6543 2188")
    assert not same_number("021-6543 2187", "2187")


def test_time_of_day_is_compared_zero_padded():
    assert time_of_day_key("9:00—16:30") == "09:00-16:30"
    assert same_time_of_day("09:00-16:30", "9：00～16：30")
    assert same_time_of_day("上午", "上午")
    assert not same_time_of_day("09:00-16:30", "09:00")
    assert not same_time_of_day("上午", "下午")


def test_titles_need_nearly_all_of_the_words():
    title = "关于举办“数字化转型背景下的卓越绩效管理”专题讲座的通知"
    assert same_title(title, "关于举办数字化转型背景下的卓越绩效管理专题讲座的通知")
    assert not same_title(title, "关于举办")


def test_joint_issuers_are_a_set():
    assert same_issuer("共青团上海市委员会、上海市质量协会", "上海市质量协会、共青团上海市委员会")
    assert same_issuer("上海市質量協會", "上海市质量协会")
    assert not same_issuer("上海市质量协会、上海市总工会", "上海市质量协会")


def test_names_are_similar_across_scripts_and_when_one_contains_the_other():
    assert name_similarity("醫療器械質量管理體系內審員培訓班", "医疗器械质量管理体系内审员培训班") == 1.0
    assert name_similarity("首席质量官论坛", "2026年首席质量官论坛") == 0.9
    assert name_similarity("首席质量官论坛", "QC小组成果发表赛") < 0.25


# -- counting ---------------------------------------------------------------------------------

def test_null_rules():
    gold = notice(ActivityRecord("专题讲座", span("2027-03-18"), place="培训中心", fee=None, capacity=None,
                                 theme="卓越绩效"))
    got = notice(ActivityRecord("专题讲座", span("2027-03-18"), place=None, fee="免费", capacity=None,
                                theme="质量"))
    score = score_notice("n", gold, got)
    assert (score.counts["capacity"].tp, score.counts["capacity"].fp, score.counts["capacity"].fn) == (0, 0, 0)
    assert (score.counts["place"].tp, score.counts["place"].fn, score.counts["place"].fp) == (0, 1, 0)
    assert (score.counts["fee"].fp, score.counts["fee"].fn) == (1, 0)
    assert (score.counts["theme"].tp, score.counts["theme"].fp, score.counts["theme"].fn) == (0, 1, 1)
    assert score.counts["start"].tp == 1
    assert {(f.field, f.kind) for f in score.findings} == {("place", "missed"), ("fee", "extra"), ("theme", "wrong")}


def test_dates_keep_their_precision():
    gold = notice(ActivityRecord("首席质量官论坛", span("2026-09")))
    got = notice(ActivityRecord("首席质量官论坛", span("2026-09-15")))
    score = score_notice("n", gold, got)
    assert score.counts["start"].fn == 1 and score.counts["start"].fp == 1
    assert score.counts["name"].tp == 1  # the name alone pairs them


def test_activities_pair_by_name_and_date_and_spurious_ones_are_listed():
    gold = notice(ActivityRecord("“质量沙龙”第12期", span("2027-03-25")),
                  ActivityRecord("首席质量官能力提升研修班", span("2027-03-09", "2027-03-10"), place="闵行"))
    got = notice(ActivityRecord("首席质量官能力提升研修班", span("2027-03-09", "2027-03-10"), place="闵行"),
                 ActivityRecord("主讲内容", span("2027-03-09"), place="培训教室"))
    score = score_notice("n", gold, got)
    assert score.counts["name"].tp == 1 and score.counts["name"].fn == 1 and score.counts["name"].fp == 1
    assert score.spurious == ["主讲内容"]
    assert score.counts["place"].tp == 1 and score.counts["place"].fp == 1  # the spurious one's place
    assert score.counts["start"].fn == 1  # the salon's, not found


def test_pairing_prefers_the_better_candidate():
    gold = [ActivityRecord("质量沙龙", span("2027-03-25")), ActivityRecord("质量沙龙报名", span("2027-03-19"))]
    got = [ActivityRecord("质量沙龙", span("2027-03-19")), ActivityRecord("质量沙龙", span("2027-03-25"))]
    pairs, missed, spurious = pair_activities(gold, got)
    assert pairs == [(0, 1), (1, 0)] and not missed and not spurious


def test_phases_pair_by_name_and_start():
    phases = [Phase("初赛（线上答题）", span("2027-05-10", "2027-05-20"), ""), Phase("复赛", span("2027-06-19"), "")]
    gold = notice(ActivityRecord("竞赛", span("2027-05-10", "2027-07-10"), phases=phases))
    got = notice(ActivityRecord("竞赛", span("2027-05-10", "2027-07-10"),
                                phases=[Phase("初赛", span("2027-05-10"), ""), Phase("复赛", span("2027-06-20"), "")]))
    counts = score_notice("n", gold, got).counts["phases"]
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 1)


def test_contacts_pair_by_person_then_compare_their_details():
    gold = notice(contacts=(Contact("上海市质量协会", "王敏", phone="021-6543 2187", email="px@example.org"),
                            Contact("会务组", "徐子涵", mobile="138 1742 6630")))
    got = notice(contacts=(Contact("上海市质量协会", "王敏", phone="65432187", email="PX@example.org"),
                           Contact(None, "李四", phone="021-1111 2222")))
    score = score_notice("n", gold, got)
    assert (score.counts["contacts"].tp, score.counts["contacts"].fp, score.counts["contacts"].fn) == (1, 1, 1)
    assert score.counts["contact.phone"].tp == 1 and score.counts["contact.phone"].fp == 1
    assert score.counts["contact.email"].tp == 1
    assert score.counts["contact.mobile"].fn == 1


def test_the_notice_fields():
    gold = notice(title="关于召开2027长三角质量发展论坛的通知", issued_on=dt.date(2026, 12, 1))
    got = notice(title="关于召开2027长三角质量发展论坛的通知", issuer=None, issued_on=dt.date(2026, 12, 2))
    score = score_notice("n", gold, got)
    assert score.counts["title"].tp == 1
    assert score.counts["issuer"].fn == 1
    assert score.counts["issued_on"].fp == 1 and score.counts["issued_on"].fn == 1


# -- the dev set through the scorer's own checks ----------------------------------------------

def test_gold_files_read_into_records():
    record = gold_record(load_gold(DEV / "09_quality_month_2026.gold.yml"))
    assert len(record.activities) == 6
    assert record.activities[2].span is not None and record.activities[2].span.start.iso() == "2026-09"
    assert record.issued_on == dt.date(2026, 8, 20)


@pytest.mark.parametrize(("extractor", "recall", "precision"), [("gold", 1.0, 1.0), ("empty", 0.0, None)])
def test_gold_scores_full_and_nothing_scores_zero(extractor, recall, precision):
    result = score_set(DEV, EXTRACTORS[extractor])
    total = result.total()
    assert total.recall == recall and total.precision == precision
    assert not any(n.error for n in result.notices)


def test_the_command_writes_its_json(tmp_path, capsys):
    out = tmp_path / "eval.json"
    assert main(["dev", "--extractor", "gold", "--json", str(out)]) == 0
    assert "all fields" in capsys.readouterr().out
    assert out.exists()


# -- the assistant's replies (bot.notice_assistant_eval) ----------------------------------------

def test_a_reply_is_correct_when_it_contains_an_expected_string():
    from bot.notice_assistant_eval import is_correct

    assert is_correct("讲座在2027年3月18日 13:30 开始（来源：…）", ["3月18", "3.18"])
    assert is_correct("電話：021-6387 1104", ["63871104"])  # spaces ignored
    assert is_correct("通知里沒有寫頒獎時間", ["没有写"])  # one script
    assert not is_correct("报名截止3月12日", ["3月18"])
    assert not is_correct("任何回复", ["", " "])


def test_questions_read_say_or_q():
    from bot.notice_assistant_eval import Question

    first = Question.from_gold({"say": "几点开始", "follow_up": True, "expect_any": ["13:30"]})
    second = Question.from_gold({"q": "我要报名", "signup": True, "expect_any": ["报名成功"]})
    assert (first.say, first.follow_up, first.signup) == ("几点开始", True, False)
    assert (second.say, second.signup, second.refuse) == ("我要报名", True, False)


def test_a_set_marked_unscored_is_left_out_until_named():
    from bot.notice_eval import UNSCORED_MARK, set_folders

    listed = {folder.name for folder in set_folders()}
    assert "dev" in listed
    marked = [folder for folder in set_folders() if (folder / UNSCORED_MARK).exists()]
    assert marked == []
    assert [folder.name for folder in set_folders(["blind20"])] == ["blind20"]
