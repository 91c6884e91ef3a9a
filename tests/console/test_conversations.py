"""The conversation list, its filters, the transcript with Rasa's reading, review marks
and tags, live updates."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

from bot.console import keys as console_keys
from bot.gateway import keys
from tests.console.nlu_events import (  # noqa: F401  (gateway_db: SQLite, or PostgreSQL too with ON_BOTH)
    ON_BOTH,
    add_events,
    gateway_db,
    log_turn,
    rasa_events_table,
    signed_up,
    understood,
    user_event,
)
from tests.gateway.standins import text_xml


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


# -- filters on what Rasa understood, and on the member ------------------------------------

FILTERED = ("o-contact", "o-fallback", "o-low", "o-default", "o-signed", "o-old", "o-wecom")


async def listed(console, query: str) -> set[str]:
    response = await console.client.get(f"/console/conversations?{query}")
    assert response.status == 200
    page = await response.text()
    return {member for member in FILTERED if f">{member}<" in page}


@ON_BOTH
async def test_the_list_filters_by_intent_confidence_fallback_signup_and_date(console):
    gateway = console.gateway
    engine, messaging = gateway.app[keys.ENGINE], gateway.messaging
    # Rasa's events may be written before the gateway logs the message: the order does not matter.
    add_events(engine, "o-contact", user_event("o-contact", "m-contact", "市质协电话多少", "ask_contact", 0.93),
               ["action_answer_contact", "action_listen"])
    log_turn(messaging, "o-contact", "市质协电话多少", msg_id="m-contact")
    understood(engine, messaging, "o-fallback", "那个东西怎么弄", "nlu_fallback", 0.55,
               ["action_clarify_or_fallback", "action_listen"], guess=("ask_activity_details", 0.31))
    understood(engine, messaging, "o-low", "报名费多少", "ask_activity_details", 0.58)
    understood(engine, messaging, "o-default", "帮我订一张机票", "greet", 0.9, ["action_default_fallback"])
    understood(engine, messaging, "o-signed", "我要报名", "signup", 0.97)
    signed_up(gateway.app[keys.SESSIONS], "wechat", "o-signed")
    understood(engine, messaging, "o-old", "质协地址在哪", "ask_contact", 0.9,
               at=dt.datetime(2020, 1, 1, 2, 0, tzinfo=dt.UTC))
    understood(engine, messaging, "o-wecom", "质协传真多少", "ask_contact", 0.88, channel="wecom")
    console.user("filterer")
    assert await console.login("filterer") == 302

    assert await listed(console, "") == set(FILTERED)
    assert await listed(console, "intent=ask_contact") == {"o-contact", "o-old", "o-wecom"}
    assert await listed(console, "intent=ask_contact&channel=wechat") == {"o-contact", "o-old"}
    assert await listed(console, "intent=ask_contact&from=2020-01-01&to=2020-01-01") == {"o-old"}
    assert await listed(console, "intent=ask_contact&from=2025-01-01") == {"o-contact", "o-wecom"}
    assert await listed(console, "intent=nlu_fallback") == {"o-fallback"}
    # nlu_fallback's confidence is the classifier's (0.31), not the threshold Rasa reports.
    assert await listed(console, "below=0.6") == {"o-fallback", "o-low"}
    assert await listed(console, "below=0.5") == {"o-fallback"}
    assert await listed(console, "fallback=1") == {"o-fallback", "o-default"}
    assert await listed(console, "signup=1") == {"o-signed"}
    assert await listed(console, "signup=1&fallback=1") == set()
    assert await listed(console, "intent=no_such_intent&below=abc") == set(FILTERED)  # unknown values are dropped
    transcript = await (await console.client.get("/console/conversations/wechat/o-fallback")).text()
    assert "nlu_fallback" in transcript and "最接近 ask_activity_details 0.31" in transcript


async def test_pages_keep_the_filters(console):
    gateway = console.gateway
    engine, messaging = gateway.app[keys.ENGINE], gateway.messaging
    for number in range(53):
        understood(engine, messaging, f"o-p{number:02d}", "电话多少", "ask_contact", 0.9)
    understood(engine, messaging, "o-greeter", "你好", "greet", 0.99)
    console.user("pager")
    assert await console.login("pager") == 302
    first = await (await console.client.get("/console/conversations?intent=ask_contact&page=1")).text()
    assert "o-greeter" not in first and first.count("/console/conversations/wechat/o-p") == 50
    [next_url] = re.findall(r'href="([^"]*)">下一页', first)
    next_url = next_url.replace("&amp;", "&")
    assert "intent=ask_contact" in next_url and next_url.count("page=") == 1 and "page=2" in next_url
    second = await (await console.client.get(next_url)).text()
    assert second.count("/console/conversations/wechat/o-p") == 3 and "o-greeter" not in second
    assert "上一页" in second and "下一页" not in second
    fragment = await (await console.client.get(next_url + "&partial=1")).text()
    assert "partial=1" not in fragment  # the fragment's links lead to pages, not fragments


# -- review marks and tags ---------------------------------------------------------------------


async def test_turns_and_conversations_are_marked_reviewed_and_tagged(console):
    gateway = console.gateway
    messaging = gateway.messaging
    log_turn(messaging, "o-rev", "质量月有哪些活动")
    log_turn(messaging, "o-rev", "我要投诉你们的热线没人接")
    log_turn(messaging, "o-quiet", "你好")
    first, second = [row.id for row in await gateway.log(user_id="o-rev", direction="in")]
    page = "/console/conversations/wechat/o-rev"
    console.user("rev1")
    console.user("rev2")
    console.user("boss", "admin")
    assert await console.login("rev1") == 302

    response = await console.post(page + "/review", {"message_id": str(first)}, page=page)
    assert (response.status, response.headers["Location"]) == (302, f"{page}#turn-{first}")
    shown = await (await console.client.get(page)).text()
    assert "已复核 · rev1" in shown and shown.count("标记已复核") == 1
    assert "未复核" in await (await console.client.get("/console/conversations")).text()
    assert "o-rev" in await (await console.client.get("/console/conversations?reviewed=yes")).text()
    assert "o-rev" in await (await console.client.get("/console/conversations?reviewed=no")).text()

    await console.post(page + "/tags", {"tag": " 待补充知识 "}, page=page)
    await console.post(page + "/tags", {"tag": "投诉", "message_id": str(second)}, page=page)
    await console.post(page + "/tags", {"tag": "投诉", "message_id": str(second)}, page=page)  # once only
    await console.post(page + "/tags", {"tag": "太长" * 11}, page=page)
    shown = await (await console.client.get(page)).text()
    assert "标签不能为空，且不超过 20 个字" in shown
    reviews = gateway.app[console_keys.CONVERSATIONS].reviews
    tags = reviews.tags("wechat", "o-rev")
    assert [(tag.tag, tag.message_id) for tag in tags] == [("待补充知识", 0), ("投诉", second)]
    listing = await (await console.client.get("/console/conversations")).text()
    assert "待补充知识" in listing and "投诉" in listing
    assert "o-rev" in await (await console.client.get("/console/conversations?tag=投诉")).text()
    assert "o-quiet" not in await (await console.client.get("/console/conversations?tag=投诉")).text()
    assert "没有符合条件" in await (await console.client.get("/console/conversations?tag=表扬")).text()

    # A tag on another member's message is not taken.
    quiet = (await gateway.log(user_id="o-quiet", direction="in"))[0].id
    await console.post(page + "/tags", {"tag": "串号", "message_id": str(quiet)}, page=page)
    assert all(tag.tag != "串号" for tag in reviews.tags("wechat", "o-quiet") + reviews.tags("wechat", "o-rev"))

    # Someone else's marks and tags: only the author or an admin may take them back.
    console.logout_cookies()
    assert await console.login("rev2") == 302
    await console.post(page + "/tags", {"remove": str(tags[1].id), "message_id": str(second)}, page=page)
    await console.post(page + "/review", {"message_id": str(first), "undo": "1"}, page=page)
    shown = await (await console.client.get(page)).text()
    assert "只有本人或管理员可以撤销" in shown and "已复核 · rev1" in shown
    assert len(reviews.tags("wechat", "o-rev")) == 2

    response = await console.post(page + "/review", page=page)  # every turn not yet marked
    assert response.status == 302
    shown = await (await console.client.get(page)).text()
    assert "已将 1 条用户消息标记为已复核" in shown and "已复核 · rev2" in shown
    assert "o-rev" not in await (await console.client.get("/console/conversations?reviewed=no")).text()

    console.logout_cookies()
    assert await console.login("boss") == 302
    await console.post(page + "/tags", {"remove": str(tags[1].id)}, page=page)
    await console.post(page + "/review", {"message_id": str(first), "undo": "1"}, page=page)
    assert [tag.tag for tag in reviews.tags("wechat", "o-rev")] == ["待补充知识"]
    assert first not in reviews.marks([first, second])
    audit = await (await console.client.get("/console/admin/audit")).text()
    for action in ("标记已复核", "撤销复核", "添加标签", "删除标签"):  # review, review_undo, tag, untag
        assert f">{action}<" in audit


async def test_review_and_tag_posts_need_the_csrf_token(console):
    gateway = console.gateway
    log_turn(gateway.messaging, "o-csrf", "你好")
    [message] = await gateway.log(user_id="o-csrf", direction="in")
    console.user("careful")
    assert await console.login("careful") == 302
    page = "/console/conversations/wechat/o-csrf"
    for path, data in ((page + "/review", {"message_id": str(message.id)}), (page + "/tags", {"tag": "投诉"})):
        response = await console.client.post(path, data=data, allow_redirects=False)
        assert response.status == 403
        response = await console.client.post(path, data={**data, "_csrf": "forged"}, allow_redirects=False)
        assert response.status == 403
    reviews = gateway.app[console_keys.CONVERSATIONS].reviews
    assert reviews.tags("wechat", "o-csrf") == [] and reviews.marks([message.id]) == {}
