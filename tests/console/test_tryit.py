"""“试一试”: a message typed in the console reaches the bot through the real /wechat,
signed (and encrypted in safe mode) as WeChat would, and the page shows what came of it."""

from __future__ import annotations

import socket

import pytest

from bot.console import tryit
from bot.launcher import free_port
from tests.console.conftest import csrf_of

OPENID = "console-try-kefu"
PAGE = "/console/try"


async def send(console, text: str, json: bool = True, token: str | None = None):
    if token is None:
        token = csrf_of(await (await console.client.get(PAGE)).text())
    headers = {"X-CSRF-Token": token, "Accept": "application/json"} if json else {}
    data = {"text": text} if json else {"text": text, "_csrf": token}
    return await console.client.post(PAGE, data=data, headers=headers, allow_redirects=False)


@pytest.fixture
async def kefu(console):
    console.user("kefu", "staff")
    assert await console.login("kefu") == 302
    return console


async def test_a_message_goes_through_wechat_signed_and_encrypted_and_gets_the_passive_reply(kefu):
    gateway = kefu.gateway
    page = await kefu.client.get(PAGE)
    html = await page.text()
    assert page.status == 200
    assert OPENID in html and "tryit.js" in html and "<script>" not in html
    assert "安全模式" in html  # the stand-in gateway runs with WECHAT_AES_KEY

    response = await send(kefu, "质量月是什么时候？")
    assert response.status == 200
    result = await response.json()
    assert result == {"ok": True, "reply": "收到：质量月是什么时候？", "delivery": "passive", "status": "answered",
                      "encrypted": True, "notice": None}
    # Rasa saw a member's turn: the test OpenID as sender, the metadata the gateway adds to a push.
    call = gateway.rasa.calls[-1]
    assert call["sender"] == f"wechat:{OPENID}" and call["message"] == "质量月是什么时候？"
    assert call["metadata"]["channel"] == "wechat" and call["metadata"]["msg_id"].isdigit()
    rows = await gateway.log(user_id=OPENID)
    assert [(row.direction, row.status, row.delivery) for row in rows] == [("in", "answered", None),
                                                                           ("out", "sent", "passive")]
    assert rows[0].account == tryit.ACCOUNT and rows[0].msg_type == "text"

    chat = await (await kefu.client.get(PAGE + "?partial=1")).text()
    assert "质量月是什么时候？" in chat and "收到：质量月是什么时候？" in chat and "被动回复" in chat
    assert "<html" not in chat


async def test_plaintext_mode_pushes_without_encryption(start_gateway, console):
    gateway = await start_gateway(WECHAT_AES_KEY=None)
    console.gateway = gateway
    console.user("kefu")
    assert await console.login("kefu") == 302
    result = await (await send(console, "你好")).json()
    assert (result["reply"], result["encrypted"]) == ("收到：你好", False)


async def test_the_signature_check_is_the_gateways(kefu, monkeypatch):
    """A push signed with the wrong token is refused by /wechat itself: nothing reaches Rasa."""
    monkeypatch.setattr(tryit, "sign", lambda *parts: "0" * 40)
    response = await send(kefu, "你好")
    assert response.status == 502
    assert "签名" in (await response.json())["error"]
    assert kefu.gateway.rasa.calls == []


async def test_a_slow_turn_is_answered_success_and_the_reply_goes_by_the_customer_service_api(kefu):
    gateway = kefu.gateway
    gateway.rasa.delay_s = 1.5  # past the stand-in gateway's 1 s budget
    result = await (await send(kefu, "慢一点的问题")).json()
    assert (result["reply"], result["delivery"], result["status"]) == (None, "customer_service", "handed_off")
    assert "客服消息" in result["notice"]
    await gateway.settle()
    assert gateway.api.sent[-1]["touser"] == OPENID
    assert gateway.api.sent[-1]["text"]["content"] == "收到：慢一点的问题"
    chat = await (await kefu.client.get(PAGE + "?partial=1")).text()
    assert "收到：慢一点的问题" in chat and "客服消息" in chat


async def test_rasa_failing_gives_the_apology_and_says_why(kefu):
    kefu.gateway.rasa.mode = "error"
    result = await (await send(kefu, "你好")).json()
    assert result["status"] == "failed" and result["reply"]  # the member's apology
    assert "Rasa" in result["notice"] and "make run" in result["notice"]


async def test_rasa_down_is_said_on_the_page(start_gateway, console):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    console.gateway = await start_gateway(RASA_URLS=f"http://127.0.0.1:{closed}")
    console.user("kefu")
    assert await console.login("kefu") == 302
    assert "机器人（Rasa）目前无法连接" in await (await console.client.get(PAGE)).text()
    result = await (await send(console, "你好")).json()
    assert result["status"] == "failed" and "Rasa" in result["notice"]


async def test_the_gateway_unreachable_is_a_clear_error(kefu, monkeypatch):
    monkeypatch.setattr(tryit, "own_wechat_url", lambda _request: f"http://127.0.0.1:{free_port()}/wechat")
    response = await send(kefu, "你好")
    assert response.status == 502
    assert (await response.json())["error"] == "无法连接微信网关（/wechat），请确认网关正在运行。"


async def test_empty_and_overlong_messages_are_refused(kefu):
    for text, words in (("   ", "请输入"), ("长" * (tryit.MAX_CHARS + 1), "不能超过")):
        response = await send(kefu, text)
        assert response.status == 400
        assert words in (await response.json())["error"]
    assert kefu.gateway.rasa.calls == []


async def test_post_needs_the_csrf_token_and_a_login(kefu):
    response = await send(kefu, "你好", token="forged")
    assert response.status == 403
    kefu.logout_cookies()
    assert (await kefu.client.get(PAGE, allow_redirects=False)).headers["Location"].startswith("/console/login")
    refused = await kefu.client.post(PAGE, data={"text": "你好"}, allow_redirects=False)
    assert refused.status == 302  # no login: sent to the login page, the body never read
    assert kefu.gateway.rasa.calls == []


async def test_without_javascript_the_form_posts_and_comes_back(kefu):
    response = await send(kefu, "你好", json=False)
    assert (response.status, response.headers["Location"]) == (302, PAGE)
    assert "收到：你好" in await (await kefu.client.get(PAGE)).text()


async def test_a_taken_over_test_user_gets_staff_replies_instead_of_the_bot(kefu):
    gateway = kefu.gateway
    await send(kefu, "你好")
    member = f"/console/conversations/wechat/{OPENID}"
    assert (await kefu.post(member + "/takeover", page=member)).status == 302
    result = await (await send(kefu, "我想找人工")).json()
    assert (result["reply"], result["status"]) == (None, "held")
    assert "kefu" in result["notice"] and "人工接管" in result["notice"]
    assert len(gateway.rasa.calls) == 1
    await kefu.post(member + "/reply", {"text": "您好，我是客服。"}, page=member)
    await gateway.settle()
    assert gateway.api.sent[-1] == {"path": "/cgi-bin/message/custom/send", "touser": OPENID, "msgtype": "text",
                                    "text": {"content": "您好，我是客服。"}}
    chat = await (await kefu.client.get(PAGE + "?partial=1")).text()
    assert "人工 kefu" in chat and "您好，我是客服。" in chat


def test_the_push_is_what_the_gateway_verifies():
    """signed_push's envelope opens with the gateway's own Crypto, as WeChat's would."""
    from bot.gateway.settings import WeChatAccount
    from bot.gateway.wechat import WECHAT, Crypto, inbound_from_xml, parse_xml, verify_query
    from tests.gateway.standins import AES_KEY, APP_ID, TOKEN

    account = WeChatAccount(token=TOKEN, app_id=APP_ID, aes_key=AES_KEY)
    xml = tryit.text_message_xml(OPENID, "a ]]> b", 42, 1_700_000_000)
    push = tryit.signed_push(account, xml, 1_700_000_000, "123")
    verify_query(push.query, TOKEN, 10**10)
    fields = parse_xml(push.body)
    assert set(fields) == {"ToUserName", "Encrypt"}
    opened = Crypto(WECHAT, TOKEN, AES_KEY, APP_ID).decrypt(fields["Encrypt"], push.query["msg_signature"],
                                                            push.query["timestamp"], push.query["nonce"])
    inbound = inbound_from_xml(WECHAT, opened)
    assert (inbound.user_id, inbound.text, inbound.msg_id) == (OPENID, "a ]]> b", "42")
