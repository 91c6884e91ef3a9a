"""Who is asking: the session cookie, logging in and out, roles, and the CSRF token.

The session lives in a cookie encrypted and signed with Fernet (aiohttp-session's
EncryptedCookieStorage); it holds the staff user's id and the CSRF token. The user
is read again from the database on every request, so a disabled account or a
changed role takes effect at once.

Every POST (the login form included) must carry the session's CSRF token, in the
`_csrf` form field or the `X-CSRF-Token` header; the login page's token sits in an
anonymous session created when the page is shown.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp_session import Session, get_session
from yarl import URL

from bot.console import keys
from services.accounts import StaffView

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
USER = web.RequestKey("console_user", StaffView)  # on authenticated requests
CSRF_FIELD = "_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def public[H: Handler](handler: H) -> H:
    """Reachable without logging in (the login page)."""
    handler.console_public = True  # type: ignore[attr-defined]
    return handler


def admin_only[H: Handler](handler: H) -> H:
    handler.console_role = "admin"  # type: ignore[attr-defined]
    return handler


def csrf_token(session: Session) -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def current_user(request: web.Request) -> StaffView:
    return request[USER]


def login_url(request: web.Request) -> str:
    return str(request.app.router["login"].url_for())


def safe_next(request: web.Request, target: str | None) -> str:
    """Only a path inside the console: never another site (open redirect)."""
    prefix = str(request.app.router["home"].url_for())
    if target and target.startswith(prefix) and not target.startswith("//") and "\\" not in target:
        return target
    return prefix


def _original(request: web.Request) -> Any:
    return request.match_info.handler


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method not in SAFE_METHODS:
        session = await get_session(request)
        expected = session.get("csrf")
        given: object = request.headers.get(CSRF_HEADER)
        if given is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            given = (await request.post()).get(CSRF_FIELD)
        if not expected or not isinstance(given, str) or not hmac.compare_digest(str(expected), given):
            log.warning("console: %s %s without a valid CSRF token refused", request.method, request.path)
            from bot.console.views import error_page  # the page layout lives with the views

            return await error_page(request, 403, "页面已过期或请求无效，请刷新页面后重试。")
    return await handler(request)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    original = _original(request)
    if getattr(original, "console_public", False) or request.match_info.route.resource is None or \
            request.path.startswith(str(request.app.router["static"].canonical)):
        return await handler(request)
    session = await get_session(request)
    user_id = session.get("uid")
    user = None
    if isinstance(user_id, int):
        user = await asyncio.to_thread(request.app[keys.ACCOUNTS].get, user_id)
    if user is None or not user.active:
        if user_id is not None:
            session.invalidate()
        if request.method in SAFE_METHODS and request.headers.get("Accept", "").startswith("text/event-stream"):
            raise web.HTTPUnauthorized()
        target = request.path_qs if request.method in SAFE_METHODS else None
        url = URL(login_url(request))
        raise web.HTTPFound(str(url.with_query({"next": target}) if target else url))
    request[USER] = user
    if getattr(original, "console_role", None) == "admin" and not user.is_admin:
        log.warning("console: %s (staff) refused %s %s", user.username, request.method, request.path)
        from bot.console.views import error_page

        return await error_page(request, 403, "此页面仅限管理员访问。")
    return await handler(request)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exception:
        response = exception
        _headers(response)
        raise
    _headers(response)
    return response


def _headers(response: web.StreamResponse) -> None:
    if response.prepared:  # a live-update stream has sent its headers already
        return
    headers = response.headers
    # Everything is served from here: no CDN, no inline script.
    headers.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    # Pages show personal data: not kept by the browser or a proxy.
    headers.setdefault("Cache-Control", "no-store")
