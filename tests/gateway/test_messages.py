"""What members get: message types, identity, exactly-once, the 5-second rule,
Rasa failures, rate limits and the message log."""

from __future__ import annotations

import asyncio
import logging

from bot.gateway import keys
from bot.gateway.health import check_readiness
from bot.gateway.texts import GatewayTexts, domain_texts
from services.settings import PROJECT_ROOT
from tests.conftest import KNOWLEDGE_DIR, build_services
from tests.gateway.standins import ACCOUNT, event_xml, media_xml, text_xml

DOMAIN = domain_texts(PROJECT_ROOT / "domain.yml")


def texts(gateway) -> GatewayTexts:
    return gateway.app[keys.TEXTS]


# -- message types ----------------------------------------------------------------


async def test_text_goes_to_rasa_with_the_openid_as_sender_and_the_channel_in_metadata(gateway):
    pushed = await gateway.wechat().push(text_xml("o-text", "质量月是什么时候", msg_id=4242), "safe")
    assert pushed.content == "收到：质量月是什么时候"
    [call] = gateway.rasa.calls
    assert call["sender"] == "wechat:o-text"  # never the MsgId
    assert call["metadata"] == {"channel": "wechat", "openid": "o-text", "account": ACCOUNT, "msg_type": "text",
                                "msg_id": "4242", "delivery": "customer_service"}


async def test_voice_with_recognition_is_its_text_and_without_is_unsupported(gateway):
    wechat = gateway.wechat()
    voice = media_xml("o-voice", "voice", "<MediaId>m</MediaId><Format>amr</Format>"
                      "<Recognition><![CDATA[最近有什么活动]]></Recognition>")
    assert (await wechat.push(voice)).content == "收到：最近有什么活动"
    mute = media_xml("o-voice", "voice", "<MediaId>m</MediaId><Format>amr</Format>")
    assert (await wechat.push(mute)).content == texts(gateway).say("unsupported")
    assert [call["message"] for call in gateway.rasa.calls] == ["最近有什么活动"]


async def test_subscribe_is_welcomed_with_the_domain_greeting_and_capabilities(gateway):
    pushed = await gateway.wechat().push(event_xml("o-new", "subscribe"), "safe")
    assert pushed.content == DOMAIN["utter_greet"] + "\n\n" + DOMAIN["utter_capabilities"]
    scanned = await gateway.wechat().push(event_xml("o-new2", "subscribe", key="qrscene_123"))
    assert scanned.content == pushed.content
    assert gateway.rasa.calls == []


async def test_unsubscribe_is_recorded_and_not_answered(gateway):
    pushed = await gateway.wechat().push(event_xml("o-gone", "unsubscribe"))
    assert (pushed.status, pushed.body) == (200, "success")
    [row] = await gateway.log(user_id="o-gone")
    assert (row.direction, row.msg_type, row.status) == ("in", "event:unsubscribe", "ignored")


async def test_menu_clicks_follow_the_configuration(gateway):
    wechat = gateway.wechat()
    assert (await wechat.push(event_xml("o-menu", "CLICK", key="MENU_ACTIVITIES"))).content == "收到：最近有什么活动"
    assert (await wechat.push(event_xml("o-menu", "CLICK", key="MENU_CONTACT", create_time=1))).content == \
        "收到：/ask_contact{\"organisation\": \"上海市质量协会\"}"
    unknown = await wechat.push(event_xml("o-menu", "CLICK", key="NOT_CONFIGURED", create_time=2))
    assert unknown.content == DOMAIN["utter_capabilities"]
    contact = '/ask_contact{"organisation": "上海市质量协会"}'
    assert [c["message"] for c in gateway.rasa.calls] == ["最近有什么活动", contact]
    assert gateway.rasa.calls[0]["metadata"]["msg_type"] == "event:click"


async def test_media_gets_the_polite_text_only_reply(gateway):
    wechat = gateway.wechat()
    polite = texts(gateway).say("unsupported")
    assert "目前只能处理文字" in polite
    for msg_type, extra in [("image", "<PicUrl>http://x/y.jpg</PicUrl><MediaId>m</MediaId>"),
                            ("video", "<MediaId>m</MediaId><ThumbMediaId>t</ThumbMediaId>"),
                            ("location", "<Location_X>31.2</Location_X><Location_Y>121.4</Location_Y>"
                                         "<Scale>15</Scale><Label>上海</Label>"),
                            ("link", "<Title>t</Title><Description>d</Description><Url>http://x</Url>"),
                            ("file", "<Title>a.pdf</Title><FileKey>k</FileKey>")]:
        pushed = await wechat.push(media_xml("o-media", msg_type, extra), "safe")
        assert pushed.content == polite, msg_type
    assert gateway.rasa.calls == []


async def test_silent_events_get_success(gateway):
    for event in ("VIEW", "LOCATION", "SCAN"):
        pushed = await gateway.wechat().push(event_xml("o-silent", event, key="x"))
        assert pushed.body == "success"
    assert gateway.rasa.calls == []


async def test_a_two_message_sign_up_keeps_the_same_sender(gateway):
    wechat = gateway.wechat()
    first = await wechat.push(text_xml("o-signup", "我要报名", msg_id=1), "safe")
    second = await wechat.push(text_xml("o-signup", "张三", msg_id=2), "safe")
    assert first.content == "好的，请问您的姓名？"
    assert second.content == "张三，您已报名成功。"
    assert [call["sender"] for call in gateway.rasa.calls] == ["wechat:o-signup", "wechat:o-signup"]


# -- exactly once ------------------------------------------------------------------


async def test_the_same_msg_id_three_times_at_once_is_one_turn(gateway):
    gateway.rasa.delay_s = 0.3
    wechat = gateway.wechat()
    xml = text_xml("o-dup", "我要报名", msg_id=777)
    answers = await asyncio.gather(*(wechat.push(xml, "safe") for _ in range(3)))
    assert [a.content for a in answers] == ["好的，请问您的姓名？"] * 3
    assert len(gateway.rasa.calls) == 1 and gateway.handler.turns_started == 1
    rows = await gateway.log(direction="in", user_id="o-dup")
    assert sorted(row.status for row in rows) == ["answered", "duplicate", "duplicate"]


async def test_wechat_retrying_after_its_timeout_gets_the_first_answer(gateway):
    """WeChat gives a push up after 5 s (here 0.2 s) and pushes again; the retries
    wait for the turn already running instead of starting another."""
    gateway.rasa.delay_s = 0.5
    answer, pushes = await gateway.wechat().deliver(text_xml("o-retry", "我要报名", msg_id=778), "safe",
                                                    retry_after_s=0.2)
    assert pushes >= 2
    assert answer is not None and answer.content == "好的，请问您的姓名？"
    assert len(gateway.rasa.calls) == 1


async def test_a_retry_after_the_answer_gets_the_same_answer_and_no_new_turn(gateway):
    wechat = gateway.wechat()
    xml = text_xml("o-late-retry", "我要报名", msg_id=779)
    first = await wechat.push(xml, "safe")
    again = await wechat.push(xml, "safe")
    assert first.content == again.content == "好的，请问您的姓名？"
    assert len(gateway.rasa.calls) == 1
    # The member's next message is the form's next step: no turn was repeated.
    assert (await wechat.push(text_xml("o-late-retry", "李四", msg_id=780))).content == "李四，您已报名成功。"


async def test_events_are_deduplicated_by_user_time_and_event(gateway):
    wechat = gateway.wechat()
    click = event_xml("o-click", "CLICK", key="MENU_ACTIVITIES", create_time=1_700_000_000)
    await asyncio.gather(wechat.push(click), wechat.push(click), wechat.push(click))
    assert len(gateway.rasa.calls) == 1


# -- the 5-second rule --------------------------------------------------------------


async def test_a_slow_turn_is_answered_success_then_sent_through_customer_service(gateway):
    gateway.rasa.delay_s = 2.5  # budget is 1.0 s in these tests
    gateway.api.failures = [500, -1]  # the API fails twice on purpose; the quick retries get through
    wechat = gateway.wechat()
    xml = text_xml("o-slow", "我要报名", msg_id=900)
    started = asyncio.get_running_loop().time()
    pushed = await wechat.push(xml, "safe")
    assert pushed.body == "success"
    assert asyncio.get_running_loop().time() - started < 2.0  # at the budget, not when Rasa is done
    retry = await wechat.push(xml, "safe")  # a retry now: also success, no second turn
    assert retry.body == "success"
    await gateway.settle()
    assert gateway.api.sent == [{"path": "/cgi-bin/message/custom/send", "touser": "o-slow", "msgtype": "text",
                                 "text": {"content": "好的，请问您的姓名？"}}]
    assert len(gateway.rasa.calls) == 1
    after = await wechat.push(xml, "safe")  # and after delivery
    assert after.body == "success"
    [outbound] = await gateway.log(direction="out", user_id="o-slow")
    assert (outbound.delivery, outbound.status) == ("customer_service", "sent")
    assert outbound.latency_ms >= 2500 and outbound.rasa_ms >= 2500
    [item] = gateway.outbox()
    assert item.status == "delivered" and item.attempts == 1


async def test_an_expired_access_token_is_refreshed_once(gateway):
    gateway.rasa.delay_s = 1.2
    await gateway.wechat().push(text_xml("o-token", "你好", msg_id=901))
    await gateway.settle()
    gateway.api.expire_tokens()  # WeChat answers 42001 to the cached token
    await gateway.wechat().push(text_xml("o-token", "再问一次", msg_id=902))
    await gateway.settle()
    assert [m["text"]["content"] for m in gateway.api.sent] == ["收到：你好", "收到：再问一次"]
    assert gateway.api.token_requests == 2


async def test_undelivered_replies_wait_in_the_outbox_and_the_worker_sends_them_in_order(gateway):
    from services.models import utcnow

    gateway.rasa.delay_s = 1.2
    gateway.api.failures = [-1, -1, -1]  # the three quick attempts all fail
    await gateway.wechat().push(text_xml("o-outbox", "长回复", msg_id=903))
    await gateway.settle()
    assert gateway.api.sent == []
    items = gateway.outbox()
    assert [i.status for i in items] == ["pending", "pending"]  # both pieces, none lost
    assert items[0].attempts == 3 and items[0].last_error.startswith("errcode -1")
    rows = await gateway.log(direction="out", user_id="o-outbox")
    assert {row.status for row in rows} == {"pending"}
    worker = gateway.app[keys.OUTBOX_WORKER]
    assert await worker.run_once() == 0  # not due yet (the next try is minutes away)
    gateway.messaging.postpone([i.id for i in items], utcnow())
    assert await worker.run_once() == 2
    contents = [m["text"]["content"] for m in gateway.api.sent]
    assert contents[-1].endswith("第二条消息。") and len(contents) == 2
    assert {i.status for i in gateway.outbox()} == {"delivered"}
    assert {row.status for row in await gateway.log(direction="out", user_id="o-outbox")} == {"sent"}


async def test_a_permanent_api_error_is_given_up_and_visible(gateway):
    gateway.rasa.delay_s = 1.2
    gateway.api.failures = [45015]  # the 48-hour window has closed
    await gateway.wechat().push(text_xml("o-gone", "你好", msg_id=904))
    await gateway.settle()
    [item] = gateway.outbox()
    assert item.status == "failed" and "45015" in item.last_error
    assert [i.id for i in gateway.messaging.undelivered()] == [item.id]


async def test_without_the_customer_service_api_the_reply_comes_with_the_next_answer(start_gateway):
    gateway = await start_gateway(WECHAT_CUSTOMER_SERVICE="off")
    gateway.rasa.delay_s = 1.2
    wechat = gateway.wechat()
    assert (await wechat.push(text_xml("o-deferred", "第一个问题", msg_id=1))).body == "success"
    await gateway.settle()
    assert gateway.api.sent == []
    [kept] = gateway.outbox()
    assert (kept.delivery, kept.status) == ("deferred", "pending")
    gateway.rasa.delay_s = 0
    pushed = await wechat.push(text_xml("o-deferred", "第二个问题", msg_id=2))
    assert pushed.content == "\n\n".join([texts(gateway).say("deferred_intro"), "收到：第一个问题", "收到：第二个问题"])
    [given] = gateway.outbox()
    assert given.status == "given"


async def test_an_account_without_the_api_right_keeps_replies_for_the_next_message(gateway):
    gateway.rasa.delay_s = 1.2
    gateway.api.failures = [48001]  # api unauthorized: e.g. an unverified 订阅号
    wechat = gateway.wechat()
    assert (await wechat.push(text_xml("o-48001", "第一个问题", msg_id=1))).body == "success"
    await gateway.settle()
    [kept] = gateway.outbox()
    assert (kept.delivery, kept.status) == ("deferred", "pending")
    gateway.rasa.delay_s = 0
    pushed = await wechat.push(text_xml("o-48001", "第二个问题", msg_id=2))
    assert pushed.content.endswith("收到：第一个问题\n\n收到：第二个问题")
    assert gateway.api.sent == []


async def test_replies_over_2048_bytes_are_split_and_the_rest_follows(gateway):
    pushed = await gateway.wechat().push(text_xml("o-long", "长回复", msg_id=905), "safe")
    assert len(pushed.content.encode()) <= 2048 and pushed.content.endswith("。")
    await gateway.settle()
    rest = [m["text"]["content"] for m in gateway.api.sent]
    assert rest and all(len(piece.encode()) <= 2048 for piece in rest)
    assert (pushed.content + "".join(rest)).replace("\n", "") == ("这是一句很长的回答。" * 120 + "第二条消息。")


# -- failures ----------------------------------------------------------------------


async def test_rasa_down_gets_an_apology_and_is_logged_as_a_failure(start_gateway, caplog):
    gateway = await start_gateway(RASA_URLS="http://127.0.0.1:9")  # nothing listens on port 9
    with caplog.at_level(logging.ERROR, logger="bot.gateway"):
        pushed = await gateway.wechat().push(text_xml("o-down", "你好", msg_id=906), "safe")
    assert pushed.content == texts(gateway).apology(None) == DOMAIN["utter_service_error"]
    assert "Rasa turn failed" in caplog.text
    [inbound] = await gateway.log(direction="in", user_id="o-down")
    assert inbound.status == "failed" and "no Rasa instance reachable" in inbound.error
    ready = await gateway.client.get("/readyz")
    assert ready.status == 503 and (await check_readiness(gateway.app)).down == ["rasa"]


async def test_rasa_errors_and_empty_answers_give_the_hotline(start_gateway, gateway_db):
    build_services(gateway_db, [KNOWLEDGE_DIR]).engine.dispose()  # the notices give the hotline
    gateway = await start_gateway()
    apology = texts(gateway).apology(await gateway.handler.hotline.get())
    assert "上海市质量协会" in apology and apology.startswith(DOMAIN["utter_default"].split("{")[0])
    for number, mode in enumerate(["error", "empty"]):
        gateway.rasa.mode = mode
        pushed = await gateway.wechat().push(text_xml("o-err", "你好", msg_id=910 + number))
        assert pushed.content == apology
        assert "Traceback" not in pushed.content
    rows = await gateway.log(direction="in", user_id="o-err")
    assert [row.error for row in rows] == [f"{gateway.rasa.url} answered HTTP 500",
                                           f"{gateway.rasa.url} answered no message"]


async def test_a_second_rasa_takes_over_when_the_first_refuses_connections(start_gateway, rasa):
    gateway = await start_gateway(RASA_URLS=f"http://127.0.0.1:9,{rasa.url}")
    for index in range(6):
        pushed = await gateway.wechat().push(text_xml(f"o-fail-{index}", "你好", msg_id=920 + index))
        assert pushed.content == "收到：你好"


async def test_the_rate_limit_answers_politely(start_gateway):
    gateway = await start_gateway(GATEWAY_RATE_LIMIT_PER_MINUTE="3")
    gateway.handler.clock = lambda: 1_700_000_000.0  # all in one minute
    wechat = gateway.wechat()
    answers = [(await wechat.push(text_xml("o-fast", f"问题{i}", msg_id=930 + i))).content for i in range(5)]
    limited = texts(gateway).say("rate_limited")
    assert answers == ["收到：问题0", "收到：问题1", "收到：问题2", limited, limited]
    assert len(gateway.rasa.calls) == 3
    other = await wechat.push(text_xml("o-calm", "你好", msg_id=940))  # others are not affected
    assert other.content == "收到：你好"
    gateway.handler.clock = lambda: 1_700_000_060.0  # the next minute
    assert (await wechat.push(text_xml("o-fast", "问题5", msg_id=935))).content == "收到：问题5"
    [row, *_] = await gateway.log(user_id="o-fast", status="rate_limited")
    assert row.direction == "in"


async def test_beyond_the_pending_bound_members_are_told_to_try_again(start_gateway):
    gateway = await start_gateway(GATEWAY_MAX_PENDING="2")
    gateway.rasa.delay_s = 0.4
    wechat = gateway.wechat()
    answers = await asyncio.gather(*(wechat.push(text_xml(f"o-busy-{i}", "你好", msg_id=950 + i))
                                     for i in range(4)))
    busy = texts(gateway).say("busy")
    assert sorted(a.content == busy for a in answers) == [False, False, True, True]
    assert len(gateway.rasa.calls) == 2


# -- the log -------------------------------------------------------------------------


async def test_every_message_in_and_out_is_logged_with_timings(gateway):
    await gateway.wechat().push(text_xml("o-log", "我的手机13912345678", msg_id=960), "safe")
    inbound, outbound = await gateway.log(user_id="o-log")
    assert (inbound.direction, inbound.channel, inbound.account, inbound.msg_type, inbound.msg_id) == \
        ("in", "wechat", ACCOUNT, "text", "960")
    assert inbound.text == "我的手机13912345678"  # the database keeps the number; log files do not
    assert inbound.status == "answered" and inbound.rasa_ms is not None and inbound.sent_by_user_at is not None
    assert (outbound.direction, outbound.delivery, outbound.status) == ("out", "passive", "sent")
    assert outbound.text == "收到：我的手机13912345678" and outbound.turn_id == inbound.turn_id
    assert outbound.latency_ms >= inbound.rasa_ms
    assert [m.id for m in gateway.messaging.conversation("wechat", "o-log")] == [inbound.id, outbound.id]


async def test_database_down_members_are_still_answered_and_readyz_says_so(start_gateway, caplog):
    gateway = await start_gateway(DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere")
    with caplog.at_level(logging.ERROR, logger="bot.gateway"):
        pushed = await gateway.wechat().push(text_xml("o-nodb", "你好", msg_id=970), "safe")
        assert pushed.content == "收到：你好"
        gateway.rasa.delay_s = 1.2  # a late reply still reaches the member, without an outbox record
        assert (await gateway.wechat().push(text_xml("o-nodb", "再问", msg_id=971))).body == "success"
        await gateway.handler.drain(10)
    assert [m["text"]["content"] for m in gateway.api.sent] == ["收到：再问"]
    assert "the outbox is unreachable" in caplog.text
    ready = await gateway.client.get("/readyz")
    assert ready.status == 503 and (await check_readiness(gateway.app)).down == ["database"]


async def test_without_wechat_token_wechat_is_closed_unless_a_development_token_is_asked_for(start_gateway, caplog):
    closed = await start_gateway(WECHAT_TOKEN=None, WECHAT_AES_KEY=None)
    assert (await closed.wechat(token="", aes_key=None).push(text_xml("o-dev", "你好"))).status == 503
    with caplog.at_level(logging.WARNING, logger="bot.gateway"):
        gateway = await start_gateway(WECHAT_TOKEN=None, WECHAT_AES_KEY=None, WECHAT_DEV_TOKEN="on")
    token = gateway.settings.wechat.token
    assert gateway.settings.wechat.token_generated and token in caplog.text
    pushed = await gateway.wechat(token=token, aes_key=None).push(text_xml("o-dev", "你好"))
    assert pushed.content == "收到：你好"
    refused = await gateway.wechat(token="guessedToken1", aes_key=None).push(text_xml("o-dev", "你好"))
    assert refused.status == 403


async def test_shutdown_waits_for_replies_still_on_their_way(start_gateway):
    gateway = await start_gateway()
    gateway.rasa.delay_s = 1.3
    assert (await gateway.wechat().push(text_xml("o-stop", "你好", msg_id=972))).body == "success"
    await gateway.client.close()  # cleanup: the handler drains before the HTTP client closes
    assert [m["text"]["content"] for m in gateway.api.sent] == ["收到：你好"]
