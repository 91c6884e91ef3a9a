"""报名名单: an activity's sign-ups, sign-ups taken by phone, corrected and cancelled,
whole numbers and exports, and the activity's organiser accounts.

Who may do what (services.accounts.RIGHTS): every account reads the list with numbers
masked. Staff, editors and admins take sign-ups by phone (notices say 或致电联系人报名)
and correct or cancel any, for every activity; an organiser for the activities an admin
assigned to them. Admins, and an activity's organisers, reveal whole numbers and export
the list. Every change goes through `services.signup_desk` (the member's rules, its
audit entry in the same transaction); revealing and exporting are POSTs audited before
anything is shown. A refused form is shown again with what was typed (400, or 409 when
the activity refuses: full, closed, already signed up), one Chinese message per field.
Mobile numbers stay masked on every page but the revealed list: the edit form shows the
stored number masked and keeps it unless a new one is typed, and being told that a typed
number is signed up already is audited (no unseen guessing of a masked number's digits).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.console import keys, signup_form
from bot.console.auth import admin_only
from bot.console.exports import content_disposition, export_filename, signups_csv, signups_xlsx, title_row
from bot.console.pages import audit, current_user, error_page, flash, render
from bot.gateway import keys as gateway_keys
from services.accounts import AccountError, Right
from services.activity_admin import FormErrors, activity_target
from services.settings import SHANGHAI, load_settings
from services.signup_desk import SignupDesk, describe_change
from services.signup_lists import ActivityCount, SignupLine
from services.signups import Eligibility, Refusal, SignupService
from services.validation import mask_mobile

log = logging.getLogger(__name__)
REFUSED = {Eligibility.UNKNOWN_ACTIVITY: 404}  # an activity that went; the rest: 409 (the activity refuses)
TAKEN_NUMBER = "signup_taken_number"  # the audit entry of a number found signed up already


def today() -> dt.date:
    """Shanghai's date, or ASSISTANT_TODAY (tests, demos), as the assistant sees it."""
    return load_settings().today()


def _desk(request: web.Request) -> SignupDesk:
    return SignupDesk(SignupService(request.config_dict[gateway_keys.SESSIONS], today))


def _activity_id(request: web.Request) -> int:
    try:
        return int(request.match_info["activity_id"])
    except ValueError as error:
        raise web.HTTPNotFound() from error


def _url(request: web.Request, name: str, **parts: Any) -> str:
    return str(request.app.router[name].url_for(**{key: str(value) for key, value in parts.items()}))


async def _activity(request: web.Request) -> ActivityCount | None:
    """The activity of the URL, as the list counts it."""
    return await asyncio.to_thread(request.app[keys.SIGNUP_LISTS].activity, _activity_id(request))


async def _no_activity(request: web.Request) -> web.Response:
    return await error_page(request, 404, signup_form.NO_ACTIVITY)


# -- who may -------------------------------------------------------------------------------


async def _organises(request: web.Request, activity_id: int) -> bool:
    user = current_user(request)
    return await asyncio.to_thread(request.app[keys.ACCOUNTS].organises, user.username, activity_id)


async def may_export(request: web.Request, activity_id: int) -> bool:
    """Admins, for every activity; an organiser, for the activities assigned to them."""
    user = current_user(request)
    if user.may(Right.EXPORT_SIGNUPS):
        return True
    return user.may(Right.EXPORT_OWN_SIGNUPS) and await _organises(request, activity_id)


async def may_enter(request: web.Request, activity_id: int) -> bool:
    """Take, correct and cancel sign-ups: every activity's, or (organisers) their own."""
    user = current_user(request)
    if user.may(Right.ENTER_SIGNUPS):
        return True
    return user.may(Right.ENTER_OWN_SIGNUPS) and await _organises(request, activity_id)


async def _permitted(request: web.Request, may: Callable[[web.Request, int], Awaitable[bool]],
                     refusal: str) -> ActivityCount | web.Response:
    """The URL's activity when the account may act on it; else the page that says why not (403, 404)."""
    if not await may(request, _activity_id(request)):
        return await _refused(request, refusal)
    activity = await _activity(request)
    return activity if activity is not None else await _no_activity(request)


async def _refused(request: web.Request, message: str) -> web.Response:
    user = current_user(request)
    log.warning("console: %s (%s) refused %s %s", user.username, user.role, request.method, request.path)
    return await error_page(request, 403, message)


# -- the list ------------------------------------------------------------------------------


async def signups(request: web.Request) -> web.Response:
    activity = await _activity(request)
    if activity is None:
        return await _no_activity(request)
    return await _page(request, activity, request.query.get("cancelled") == "1")


async def signups_reveal(request: web.Request) -> web.Response:
    """显示完整手机号 (a POST, audited): the list with the numbers whole."""
    activity = await _permitted(request, may_export, signup_form.MAY_NOT_REVEAL)
    if isinstance(activity, web.Response):
        return activity
    form = await request.post()
    include_cancelled = form.get("cancelled") == "1"
    found = await asyncio.to_thread(request.app[keys.SIGNUP_LISTS].signups, activity.id, include_cancelled)
    await audit(request, "unmask", f"activity {activity.id} {activity.name}", f"查看 {len(found)} 条报名的完整手机号")
    return await _page(request, activity, include_cancelled, reveal=True)


async def _page(request: web.Request, activity: ActivityCount, include_cancelled: bool, reveal: bool = False,
                phone_form: signup_form.SignupInput | None = None, errors: dict[str, str] | None = None,
                refusal: str | None = None, status: int = 200) -> web.Response:
    lists, accounts = request.app[keys.SIGNUP_LISTS], request.app[keys.ACCOUNTS]
    found = await asyncio.to_thread(lists.signups, activity.id, include_cancelled)
    is_admin = current_user(request).is_admin
    return await render(request, "signups.html", {
        "activity": activity, "signups": found, "reveal": reveal, "include_cancelled": include_cancelled,
        "may_export": await may_export(request, activity.id), "may_enter": await may_enter(request, activity.id),
        "phone_form": phone_form or signup_form.SignupInput(), "errors": errors or {}, "refusal": refusal,
        "labels": signup_form.LABELS, "statuses": signup_form.STATUS_NAMES,
        "organisers": await asyncio.to_thread(accounts.organisers, activity.id) if is_admin else [],
        "organiser_accounts": [user.username for user in await asyncio.to_thread(accounts.users)
                               if user.role == "organiser"] if is_admin else []}, status=status)


# -- taking, correcting and cancelling ------------------------------------------------------------


async def signup_add(request: web.Request) -> web.Response:
    """电话报名: a sign-up taken on the telephone, by the member's rules; audited."""
    activity = await _permitted(request, may_enter, signup_form.MAY_NOT_ENTER)
    if isinstance(activity, web.Response):
        return activity
    form = signup_form.SignupInput.from_mapping(await request.post())
    try:
        values = signup_form.check_signup(form)
    except FormErrors as error:
        return await _page(request, activity, False, phone_form=form, errors=error.errors, status=400)
    assert values.mobile is not None  # required here
    outcome = await asyncio.to_thread(_desk(request).take_by_phone, activity.id, values.name, values.mobile,
                                      values.company, current_user(request).username)
    if outcome.signup is None:
        status = REFUSED.get(outcome.check.eligibility, 409)
        if status == 404:
            return await _no_activity(request)
        if outcome.check.eligibility is Eligibility.ALREADY:
            await _taken_number(request, activity, values.mobile, outcome.check.existing_reference)
        return await _page(request, await _activity(request) or activity, False, phone_form=form,
                           refusal=signup_form.refusal(outcome.check, values.mobile), status=status)
    log.info("console: %s took sign-up %s by phone", current_user(request).username, outcome.signup.reference)
    after = await _activity(request) or activity
    await flash(request, signup_form.taken(outcome.signup.reference, outcome.signup.name, after.seats_left))
    raise web.HTTPFound(_url(request, "signups", activity_id=activity.id))


async def _taken_number(request: web.Request, activity: ActivityCount, mobile: str, reference: str | None) -> None:
    """Audited: staff were told a number they typed holds a sign-up. They must be (the caller is
    signed up already), but a masked number's hidden digits must not be found by guessing unseen."""
    await audit(request, TAKEN_NUMBER, activity_target(activity.id, activity.name),
                f"输入的手机号 {mask_mobile(mobile)} 已有报名 {reference or ''}".strip())


async def _signup_line(request: web.Request, activity: ActivityCount) -> SignupLine | None:
    return await asyncio.to_thread(request.app[keys.SIGNUP_LISTS].signup, activity.id,
                                   request.match_info["reference"])


async def _edit_page(request: web.Request, activity: ActivityCount, line: SignupLine,
                     form: signup_form.SignupInput,
                     errors: dict[str, str] | None = None, refusal: str | None = None,
                     status: int = 200) -> web.Response:
    return await render(request, "signup_edit.html", {
        "activity": activity, "line": line, "form": form, "errors": errors or {}, "refusal": refusal,
        "labels": signup_form.LABELS}, status=status)


async def signup_edit(request: web.Request) -> web.Response:
    activity = await _permitted(request, may_enter, signup_form.MAY_NOT_ENTER)
    if isinstance(activity, web.Response):
        return activity
    line = await _signup_line(request, activity)
    if line is None:
        return await error_page(request, 404, signup_form.NO_SIGNUP)
    if line.status != "active":
        return await error_page(request, 409, signup_form.ALREADY_CANCELLED)
    # The number is never put in the form: the page shows it masked, empty keeps it.
    form = signup_form.SignupInput(name=line.name, company=line.company)
    return await _edit_page(request, activity, line, form)


async def signup_update(request: web.Request) -> web.Response:
    """修改报名: name, mobile (empty keeps it) and company; audited with what changed."""
    activity = await _permitted(request, may_enter, signup_form.MAY_NOT_ENTER)
    if isinstance(activity, web.Response):
        return activity
    line = await _signup_line(request, activity)
    if line is None:
        return await error_page(request, 404, signup_form.NO_SIGNUP)
    form = signup_form.SignupInput.from_mapping(await request.post())
    try:
        values = signup_form.check_signup(form, mobile_required=False)
    except FormErrors as error:
        return await _edit_page(request, activity, line, form, errors=error.errors, status=400)
    change = await asyncio.to_thread(_desk(request).change, activity.id, line.reference, values.name,
                                     values.mobile or line.mobile, values.company, current_user(request).username)
    if change.signup is None:
        if change.refused is Refusal.TAKEN:
            await _taken_number(request, activity, values.mobile or line.mobile, change.other_reference)
        return await _edit_page(request, activity, line, form, refusal=signup_form.change_refusal(change),
                                status=404 if change.before is None else 409)
    description = describe_change(change.before, change.signup) if change.before else ""
    await flash(request, signup_form.changed(line.reference, description))
    raise web.HTTPFound(_url(request, "signups", activity_id=activity.id))


async def signup_cancel(request: web.Request) -> web.Response:
    """取消报名: the seat is freed; audited."""
    activity = await _permitted(request, may_enter, signup_form.MAY_NOT_ENTER)
    if isinstance(activity, web.Response):
        return activity
    reference = request.match_info["reference"]
    change = await asyncio.to_thread(_desk(request).cancel, activity.id, reference, current_user(request).username)
    if change.signup is None:
        return await error_page(request, 404 if change.before is None else 409, signup_form.change_refusal(change))
    await flash(request, signup_form.cancelled(reference, change.signup.name))
    raise web.HTTPFound(_url(request, "signups", activity_id=activity.id))


# -- organisers, whole numbers and exports ------------------------------------------------------


@admin_only
async def signups_organisers(request: web.Request) -> web.Response:
    """Assign the activity to an organiser account (or take it back); audited."""
    activity = await _activity(request)
    if activity is None:
        return await _no_activity(request)
    form = await request.post()
    username = str(form.get("username") or "")
    assigned = form.get("assigned") == "1"
    try:
        await asyncio.to_thread(request.app[keys.ACCOUNTS].set_organiser, activity.id, username, assigned,
                                current_user(request).username)
    except AccountError as error:
        await flash(request, str(error))
    else:
        await audit(request, "organiser_assign" if assigned else "organiser_remove", f"activity {activity.id}",
                    username)
        await flash(request, f"{'已指定' if assigned else '已取消'} {username} 为该活动的负责人。")
    raise web.HTTPFound(_url(request, "signups", activity_id=activity.id))


async def export_signups(request: web.Request) -> web.StreamResponse:
    """A POST (CSRF-checked, audited): a GET could be set off by a link on any site."""
    activity = await _permitted(request, may_export, signup_form.MAY_NOT_REVEAL)
    if isinstance(activity, web.Response):
        return activity
    fmt = request.match_info["fmt"]
    if fmt not in ("csv", "xlsx"):
        raise web.HTTPNotFound()
    form = await request.post()
    found = await asyncio.to_thread(request.app[keys.SIGNUP_LISTS].signups, activity.id, form.get("cancelled") == "1")
    await audit(request, f"export_{fmt}", f"activity {activity.id} {activity.name}",
                f"导出 {len(found)} 条报名（完整手机号）")
    now = dt.datetime.now(SHANGHAI)
    title = title_row(activity, found, now)
    if fmt == "csv":
        body, content_type = signups_csv(title, found), "text/csv; charset=utf-8"
    else:
        body = await asyncio.to_thread(signups_xlsx, title, found, f"{activity.name} 报名名单")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    fallback = f"signups-{activity.id}-{now:%Y%m%d-%H%M}.{fmt}"
    return web.Response(body=body, headers={
        "Content-Type": content_type,
        "Content-Disposition": content_disposition(export_filename(activity, fmt, now), fallback)})
