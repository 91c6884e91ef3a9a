"""Shared state in Redis: two gateway processes answer a message once; and what
happens when Redis is down (the gateway keeps answering, with per-process
de-duplication and rate limits, and /readyz says Redis is down)."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
import redis

from bot.gateway.health import check_readiness
from bot.gateway.kv import FallbackKeyValue
from tests.gateway.standins import text_xml

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {type(error).__name__}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid.uuid4().hex[:8]}:"


async def test_two_gateway_processes_sharing_redis_answer_once(start_gateway, redis_url, prefix):
    first = await start_gateway(REDIS_URL=redis_url, settings_changes={"redis_prefix": prefix})
    second = await start_gateway(REDIS_URL=redis_url, settings_changes={"redis_prefix": prefix})
    first.rasa.delay_s = 0.3
    xml = text_xml("o-shared", "我要报名", msg_id=1001)
    answers = await asyncio.gather(first.wechat().push(xml, "safe"), second.wechat().push(xml, "safe"),
                                   second.wechat().push(xml, "safe"))
    assert [a.content for a in answers] == ["好的，请问您的姓名？"] * 3
    assert len(first.rasa.calls) == 1  # the one Rasa both gateways use
    later = await second.wechat().push(xml, "safe")
    assert later.content == "好的，请问您的姓名？" and len(first.rasa.calls) == 1
    ready = await first.client.get("/readyz")
    assert ready.status == 200 and (await check_readiness(first.app)).details()["checks"]["redis"] == "ok"


async def test_the_rate_limit_is_shared_through_redis(start_gateway, redis_url, prefix):
    first = await start_gateway(REDIS_URL=redis_url, GATEWAY_RATE_LIMIT_PER_MINUTE="2",
                                settings_changes={"redis_prefix": prefix})
    second = await start_gateway(REDIS_URL=redis_url, GATEWAY_RATE_LIMIT_PER_MINUTE="2",
                                 settings_changes={"redis_prefix": prefix})
    for gateway in (first, second):
        gateway.handler.clock = lambda: 1_700_000_000.0
    await first.wechat().push(text_xml("o-rl", "一", msg_id=1))
    await second.wechat().push(text_xml("o-rl", "二", msg_id=2))
    third = await first.wechat().push(text_xml("o-rl", "三", msg_id=3))
    assert third.content != "收到：三"
    assert len(first.rasa.calls) == 2


async def test_the_access_token_is_cached_in_redis_for_every_process(start_gateway, redis_url, prefix):
    first = await start_gateway(REDIS_URL=redis_url, settings_changes={"redis_prefix": prefix})
    second = await start_gateway(REDIS_URL=redis_url, settings_changes={"redis_prefix": prefix})
    first.rasa.delay_s = 1.2
    await first.wechat().push(text_xml("o-tk1", "你好", msg_id=11))
    await second.wechat().push(text_xml("o-tk2", "你好", msg_id=12))
    await first.settle()
    await second.settle()
    assert len(first.api.sent) == 2 and first.api.token_requests == 1


async def test_redis_down_the_gateway_still_answers_once_and_readyz_says_so(start_gateway):
    gateway = await start_gateway(REDIS_URL=DEAD_REDIS)
    gateway.rasa.delay_s = 0.2
    xml = text_xml("o-noredis", "我要报名", msg_id=1002)
    answers = await asyncio.gather(*(gateway.wechat().push(xml, "safe") for _ in range(3)))
    assert [a.content for a in answers] == ["好的，请问您的姓名？"] * 3
    assert len(gateway.rasa.calls) == 1  # de-duplicated in this process
    from bot.gateway import keys

    kv = gateway.app[keys.KV]
    assert isinstance(kv, FallbackKeyValue) and kv.degraded
    ready = await gateway.client.get("/readyz")
    body = (await check_readiness(gateway.app)).details()
    assert ready.status == 503 and body["down"] == ["redis"] and body["checks"]["database"] == "ok"
    health = await gateway.client.get("/healthz")
    assert health.status == 200
