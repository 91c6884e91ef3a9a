"""Rows 1, 11, 12 and 13 of issue #13: what a forged, replayed or unconfigured push gets."""

from __future__ import annotations

import asyncio
import io
import logging

from aiohttp.test_utils import TestClient, TestServer

from bot.gateway import keys
from bot.gateway.app import create_app
from bot.gateway.logbook import ACCESS_LOG, AccessLogger, MaskingFormatter
from tests.gateway.standins import TOKEN, WeChatServer, text_xml

# -- row 1: plaintext with a key, replayed signatures, signatures in the access log ---------


async def test_a_plaintext_push_is_refused_when_an_aes_key_is_configured(gateway):
    pushed = await gateway.wechat().push(text_xml("o-victim", "我要报名", msg_id=1), "plain")
    assert pushed.status == 403 and pushed.body == "forbidden"
    assert gateway.rasa.calls == []
    # The same message encrypted, as 安全模式 sends it, is answered.
    assert (await gateway.wechat().push(text_xml("o-victim", "我要报名", msg_id=1), "safe")).status == 200


async def test_a_signed_query_cannot_be_used_again_with_another_body(start_gateway):
    gateway = await start_gateway(WECHAT_AES_KEY=None)  # 明文模式: the signature covers the query only
    wechat = gateway.wechat()
    query = wechat.query(nonce="1234567890")
    first = await gateway.client.post("/wechat", params=query, data=text_xml("o-member", "你好", msg_id=11).encode())
    assert first.status == 200
    forged = text_xml("o-victim", "取消报名", msg_id=12)  # another member, another message, the same triple
    replayed = await gateway.client.post("/wechat", params=query, data=forged.encode())
    assert replayed.status == 403 and await replayed.text() == "forbidden"
    assert [call["message"] for call in gateway.rasa.calls] == ["你好"]


async def test_the_same_push_repeated_with_its_query_gets_the_first_answer_and_no_second_turn(start_gateway):
    gateway = await start_gateway(WECHAT_AES_KEY=None)
    query = gateway.wechat().query(nonce="555")
    body = text_xml("o-member", "你好", msg_id=21).encode()
    answers = [await gateway.client.post("/wechat", params=query, data=body) for _ in range(2)]
    assert [answer.status for answer in answers] == [200, 200]
    assert len(gateway.rasa.calls) == 1


async def test_an_encrypted_push_cannot_be_replayed_under_its_nonce_for_another_member(gateway):
    wechat = gateway.wechat()
    body, query = wechat.body_and_query(text_xml("o-member", "你好", msg_id=31), "safe")
    assert (await gateway.client.post("/wechat", params=query, data=body.encode())).status == 200
    other, other_query = wechat.body_and_query(text_xml("o-victim", "取消报名", msg_id=32), "safe",
                                               nonce=query["nonce"], timestamp=int(query["timestamp"]))
    assert (await gateway.client.post("/wechat", params=other_query, data=other.encode())).status == 403
    assert len(gateway.rasa.calls) == 1


async def test_the_access_log_leaves_out_the_signature_timestamp_and_nonce(start_gateway):
    gateway = await start_gateway()
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(MaskingFormatter("%(name)s: %(message)s"))
    access = logging.getLogger(ACCESS_LOG)
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    # The gateway as `python -m bot.gateway` serves it (AccessLogger), not the test client's default.
    server = TestServer(create_app(gateway.settings), host="127.0.0.1")
    await server.start_server(access_log_class=AccessLogger, access_log=access)
    client = TestClient(server)
    try:
        pushed = await WeChatServer(client).push(text_xml("o-log", "你好", msg_id=41))
        assert pushed.status == 200
        await asyncio.sleep(0.05)  # the access line is written after the answer has left
    finally:
        await client.close()
        access.removeHandler(handler)
    logged = lines.getvalue()
    assert "POST /wechat 200" in logged
    for secret in ("signature", "nonce", "timestamp", "msg_signature", TOKEN):
        assert secret not in logged


# -- row 11: no WECHAT_TOKEN -----------------------------------------------------------------


async def test_without_wechat_token_wechat_is_closed_and_no_token_is_logged(start_gateway, caplog):
    with caplog.at_level(logging.INFO, logger="bot.gateway"):
        gateway = await start_gateway(WECHAT_TOKEN=None, WECHAT_AES_KEY=None, WECHAT_APP_ID=None,
                                      WECHAT_APP_SECRET=None)
    assert not gateway.settings.wechat.configured and gateway.settings.wechat.token == ""
    assert "development token" not in caplog.text
    for token in ("", "anything1"):  # an empty token signs as well as any other
        pushed = await gateway.wechat(token=token, aes_key=None).push(text_xml("o-anyone", "你好"))
        assert pushed.status == 503
    verify = await gateway.client.get("/wechat", params={**gateway.wechat(token="", aes_key=None).query(),
                                                          "echostr": "42"})
    assert verify.status == 503
    assert gateway.rasa.calls == []
    # 企业微信 still answers: closing /wechat closes nothing else.
    assert (await gateway.wecom().push(text_xml("zhangsan", "你好", to="ww0123456789abcdef"), "safe")).status == 200


async def test_a_development_token_needs_the_explicit_flag(start_gateway, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.gateway"):
        gateway = await start_gateway(WECHAT_TOKEN=None, WECHAT_AES_KEY=None, WECHAT_DEV_TOKEN="on")
    token = gateway.settings.wechat.token
    assert gateway.settings.wechat.token_generated and token in caplog.text
    assert (await gateway.wechat(token=token, aes_key=None).push(text_xml("o-dev", "你好"))).content == "收到：你好"


# -- row 12: readiness ----------------------------------------------------------------------


async def test_readyz_says_ready_and_nothing_about_the_inside(gateway):
    response = await gateway.client.get("/readyz")
    body = await response.text()
    assert response.status == 200 and await response.json() == {"status": "ready"}
    assert gateway.rasa.url not in body and "127.0.0.1" not in body and "database" not in body


async def test_readyz_called_in_a_loop_asks_the_backends_once_in_a_while(gateway):
    rasa = gateway.app[keys.RASA]
    asked = []
    reachable = rasa.reachable

    async def counting(url: str) -> bool:
        asked.append(url)
        return await reachable(url)

    rasa.reachable = counting  # type: ignore[method-assign]
    for _ in range(20):
        assert (await gateway.client.get("/readyz")).status == 200
    assert len(asked) == 1


async def test_the_details_are_for_logged_in_admins(console):
    console.user("li.staff")
    console.user("li.admin", role="admin")
    anonymous = await console.client.get("/console/admin/health", allow_redirects=False)
    assert anonymous.status == 302
    assert await console.login("li.staff") == 302
    assert (await console.client.get("/console/admin/health")).status == 403
    console.logout_cookies()
    assert await console.login("li.admin") == 302
    details = await (await console.client.get("/console/admin/health")).json()
    assert details["checks"]["database"] == "ok" and console.gateway.rasa.url in details["checks"]["rasa"]


# -- row 13: the de-duplication cache ---------------------------------------------------------


async def test_another_members_msgid_does_not_return_that_members_answer(gateway):
    wechat = gateway.wechat()
    victim = await wechat.push(text_xml("o-victim", "我的报名编号SQ123", msg_id=777))
    assert victim.content == "收到：我的报名编号SQ123"
    forged = await wechat.push(text_xml("o-attacker", "随便", msg_id=777))
    assert forged.status == 200 and forged.content == "收到：随便"
    assert "SQ123" not in forged.body
    # The victim's own retry is still answered from the cache, with no second turn.
    again = await wechat.push(text_xml("o-victim", "我的报名编号SQ123", msg_id=777))
    assert again.content == victim.content and len(gateway.rasa.calls) == 2


async def test_a_wecom_userid_equal_to_an_openid_is_another_conversation(gateway):
    """FakeRasa keeps a sign-up step per sender id, as a form would."""
    assert (await gateway.wechat().push(text_xml("same-id", "我要报名"))).content == "好的，请问您的姓名？"
    # A WeCom user whose UserID is that openid must not land in the WeChat member's form.
    wecom = await gateway.wecom().push(text_xml("same-id", "张三", to="ww0123456789abcdef"), "safe")
    assert wecom.content == "收到：张三"
    assert [call["sender"] for call in gateway.rasa.calls] == ["wechat:same-id", "wecom:same-id"]
    assert {call["metadata"].get("openid") or call["metadata"].get("userid") for call in gateway.rasa.calls} == {
        "same-id"}


def test_existing_conversations_are_namespaced_by_the_migration(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from services.db import make_engine
    from services.settings import PROJECT_ROOT

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "0008")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255))"))
        connection.execute(text("INSERT INTO events (sender_id) VALUES ('o-wechat'), ('u-wecom'), ('both'), "
                                "('demo')"))
        for channel, user_id in (("wechat", "o-wechat"), ("wecom", "u-wecom"), ("wechat", "both"),
                                 ("wecom", "both")):
            connection.execute(text(
                "INSERT INTO message_log (uid, turn_id, channel, account, user_id, direction, msg_type, status, "
                "created_at) VALUES (:turn, :turn, :channel, 'gh', :user_id, 'in', 'text', 'answered', "
                "'2026-12-01 00:00:00')"), {"turn": f"{channel}-{user_id}", "channel": channel, "user_id": user_id})
    command.upgrade(config, "head")
    with engine.connect() as connection:
        senders = [row[0] for row in connection.execute(text("SELECT sender_id FROM events ORDER BY id"))]
    engine.dispose()
    # Known on one channel: namespaced; on both: cannot be split, left as it was; REST: untouched.
    assert senders == ["wechat:o-wechat", "wecom:u-wecom", "both", "demo"]


async def test_sign_ups_keep_the_members_bare_id_whatever_sender_id_the_action_has(console):
    """Actions pass Rasa's sender id (wechat:<openid>); members, the console and the
    sign-ups made before namespacing use the bare openid."""
    from services.signups import SignupService
    from tests.conftest import TODAY
    from tests.console.test_signups import seed

    activity_id = seed(console)  # o-a and o-b signed up with bare ids, as before
    signups = SignupService(console.gateway.app[keys.SESSIONS], lambda: TODAY)
    assert [view.reference for view in signups.list_for("wechat", "wechat:o-a")] == \
        [view.reference for view in signups.list_for("wechat", "o-a")] != []
    assert signups.list_for("wecom", "wecom:o-a") == []  # the same id on the other channel is someone else
    assert signups.check(activity_id, "wechat", "wechat:o-a").existing_reference is not None  # already signed up
