"""What every console page handler shares: who is asking, the CSRF token, rendering a
page (or the error page), flash messages and the audit log.

Its own module so that the middlewares (auth.py) and the pages (views.py and the
others) both use it without importing each other.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import Session, get_session
from sqlalchemy.exc import SQLAlchemyError

from bot.console import keys
from services.accounts import StaffView

log = logging.getLogger(__name__)
USER = web.RequestKey("console_user", StaffView)  # on authenticated requests
CSRF_FIELD = "_csrf"
CHANNELS = {"wechat": "公众号", "wecom": "企业微信"}


def current_user(request: web.Request) -> StaffView:
    return request[USER]


def csrf_token(session: Session) -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


async def render(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    session = await get_session(request)
    flashes = session.pop("flash", [])
    context = {"request": request, "user": request.get(USER), "csrf_token": csrf_token(session),
               "csrf_field": CSRF_FIELD, "flashes": flashes, "channels": CHANNELS,
               "handoffs_waiting": await handoffs_waiting(request), **context}
    return aiohttp_jinja2.render_template(template, request, context, status=status)


async def handoffs_waiting(request: web.Request) -> int | None:
    """The navigation's count: members waiting for a person, and new messages in the account's
    own taken-over conversations; None when it cannot be read."""
    user = request.get(USER)
    if user is None or keys.HANDOFFS not in request.app:
        return None
    try:
        return (await asyncio.to_thread(request.app[keys.HANDOFFS].state, user.username)).needs_me
    except SQLAlchemyError as error:  # the page itself still shows (or says what went wrong)
        log.warning("console: the hand-off count could not be read (%s)", type(error).__name__)
        return None


async def error_page(request: web.Request, status: int, message: str) -> web.Response:
    """The console's layout with one Chinese sentence: never a traceback."""
    return await render(request, "error.html", {"status": status, "message": message}, status=status)


async def flash(request: web.Request, message: str) -> None:
    session = await get_session(request)
    session["flash"] = [*session.get("flash", []), message]


async def audit(request: web.Request, action: str, target: str, detail: str | None = None) -> None:
    await asyncio.to_thread(request.app[keys.ACCOUNTS].audit, current_user(request).username, action, target, detail)
