"""Live updates: a Server-Sent Events stream that says when new messages were logged.

It polls the message log's highest id every second (one indexed query) and sends
`event: changed` with the new id; the page then fetches its live part again, so
the stream itself carries no personal data. It also sends `event: handoff` with how
many members wait for a person, the newest request's id and the navigation's count (those
waiting and the new messages in the account's own taken-over conversations), at the start and whenever
they change: every page updates its navigation count, and a new request makes the
browser notify and chime (static/console.js). A stream ends after ten minutes or
at shutdown (the browser's EventSource reconnects, sending Last-Event-ID).

Each tick also reads the account again: a stream ends within a second of logout, a new
password, disabling or a role change (the session version), rather than running on for
its ten minutes. An account has at most a few streams open per process (more are
refused with 429), and the polls run on two threads of their own, not on the pool the
WeChat path uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from aiohttp import web

from bot.console import keys
from bot.console.pages import current_user
from services.handoff import QueueState

log = logging.getLogger(__name__)
HEARTBEAT_S = 15.0


def _start_id(request: web.Request) -> int:
    for raw in (request.headers.get("Last-Event-ID"), request.query.get("after")):
        if raw and raw.isdigit():
            return int(raw)
    return 0


async def events(request: web.Request) -> web.StreamResponse:
    settings = request.app[keys.SETTINGS]
    service = request.app[keys.CONVERSATIONS]
    accounts = request.app[keys.ACCOUNTS]
    stopping = request.app[keys.STOPPING]
    open_streams = request.app[keys.LIVE_STREAMS]
    user = current_user(request)
    version = user.session_version  # the auth middleware checked it against the session
    if open_streams[user.id] >= settings.sse_max_per_account:
        log.info("console: %s has %d live-update streams open; one more refused", user.username,
                 open_streams[user.id])
        return web.Response(status=429, text="同时打开的实时更新页面过多，请关闭一些页面后刷新。")
    channel = request.query.get("channel") or None
    user_id = request.query.get("user_id") or None
    last = _start_id(request)

    handoffs = request.app[keys.HANDOFFS]

    def poll() -> tuple[int, bool, QueueState]:
        """The newest message id, whether the session is still good, and the hand-off queue."""
        account = accounts.get(user.id)
        still = account is not None and account.active and account.session_version == version
        return service.newest_id(channel, user_id), still, handoffs.state(user.username)

    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})  # nginx: do not buffer the stream
    open_streams[user.id] += 1
    try:
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        ends = loop.time() + settings.sse_max_s
        quiet_since = loop.time()
        queue: QueueState | None = None
        await response.write(b"retry: 2000\n\n")
        while loop.time() < ends and not stopping.is_set():
            newest, still, state = await loop.run_in_executor(request.app[keys.LIVE_POLLS], poll)
            if not still:
                break  # logged out, disabled, new password or role: the page's next request logs in again
            if state != queue:
                queue = state
                payload = json.dumps({"waiting": state.waiting, "newest": state.newest_id, "count": state.needs_me})
                await response.write(f"event: handoff\ndata: {payload}\n\n".encode())
                quiet_since = loop.time()
            if newest > last:
                last = newest
                payload = json.dumps({"newest": newest})
                await response.write(f"id: {newest}\nevent: changed\ndata: {payload}\n\n".encode())
                quiet_since = loop.time()
            elif loop.time() - quiet_since > HEARTBEAT_S:
                await response.write(b": ping\n\n")  # proxies close silent connections
                quiet_since = loop.time()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), settings.sse_poll_s)
    except ConnectionResetError:
        pass  # the browser went away
    except Exception:  # a database hiccup ends this stream; the browser reconnects
        log.warning("console: live-update stream ended by an error", exc_info=True)
    finally:
        open_streams[user.id] -= 1
    return response
