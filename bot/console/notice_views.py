"""通知审核: the notices uploaded in the console, reviewed before members see them.

An upload (activity_views.upload_submit) makes a draft (services.ingest.drafts) and sends
staff here: the notice's text beside the card that will be published, each field with the
sentence it came from marked in the text, missing and doubtful fields marked. The card is
one plain form; its buttons save the draft, add or remove an activity, or publish. Adding
and removing change only the form shown (nothing is stored until 保存 or 发布), so nothing
typed is lost. A refused form comes back with status 400, what was typed and a Chinese
message per field. Publishing, re-publishing and withdrawing are audited.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.console.auth import requires
from bot.console.notice_form import (
    KINDS,
    LABELS,
    ActivityForm,
    FormInvalid,
    NoticeForm,
    form_from_post,
    form_of,
    to_record,
)
from bot.console.notice_review import review_of
from bot.console.pages import audit, current_user, flash, render
from bot.gateway import keys as gateway_keys
from services.accounts import Right
from services.ingest.drafts import PUBLISHED, DraftNotFound, DraftRefused, DraftService, DraftView
from services.ingest.loader import describe_activity
from services.ingest.record_json import CONTACT_FIELDS

log = logging.getLogger(__name__)


def drafts(request: web.Request) -> DraftService:
    return DraftService(request.config_dict[gateway_keys.SESSIONS])


def _draft_id(request: web.Request) -> int:
    try:
        return int(request.match_info["draft_id"])
    except ValueError as error:
        raise web.HTTPNotFound() from error


def review_url(request: web.Request, draft_id: int) -> str:
    return str(request.app.router["notice_review"].url_for(draft_id=str(draft_id)))


async def _draft(request: web.Request) -> DraftView:
    found = await asyncio.to_thread(drafts(request).get, _draft_id(request))
    if found is None:
        raise web.HTTPNotFound()
    return found


@requires(Right.PUBLISH_NOTICES)
async def notices(request: web.Request) -> web.Response:
    found = await asyncio.to_thread(drafts(request).all)
    return await render(request, "notices.html", {"drafts": found})


@requires(Right.PUBLISH_NOTICES)
async def notice_review(request: web.Request) -> web.Response:
    draft = await _draft(request)
    return await _review_page(request, draft, form_of(draft.record))


async def _review_page(request: web.Request, draft: DraftView, form: NoticeForm,
                       errors: dict[str, str] | None = None, status: int = 200, unsaved: bool = False) -> web.Response:
    errors = errors or {}
    shown = form.with_blank_rows()
    return await render(request, "notice_review.html", {
        "draft": draft, "form": shown, "review": review_of(draft.text, draft.record, shown, errors),
        "errors": errors, "kinds": KINDS, "labels": LABELS, "contact_fields": CONTACT_FIELDS, "unsaved": unsaved,
        "card": [describe_activity(activity) for activity in draft.record.activities],
        "published": draft.status == PUBLISHED}, status=status)


@requires(Right.PUBLISH_NOTICES)
async def notice_submit(request: web.Request) -> web.Response:
    """One form, four buttons: 保存草稿, 发布, 添加活动, 删除活动 (name="remove", its number)."""
    draft = await _draft(request)
    post = await request.post()
    form = form_from_post(post)
    action = str(post.get("action") or "save")
    remove = str(post.get("remove") or "")
    if remove.isdigit() and int(remove) < len(form.activities):
        del form.activities[int(remove)]
        return await _review_page(request, draft, form, unsaved=True)
    if action == "add":
        form.activities.append(ActivityForm())
        return await _review_page(request, draft, form, unsaved=True)
    try:
        record, slots = to_record(form, draft.record)
    except FormInvalid as invalid:
        return await _review_page(request, draft, form, invalid.errors, status=400, unsaved=True)
    username, service = current_user(request).username, drafts(request)
    if action != "publish":
        await asyncio.to_thread(service.save, draft.id, record, slots, username)
        await flash(request, "已保存修改。" + ("重新发布后会员才能看到这些修改。" if draft.status == PUBLISHED else
                                        "会员在发布后才能看到这份通知。"))
        raise web.HTTPFound(review_url(request, draft.id))
    try:
        report = await asyncio.to_thread(service.publish, draft.id, record, slots, username)
    except DraftRefused as refused:
        return await _review_page(request, draft, form, {"publish": str(refused)}, status=400, unsaved=True)
    except DraftNotFound as error:
        raise web.HTTPNotFound() from error
    again = draft.status == PUBLISHED
    await audit(request, "notice_republish" if again else "notice_publish", draft.file_name[:200],
                f"《{record.title}》{len(record.activities)} 个活动")
    log.info("console: %s published %s", username, draft.file_name)
    await flash(request, ("已重新发布" if again else "已发布") +
                f"：{len(record.activities)} 个活动，助手现在按审核后的内容回答和接受报名。")
    for line in [*report.skipped, *report.notes]:
        await flash(request, line)
    raise web.HTTPFound(review_url(request, draft.id))


@requires(Right.PUBLISH_NOTICES)
async def notice_withdraw(request: web.Request) -> web.Response:
    draft = await _draft(request)
    try:
        lines = await asyncio.to_thread(drafts(request).withdraw, draft.id, current_user(request).username)
    except DraftRefused as refused:
        return await _review_page(request, draft, form_of(draft.record), {"publish": str(refused)}, status=400)
    await audit(request, "notice_withdraw", draft.file_name[:200], "；".join(lines)[:500] or None)
    await flash(request, "已撤回：会员不会再看到这份通知的活动。")
    for line in lines:
        await flash(request, line)
    raise web.HTTPFound(review_url(request, draft.id))

