"""The application factory: `create_app(settings)`.

What the gateway opens (the database, Redis, the HTTP client, the outbox
worker) is opened and closed in `app.cleanup_ctx`, in that order, so tests and
`python -m bot.gateway` get the same lifecycle and nothing is built at import.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from aiohttp import web
from aiohttp_remotes import XForwardedStrict
from redis.asyncio import Redis

from bot.console import setup_console
from bot.console.settings import ConsoleSettings
from bot.gateway import keys
from bot.gateway.dedupe import Deduplicator, RateLimiter
from bot.gateway.handler import Hotline, MessageHandler
from bot.gateway.health import CachedReadiness, check_readiness
from bot.gateway.kv import FallbackKeyValue, KeyValue, MemoryKeyValue, RedisKeyValue, ping
from bot.gateway.logbook import LogWriter
from bot.gateway.middlewares import errors, timing
from bot.gateway.outbox import ApiAccount, CustomerServiceApi, Deliverer, OutboxWorker
from bot.gateway.rasa_client import RasaClient
from bot.gateway.replay import NonceGuard
from bot.gateway.routes import setup_routes
from bot.gateway.settings import GatewaySettings, load_gateway_settings
from bot.gateway.texts import GatewayTexts, Menu
from bot.gateway.wechat import WECHAT, WECOM, Crypto
from services.contacts import ContactService
from services.db import make_engine, make_session_factory
from services.messaging import MessagingService

log = logging.getLogger(__name__)
DRAIN_TIMEOUT_S = 15.0
DIRECT_PATHS = ("/healthz", "/readyz", "/wechat", "/wecom")


def redact(url: str) -> str:
    """A URL fit for the log: no password."""
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    engine = make_engine(settings.database_url)
    app[keys.ENGINE] = engine
    app[keys.SESSIONS] = make_session_factory(engine)
    app[keys.MESSAGING] = MessagingService(app[keys.SESSIONS])
    writer = LogWriter(app[keys.MESSAGING])
    writer.start()
    app[keys.LOG_WRITER] = writer
    yield
    await writer.close()
    engine.dispose()


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    client: Redis | None = None
    if settings.redis_url:
        client = Redis.from_url(settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        app[keys.KV] = FallbackKeyValue(RedisKeyValue(client, settings.redis_prefix), MemoryKeyValue())
        if await ping(client):
            log.info("Redis at %s: de-duplication, rate limits and tokens are shared", redact(settings.redis_url))
        else:
            log.warning("Redis at %s does not answer; using the in-process store until it does",
                        redact(settings.redis_url))
    else:
        log.info("REDIS_URL not set: de-duplication and rate limits are per process")
        app[keys.KV] = MemoryKeyValue()
    app[keys.REDIS] = client
    yield
    if client is not None:
        await client.close()
        await client.connection_pool.disconnect()


async def http_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    connector = aiohttp.TCPConnector(limit=settings.max_in_flight + 16)
    session = aiohttp.ClientSession(connector=connector)
    app[keys.HTTP] = session
    app[keys.RASA] = RasaClient(session, settings.rasa_urls, settings.rasa_timeout_s)
    yield
    await session.close()


def api_clients(settings: GatewaySettings, session: aiohttp.ClientSession,
                kv: KeyValue) -> dict[str, CustomerServiceApi]:
    apis = {}
    wechat = settings.wechat
    if settings.customer_service and wechat.app_id and wechat.app_secret:
        apis[WECHAT] = CustomerServiceApi(session, kv, ApiAccount(WECHAT, settings.wechat_api_base, wechat.app_id,
                                                                  wechat.app_secret))
    wecom = settings.wecom
    if wecom is not None and wecom.secret and wecom.agent_id is not None:
        apis[WECOM] = CustomerServiceApi(session, kv, ApiAccount(WECOM, settings.wecom_api_base, wecom.corp_id,
                                                                 wecom.secret, wecom.agent_id))
    return apis


async def handler_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    kv = app[keys.KV]
    messaging = app[keys.MESSAGING]
    deliverer = Deliverer(messaging, api_clients(settings, app[keys.HTTP], kv))
    app[keys.DELIVERER] = deliverer
    handler = MessageHandler(
        settings, app[keys.TEXTS], app[keys.MENU],
        Deduplicator(kv, settings.dedupe_ttl_s), RateLimiter(kv, settings.rate_limit_per_minute),
        app[keys.RASA], deliverer, messaging, app[keys.LOG_WRITER].add,
        Hotline(ContactService(app[keys.SESSIONS]), settings.hotline_organisation))
    app[keys.HANDLER] = handler
    app[keys.NONCES] = NonceGuard(kv, settings.replay_window_s)
    app[keys.READINESS] = CachedReadiness(lambda: check_readiness(app))
    worker = OutboxWorker(deliverer, settings.outbox_poll_s, settings.outbox_give_up_s)
    app[keys.OUTBOX_WORKER] = worker
    worker_task = asyncio.create_task(worker.run(), name="outbox-worker") if deliverer.apis else None
    announce(settings, deliverer)
    yield
    await handler.drain(DRAIN_TIMEOUT_S)
    if worker_task is not None:
        worker_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker_task


def announce(settings: GatewaySettings, deliverer: Deliverer) -> None:
    wechat = settings.wechat
    if wechat.token_generated:
        log.warning("WECHAT_DEV_TOKEN=on: /wechat accepts requests signed with this run's development token %s "
                    "— for a development machine only; set WECHAT_TOKEN for a real 公众号", wechat.token)
    elif not wechat.configured:
        log.info("公众号 /wechat: WECHAT_TOKEN is not set, closed (503)")
    if wechat.configured:
        log.info("公众号 /wechat: %s mode%s; late replies go %s",
                 "safe/compatible (AES only)" if wechat.aes_key else "plaintext",
                 "" if wechat.app_id is None else f" for AppID {wechat.app_id}",
                 "through the customer-service API" if WECHAT in deliverer.apis else "with the member's next message")
    if settings.wecom is None:
        log.info("企业微信 /wecom: not configured (503)")
    else:
        log.info("企业微信 /wecom: CorpID %s; late replies go %s", settings.wecom.corp_id,
                 "through message/send" if WECOM in deliverer.apis else "with the member's next message")
    log.info("Rasa: %s; budget %.1f s", ", ".join(settings.rasa_urls), settings.rasa_budget_s)


def create_app(settings: GatewaySettings | None = None,
               console_settings: ConsoleSettings | None = None) -> web.Application:
    """The gateway. Settings come from the environment unless given; the reply texts
    and the menu are read and checked here, so a mistake stops the start."""
    settings = settings or load_gateway_settings()
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[timing, errors])
    if settings.trusted_proxies:
        # aio-libs' aiohttp-remotes: the address and scheme the proxy saw, believed only from
        # the proxy (one hop); a console request that did not come through it is refused (400).
        # Left out: the health checks a monitor on the machine makes directly, and the WeChat
        # endpoints, which are signed (and which 试一试 calls directly), where no one's address counts.
        app.middlewares.append(XForwardedStrict([set(settings.trusted_proxies)], white_paths=DIRECT_PATHS).middleware)
    app[keys.SETTINGS] = settings
    app[keys.TEXTS] = GatewayTexts.load(settings.domain_path, settings.replies_path)
    app[keys.MENU] = Menu.load(settings.menu_path)
    wechat = settings.wechat
    app[keys.WECHAT_CRYPTO] = (Crypto(WECHAT, wechat.token, wechat.aes_key, wechat.app_id)
                               if wechat.aes_key and wechat.app_id else None)
    wecom = settings.wecom
    app[keys.WECOM_CRYPTO] = Crypto(WECOM, wecom.token, wecom.aes_key, wecom.corp_id) if wecom else None
    app.cleanup_ctx.extend([database_ctx, redis_ctx, http_ctx, handler_ctx])
    setup_routes(app)
    setup_console(app, console_settings)  # the staff console at /console (issue #5)
    return app
