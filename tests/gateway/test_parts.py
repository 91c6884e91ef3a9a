"""The gateway's parts on their own: settings, texts and menu, splitting, the hash
ring, the in-process store, log masking, and the message log and outbox on SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from bot.gateway.dedupe import ClaimState, Deduplicator
from bot.gateway.kv import MemoryKeyValue
from bot.gateway.logbook import MaskingFormatter, mask_mobiles
from bot.gateway.rasa_client import HashRing
from bot.gateway.settings import load_gateway_settings
from bot.gateway.texts import GatewayTexts, Menu, split_reply
from services.db import make_engine, make_session_factory
from services.messaging import CUSTOMER_SERVICE, DEFERRED, LogEntry, MessagingService
from services.settings import PROJECT_ROOT, SettingsError
from services.setup import migrate
from tests.gateway.standins import AES_KEY

# -- settings -----------------------------------------------------------------------


def test_without_any_configuration_the_gateway_starts_with_wechat_closed():
    settings = load_gateway_settings({})
    assert not settings.wechat.configured and not settings.wechat.token_generated
    development = load_gateway_settings({"WECHAT_DEV_TOKEN": "on"})
    assert development.wechat.token_generated and len(development.wechat.token) == 32
    assert load_gateway_settings({"WECHAT_DEV_TOKEN": "on"}).wechat.token != development.wechat.token  # per run
    assert settings.wecom is None and not settings.customer_service
    assert settings.rasa_urls == ("http://127.0.0.1:5005",) and settings.port == 8080
    assert settings.rasa_budget_s == 4.0 and settings.rate_limit_per_minute == 20


def test_secrets_stay_out_of_the_settings_repr():
    secrets = {"WECHAT_TOKEN": "tok123abc", "WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "appsecret9",
               "WECHAT_AES_KEY": AES_KEY, "WECOM_CORP_ID": "ww1", "WECOM_TOKEN": "wecomtok7",
               "WECOM_AES_KEY": AES_KEY, "WECOM_SECRET": "wecomsecret5", "WECOM_AGENT_ID": "1000002"}
    shown = repr(load_gateway_settings(secrets))
    for name in ("WECHAT_TOKEN", "WECHAT_APP_SECRET", "WECHAT_AES_KEY", "WECOM_TOKEN", "WECOM_SECRET"):
        assert secrets[name] not in shown, name


def test_configuration_from_the_environment():
    settings = load_gateway_settings({
        "WECHAT_TOKEN": "abc123", "WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s", "WECHAT_AES_KEY": AES_KEY,
        "RASA_URLS": "http://r1:5005/, http://r2:5005", "GATEWAY_PORT": "9000", "GATEWAY_RASA_BUDGET_S": "3.5",
        "GATEWAY_RATE_LIMIT_PER_MINUTE": "10", "WECHAT_API_BASE": "http://127.0.0.1:1234/"})
    assert settings.rasa_urls == ("http://r1:5005", "http://r2:5005")
    assert (settings.port, settings.rasa_budget_s, settings.rate_limit_per_minute) == (9000, 3.5, 10)
    assert settings.customer_service and settings.wechat_api_base == "http://127.0.0.1:1234"
    assert not load_gateway_settings({"WECHAT_TOKEN": "abc123", "WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s",
                                      "WECHAT_CUSTOMER_SERVICE": "off"}).customer_service


@pytest.mark.parametrize("environment, complaint", [
    ({"WECHAT_TOKEN": "a b"}, "WECHAT_TOKEN"),
    ({"WECHAT_AES_KEY": "tooshort", "WECHAT_APP_ID": "wx1"}, "WECHAT_AES_KEY"),
    ({"WECHAT_TOKEN": "abc123", "WECHAT_AES_KEY": AES_KEY}, "WECHAT_APP_ID"),
    ({"WECHAT_AES_KEY": AES_KEY, "WECHAT_APP_ID": "wx1"}, "WECHAT_TOKEN"),
    ({"WECOM_CORP_ID": "ww1"}, "WECOM_TOKEN"),
    ({"WECOM_CORP_ID": "ww1", "WECOM_TOKEN": "t123", "WECOM_AES_KEY": AES_KEY, "WECOM_AGENT_ID": "x"},
     "WECOM_AGENT_ID"),
    ({"RASA_URLS": "localhost:5005"}, "RASA_URLS"),
    ({"GATEWAY_RASA_BUDGET_S": "5"}, "GATEWAY_RASA_BUDGET_S"),
    ({"GATEWAY_RATE_LIMIT_PER_MINUTE": "many"}, "GATEWAY_RATE_LIMIT_PER_MINUTE"),
    ({"WECHAT_CUSTOMER_SERVICE": "on"}, "WECHAT_APP_SECRET"),
])
def test_wrong_settings_stop_the_start_with_a_reason(environment, complaint):
    with pytest.raises(SettingsError, match=complaint):
        load_gateway_settings(environment)


# -- texts, menu, splitting -----------------------------------------------------------


def test_reply_texts_come_from_the_domain_and_the_config_file(tmp_path: Path):
    texts = GatewayTexts.load(PROJECT_ROOT / "domain.yml", PROJECT_ROOT / "config" / "wechat_replies.yml")
    assert texts.apology(("上海市质量协会", "021-12345678")).endswith("上海市质量协会：021-12345678。")
    bad = tmp_path / "replies.yml"
    config = (PROJECT_ROOT / "config" / "wechat_replies.yml").read_text(encoding="utf-8")
    bad.write_text(config.replace("utter_greet", "utter_no_such_thing"), encoding="utf-8")
    with pytest.raises(SettingsError, match="utter_no_such_thing"):
        GatewayTexts.load(PROJECT_ROOT / "domain.yml", bad)


def test_the_menu_file_maps_keys_to_messages_or_intents(tmp_path: Path):
    menu = Menu.load(PROJECT_ROOT / "config" / "wechat_menu.yml")
    assert menu.action("MENU_SIGNUP").message == "/signup"
    assert menu.action("nope") is None
    bad = tmp_path / "menu.yml"
    bad.write_text("clicks:\n  X: {}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="X needs"):
        Menu.load(bad)


def test_every_menu_intent_exists_in_the_domain():
    import yaml

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    menu = Menu.load(PROJECT_ROOT / "config" / "wechat_menu.yml")
    for key in menu.event_keys():
        message = menu.action(key).message
        if message.startswith("/"):
            assert message[1:].split("{")[0] in domain["intents"], key


def test_split_reply_keeps_sentences_whole_and_pieces_under_2048_bytes():
    assert split_reply("你好。") == ["你好。"]
    assert split_reply("   ") == []
    sentence = "质量月活动于每年九月举办。"  # 13 characters, 39 bytes
    pieces = split_reply(sentence * 100)
    assert all(len(piece.encode()) <= 2048 for piece in pieces)
    assert all(piece.endswith("。") for piece in pieces)
    assert "".join(pieces) == sentence * 100
    endless = "无标点" * 1000  # no sentence end at all: cut inside, on character boundaries
    pieces = split_reply(endless)
    assert all(len(piece.encode()) <= 2048 for piece in pieces) and "".join(pieces) == endless
    assert split_reply("a" * 10, limit=4) == ["aaaa", "aaaa", "aa"]


# -- hash ring, in-process store --------------------------------------------------------


def test_consistent_hashing_pins_members_and_moves_few_when_an_instance_is_added():
    three = HashRing(["http://r1", "http://r2", "http://r3"])
    members = [f"o-{index}" for index in range(3000)]
    placed = {member: three.node_for(member) for member in members}
    assert placed == {member: three.node_for(member) for member in members}  # stable
    shares = {node: list(placed.values()).count(node) / len(members) for node in three.nodes}
    assert all(0.2 < share < 0.47 for share in shares.values()), shares
    four = HashRing(["http://r1", "http://r2", "http://r3", "http://r4"])
    moved = [m for m in members if four.node_for(m) != placed[m]]
    assert all(four.node_for(m) == "http://r4" for m in moved)  # only to the new one
    assert len(moved) / len(members) < 0.4
    assert three.nodes_for("o-1")[0] == three.node_for("o-1") and sorted(three.nodes_for("o-1")) == sorted(three.nodes)


async def test_memory_store_expiry_and_claims():
    now = [100.0]
    kv = MemoryKeyValue(clock=lambda: now[0])
    assert await kv.set_if_absent("k", "v", 10)
    assert not await kv.set_if_absent("k", "w", 10)
    now[0] += 11
    assert await kv.get("k") is None and await kv.set_if_absent("k", "w", 10)
    assert [await kv.incr("n", 60) for _ in range(3)] == [1, 2, 3]
    dedupe = Deduplicator(kv)
    assert (await dedupe.claim("m1")).state is ClaimState.NEW
    assert (await dedupe.claim("m1")).state is ClaimState.IN_PROGRESS
    assert (await dedupe.wait("m1", 0.05)).state is ClaimState.IN_PROGRESS
    await dedupe.finish("m1", "答复")
    assert await dedupe.claim("m1") == (await dedupe.wait("m1", 0)) and (await dedupe.claim("m1")).reply == "答复"


# -- log files ----------------------------------------------------------------------------


def test_mobile_numbers_are_masked_in_log_files():
    assert mask_mobiles("我的手机13912345678，座机021-64330001") == "我的手机139****5678，座机021-64330001"
    assert mask_mobiles("订单号2139123456789") == "订单号2139123456789"  # 13 digits: not a mobile number
    record = logging.LogRecord("bot.gateway", logging.INFO, __file__, 1, "member wrote %s", ("13812345678",), None)
    assert MaskingFormatter("%(message)s").format(record) == "member wrote 138****5678"


# -- message log and outbox (SQLite and PostgreSQL) --------------------------------------


@pytest.fixture
def messaging(database_url):
    migrate(database_url)
    engine = make_engine(database_url)
    yield MessagingService(make_session_factory(engine))
    engine.dispose()


def entry(text: str, user: str = "o-1", delivery: str = CUSTOMER_SERVICE) -> LogEntry:
    return LogEntry(turn_id="t1", channel="wechat", user_id=user, direction="out", msg_type="text",
                    status="pending", text=text, delivery=delivery)


def test_the_outbox_is_claimed_once_and_delivered(messaging):
    now = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)
    ids = messaging.enqueue([entry("一"), entry("二")], now=now)
    first = messaging.claim_due(now, lease_s=60)
    assert [item.text for item in first] == ["一", "二"]
    assert messaging.claim_due(now) == []  # another worker finds them taken
    messaging.mark_delivered(ids[0], now)
    messaging.mark_failed(ids[1], "errcode -1", now + dt.timedelta(seconds=30), now, attempts=3)
    assert messaging.claim_due(now + dt.timedelta(seconds=10)) == []
    [again] = messaging.claim_due(now + dt.timedelta(seconds=31))
    assert (again.text, again.attempts) == ("二", 3)
    messaging.mark_failed(again.id, "errcode 45015", None, now)
    assert [item.text for item in messaging.undelivered()] == ["二"]
    statuses = [row.status for row in messaging.conversation("wechat", "o-1")]
    assert statuses == ["sent", "failed"]


def test_deferred_replies_are_taken_once(messaging):
    messaging.enqueue([entry("之前的答复", "o-2", DEFERRED)])
    assert messaging.has_deferred("wechat", "o-2")
    assert [item.text for item in messaging.take_deferred("wechat", "o-2")] == ["之前的答复"]
    assert messaging.take_deferred("wechat", "o-2") == []
    assert not messaging.has_deferred("wechat", "o-2")
    [row] = messaging.conversation("wechat", "o-2")
    assert row.status == "given" and row.delivered_at is not None


def test_replies_move_to_deferred_when_the_account_lacks_the_api(messaging):
    ids = messaging.enqueue([entry("甲", "o-3"), entry("乙", "o-3")])
    messaging.defer(ids)
    assert [item.text for item in messaging.take_deferred("wechat", "o-3")] == ["甲", "乙"]
    assert {row.delivery for row in messaging.conversation("wechat", "o-3")} == {DEFERRED}


def test_passive_replies_are_not_outbox_work(messaging):
    with pytest.raises(ValueError, match="outbox"):
        messaging.enqueue([entry("x", delivery="passive")])
