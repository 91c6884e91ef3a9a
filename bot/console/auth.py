"""Who is asking: the session cookie, logging in and out, roles, and the CSRF token.

The session lives in a cookie encrypted and signed with Fernet (aiohttp-session's
EncryptedCookieStorage); it holds the staff user's id and the CSRF token. The user
is read again from the database on every request, so a disabled account or a
changed role takes effect at once.

The order matters, and no body is read before both checks pass: the login check
comes first (an anonymous POST is sent to the login page unread), then the CSRF
check. Every POST (the login form included) must carry the session's CSRF token,
in the `X-CSRF-Token` header or the `_csrf` form field; a form's body is at most
the gateway's 64 KiB, and a multipart form (the notice upload) must send `_csrf`
as its first part, which is all that is read before the token is checked: the
rest stays in the stream for the handler (`multipart_after_csrf`). The login
page's token sits in an anonymous session created when the page is shown.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp_session import get_session
from yarl import URL

from bot.console import keys
from bot.console.pages import CSRF_FIELD, USER, error_page
from services.accounts import Right

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A multipart form read up to its `_csrf` part: the rest of the stream, for the handler.
MULTIPART = web.RequestKey("console_multipart", MultipartReader)
MAX_TOKEN_BYTES = 128


def public[H: Handler](handler: H) -> H:
    """Reachable without logging in (the login page)."""
    handler.console_public = True  # type: ignore[attr-defined]
    return handler


def admin_only[H: Handler](handler: H) -> H:
    handler.console_role = "admin"  # type: ignore[attr-defined]
    return handler


def requires(right: Right) -> Callable[[Handler], Handler]:
    """Reachable by accounts whose role has this right (services.accounts.RIGHTS)."""

    def mark[H: Handler](handler: H) -> H:
        handler.console_right = right  # type: ignore[attr-defined]
        return handler

    return mark


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


async def _token_from_body(request: web.Request) -> str | None:
    if request.content_type == "application/x-www-form-urlencoded":
        value = (await request.post()).get(CSRF_FIELD)  # at most client_max_size (64 KiB)
        return value if isinstance(value, str) else None
    if request.content_type == "multipart/form-data":
        try:
            reader = await request.multipart()
            request[MULTIPART] = reader
            part = await reader.next()
            if not isinstance(part, BodyPartReader) or part.name != CSRF_FIELD:
                return None
            token = await read_field(part, MAX_TOKEN_BYTES)
        except (ValueError, AssertionError, web.HTTPException):  # a malformed form: no token in it
            return None
        return None if token is None else token.decode("ascii", "replace")
    return None


async def read_field(part: BodyPartReader, max_bytes: int) -> bytes | None:
    """A small form field's value; None when it is longer than `max_bytes` (not read further)."""
    value = bytearray()
    while chunk := await part.read_chunk():  # aiohttp's chunk (8 KiB) bounds what one read holds
        value += chunk
        if len(value) > max_bytes:
            return None
    return bytes(value)


async def multipart_after_csrf(request: web.Request) -> MultipartReader:
    """The multipart form's stream, after the `_csrf` part the CSRF check read."""
    return request[MULTIPART] if MULTIPART in request else await request.multipart()


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method not in SAFE_METHODS:
        session = await get_session(request)
        expected = session.get("csrf")
        given = request.headers.get(CSRF_HEADER)
        if given is None and expected:
            given = await _token_from_body(request)
        if not expected or given is None or not hmac.compare_digest(str(expected).encode(), given.encode()):
            log.warning("console: %s %s without a valid CSRF token refused", request.method, request.path)
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
    # A copied cookie outlives nothing: logout, a new password, disabling or a new role
    # raised the account's version, and every session holding the old one ends here.
    if user is None or not user.active or session.get("ver") != user.session_version:
        if user_id is not None:
            session.invalidate()
        if request.method in SAFE_METHODS and request.headers.get("Accept", "").startswith("text/event-stream"):
            raise web.HTTPUnauthorized()
        target = request.path_qs if request.method in SAFE_METHODS else None
        url = URL(login_url(request))
        raise web.HTTPFound(str(url.with_query({"next": target}) if target else url))
    request[USER] = user
    if getattr(original, "console_role", None) == "admin" and not user.is_admin:
        log.warning("console: %s (%s) refused %s %s", user.username, user.role, request.method, request.path)
        return await error_page(request, 403, "此页面仅限管理员访问。")
    right = getattr(original, "console_right", None)
    if right is not None and not user.may(right):
        log.warning("console: %s (%s) refused %s %s", user.username, user.role, request.method, request.path)
        return await error_page(request, 403, f"您的账号（{user.role_name}）没有此项权限，请联系管理员。")
    return await handler(request)


# What staff are told when a console request goes wrong; never an exception's text.
ERROR_MESSAGES = {
    400: "请求的内容不完整或格式不正确，请返回后重试。",
    403: "您没有权限进行此操作。",
    404: "页面不存在，或要找的内容已被删除。",
    405: "不支持这种请求方式，请从页面上的链接或按钮进入。",
    413: "提交的内容太大。",
    429: "操作太频繁，请稍后再试。",
}
SERVER_ERROR = "服务器出错了，请稍后再试；如果一直出现，请联系管理员。"


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A 4xx or 5xx from a console page is the console's error page, in Chinese."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400 or error.status == 401:  # redirects; 401 ends a live-update stream
            raise
        return await error_page(request, error.status, ERROR_MESSAGES.get(error.status, SERVER_ERROR))
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("console: %s %s failed", request.method, request.path)
        return await error_page(request, 500, SERVER_ERROR)


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
