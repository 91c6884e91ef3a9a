"""The conversation list, its filters, the transcript with Rasa's reading, live updates."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text

from bot.gateway import keys
from tests.gateway.standins import text_xml


def rasa_events_table(engine) -> Table:
    """The columns of Rasa's SQLTrackerStore `events` table."""
    metadata = MetaData()
    events = Table("events", metadata, Column("id", Integer, primary_key=True),
                   Column("sender_id", String(255)), Column("type_name", String(255)), Column("timestamp", Float),
                   Column("intent_name", String(255)), Column("action_name", String(255)), Column("data", Text))
    metadata.create_all(engine)
    return events


async def test_the_list_filters_by_channel_text_and_takeover_and_masks_numbers(console):
    gateway = console.gateway
    wechat = gateway.wechat()
    await wechat.push(text_xml("o-alpha", "质量月活动什么时候"))
    await wechat.push(text_xml("o-beta", "我的手机13912345678"))
    await gateway.settle()
    console.user("viewer")
    assert await console.login("viewer") == 302
    page = await (await console.client.get("/console/conversations")).text()
    assert "o-alpha" in page and "o-beta" in page
    assert "139****5678" in page and "13912345678" not in page
    searched = await (await console.client.get("/console/conversations?q=质量月")).text()
    assert "o-alpha" in searched and "o-beta" not in searched
    assert "o-alpha" not in await (await console.client.get("/console/conversations?channel=wecom")).text()
    assert "没有符合条件" in await (await console.client.get("/console/conversations?held=1")).text()
    assert "没有符合条件" in await (await console.client.get("/console/conversations?from=2000-01-01&to=2000-01-02"))\
        .text()
    fragment = await (await console.client.get("/console/conversations?partial=1")).text()
    assert fragment.lstrip().startswith("<table")


async def test_the_transcript_shows_intent_confidence_actions_and_timings(console):
    gateway = console.gateway
    await gateway.wechat().push(text_xml("o-nlu", "市质协电话多少", msg_id=777))
    await gateway.settle()
    events = rasa_events_table(gateway.app[keys.ENGINE])
    user_event = {"event": "user", "text": "市质协电话多少", "metadata": {"channel": "wechat", "msg_id": "777"},
                  "parse_data": {"intent": {"name": "ask_contact", "confidence": 0.93},
                                 "entities": [{"entity": "organisation", "value": "上海市质量协会"}]}}
    with gateway.app[keys.ENGINE].begin() as connection:
        connection.execute(events.insert(), [
            {"sender_id": "o-nlu", "type_name": "user", "intent_name": "ask_contact", "action_name": None,
             "data": json.dumps(user_event)},
            {"sender_id": "o-nlu", "type_name": "action", "intent_name": None, "action_name": "action_answer_contact",
             "data": "{}"},
            {"sender_id": "o-nlu", "type_name": "action", "intent_name": None, "action_name": "action_listen",
             "data": "{}"},
        ])
    console.user("reader")
    assert await console.login("reader") == 302
    page = await (await console.client.get("/console/conversations/wechat/o-nlu")).text()
    assert "ask_contact" in page and "0.93" in page and "organisation=上海市质量协会" in page
    assert "action_answer_contact" in page and "action_listen" not in page
    assert "被动回复" in page and "已送达" in page and "ms" in page


async def test_live_updates_announce_new_messages(console):
    gateway = console.gateway
    console.user("watcher")
    assert await console.login("watcher") == 302
    response = await console.client.get("/console/events?after=0", headers={"Accept": "text/event-stream"})
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    await gateway.wechat().push(text_xml("o-live", "有人吗"))
    await gateway.settle()
    received = b""
    while b"event: changed" not in received:
        received += await asyncio.wait_for(response.content.readany(), 5)
    assert b"data: {\"newest\":" in received
    response.close()


async def test_live_updates_need_a_login(console):
    response = await console.client.get("/console/events", headers={"Accept": "text/event-stream"},
                                        allow_redirects=False)
    assert response.status == 401
