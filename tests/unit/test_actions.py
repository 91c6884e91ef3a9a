"""Actions run with rasa-sdk's dispatcher and a tracker built inline, on a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.activities import (
    ActionActivityCapacity,
    ActionActivityDeadline,
    ActionActivityDetails,
    ActionActivityFee,
    ActionActivityPhases,
    ActionActivityTheme,
    ActionActivityTime,
    ActionListActivities,
    ActionQualityMonth,
)
from actions.contacts import ActionContact
from actions.conversation import ActionAcknowledge, ActionAnswerFollowup, ActionClarifyOrFallback
from actions.knowledge import ActionCapabilities, ActionGreet, ActionOutOfScope, ActionThank
from actions.signup import (
    ActionAskSignupActivity,
    ActionCancelSignup,
    ActionMySignups,
    ActionRequestCancel,
    ActionSubmitSignup,
    ValidateSignupForm,
    question_asked,
    question_instead_of_request,
)
from services.answers import Topic
from services.container import Services
from services.settings import PROJECT_ROOT, load_settings
from tests.conftest import FIXTURE_KNOWLEDGE, KNOWLEDGE_DIR, build_services

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def entity(kind: str, value: str) -> dict:
    return {"entity": kind, "value": value}


def tracker(text: str = "", intent: str = "inform", entities=(), slots=None, sender="openid-1",
            events=None) -> Tracker:
    return Tracker(
        sender_id=sender,
        slots=dict(slots or {}),
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99},
                        "entities": list(entities), "metadata": {"channel": "wechat"}},
        events=list(events or []),
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )


async def run(action, track: Tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, track, DOMAIN)
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture
def svc(sqlite_url) -> Services:
    built = build_services(sqlite_url, [KNOWLEDGE_DIR, FIXTURE_KNOWLEDGE])
    yield built
    built.engine.dispose()


async def test_time_of_an_activity_is_the_fact_first_with_timing_and_source(svc):
    messages, slots = await run(ActionActivityTime(svc), tracker(
        "第三届世界质量论坛什么时候", "ask_activity_time", [entity("activity", "第三届世界质量论坛")]))
    assert messages[0]["response"] == "utter_activity_time"
    assert messages[0]["when"] == "2019年12月5日至6日"
    assert messages[0]["timing"] == "已经结束"
    assert messages[0]["source"] == "《2019年度上海市质协工作重点》"
    assert slots["activity"] == "第三届世界质量论坛" and slots["last_topic"] == "time"


async def test_an_activity_found_in_the_words_when_the_nlu_tagged_none(svc):
    messages, _ = await run(ActionActivityTheme(svc), tracker("第三届世界质量论坛的主题是啥", "ask_activity_theme"))
    assert messages[0]["response"] == "utter_activity_theme"
    assert messages[0]["theme"] == "质量的未来思维模式"


async def test_of_a_series_the_one_still_to_come_is_meant(svc):
    messages, slots = await run(ActionActivityTime(svc), tracker(
        "质量大讲堂什么时候", "ask_activity_time", [entity("activity", "质量大讲堂")]))
    assert messages[0]["response"] == "utter_activity_time" and slots["activity"] == "2026年质量大讲堂（冬季）"


async def test_ambiguous_name_asks_once_then_a_number_answers(svc):
    messages, slots = await run(ActionActivityTime(svc), tracker(
        "世界质量论坛什么时候", "ask_activity_time", [entity("activity", "世界质量论坛")]))
    assert messages[0]["response"] == "utter_which_activity"
    candidates = slots["activity_candidates"]
    assert len(candidates) >= 2
    follow, _ = await run(ActionAnswerFollowup(svc), tracker(
        "2", "inform", slots={"last_topic": "time", "activity_candidates": candidates}))
    assert follow[0]["response"] in ("utter_activity_time", "utter_activity_time_unknown")


async def test_unknown_activity_is_said_not_guessed(svc):
    messages, _ = await run(ActionActivityTime(svc), tracker(
        "火星质量节什么时候", "ask_activity_time", [entity("activity", "火星质量节")]))
    assert [m["response"] for m in messages] == ["utter_activity_not_found"]
    assert messages[0]["query"] == "火星质量节"


async def test_deadline_is_said_with_the_notice_precision_and_past(svc):
    messages, _ = await run(ActionActivityDeadline(svc), tracker(
        "QC小组申报什么时候截止", "ask_deadline", [entity("activity", "2018年上海市优秀质量管理小组活动")]))
    assert messages[0]["response"] == "utter_deadline"
    assert messages[0]["deadline"] == "2018年12月"
    assert messages[0]["status"] == "已经截止"


async def test_follow_up_deadline_uses_the_activity_in_context(svc):
    messages, _ = await run(ActionActivityDeadline(svc), tracker(
        "那截止时间呢", "ask_deadline", slots={"activity": "2026年质量大讲堂（冬季）"}))
    assert messages[0]["response"] == "utter_deadline"
    assert messages[0]["deadline"] == "2026年12月5日"
    assert messages[0]["status"] == "目前还可以报名"


async def test_phases_of_the_2018_programme(svc):
    messages, _ = await run(ActionActivityPhases(svc), tracker(
        "质量信得过班组分几个阶段", "ask_phases", [entity("activity", "2018年上海市质量信得过班组活动")]))
    assert messages[0]["count"] == 3
    assert "宣传动员：2018年8月至9月（已经结束）" in messages[0]["phases"]


async def test_contacts_and_the_follow_up_on_another_organisation(svc):
    messages, slots = await run(ActionContact(svc), tracker(
        "市质协电话多少", "ask_contact",
        [entity("organisation", "上海市质量协会"), entity("contact_field", "phone")]))
    assert messages[0]["value"] == "18917186600、18917185269"
    assert messages[0]["source"] == "《关于开展2018年上海市群众性质量管理活动的通知》（2018年9月7日）"
    follow, _ = await run(ActionAnswerFollowup(svc), tracker(
        "市总工会呢?", "inform", [entity("organisation", "上海市总工会")],
        slots={**slots, "last_topic": "contact"}))
    assert follow[0]["response"] == "utter_contact_field"
    assert follow[0]["value"] == "63295035"
    their_fax, _ = await run(ActionContact(svc), tracker(
        "他们的传真呢", "ask_contact", [entity("contact_field", "fax")],
        slots={"organisation": "上海市总工会"}))
    assert their_fax[0]["value"] == "63295035" and their_fax[0]["field_label"] == "传真"


async def test_fee_and_seats_left_of_an_open_activity(svc):
    fee, slots = await run(ActionActivityFee(svc), tracker("冬季大讲堂收费吗", "ask_fee",
                                                           [entity("activity", "冬季大讲堂")]))
    assert fee[0]["response"] == "utter_activity_fee" and fee[0]["fee"] == "免费"
    assert slots["last_topic"] == "fee" and slots["activity"] == "2026年质量大讲堂（冬季）"
    seats, _ = await run(ActionActivityCapacity(svc), tracker("还有名额吗", "ask_capacity", slots=slots))
    assert seats[0]["response"] == "utter_activity_capacity" and seats[0]["capacity"] == 2
    assert "还剩2个名额" in seats[0]["seats"] and "2026年12月5日" in seats[0]["seats"]


async def test_fee_and_capacity_the_notice_does_not_give_are_said_so(svc):
    fee, _ = await run(ActionActivityFee(svc), tracker("第三届世界质量论坛要交钱吗", "ask_fee"))
    assert fee[0]["response"] == "utter_activity_fee_unknown"
    seats, _ = await run(ActionActivityCapacity(svc), tracker("QC成果发表名额多少", "ask_capacity"))
    assert seats[0]["response"] == "utter_activity_capacity_unknown"
    assert "上海市质量协会" in seats[0]["hint"]


async def test_a_contact_question_after_an_activity_is_about_its_units(svc):
    _, slots = await run(ActionActivityTime(svc), tracker("冬季大讲堂什么时候", "ask_activity_time",
                                                          [entity("activity", "冬季大讲堂")]))
    messages, _ = await run(ActionContact(svc), tracker("电话多少", "ask_contact",
                                                        [entity("contact_field", "phone")], slots=slots))
    assert messages[0]["response"] == "utter_contact_field"
    assert messages[0]["organisation"] == "上海市质量协会"


async def test_contact_without_an_organisation_asks_which(svc):
    messages, _ = await run(ActionContact(svc), tracker("电话多少", "ask_contact",
                                                        [entity("contact_field", "phone")]))
    assert messages[0]["response"] == "utter_which_organisation"
    assert "上海市质量协会" in messages[0]["known"]


async def test_upcoming_activities_against_today(svc):
    messages, _ = await run(ActionListActivities(svc), tracker("最近有什么活动", "list_activities"))
    assert messages[0]["response"] == "utter_list_upcoming"
    assert "2026年质量大讲堂（冬季）" in messages[0]["items"]
    assert "尚未开始" in messages[0]["items"]


async def test_no_upcoming_activities_offers_the_latest(sqlite_url):
    corpus_only = build_services(sqlite_url, [KNOWLEDGE_DIR])
    messages, _ = await run(ActionListActivities(corpus_only), tracker("最近有什么活动", "list_activities"))
    assert messages[0]["response"] == "utter_list_none_upcoming"
    assert "2021年上海市质量月活动" in messages[0]["items"]


async def test_list_by_year(svc):
    messages, _ = await run(ActionListActivities(svc), tracker(
        "2018年有哪些活动", "list_activities", [entity("year", "2018年")]))
    assert messages[0]["response"] == "utter_list_filtered"
    assert "2018年上海市质量信得过班组活动" in messages[0]["items"]


async def test_quality_month(svc):
    messages, _ = await run(ActionQualityMonth(svc), tracker("质量月是什么时候", "ask_quality_month"))
    assert messages[0]["response"] == "utter_quality_month"
    assert messages[0]["theme"] == "推动数字化转型，实现高质量发展"
    assert messages[0]["count"] == 20


async def test_signup_form_refuses_closed_activities_with_their_date(svc):
    form = ValidateSignupForm(svc)
    dispatcher = CollectingDispatcher()
    slots = await form.validate_signup_activity("2018年上海市优秀质量管理小组活动", dispatcher, tracker(), DOMAIN)
    assert slots["signup_activity"] is None
    assert dispatcher.messages[0]["response"] == "utter_signup_closed"
    assert dispatcher.messages[0]["deadline"] == "2018年12月31日"


async def test_signup_form_finds_an_untagged_name_in_the_words_that_started_it(svc):
    form = ValidateSignupForm(svc)
    dispatcher = CollectingDispatcher()
    found = await form.extract_signup_activity(dispatcher, tracker("我要报名冬季质量大讲堂", "signup"), DOMAIN)
    assert found == {"signup_activity": "我要报名冬季质量大讲堂"}
    slots = await form.validate_signup_activity(found["signup_activity"], dispatcher,
                                                tracker("我要报名冬季质量大讲堂", "signup"), DOMAIN)
    assert slots["signup_activity"] == "2026年质量大讲堂（冬季）"
    assert await form.extract_signup_activity(dispatcher, tracker("我要报名", "signup"), DOMAIN) == {}
    asked = tracker("冬季质量大讲堂", "inform", slots={"requested_slot": "person_name"})
    assert await form.extract_signup_activity(dispatcher, asked, DOMAIN) == {}


async def test_whether_one_must_sign_up_is_answered_not_taken_for_a_request(svc):
    about = {"activity": "2026年质量大讲堂（冬季）"}
    messages, slots = await run(ValidateSignupForm(svc), tracker("要报名吗", "signup", slots=about))
    assert messages[0]["response"] != "utter_ask_signup_activity", messages
    assert slots["requested_slot"] is None  # the form ends: no list of activities to sign up for
    assert question_instead_of_request(tracker("需不需要提前预约", "signup")) is Topic.SIGNUP_METHOD
    assert question_instead_of_request(tracker("能报名质量大讲堂吗", "signup")) is None  # a request


async def test_a_question_naming_no_activity_while_the_form_asks_which_is_answered(svc):
    waiting = {"requested_slot": "signup_activity", "activity": "2026年质量大讲堂（冬季）"}
    messages, slots = await run(ValidateSignupForm(svc), tracker("那天上班没空，之后还能看吗", "signup", slots=waiting))
    assert messages and messages[0]["response"] != "utter_signup_activity_not_found", messages
    assert slots["signup_activity"] is None  # the form asks again which activity


async def test_signup_form_takes_an_option_number_and_checks_the_mobile(svc):
    form = ValidateSignupForm(svc)
    dispatcher = CollectingDispatcher()
    slots = await form.validate_signup_activity("1", dispatcher, tracker(), DOMAIN)
    assert slots == {"signup_activity": "2026年质量大讲堂（冬季）", "signup_activity_id": slots["signup_activity_id"]}
    bad = form.validate_mobile("1391234", dispatcher, tracker(), DOMAIN)
    assert bad == {"mobile": None}
    assert dispatcher.messages[-1]["response"] == "utter_invalid_mobile_wrong_length"
    assert form.validate_mobile("139 1234 5678", dispatcher, tracker(), DOMAIN) == {"mobile": "13912345678"}


async def test_asking_for_the_activity_lists_open_ones(svc):
    messages, _ = await run(ActionAskSignupActivity(svc), tracker("我要报名", "signup"))
    assert messages[0]["response"] == "utter_ask_signup_activity"
    assert messages[0]["options"].startswith("1. 2026年质量大讲堂（冬季）")


async def test_asking_with_nothing_open_ends_the_form(sqlite_url):
    corpus_only = build_services(sqlite_url, [KNOWLEDGE_DIR])
    dispatcher = CollectingDispatcher()
    events = await ActionAskSignupActivity(corpus_only).run(dispatcher, tracker("我要报名", "signup"), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_no_open_activities"
    assert {"event": "active_loop", "name": None, "timestamp": None} in events


async def test_submit_list_and_cancel_a_signup(svc):
    lecture = svc.activities.resolve("2026年质量大讲堂（冬季）").unique
    form_slots = {"signup_activity": lecture.name, "signup_activity_id": float(lecture.id),
                  "person_name": "张伟", "mobile": "13912345678", "company": "上海电气",
                  "signup_confirmed": True}
    messages, cleared = await run(ActionSubmitSignup(svc), tracker("确认", "affirm", slots=form_slots))
    assert messages[0]["response"] == "utter_signup_done"
    reference = messages[0]["reference"]
    assert set(cleared) >= {"signup_activity", "person_name", "mobile", "company", "signup_confirmed"}

    again, _ = await run(ActionSubmitSignup(svc), tracker("确认", "affirm", slots=form_slots))
    assert again[0]["response"] == "utter_signup_already" and again[0]["reference"] == reference

    mine, _ = await run(ActionMySignups(svc), tracker("我报了哪些活动", "my_signups"))
    assert mine[0]["count"] == 1 and reference in mine[0]["items"]

    asked, slots = await run(ActionRequestCancel(svc), tracker(
        "取消冬季大讲堂的报名", "cancel_signup", [entity("activity", "冬季大讲堂")]))
    assert asked[0]["response"] == "utter_confirm_cancel"
    done, _ = await run(ActionCancelSignup(svc), tracker("确定", "affirm", slots=slots))
    assert done[0]["response"] == "utter_cancel_done" and done[0]["reference"] == reference
    none_left, _ = await run(ActionMySignups(svc), tracker("我报了哪些活动", "my_signups"))
    assert none_left[0]["response"] == "utter_my_signups_none"


async def test_declined_confirmation_submits_nothing(svc):
    lecture = svc.activities.resolve("2026年质量大讲堂（冬季）").unique
    messages, _ = await run(ActionSubmitSignup(svc), tracker("不对", "deny", slots={
        "signup_activity_id": float(lecture.id), "person_name": "张伟", "mobile": "13912345678",
        "company": "上海电气", "signup_confirmed": False}))
    assert messages[0]["response"] == "utter_signup_not_submitted"
    assert svc.signups.list_for("wechat", "openid-1") == []


async def test_first_fallback_asks_to_rephrase_the_second_gives_the_hotline(svc):
    first, _ = await run(ActionClarifyOrFallback(svc), tracker("呃呃", "nlu_fallback"))
    assert first[0]["response"] == "utter_ask_rephrase"
    history = [{"event": "user", "text": "呃呃", "parse_data": {"intent": {"name": "nlu_fallback"}}},
               {"event": "user", "text": "啊这", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    second, _ = await run(ActionClarifyOrFallback(svc), tracker("啊这", "nlu_fallback", events=history))
    assert second[0]["response"] == "utter_default"
    assert second[0]["phone"] == "18917186600、18917185269"


async def test_a_database_failure_becomes_a_polite_reply(tmp_path: Path):
    broken = Services.build(load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}))
    messages, _ = await run(ActionActivityTime(broken), tracker(
        "世界质量论坛什么时候", "ask_activity_time", [entity("activity", "世界质量论坛")]))
    assert messages[0]["response"] == "utter_service_error"


async def test_a_year_answers_the_clarifying_question(svc):
    messages, slots = await run(ActionActivityTime(svc), tracker(
        "质量开放日什么时候", "ask_activity_time", [entity("activity", "质量开放日")]))
    assert messages[0]["response"] == "utter_which_activity"  # all over: which year's
    follow, _ = await run(ActionAnswerFollowup(svc), tracker(
        "2021年的", "inform", [entity("year", "2021年")],
        slots={"last_topic": "time", "activity_candidates": slots["activity_candidates"]}))
    assert follow[0]["response"] in ("utter_activity_time", "utter_activity_time_to_the_month")
    assert "2021" in follow[0]["when"]


async def test_of_several_activities_the_open_one_is_meant_unless_a_year_is_named(svc):
    messages, _ = await run(ActionActivityDeadline(svc), tracker(
        "QC小组申报什么时候截止", "ask_deadline", [entity("activity", "QC小组")]))
    assert messages[0]["response"] == "utter_deadline"
    assert messages[0]["activity"] == "2026年QC小组成果发表会"
    named, _ = await run(ActionActivityDeadline(svc), tracker(
        "2018年QC小组申报什么时候截止", "ask_deadline", [entity("activity", "QC小组"), entity("year", "2018年")]))
    assert named[0]["activity"] == "2018年上海市优秀质量管理小组活动"


async def test_cancel_finds_the_sign_up_when_the_entity_is_part_of_its_name(svc):
    lecture = svc.activities.resolve("2026年质量大讲堂（冬季）").unique
    svc.signups.sign_up(lecture.id, "wechat", "openid-1", "张伟", "13912345678", "上海电气")
    asked, slots = await run(ActionRequestCancel(svc), tracker(
        "取消冬季大讲堂的报名", "cancel_signup", [entity("activity", "大讲堂")]))
    assert asked[0]["response"] == "utter_confirm_cancel"
    assert slots["cancel_activity_id"] == float(lecture.id)
    elsewhere, _ = await run(ActionRequestCancel(svc), tracker(
        "取消第三届世界质量论坛的报名", "cancel_signup", [entity("activity", "第三届世界质量论坛")]))
    assert elsewhere[0]["response"] == "utter_cancel_not_signed"


async def test_a_question_taken_for_a_yes_or_a_no_goes_on_with_the_activity_talked_about(svc):
    lecture = svc.activities.resolve("2026年质量大讲堂（冬季）").unique
    talked_about = {"activity": lecture.name, "last_topic": "time"}
    answered, _ = await run(ActionAcknowledge(svc), tracker("不是周末吗", "deny", slots=talked_about))
    assert answered[0]["response"] == "utter_activity_time"
    plain, _ = await run(ActionAcknowledge(svc), tracker("不用了", "deny", slots=talked_about))
    assert plain[0]["response"] == "utter_ok"


async def test_a_question_taken_for_a_cancellation_is_answered_when_nothing_is_signed_up(svc):
    lecture = svc.activities.resolve("2026年质量大讲堂（冬季）").unique
    asked, slots = await run(ActionRequestCancel(svc), tracker(
        "那天去不了怎么办？几点开始的", "cancel_signup", slots={"activity": lecture.name}))
    assert asked[0]["response"] != "utter_cancel_nothing" and slots["cancel_activity_id"] is None
    nothing, _ = await run(ActionRequestCancel(svc), tracker("取消报名", "cancel_signup"))
    assert nothing[0]["response"] == "utter_cancel_nothing"


async def test_a_contact_detail_no_contact_gives_is_read_from_the_activity_notice(svc, tmp_path: Path):
    from services.ingest.loader import NoticeLoader

    notice = tmp_path / "supplier-conference.txt"
    notice.write_text("2027年度供应商质量大会邀请函\n各供应商：\n我司定于2027年1月19日在青浦区华腾路1288号召开"
                      "2027年度供应商质量大会。\n请于1月5日前将参会回执发送至 sqe@example.com。\n"
                      "联系人：冯涛，电话：021-5971 2260\n上海宏晟汽车电子有限公司\n2026年11月28日\n", encoding="utf-8")
    NoticeLoader(svc.session_factory).ingest(notice)
    conference = svc.activities.resolve("2027年度供应商质量大会").unique
    messages, _ = await run(ActionContact(svc), tracker(
        "回执发到哪个邮箱", "ask_contact", [entity("contact_field", "email")],
        slots={"activity": conference.name, "last_topic": "time"}))
    assert messages[0]["response"] == "utter_document_answer" and "sqe@example.com" in messages[0]["answer"]


async def test_details_give_place_fee_capacity_and_deadline_when_the_notice_does(svc):
    from actions.activities import ActionActivityDetails

    messages, _ = await run(ActionActivityDetails(svc), tracker(
        "介绍一下冬季质量大讲堂", "ask_activity_details", [entity("activity", "冬季质量大讲堂")]))
    practical = messages[0]["practical"]
    assert "长宁区泰安路74号" in practical and "免费" in practical
    assert "2人" in practical and "2026年12月5日" in practical
    corpus, _ = await run(ActionActivityDetails(svc), tracker(
        "介绍一下第三届世界质量论坛", "ask_activity_details", [entity("activity", "第三届世界质量论坛")]))
    assert corpus[0]["practical"] == ""


# What the NLU sends to an action that has no answer for it is answered from the notices when
# they can (bot.assistant_eval measures it over the labelled questions).

async def test_a_question_asking_another_kind_than_the_intent_is_answered_from_the_notices(svc):
    messages, _ = await run(ActionActivityTime(svc), tracker("2019年质量大讲堂计划办几期？", "ask_activity_time"))
    assert messages[0]["response"] == "utter_document_answer"  # a count, which no activity's time is
    assert "期" in messages[0]["answer"]
    follow, _ = await run(ActionAnswerFollowup(svc), tracker(  # a follow-up is never taken from the notices
        "2019年的", "inform", [entity("year", "2019年")], slots={"last_topic": "time", "activity": "质量大讲堂"}))
    assert follow[0]["response"] != "utter_document_answer"


async def test_what_no_activity_card_tells_is_answered_from_the_notices(svc):
    messages, _ = await run(ActionActivityDetails(svc), tracker("刘源张蓝领质量贡献奖一共推荐了多少人",
                                                                "ask_activity_details"))
    assert messages[0]["response"] == "utter_document_answer" and "32名" in messages[0]["answer"]
    card, _ = await run(ActionActivityDetails(svc), tracker("刘源张蓝领质量贡献奖是什么", "ask_activity_details"))
    assert card[0]["response"] == "utter_activity_details"
    unknown, _ = await run(ActionActivityTime(svc), tracker(
        "火星质量节什么时候", "ask_activity_time", [entity("activity", "火星质量节")]))
    assert unknown[0]["response"] == "utter_activity_not_found"  # and nothing is made up


async def test_a_contact_action_answers_from_the_notices_what_is_no_contact_question(svc):
    messages, _ = await run(ActionContact(svc), tracker(
        "上海市质量协会是哪一年成立的", "ask_contact", [entity("organisation", "上海市质量协会")]))
    assert messages[0]["response"] == "utter_document_answer" and "1982年" in messages[0]["answer"]
    card, _ = await run(ActionContact(svc), tracker(
        "上海市质量协会怎么联系", "ask_contact", [entity("organisation", "上海市质量协会")]))
    assert card[0]["response"] == "utter_contact_all"


async def test_a_list_intent_that_asks_a_count_is_answered_from_the_notices(svc):
    messages, _ = await run(ActionListActivities(svc), tracker(
        "企业质量管理现状调研覆盖多少个重点行业", "list_activities", [entity("category", "调研")]))
    assert messages[0]["response"] == "utter_document_answer" and "11个重点行业" in messages[0]["answer"]
    listed, _ = await run(ActionListActivities(svc), tracker(
        "2018年有哪些活动", "list_activities", [entity("year", "2018年")]))
    assert listed[0]["response"] == "utter_list_filtered"


async def test_out_of_scope_and_capabilities_answer_from_the_notices_first(svc):
    messages, _ = await run(ActionOutOfScope(svc), tracker("五年来做了多少项社会调查", "out_of_scope"))
    assert messages[0]["response"] == "utter_document_answer" and "246项" in messages[0]["answer"]
    refused, _ = await run(ActionOutOfScope(svc), tracker("帮我订一张去北京的机票", "out_of_scope"))
    assert [m["response"] for m in refused] == ["utter_out_of_scope"]
    helped, _ = await run(ActionCapabilities(svc), tracker("你能做什么", "bot_capabilities"))
    assert [m["response"] for m in helped] == ["utter_capabilities"]


async def test_a_greeting_or_thanks_carrying_a_question_has_it_answered(svc):
    greeted, _ = await run(ActionGreet(svc), tracker("你好", "greet"))
    assert [m["response"] for m in greeted] == ["utter_greet"]
    still, _ = await run(ActionGreet(svc), tracker("老师好，在吗？", "greet"))
    assert [m["response"] for m in still] == ["utter_greet"]
    asked, _ = await run(ActionGreet(svc), tracker("你好，五年来做了多少项社会调查", "greet"))
    assert asked[0]["response"] == "utter_document_answer" and "246项" in asked[0]["answer"]
    thanked, _ = await run(ActionThank(svc), tracker("谢谢！", "thank"))
    assert [m["response"] for m in thanked] == ["utter_thank"]


async def test_a_shortlist_named_in_the_question_is_read_though_its_name_filled_the_activity_slot(
        svc, tmp_path: Path):
    from services.ingest.loader import NoticeLoader

    notice = tmp_path / "award-list.txt"
    notice.write_text("2026年度金山区区长质量奖拟获奖名单公示\n根据有关办法，现予以公示。\n一、拟获奖组织（3家）\n"
                      "上海金石新材料股份有限公司\n三、公示期\n2026年12月1日至12月7日。\n"
                      "上海市金山区市场监督管理局\n2026年11月30日\n", encoding="utf-8")
    NoticeLoader(svc.session_factory).ingest(notice)
    # Rasa fills the activity slot from the message's own entity before the action runs
    messages, _ = await run(ActionActivityTime(svc), tracker(
        "区长质量奖是哪几家企业", "ask_activity_time", [entity("activity", "区长质量奖")],
        slots={"activity": "区长质量奖"}))
    assert messages[0]["response"] == "utter_document_answer" and "金石新材料" in messages[0]["answer"], messages


async def test_another_citys_association_is_not_answered_with_ours(svc):
    for text in ("北京市质量协会电话多少", "杭州质协的地址在哪里"):
        messages, _ = await run(ActionContact(svc), tracker(text, "ask_contact", [
            entity("organisation", "市质量协会"), entity("contact_field", "phone")]))
        assert messages[0]["response"] == "utter_organisation_not_found"
        assert messages[0]["query"] in ("北京市质量协会", "杭州质协")
    ours, _ = await run(ActionContact(svc), tracker("市质协电话多少", "ask_contact", [
        entity("organisation", "市质协"), entity("contact_field", "phone")]))
    assert ours[0]["response"] == "utter_contact_field" and ours[0]["organisation"] == "上海市质量协会"


async def test_what_no_answer_of_the_intent_gives_is_said_to_be_missing_not_replaced(svc):
    prize, _ = await run(ActionQualityMonth(svc), tracker("质量月知识竞赛有奖品吗", "ask_quality_month"))
    assert [m["response"] for m in prize] == ["utter_document_no_answer"]  # not the programme's card
    card, _ = await run(ActionQualityMonth(svc), tracker("2021年质量月的主题是什么", "ask_quality_month",
                                                         [entity("year", "2021年")]))
    assert card[0]["response"] == "utter_quality_month"
    lasts, _ = await run(ActionActivityTime(svc), tracker("首席质量官证书有效期几年", "ask_activity_time"))
    assert [m["response"] for m in lasts] == ["utter_document_no_answer"]  # a duration, not a date


async def test_a_day_asked_of_a_month_is_said_to_be_missing(svc):
    messages, _ = await run(ActionActivityTime(svc), tracker(
        "质量月启动仪式是9月几号开始", "ask_activity_time", [entity("activity", "举办年度上海市质量月启动仪式")]))
    assert messages[0]["response"] in ("utter_activity_time_to_the_month", "utter_document_answer")
    if messages[0]["response"] == "utter_activity_time_to_the_month":
        assert messages[0]["when"] == "2021年9月"
    when, _ = await run(ActionActivityTime(svc), tracker(
        "第三届世界质量论坛几号开", "ask_activity_time", [entity("activity", "第三届世界质量论坛")]))
    assert when[0]["response"] == "utter_activity_time" and when[0]["when"] == "2019年12月5日至6日"
    deadline, _ = await run(ActionActivityDeadline(svc), tracker(
        "2018年QC成果申报截止是几号", "ask_deadline", [entity("activity", "2018年上海市优秀质量管理小组活动")]))
    assert deadline[0]["response"] == "utter_deadline_to_the_month" and deadline[0]["deadline"] == "2018年12月"


async def test_another_places_quality_month_is_not_ours(svc):
    messages, _ = await run(ActionQualityMonth(svc), tracker("杭州质量月有啥活动", "ask_quality_month"))
    assert messages[0]["response"] == "utter_quality_month_other_place" and messages[0]["place"] == "杭州"


async def test_the_contact_field_named_in_words_and_a_question_no_contact_answers(svc):
    messages, _ = await run(ActionContact(svc), tracker(
        "市质协的电子邮箱是多少", "ask_contact", [entity("organisation", "市质协")]))
    assert messages[0]["response"] == "utter_contact_field_unknown" and messages[0]["field_label"] == "电子邮箱"
    fax, _ = await run(ActionContact(svc), tracker("团市委传真", "ask_contact", [entity("organisation", "团市委")]))
    assert fax[0]["response"] == "utter_contact_field" and fax[0]["value"] == "60827379"
    other, _ = await run(ActionContact(svc), tracker(
        "上海市质量协会的微信公众号叫什么", "ask_contact", [entity("organisation", "上海市质量协会")]))
    assert [m["response"] for m in other] == ["utter_document_no_answer"]
    card, _ = await run(ActionContact(svc), tracker("上海市质量协会", "ask_contact",
                                                    [entity("organisation", "上海市质量协会")]))
    assert card[0]["response"] == "utter_contact_all"


async def test_the_nlus_list_quality_month_or_sign_up_intents_do_not_hide_a_fact_question(svc):
    listed, _ = await run(ActionListActivities(svc), tracker("QC小组活动要培训宣贯哪个标准？", "list_activities",
                                                             [entity("category", "培训")]))
    assert listed[0]["response"] == "utter_document_answer" and "质量管理小组活动准则" in listed[0]["answer"]
    number, _ = await run(ActionQualityMonth(svc), tracker("2020年上海市质量工作要点的文号是多少", "ask_quality_month",
                                                           [entity("year", "2020年")]))
    assert number[0]["response"] == "utter_document_answer" and "沪质〔2020〕1号" in number[0]["answer"]
    checks, _ = await run(ActionMySignups(svc), tracker("服务质量专项检查查哪些", "my_signups"))
    assert checks[0]["response"] == "utter_document_answer"
    mine, _ = await run(ActionMySignups(svc), tracker("我报了哪些活动", "my_signups"))
    assert mine[0]["response"] == "utter_my_signups_none"


async def test_a_question_during_sign_up_is_answered_and_the_form_asks_again(svc):
    lecture = "2026年质量大讲堂（冬季）"
    waiting = {"requested_slot": "person_name", "signup_activity": lecture, "signup_activity_id": 1.0}
    messages, slots = await run(ValidateSignupForm(svc), tracker("要交费吗", "ask_fee", slots=waiting))
    assert messages[0]["response"].startswith("utter_activity_fee")
    assert slots["person_name"] is None  # not taken for the name: the form asks for it again
    assert slots["activity"] == lecture
    assert "signup_activity" not in slots  # what was filled stays

    assert question_asked(tracker("张三", "inform", slots=waiting)) is None
    assert question_asked(tracker("13912345678", "inform", slots=waiting)) is None
    assert question_asked(tracker("培训结束要考试吗", "ask_activity_time")) is Topic.TIME  # the intent's
    assert question_asked(tracker("在哪里上课", "inform")) is Topic.PLACE  # the words'
