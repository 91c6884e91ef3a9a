"""转人工: the action records the request through the hand-off service and utters its answer."""

from __future__ import annotations

import dataclasses
import datetime as dt

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionRequestHandoff, earlier_question
from services.handoff import HandoffService
from services.settings import PROJECT_ROOT, SHANGHAI, WorkingHours
from tests.conftest import KNOWLEDGE_DIR, build_services

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
ALWAYS = WorkingHours(days=frozenset(range(1, 8)), start=dt.time(0, 0), end=dt.time(0, 0), reply_minutes=10)


def tracker(text: str, delivery: str | None, events=(), slots=None) -> Tracker:
    metadata = {"channel": "wechat", "account": "gh_test"}
    if delivery:
        metadata["delivery"] = delivery
    return Tracker(sender_id="wechat:o-ask", slots=dict(slots or {}),
                   latest_message={"text": text, "intent": {"name": "human_handoff", "confidence": 0.98},
                                   "entities": [], "metadata": metadata},
                   events=list(events), paused=False, followup_action=None, active_loop={},
                   latest_action_name=None)


def user(text: str) -> dict:
    return {"event": "user", "text": text}


def services_with(sqlite_url, hours: WorkingHours, now: dt.datetime):
    built = build_services(sqlite_url, [KNOWLEDGE_DIR])
    return dataclasses.replace(built, handoff=HandoffService(built.session_factory, hours, lambda: now))


async def test_a_member_asking_for_a_person_is_queued_and_told_how_soon(sqlite_url):
    svc = services_with(sqlite_url, ALWAYS, dt.datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI))
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff(svc).run(dispatcher, tracker(
        "能找个人工吗", "deferred", [user("发票怎么开"), user("能找个人工吗")]), DOMAIN)
    assert events == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_handoff_in_hours"
    assert message["minutes"] == 10
    assert message["hint"] == DOMAIN["responses"]["utter_handoff_hint_next_message"][0]["text"]
    [entry] = svc.handoff.queue()
    assert (entry.channel, entry.user_id, entry.question, entry.context) == ("wechat", "o-ask", "能找个人工吗",
                                                                           "发票怎么开")
    svc.engine.dispose()


async def test_out_of_hours_from_the_menu_with_the_api_it_says_when_and_ends_a_sign_up(sqlite_url):
    hours = WorkingHours(days=frozenset({1, 2, 3, 4, 5}), start=dt.time(9, 0), end=dt.time(17, 0))
    svc = services_with(sqlite_url, hours, dt.datetime(2026, 12, 11, 20, 0, tzinfo=SHANGHAI))  # Friday night
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff(svc).run(dispatcher, tracker(
        "/human_handoff", "customer_service", slots={"requested_slot": "person_name"}), DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_handoff_after_hours"
    assert (message["day"], message["time"]) == ("12月14日（星期一）", "09:00")
    assert message["hint"] == DOMAIN["responses"]["utter_handoff_hint_live"][0]["text"]
    assert {event["name"] for event in events} >= {"person_name", "mobile", "company"}
    assert svc.handoff.queue()[0].question == ""  # the menu said nothing more
    svc.engine.dispose()


def test_the_earlier_question_skips_menu_clicks_and_the_request_itself():
    events = [user("质量月是什么时候"), user("/bot_capabilities"), user("转人工")]
    assert earlier_question(tracker("转人工", None, events)) == "质量月是什么时候"
    assert earlier_question(tracker("转人工", None, [user("转人工")])) is None
