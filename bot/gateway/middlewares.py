"""Request timing, and error answers that say nothing about the server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.gateway.wechat import ProtocolError

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# When the push arrived (loop time): the 5-second clock starts here.
STARTED = web.RequestKey("gateway_started", float)
# Error bodies are these words and nothing else: no exception text, no versions.
REASONS = {400: "bad request", 403: "forbidden", 404: "not found", 405: "method not allowed",
           413: "payload too large", 500: "internal error", 503: "unavailable"}


def plain_error(status: int) -> web.Response:
    return web.Response(status=status, text=REASONS.get(status, "error"))


@web.middleware
async def timing(request: web.Request, handler: Handler) -> web.StreamResponse:
    loop = asyncio.get_running_loop()
    started = request[STARTED] = loop.time()
    response = await handler(request)
    # The gateway's own share of the time (load runs tell it from the network's and the client's).
    response.headers["Server-Timing"] = f"app;dur={(loop.time() - started) * 1000:.1f}"
    return response


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await _answer_or_error(request, handler)
    # Instead of aiohttp's `Server: Python/3.10 aiohttp/3.9.5`.
    response.headers["Server"] = "gateway"
    return response


async def _answer_or_error(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ProtocolError as error:
        log.warning("%s %s from %s refused (%d): %s", request.method, request.path, request.remote,
                    error.status, error.reason)
        return plain_error(error.status)
    except web.HTTPException as error:
        if error.status < 400:
            error.headers["Server"] = "gateway"  # redirects too: no versions
            raise
        if error.status == 413:
            log.warning("%s %s from %s: body over the limit", request.method, request.path, request.remote)
        return plain_error(error.status)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return plain_error(500)


async def body_limit(request: web.Request, limit: int) -> bytes:
    """The body, refusing (413) one over `limit` before reading it when it says its length."""
    if request.content_length is not None and request.content_length > limit:
        raise ProtocolError(413, f"Content-Length {request.content_length} over {limit}")
    return await request.read()  # aiohttp stops at client_max_size (= limit) with 413

