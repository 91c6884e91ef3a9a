"""Reviewing a conversation: marking member messages (turns) as reviewed, tagging
turns and conversations. Each change is written to the audit log.

What staff are told afterwards is worded in templates/_review_messages.html
(one macro per message), like every other Chinese word of the console.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.console import keys
from bot.console.pages import audit, current_user, flash
from bot.console.views import member_of, transcript_url
from services.review import CONVERSATION, InvalidTag, NotAllowed, clean_tag

MESSAGES = "_review_messages.html"


def message(request: web.Request, name: str, **values: Any) -> str:
    """A message for staff, from a macro of templates/_review_messages.html."""
    module = aiohttp_jinja2.get_env(request.app).get_template(MESSAGES).module
    return " ".join(str(getattr(module, name)(**values)).split())


def _message_id(raw: object) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def _back(request: web.Request, channel: str, user_id: str, message_id: int | None) -> web.HTTPFound:
    url = transcript_url(request, channel, user_id)
    return web.HTTPFound(url + (f"#turn-{message_id}" if message_id else ""))


async def review(request: web.Request) -> web.Response:
    """Mark one turn (message_id) or every turn not yet marked as reviewed; undo=1 takes a mark back."""
    channel, user_id = member_of(request)
    form = await request.post()
    staff = current_user(request)
    reviews = request.app[keys.CONVERSATIONS].reviews
    message_id = _message_id(form.get("message_id"))
    target = f"{channel}:{user_id}"
    if form.get("undo") == "1" and message_id is not None:
        try:
            removed = await asyncio.to_thread(reviews.unmark, channel, user_id, message_id, staff.username,
                                              staff.is_admin)
        except NotAllowed as error:
            await flash(request, message(request, "not_yours", owner=str(error)))
        else:
            if removed:
                await audit(request, "review_undo", target, f"message {message_id}")
        raise _back(request, channel, user_id, message_id)
    marked = await asyncio.to_thread(reviews.mark, channel, user_id, staff.username, message_id)
    if marked:
        await audit(request, "review", target, f"message {message_id}" if message_id else f"{marked} messages")
    if message_id is None:
        await flash(request, message(request, "reviewed_all", count=marked))
    raise _back(request, channel, user_id, message_id)


async def tags(request: web.Request) -> web.Response:
    """Add a tag to a turn (message_id) or the conversation, or remove one (remove=<tag id>)."""
    channel, user_id = member_of(request)
    form = await request.post()
    staff = current_user(request)
    reviews = request.app[keys.CONVERSATIONS].reviews
    message_id = _message_id(form.get("message_id"))
    target = f"{channel}:{user_id}"
    remove = _message_id(form.get("remove"))
    if remove is not None:
        try:
            removed = await asyncio.to_thread(reviews.remove_tag, channel, user_id, remove, staff.username,
                                              staff.is_admin)
        except NotAllowed as error:
            await flash(request, message(request, "not_yours", owner=str(error)))
        else:
            if removed is not None:
                await audit(request, "untag", target, f"{removed.tag} (message {removed.message_id or '-'})")
        raise _back(request, channel, user_id, message_id)
    try:
        tag = clean_tag(str(form.get("tag") or ""))
        added = await asyncio.to_thread(reviews.add_tag, channel, user_id, tag, staff.username,
                                        message_id or CONVERSATION)
    except InvalidTag:
        await flash(request, message(request, "bad_tag"))
    else:
        if added:
            await audit(request, "tag", target, f"{tag} (message {message_id or '-'})")
    raise _back(request, channel, user_id, message_id)
