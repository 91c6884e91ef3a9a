"""Live updates: a Server-Sent Events stream that says when new messages were logged.

It polls the message log's highest id every second (one indexed query) and sends
`event: changed` with the new id; the page then fetches its live part again, so
the stream itself carries no personal data. A stream ends after ten minutes or
at shutdown (the browser's EventSource reconnects, sending Last-Event-ID).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from aiohttp import web

from bot.console import keys

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
    stopping = request.app[keys.STOPPING]
    channel = request.query.get("channel") or None
    user_id = request.query.get("user_id") or None
    last = _start_id(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})  # nginx: do not buffer the stream
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    ends = loop.time() + settings.sse_max_s
    quiet_since = loop.time()
    try:
        await response.write(b"retry: 2000\n\n")
        while loop.time() < ends and not stopping.is_set():
            newest = await asyncio.to_thread(service.newest_id, channel, user_id)
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
    return response
