"""Takeover: the bot stays silent for a member staff have taken over; staff replies
and the join/leave notices go out through the customer-service API."""

from __future__ import annotations

from bot.console import keys as console_keys
from tests.gateway.standins import text_xml


async def test_takeover_silences_the_bot_and_staff_replies_reach_the_member(console):
    gateway = console.gateway
    wechat = gateway.wechat()
    texts = gateway.app[console_keys.TEXTS]
    first = await wechat.push(text_xml("o-member", "我要找人工"), "safe")
    assert first.content == "收到：我要找人工"
    assert len(gateway.rasa.calls) == 1

    console.user("kefu", "staff")
    assert await console.login("kefu") == 302
    page = "/console/conversations/wechat/o-member"
    response = await console.post(page + "/takeover", page=page)
    assert (response.status, response.headers["Location"]) == (302, page)
    await gateway.settle()
    assert [m["text"]["content"] for m in gateway.api.sent] == [texts.say("staff_joined", "kefu")]

    # While taken over: no Rasa turn, the push is answered "success", the message is kept for staff.
    held = await wechat.push(text_xml("o-member", "你好，在吗？"), "safe")
    assert (held.status, held.body) == (200, "success")
    assert len(gateway.rasa.calls) == 1
    rows = await gateway.log(user_id="o-member", direction="in")
    assert [(row.text, row.status) for row in rows][-1] == ("你好，在吗？", "held")
    # Other members still talk to the bot.
    assert (await wechat.push(text_xml("o-other", "质量月"), "safe")).content == "收到：质量月"

    response = await console.post(page + "/reply", {"text": "在的，请问有什么可以帮您？"}, page=page)
    assert response.status == 302
    await gateway.settle()
    assert gateway.api.sent[-1]["text"]["content"] == "在的，请问有什么可以帮您？"
    assert gateway.api.sent[-1]["touser"] == "o-member"

    transcript = await (await console.client.get(page)).text()
    assert "你好，在吗？" in transcript and "人工 kefu" in transcript and "交还机器人" in transcript

    response = await console.post(page + "/handback", page=page)
    assert response.status == 302
    await gateway.settle()
    assert gateway.api.sent[-1]["text"]["content"] == texts.say("staff_left", "kefu")
    back = await wechat.push(text_xml("o-member", "报名截止是哪天"), "safe")
    assert back.content == "收到：报名截止是哪天"
    assert len(gateway.rasa.calls) == 3
    out = await gateway.log(user_id="o-member", direction="out", msg_type="staff")
    assert [row.status for row in out] == ["sent", "sent", "sent"]


async def test_a_reply_needs_a_takeover_and_a_second_takeover_names_the_first(console):
    gateway = console.gateway
    await gateway.wechat().push(text_xml("o-two", "你好"))
    console.user("a1")
    console.user("b2")
    page = "/console/conversations/wechat/o-two"
    assert await console.login("a1") == 302
    await console.post(page + "/reply", {"text": "没有接管也想回复"}, page=page)
    await gateway.settle()
    assert gateway.api.sent == []
    await console.post(page + "/takeover", page=page)
    console.logout_cookies()
    assert await console.login("b2") == 302
    await console.post(page + "/takeover", page=page)
    shown = await (await console.client.get(page)).text()
    assert "已由 a1 接管" in shown
    await gateway.settle()
    assert len(gateway.api.sent) == 1  # one joining notice
