"""人工服务: the queue of members who asked for a person.

待处理 requests wait oldest first; 接手 takes the conversation over (the bot falls silent,
the member is told a person has joined) and makes the request 处理中, held by whoever took
it; handing the conversation back makes it 已解决. A request answered another way (by
phone) can be closed without a takeover. The list updates live and every console page
counts the waiting ones in its navigation (the live-update stream's `handoff` event).
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.console import keys
from bot.console.pages import audit, current_user, flash, render
from bot.console.views import live_delivery, member_of, transcript_url
from services.handoff import ACTIVE, OPEN, PENDING, RESOLVED

# ?status= … → the statuses listed; the default is what still needs someone.
VIEWS = {"open": OPEN, PENDING: (PENDING,), ACTIVE: (ACTIVE,), RESOLVED: (RESOLVED,)}


async def handoffs(request: web.Request) -> web.Response:
    shown = request.query.get("status") or "open"
    if shown not in VIEWS:
        shown = "open"
    service = request.app[keys.HANDOFFS]
    entries = await asyncio.to_thread(service.queue, VIEWS[shown])
    counts = await asyncio.to_thread(service.counts)
    context = {"entries": entries, "counts": counts, "shown": shown, "me": current_user(request).username,
               "newest_id": await asyncio.to_thread(request.app[keys.CONVERSATIONS].newest_id, None, None),
               "live_delivery": {channel: live_delivery(request, channel) for channel in ("wechat", "wecom")}}
    if request.query.get("partial") == "1":
        return await render(request, "_handoff_rows.html", context)
    return await render(request, "handoffs.html", context)


async def resolve(request: web.Request) -> web.Response:
    """已解决 without a takeover (answered by phone, or nothing to do); a taken-over member is
    handed back instead, so that the bot answers them again."""
    channel, user_id = member_of(request)
    takeover = await asyncio.to_thread(request.app[keys.TAKEOVERS].active, channel, user_id)
    if takeover is not None:
        await flash(request, "此用户正由人工接管：请在会话页点“交还机器人”，人工请求会同时标记为已解决。")
    elif await asyncio.to_thread(request.app[keys.HANDOFFS].resolve, channel, user_id,
                                 current_user(request).username):
        await audit(request, "handoff_resolve", f"{channel}:{user_id}")
        await flash(request, "人工请求已标记为已解决。")
    else:
        await flash(request, "此用户没有待处理的人工请求。")
    back = request.query.get("back")
    raise web.HTTPFound(str(request.app.router["handoffs"].url_for()) if back == "queue"
                        else transcript_url(request, channel, user_id))
