"""The dashboard: its figures (Shanghai days, percentiles, intents, fallback rate, undelivered
replies, sign-ups) on SQLite and PostgreSQL, and the page with data and without."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import insert

from bot.gateway import keys
from services.dashboard import DashboardService
from services.db import make_engine, make_session_factory
from services.knowledge import KnowledgeLoader
from services.messaging import MessageLog, new_uid
from services.models import Activity
from services.setup import migrate
from services.signups import SignupService
from tests.conftest import FIXTURE_KNOWLEDGE, TODAY
from tests.console.test_conversations import rasa_events_table
from tests.gateway.standins import text_xml

UTC = dt.UTC


def row(direction: str, at: dt.datetime, user: str = "o-1", status: str = "answered", **extra):
    return {"uid": new_uid(), "turn_id": new_uid(), "channel": "wechat", "user_id": user, "direction": direction,
            "msg_type": "text", "status": status, "created_at": at, "latency_ms": None, **extra}


def user_event(sender: str, intent: str, at: dt.datetime) -> dict[str, object]:
    return {"sender_id": sender, "type_name": "user", "intent_name": intent, "action_name": None,
            "timestamp": at.timestamp(),
            "data": json.dumps({"event": "user", "parse_data": {"intent": {"name": intent}}})}


def test_figures_count_shanghai_days_percentiles_intents_and_undelivered(database_url):
    migrate(database_url)
    engine = make_engine(database_url)
    try:
        sessions = make_session_factory(engine)
        noon = dt.datetime(2026, 11, 21, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
        rows = [
            row("in", dt.datetime(2026, 11, 20, 16, 30, tzinfo=UTC), "o-1"),  # 00:30 on the 21st in Shanghai
            row("in", dt.datetime(2026, 11, 20, 15, 59, tzinfo=UTC), "o-1"),  # 23:59 on the 20th
            row("in", noon, "o-2"), row("in", noon, "o-2"), row("in", noon, "o-3", channel="wecom"),
            row("in", dt.datetime(2026, 10, 1, 4, 0, tzinfo=UTC), "o-old"),  # before the 30 days
            *[row("out", noon, "o-2", status="sent", latency_ms=ms) for ms in range(1, 101)],
            row("out", noon, "o-2", status="pending", latency_ms=None),
            row("out", noon, "o-3", status="failed", latency_ms=None),
            row("out", noon, "o-3", status="sent", latency_ms=99_999, msg_type="staff"),  # staff: not timed
        ]
        with sessions() as session, session.begin():
            session.execute(insert(MessageLog), rows)
        service = DashboardService(sessions, engine, lambda: TODAY)
        figures = service.build(30)
        assert not figures.has_events and figures.intents == [] and figures.fallback_rate is None

        events = rasa_events_table(engine)
        with engine.begin() as connection:
            connection.execute(events.insert(), [
                *[user_event("o-2", "ask_activity_time", noon) for _ in range(5)],
                user_event("o-2", "ask_contact", noon), user_event("o-3", "nlu_fallback", noon),
                user_event("o-3", "nlu_fallback", noon - dt.timedelta(days=40)),  # too old
                {"sender_id": "o-2", "type_name": "action", "intent_name": None, "action_name": "action_listen",
                 "timestamp": noon.timestamp(), "data": "{}"},
            ])
        figures = service.build(30)
    finally:
        engine.dispose()

    assert (figures.first_day, figures.last_day, len(figures.days)) == (TODAY - dt.timedelta(days=29), TODAY, 30)
    by_day = {day.day: (day.messages, day.users) for day in figures.days}
    assert by_day[TODAY] == (4, 3)
    assert by_day[TODAY - dt.timedelta(days=1)] == (1, 1)
    assert sum(messages for messages, _ in by_day.values()) == figures.messages == 5
    assert figures.users == 3
    assert (figures.reply_p50_ms, figures.reply_p95_ms, figures.timed_replies) == (50, 95, 100)
    assert figures.undelivered == {"pending": 1, "failed": 1}
    assert figures.has_events and [(i.intent, i.count) for i in figures.intents] == [
        ("ask_activity_time", 5), ("ask_contact", 1), ("nlu_fallback", 1)]
    assert (figures.fallbacks, figures.understood) == (1, 7)


async def test_the_page_without_any_data(console):
    console.user("viewer")
    assert await console.login("viewer") == 302
    response = await console.client.get("/console/", allow_redirects=False)
    assert response.headers["Location"] == "/console/dashboard"  # the start page
    response = await console.client.get("/console/dashboard")
    assert response.status == 200
    page = await response.text()
    assert "这段时间还没有消息" in page and "没有 Rasa 的 events 表" in page and "还没有报名" in page
    assert page.count("<svg") == 2  # the two daily charts, empty
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)  # no inline script (the CSP forbids it)
    assert "style=" not in page
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'self' only


async def test_the_page_with_messages_intents_and_sign_ups(console):
    gateway = console.gateway
    wechat = gateway.wechat()
    for openid, text in (("o-a", "质量月什么时候"), ("o-a", "谢谢"), ("o-b", "你好")):
        await wechat.push(text_xml(openid, text))
    await gateway.settle()
    sessions = gateway.app[keys.SESSIONS]
    KnowledgeLoader(sessions).load_dir(FIXTURE_KNOWLEDGE)
    with sessions() as session:
        lecture = session.query(Activity).filter(Activity.key == "2026-test-winter-lecture").one()
    SignupService(sessions, lambda: TODAY).sign_up(lecture.id, "wechat", "o-a", "张三", "13912345678", "甲公司")
    events = rasa_events_table(gateway.app[keys.ENGINE])
    now = dt.datetime.now(UTC)
    with gateway.app[keys.ENGINE].begin() as connection:
        connection.execute(events.insert(), [user_event("o-a", "ask_activity_time", now),
                                             user_event("o-a", "thank", now), user_event("o-b", "greet", now),
                                             user_event("o-b", "nlu_fallback", now)])
    console.user("viewer")
    assert await console.login("viewer") == 302
    page = await (await console.client.get("/console/dashboard")).text()
    assert "这段时间还没有" not in page
    assert re.search(r"会员消息</span><b>3</b>", page) and re.search(r"活跃用户</span><b>2</b>", page)
    assert "25.0%" in page and "1 / 4 条" in page
    assert "ask_activity_time" in page and "nlu_fallback" in page
    assert "2026年质量大讲堂（冬季）" in page and f"/console/activities/{lecture.id}" in page
    assert "回复用时 P95" in page and "毫秒" in page
    assert page.count("<svg") == 4
