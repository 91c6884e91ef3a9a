"""The staff console, mounted at /console on the gateway by `setup_console(app)`.

Its services are built in a cleanup_ctx step that runs after the gateway's own
(database, handler), on the gateway's database engine; that step also gives the
gateway's message handler the takeover check, so the bot stays silent for members
staff have taken over.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.typedefs import Middleware
from aiohttp_session import session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet
from sqlalchemy.exc import SQLAlchemyError

from bot.console import keys
from bot.console.auth import Handler, auth_middleware, csrf_middleware, error_pages, security_headers
from bot.console.formatting import audit_action, channel_name, handoff_status, shanghai_text, shown, signup_status
from bot.console.routes import setup_routes
from bot.console.settings import ConsoleSettings, load_console_settings
from bot.console.texts import ConsoleTexts
from bot.console.throttle import LoginThrottle
from bot.gateway import keys as gateway_keys
from services.accounts import AccountService
from services.conversations import ConversationService
from services.handoff import HandoffService
from services.settings import load_settings
from services.signup_lists import SignupListService
from services.takeover import TakeoverService

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
PREFIX = "/console"
PASSWORD_THREADS = 2  # argon2 needs 64 MiB a check: two at a time at most
LIVE_POLL_THREADS = 2  # the live-update streams' one-second polls


def console_scope(middlewares: list[Middleware]) -> Middleware:
    """The console's middlewares (session, CSRF, login) for its own paths only: the
    gateway's /wechat, /wecom and health checks never see a session or a CSRF check."""

    @web.middleware
    async def console(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
            return await handler(request)
        for middleware in reversed(middlewares):
            handler = _bind(middleware, handler)
        return await handler(request)

    return console


def _bind(middleware: Middleware, inner: Handler) -> Handler:
    async def bound(request: web.Request) -> web.StreamResponse:
        return await middleware(request, inner)

    return bound


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("indexing the conversations at start failed (%s); the first page will do it",
                    type(task.exception()).__name__)


def setup_console(gateway: web.Application, settings: ConsoleSettings | None = None) -> None:
    """Mount the console at /console on the gateway application (same port, 8080).

    Its routes are the gateway's own, under the prefix, rather than a sub-application:
    aiohttp 3.9.5 resolves sub-applications through `request.url`, which the pinned
    yarl refuses to build for a Host header with a port ("127.0.0.1:8080").
    """
    settings = settings or load_console_settings()
    gateway[keys.SETTINGS] = settings
    gateway[keys.TEXTS] = ConsoleTexts.load(settings.replies_path)
    gateway[keys.STOPPING] = asyncio.Event()
    storage = EncryptedCookieStorage(
        Fernet(settings.secret_key), cookie_name="shqa_console", path=PREFIX, max_age=settings.session_max_age_s,
        secure=settings.cookie_secure, httponly=True, samesite="Lax")
    # Login before CSRF: an anonymous POST is turned away before any of its body is read.
    gateway.middlewares.append(console_scope([security_headers, session_middleware(storage), error_pages,
                                              auth_middleware, csrf_middleware]))
    env = aiohttp_jinja2.setup(gateway, loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                               autoescape=jinja2.select_autoescape(["html"], default=True))
    env.filters["sh"] = shanghai_text
    env.filters["shown"] = shown
    env.filters["channel_name"] = channel_name
    env.filters["signup_status"] = signup_status
    env.filters["audit_action"] = audit_action
    env.filters["handoff_status"] = handoff_status
    setup_routes(gateway, PREFIX)

    async def stopping(_app: web.Application) -> None:
        gateway[keys.STOPPING].set()  # live-update streams end rather than hold the shutdown

    gateway.on_shutdown.append(stopping)

    async def console_ctx(app: web.Application) -> AsyncIterator[None]:
        """After the gateway's database and message handler: the console's services."""
        sessions = app[gateway_keys.SESSIONS]
        app[keys.ACCOUNTS] = AccountService(sessions)
        app[keys.LOGIN_THROTTLE] = LoginThrottle(app[gateway_keys.KV])
        password_checks = app[keys.PASSWORD_CHECKS] = ThreadPoolExecutor(PASSWORD_THREADS, "argon2")
        live_polls = app[keys.LIVE_POLLS] = ThreadPoolExecutor(LIVE_POLL_THREADS, "live-updates")
        app[keys.LIVE_STREAMS] = Counter()
        conversations = app[keys.CONVERSATIONS] = ConversationService(sessions, app[gateway_keys.ENGINE])
        takeovers = app[keys.TAKEOVERS] = TakeoverService(sessions)
        app[keys.HANDOFFS] = HandoffService(sessions, load_settings().working_hours)
        app[keys.SIGNUP_LISTS] = SignupListService(sessions, lambda: load_settings().today())

        async def held(channel: str, user_id: str) -> str | None:
            try:
                return await asyncio.to_thread(takeovers.holder, channel, user_id)
            except SQLAlchemyError as error:  # the database is down: the bot answers rather than nobody
                log.warning("takeover check failed (%s); the bot answers", type(error).__name__)
                return None

        app[gateway_keys.HANDLER].held = held
        if settings.key_generated:
            log.warning("CONSOLE_SECRET_KEY is not set: console sessions last until this process stops")
        log.info("staff console: %s", PREFIX)
        # The first catch-up after an upgrade reads the whole message history (seconds
        # at 100,000 messages): do it now, not in the first staff member's request.
        warming = asyncio.create_task(asyncio.to_thread(conversations.index.catch_up))
        warming.add_done_callback(_log_failure)
        yield
        password_checks.shutdown(wait=False, cancel_futures=True)
        live_polls.shutdown(wait=False, cancel_futures=True)

    gateway.cleanup_ctx.append(console_ctx)
