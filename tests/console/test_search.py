"""The conversation list's text search: members whose own messages contain the words,
compared in normalised form (繁體 finds 简体, full-width finds half-width), on SQLite
and PostgreSQL."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import func, select

from bot.console import keys as console_keys
from bot.gateway import keys
from services.conversation_index import NluReading, SearchText
from services.conversations import ConversationFilter
from services.messaging import MessageLog
from tests.console.nlu_events import (  # noqa: F401  (gateway_db: a fixture)
    ON_BOTH,
    add_events,
    gateway_db,
    log_turn,
    rasa_events_table,
    user_event,
)

MEMBERS = ("o-simp", "o-trad", "o-wide", "o-bot-said", "o-pct", "o-late")


async def found(console, words: str, more: str = "") -> set[str]:
    response = await console.client.get(f"/console/conversations?q={quote(words)}{more}")
    assert response.status == 200
    page = await response.text()
    return {member for member in MEMBERS if f">{member}<" in page}


@ON_BOTH
async def test_search_finds_members_by_their_words_in_any_script(console):
    messaging = console.gateway.messaging
    log_turn(messaging, "o-simp", "质量管理小组活动怎么报名")
    log_turn(messaging, "o-trad", "質量獎的申報條件是什麼")
    log_turn(messaging, "o-wide", "ＱＣ小组成果发布会在哪里")
    log_turn(messaging, "o-bot-said", "你好", reply="质量管理小组活动正在报名")  # only the bot said it
    log_turn(messaging, "o-pct", "100%报名成功了吗")
    console.user("finder")
    assert await console.login("finder") == 302

    assert await found(console, "質量管理") == {"o-simp"}  # traditional script finds simplified text
    assert await found(console, "质量奖") == {"o-trad"}  # and simplified finds traditional
    assert await found(console, "qc小組") == {"o-wide"}  # full-width letters, case, script
    assert await found(console, "报名") == {"o-simp", "o-pct"}  # members' messages, not the bot's
    assert await found(console, "报名  小组") == {"o-simp"}  # every word, in the same message
    assert await found(console, "%") == {"o-pct"}  # LIKE's wildcards are taken literally
    assert await found(console, "_") == set()
    assert await found(console, "活动 条件") == set()

    # Messages logged after the first search are indexed at the next request.
    log_turn(messaging, "o-late", "質量月什麼時候開始")
    assert await found(console, "质量月") == {"o-late"}
    # Searching is combined with the other filters, and pages keep it.
    assert await found(console, "质量月", "&channel=wecom") == set()
    assert await found(console, "质量月", "&channel=wechat&from=2000-01-01") == {"o-late"}


@ON_BOTH
async def test_indexing_is_incremental_and_idempotent(console):
    messaging = console.gateway.messaging
    for number in range(30):
        log_turn(messaging, f"o-{number}", f"第{number}个问题")
    index = console.gateway.app[console_keys.CONVERSATIONS].index
    index.catch_up()
    index.catch_up()
    log_turn(messaging, "o-30", "第30个问题")
    index.catch_up()
    sessions = console.gateway.app[console_keys.CONVERSATIONS]._session_factory
    with sessions() as session:
        inbound = session.scalar(select(func.count()).select_from(MessageLog).where(MessageLog.direction == "in"))
        indexed = session.scalar(select(func.count()).select_from(SearchText))
        keys = set(session.scalars(select(SearchText.text_key)))
    assert indexed == inbound == 31
    assert "第30个问题" in keys


@ON_BOTH
async def test_readings_are_linked_whichever_is_indexed_first(console):
    """Rasa's events may be indexed before the gateway's log row exists, and a fallback
    action may be written after its user event was indexed."""
    gateway = console.gateway
    engine, messaging = gateway.app[keys.ENGINE], gateway.messaging
    service = gateway.app[console_keys.CONVERSATIONS]
    event = user_event("o-early", "m-early", "证书怎么补办", "ask_activity_details", 0.81)
    add_events(engine, "o-early", event, ["action_activity_details"])
    service.index.catch_up()  # the reading, no message yet
    log_turn(messaging, "o-early", "证书怎么补办", msg_id="m-early")
    page = service.find(ConversationFilter(intent="ask_activity_details"))
    assert [row.user_id for row in page.rows] == ["o-early"]
    assert service.find(ConversationFilter(fallback=True)).rows == []
    # The fallback action comes in a later write (and a later catch-up).
    events = rasa_events_table(engine)
    with engine.begin() as connection:
        connection.execute(events.insert(), [{"sender_id": "o-early", "type_name": "action",
                                              "action_name": "action_default_fallback", "data": "{}"}])
    assert [row.user_id for row in service.find(ConversationFilter(fallback=True)).rows] == ["o-early"]
    # Members who only talked to the REST channel (no msg_id) are not read as gateway messages.
    add_events(engine, "rest-user", {**user_event("rest-user", "x", "你好", "greet", 0.9), "metadata": {}})
    service.index.catch_up()
    with service._session_factory() as session:
        assert session.scalar(select(func.count()).select_from(NluReading)) == 1
