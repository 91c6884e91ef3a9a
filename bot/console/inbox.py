"""The misunderstood inbox (/console/inbox): member messages the bot did not
understand, grouped when alike (services.inbox), for staff to say what was meant.

The page names texts by message id only: members' words (and any mobile number
in them) are shown masked and never travel back in the form.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.console import keys
from bot.console.auth import requires
from bot.console.pages import audit, current_user, flash, render
from bot.console.review_views import message
from services.accounts import Right
from services.inbox import DECISIONS, IGNORE, LOW_CONFIDENCE
from services.review_file import ReviewFileError

log = logging.getLogger(__name__)
SHOWN_GROUPS = 100


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()][:500]


async def inbox_page(request: web.Request) -> web.Response:
    service = request.app[keys.CONVERSATIONS].inbox
    groups = await asyncio.to_thread(service.groups)
    shown = groups if request.query.get("all") == "1" else groups[:SHOWN_GROUPS]
    return await render(request, "inbox.html", {
        "groups": shown, "total_groups": len(groups), "total_messages": sum(group.count for group in groups),
        "intents": service.intents(), "low_confidence": LOW_CONFIDENCE, "reveal": False,
        "review_file": service.review_file.path.name})


@requires(Right.WRITE_TRAINING_DATA)
async def inbox_decide(request: web.Request) -> web.Response:
    form = await request.post()
    staff = current_user(request)
    service = request.app[keys.CONVERSATIONS].inbox
    decision = str(form.get("decision") or "")
    intent = str(form.get("intent") or "") or None
    message_ids = _ids([str(value) for value in form.getall("message", [])])
    example_ids = _ids([str(value) for value in form.getall("example", [])])
    back = web.HTTPFound(str(request.app.router["inbox"].url_for()))
    if decision not in DECISIONS or not message_ids:
        await flash(request, message(request, "bad_request"))
        raise back
    if decision != IGNORE and not example_ids:
        await flash(request, message(request, "no_examples"))
        raise back
    try:
        done = await asyncio.to_thread(service.decide, message_ids, decision, staff.username, intent, example_ids)
    except ValueError:
        await flash(request, message(request, "bad_intent"))
        raise back from None
    except ReviewFileError as error:
        log.error("console: %s could not be written: %s", service.review_file.path, error)
        await flash(request, message(request, "file_error", file=service.review_file.path.name))
        raise back from None
    result = done.result
    detail = f"decision={done.decision} intent={done.intent or '-'} texts_handled={done.handled} " \
             f"messages={done.messages}"
    if result is not None:
        detail += f" added={len(result.added)} already={len(result.already)} conflicts={len(result.conflicts)} " \
                  f"refused={len(result.refused)}"
    await audit(request, f"inbox_{done.decision}", f"decision {done.id}", detail)
    log.info("console: %s handled an inbox group (%s)", staff.username, detail)
    if done.handled == 0:
        await flash(request, message(request, "already_handled"))
    elif result is None:
        await flash(request, message(request, "ignored", messages=done.messages))
    else:
        await flash(request, message(request, "saved", intent=done.intent, added=len(result.added),
                                     already=len(result.already),
                                     conflicts=len(result.conflicts),
                                     conflict_intents=sorted({intent for _, intent in result.conflicts}),
                                     refused=len(result.refused), file=service.review_file.path.name))
    raise back
