"""The console's pages. Server-rendered (Jinja2); the little JavaScript in
static/console.js only reloads a page's live part when the event stream says so.

Mobile numbers are masked (139****5678) on every page; an admin may ask to see
them or export a list, each time with a POST (CSRF-checked: a link on another site
cannot make an admin's browser do it) that is written to the audit log first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Collection

from aiohttp import web
from aiohttp_session import get_session, new_session
from multidict import MultiDict

from bot.console import keys
from bot.console.auth import admin_only, public, safe_next
from bot.console.pages import CHANNELS, audit, csrf_token, current_user, flash, render
from bot.gateway import keys as gateway_keys
from bot.gateway.health import check_readiness
from bot.gateway.texts import split_reply
from services.accounts import ROLE_NAMES, AccountError, LoginOutcome
from services.conversation_index import FALLBACK_INTENT
from services.conversations import LOW_CONFIDENCE, ConversationFilter
from services.messaging import CUSTOMER_SERVICE, STAFF, LogEntry, new_uid
from services.takeover import JOINED, LEFT, REPLY

log = logging.getLogger(__name__)
MAX_REPLY_CHARS = 2000
DIGIT_RUN = re.compile(r"[0-9０-９]{4,}")
LOGIN_REFUSED = "用户名或密码不正确，或尝试次数过多，请稍后再试。"


# -- logging in and out -------------------------------------------------------------


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def cookie_cannot_come_back(request: web.Request) -> bool:
    """A Secure cookie over plain HTTP (not on this machine): the login would seem to do nothing."""
    return (request.app[keys.SETTINGS].cookie_secure and not request.secure
            and request.url.host not in LOOPBACK_HOSTS)


@public
async def login_page(request: web.Request) -> web.Response:
    return await render(request, "login.html", {"next": request.query.get("next", ""), "error": None,
                                                "needs_https": cookie_cannot_come_back(request)})


@public
async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    target = str(form.get("next") or "")
    address = request.remote or "unknown"
    throttle = request.app[keys.LOGIN_THROTTLE]
    if await throttle.blocked(username, address):
        # Refused before the password is hashed: the attempt costs nothing.
        log.info("console: login from %s refused: too many failures", address)
        return await _login_refused(request, target, username)
    result = await asyncio.get_running_loop().run_in_executor(
        request.app[keys.PASSWORD_CHECKS], request.app[keys.ACCOUNTS].authenticate, username, password)
    if result.outcome is LoginOutcome.OK and result.user is not None:
        await throttle.succeeded(username, address)
        session = await new_session(request)  # a fresh session and CSRF token after logging in
        session["uid"] = result.user.id
        session["ver"] = result.user.session_version
        csrf_token(session)
        log.info("console: %s logged in from %s", result.user.username, address)
        raise web.HTTPFound(safe_next(request, target))
    await throttle.failed(username, address)
    # Not the typed username: a password typed into that field would land in the log.
    log.info("console: login from %s refused (%s)", address, result.outcome.value)
    return await _login_refused(request, target, username)


async def _login_refused(request: web.Request, target: str, username: str) -> web.Response:
    """One sentence for every refusal: which usernames exist, which are disabled and
    which are throttled is nobody's business at the login form."""
    return await render(request, "login.html", {"next": target, "error": LOGIN_REFUSED, "username": username},
                        status=401)


async def logout(request: web.Request) -> web.Response:
    await asyncio.to_thread(request.app[keys.ACCOUNTS].end_sessions, current_user(request).username)
    session = await get_session(request)
    session.invalidate()
    raise web.HTTPFound(str(request.app.router["login"].url_for()))


async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound(str(request.app.router["conversations"].url_for()))


# -- conversations -----------------------------------------------------------------


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _below(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw else None
    except ValueError:
        return None
    return value if value is not None and 0 < value <= 1 else None


def conversation_filter(request: web.Request, intents: Collection[str] = ()) -> ConversationFilter:
    """The list's filters from the query string (unknown values are dropped, not errors)."""
    query = request.query
    channel = query.get("channel") or None
    intent = query.get("intent") or None
    try:
        page = max(int(query.get("page") or 1), 1)
    except ValueError:
        page = 1
    return ConversationFilter(date_from=_date(query.get("from")), date_to=_date(query.get("to")),
                              channel=channel if channel in CHANNELS else None, held=query.get("held") == "1",
                              failed=query.get("failed") == "1", query=(query.get("q") or "").strip()[:100] or None,
                              intent=intent if intent in intents else None, below=_below(query.get("below")),
                              fallback=query.get("fallback") == "1", signup=query.get("signup") == "1",
                              reviewed={"yes": True, "no": False}.get(query.get("reviewed") or ""),
                              tag=(query.get("tag") or "").strip()[:20] or None, page=page,
                              masked_search=not current_user(request).is_admin)


def page_url(request: web.Request, page: int) -> str:
    """This list's URL on another page, every filter kept."""
    query = MultiDict((name, value) for name, value in request.query.items() if name not in ("page", "partial"))
    query["page"] = str(page)
    return str(request.rel_url.with_query(query))


async def conversations(request: web.Request) -> web.Response:
    service = request.app[keys.CONVERSATIONS]
    intents = [*service.inbox.intents(), FALLBACK_INTENT]
    filters = conversation_filter(request, intents)
    if filters.query and not filters.masked_search and DIGIT_RUN.search(filters.query) \
            and request.query.get("partial") != "1":
        # An admin looking for a member by number sees whole numbers in the results: audited.
        await audit(request, "search_number", filters.query[:100], "按号码搜索会话")
    page = await asyncio.to_thread(service.find, filters)
    names = await asyncio.to_thread(request.app[keys.HANDOFFS].member_names,
                                    {(row.channel, row.user_id) for row in page.rows})
    context = {"page": page, "names": names, "filters": filters, "query": request.query, "reveal": False,
               "intents": intents,
               "known_tags": await asyncio.to_thread(service.reviews.known_tags),
               "low_confidence": LOW_CONFIDENCE,
               "previous_url": page_url(request, page.page - 1) if page.page > 1 else None,
               "next_url": page_url(request, page.page + 1) if page.has_next else None}
    if request.query.get("partial") == "1":
        return await render(request, "_conversation_rows.html", context)
    return await render(request, "conversations.html", context)


def member_of(request: web.Request) -> tuple[str, str]:
    channel = request.match_info["channel"]
    if channel not in CHANNELS:
        raise web.HTTPNotFound()
    return channel, request.match_info["user_id"]


async def transcript(request: web.Request) -> web.Response:
    return await _transcript(request, reveal=False)


@admin_only
async def transcript_reveal(request: web.Request) -> web.Response:
    """显示完整手机号: audited, then the page with the numbers whole (live updates stay masked)."""
    channel, user_id = member_of(request)
    await audit(request, "unmask", f"{channel}:{user_id}", "查看会话中的完整手机号")
    return await _transcript(request, reveal=True)


async def _transcript(request: web.Request, reveal: bool) -> web.Response:
    channel, user_id = member_of(request)
    service = request.app[keys.CONVERSATIONS]
    turns = await asyncio.to_thread(service.transcript, channel, user_id)
    takeover = await asyncio.to_thread(request.app[keys.TAKEOVERS].active, channel, user_id)
    deliverer = request.config_dict[gateway_keys.DELIVERER]
    staff_names = {account.username: account.shown_name
                   for account in await asyncio.to_thread(request.app[keys.ACCOUNTS].users)}
    context = {"channel": channel, "user_id": user_id, "turns": turns, "takeover": takeover, "reveal": reveal,
               "staff_names": staff_names,
               "handoff": await asyncio.to_thread(request.app[keys.HANDOFFS].for_member, channel, user_id),
               "newest_id": max((line.id for turn in turns for line in [*filter(None, [turn.inbound]),
                                                                          *turn.replies]), default=0),
               "live_delivery": deliverer.delivery_for(channel) == "customer_service",
               "rasa_events": await asyncio.to_thread(service.has_rasa_events),
               "conversation_tags": [tag for tag in await asyncio.to_thread(service.reviews.tags, channel, user_id)
                                     if tag.on_conversation],
               "known_tags": await asyncio.to_thread(service.reviews.known_tags)}
    if request.query.get("partial") == "1":
        return await render(request, "_turns.html", context)
    return await render(request, "transcript.html", context)


def transcript_url(request: web.Request, channel: str, user_id: str) -> str:
    return str(request.app.router["transcript"].url_for(channel=channel, user_id=user_id))


async def send_as_staff(request: web.Request, channel: str, user_id: str, text: str, kind: str,
                        takeover_id: int) -> None:
    """Send words from staff through the gateway's late-reply path (outbox, then the
    customer-service API; kept for the member's next message on accounts without it)."""
    staff = current_user(request)
    deliverer = request.config_dict[gateway_keys.DELIVERER]
    account = await asyncio.to_thread(request.app[keys.CONVERSATIONS].account_of, channel, user_id)
    turn_id = new_uid()
    entries = [LogEntry(turn_id=turn_id, channel=channel, user_id=user_id, account=account, direction="out",
                        msg_type=STAFF, status="pending", text=piece, delivery=deliverer.delivery_for(channel),
                        uid=new_uid()) for piece in split_reply(text)]
    for entry in entries:
        await asyncio.to_thread(request.app[keys.TAKEOVERS].record_message, takeover_id, entry.uid or "",
                                staff.username, kind)
    # Like a late reply: the gateway waits for it at shutdown.
    request.config_dict[gateway_keys.HANDLER].spawn(deliverer.deliver(entries))


async def take_over(request: web.Request) -> web.Response:
    channel, user_id = member_of(request)
    staff = current_user(request)
    account = await asyncio.to_thread(request.app[keys.CONVERSATIONS].account_of, channel, user_id)
    takeover, started = await asyncio.to_thread(request.app[keys.TAKEOVERS].start, channel, user_id, account,
                                                staff.username)
    if started:
        log.info("console: %s took over a %s member", staff.username, channel)
        # Their request for a person (if they made one) is now 处理中, held by this staff member.
        await asyncio.to_thread(request.app[keys.HANDOFFS].take, channel, user_id, staff.username)
        await audit(request, "takeover", f"{channel}:{user_id}")
        notice = request.app[keys.TEXTS].say("staff_joined", staff.shown_name)
        await send_as_staff(request, channel, user_id, notice, JOINED, takeover.id)
        told = "用户已收到人工接入的提示。" if live_delivery(request, channel) \
            else "人工接入的提示和您的回复会在用户下一次发消息时送达。"
        await flash(request, "已接管：机器人暂停回复此用户，" + told)
    else:
        holder = await asyncio.to_thread(request.app[keys.TAKEOVERS].holder, channel, user_id)
        await flash(request, f"此用户已由 {holder or takeover.staff_username} 接管。")
    raise web.HTTPFound(transcript_url(request, channel, user_id))


def live_delivery(request: web.Request, channel: str) -> bool:
    """Whether staff messages reach this channel's members at once (the customer-service API)."""
    return request.config_dict[gateway_keys.DELIVERER].delivery_for(channel) == CUSTOMER_SERVICE


async def hand_back(request: web.Request) -> web.Response:
    channel, user_id = member_of(request)
    staff = current_user(request)
    ended = await asyncio.to_thread(request.app[keys.TAKEOVERS].end, channel, user_id, staff.username)
    if ended is not None:  # only the first of two clicks: the member is told once
        await asyncio.to_thread(request.app[keys.HANDOFFS].resolve, channel, user_id, staff.username)
        await audit(request, "handback", f"{channel}:{user_id}")
        notice = request.app[keys.TEXTS].say("staff_left", staff.shown_name)
        await send_as_staff(request, channel, user_id, notice, LEFT, ended.id)
        log.info("console: %s handed a %s member back to the bot", staff.username, channel)
        await flash(request, "已交还机器人：之后的消息由机器人回复，人工请求已标记为已解决。")
    else:
        await flash(request, "此用户已交还机器人。")
    raise web.HTTPFound(transcript_url(request, channel, user_id))


async def reply(request: web.Request) -> web.Response:
    channel, user_id = member_of(request)
    form = await request.post()
    text = str(form.get("text") or "").strip()
    takeover = await asyncio.to_thread(request.app[keys.TAKEOVERS].active, channel, user_id)
    if takeover is None:
        await flash(request, "请先接管该用户，再发送回复。")
    elif takeover.staff_username != current_user(request).username and form.get("confirm_other") != "1":
        # Someone else holds it: never by accident into a colleague's conversation.
        holder = await asyncio.to_thread(request.app[keys.TAKEOVERS].holder, channel, user_id)
        await flash(request, f"此会话由 {holder or takeover.staff_username} 接管，回复未发送。"
                             "如确需回复，请勾选“我知道此会话由同事处理，仍要回复”后再发送。")
    elif not text:
        await flash(request, "回复内容不能为空。")
    elif len(text) > MAX_REPLY_CHARS:
        await flash(request, f"回复不能超过 {MAX_REPLY_CHARS} 个字。")
    else:
        await send_as_staff(request, channel, user_id, text, REPLY, takeover.id)
    raise web.HTTPFound(transcript_url(request, channel, user_id))


# -- admin -----------------------------------------------------------------------------


@admin_only
async def health(request: web.Request) -> web.Response:
    """What /readyz no longer tells the public: each Rasa URL, the database, Redis (checked now)."""
    readiness = await check_readiness(request.app)
    return web.json_response(readiness.details())


@admin_only
async def audit_log(request: web.Request) -> web.Response:
    entries = await asyncio.to_thread(request.app[keys.ACCOUNTS].audit_log, 500)
    return await render(request, "audit.html", {"entries": entries})


@admin_only
async def users(request: web.Request) -> web.Response:
    found = await asyncio.to_thread(request.app[keys.ACCOUNTS].users)
    return await render(request, "users.html", {"users": found, "role_names": ROLE_NAMES})


@admin_only
async def users_create(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username") or "").strip()
    role = str(form.get("role") or "staff")
    accounts = request.app[keys.ACCOUNTS]
    try:
        await asyncio.to_thread(accounts.create_user, username, str(form.get("password") or ""), role,
                                str(form.get("display_name") or "").strip() or None)
    except AccountError as error:
        await flash(request, str(error))
    else:
        await audit(request, "create_user", username, f"角色 {role}")
        await flash(request, f"已创建账号 {username}。")
    raise web.HTTPFound(str(request.app.router["users"].url_for()))


@admin_only
async def users_unlock(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username") or "")
    await asyncio.to_thread(request.app[keys.ACCOUNTS].unlock, username)
    await request.app[keys.LOGIN_THROTTLE].clear(username)
    await audit(request, "unlock_user", username)
    await flash(request, f"已解锁 {username}。")
    raise web.HTTPFound(str(request.app.router["users"].url_for()))


@admin_only
async def users_change(request: web.Request) -> web.Response:
    """停用 / 启用, 重置密码, 角色: each ends every session of the account, and is audited."""
    form = await request.post()
    username = str(form.get("username") or "")
    action = str(form.get("action") or "")
    accounts = request.app[keys.ACCOUNTS]
    me = current_user(request)
    try:
        if username == me.username and action in ("disable", "role"):
            raise AccountError("不能停用自己的账号或修改自己的角色（请另一位管理员操作）。")
        if action in ("disable", "enable"):
            await asyncio.to_thread(accounts.set_active, username, action == "enable")
            done, detail = ("已启用" if action == "enable" else "已停用"), None
        elif action == "password":
            await asyncio.get_running_loop().run_in_executor(
                request.app[keys.PASSWORD_CHECKS], accounts.set_password, username, str(form.get("password") or ""))
            await request.app[keys.LOGIN_THROTTLE].clear(username)
            done, detail = "已重置密码", None
        elif action == "role":
            role = str(form.get("role") or "")
            await asyncio.to_thread(accounts.set_role, username, role)
            done, detail = f"角色已改为 {ROLE_NAMES.get(role, role)}", f"角色 {role}"
        else:
            raise AccountError("无效的操作。")
    except AccountError as error:
        await flash(request, str(error))
    else:
        await audit(request, f"user_{action}", username, detail)
        await flash(request, f"{username}：{done}，该账号的所有登录已失效。")
    raise web.HTTPFound(str(request.app.router["users"].url_for()))
