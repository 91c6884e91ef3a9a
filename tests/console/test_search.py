"""The conversation list's text search: members whose own messages contain the words,
compared in normalised form (繁體 finds 简体, full-width finds half-width), on SQLite
and PostgreSQL."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import func, select

from bot.console import keys as console_keys
from services.conversation_index import SearchText
from services.messaging import MessageLog
from tests.console.nlu_events import ON_BOTH, gateway_db, log_turn  # noqa: F401  (fixture)

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
