"""“试一试” (/console/try): staff talk to the bot from the browser, through the real /wechat.

Each message is made as WeChat's servers would push it: a text message from the
test OpenID `console-try-<username>`, signed with the 公众号's Token
(`signature`), and in safe mode (WECHAT_AES_KEY set) AES-encrypted and signed
again (`msg_signature`) with wechatpy, as the gateway itself decrypts it. It is
POSTed over HTTP to this process's own /wechat, so it passes the same checks
and the same path as a member's message: signature and replay window,
de-duplication, the takeover check, the rate limit, the Rasa turn with its
4-second budget, the message log. The passive reply (被动回复) is decrypted and
shown; a reply that misses the budget goes out like any late reply (客服消息,
or kept for the next message) and appears through the live updates, as do
replies staff send after taking the test user over.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from wechatpy.crypto import WeChatCrypto as OfficialAccountCrypto

from bot.console import keys
from bot.console.pages import current_user, flash, render
from bot.gateway import keys as gateway_keys
from bot.gateway.settings import WeChatAccount
from bot.gateway.wechat import WECHAT, Crypto, ProtocolError, parse_xml, sign
from services.messaging import CUSTOMER_SERVICE

log = logging.getLogger(__name__)
OPENID_PREFIX = "console-try-"
# ToUserName of the test pushes: the gateway is not told the 公众号's original id (gh_…).
ACCOUNT = "gh_console_try"
MAX_CHARS = 500  # the NLU normaliser keeps 500 characters
TRANSCRIPT_TURNS = 60
PUSH_TIMEOUT_S = 20.0  # the gateway answers within ~4.8 s; more means it is stuck
# Characters XML 1.0 forbids (a pasted control character would make the push unparseable).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def try_openid(username: str) -> str:
    """The OpenID a staff member's test messages come from (one conversation per staff member)."""
    return OPENID_PREFIX + username


def _cdata(text: str) -> str:
    return text.replace("]]>", "]]]]><![CDATA[>")


def text_message_xml(openid: str, content: str, msg_id: int, create_time: int, account: str = ACCOUNT) -> str:
    """A text message as WeChat pushes it (消息管理 → 接收普通消息 → 文本消息)."""
    return (f"<xml><ToUserName><![CDATA[{account}]]></ToUserName>"
            f"<FromUserName><![CDATA[{_cdata(openid)}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{_cdata(content)}]]></Content><MsgId>{msg_id}</MsgId></xml>")


@dataclass(frozen=True)
class Push:
    query: dict[str, str]
    body: str
    encrypted: bool


def signed_push(account: WeChatAccount, xml: str, timestamp: int | None = None, nonce: str | None = None) -> Push:
    """The query and body WeChat would send for `xml`: `signature` over Token, timestamp
    and nonce; in safe mode the body is only ToUserName and `Encrypt`, with
    `encrypt_type=aes` and `msg_signature` in the query."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = nonce or str(secrets.randbelow(10**10))
    fields = parse_xml(xml)
    query = {"signature": sign(account.token, ts, nonce), "timestamp": ts, "nonce": nonce,
             "openid": fields.get("FromUserName", "")}
    if not (account.aes_key and account.app_id):
        return Push(query, xml, encrypted=False)
    envelope = parse_xml(OfficialAccountCrypto(account.token, account.aes_key, account.app_id)
                         .encrypt_message(xml, nonce, ts))
    encrypted = envelope["Encrypt"]
    query.update(encrypt_type="aes", msg_signature=sign(account.token, ts, nonce, encrypted))
    body = (f"<xml><ToUserName><![CDATA[{fields.get('ToUserName', '')}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
    return Push(query, body, encrypted=True)


def reply_content(body: str, crypto: Crypto | None) -> str | None:
    """The passive reply's Content (checked and decrypted as WeChat would); None for "success"."""
    if body.strip() in ("", "success"):
        return None
    fields = parse_xml(body.encode("utf-8"))
    if "Encrypt" in fields:
        if crypto is None:
            raise ProtocolError(502, "an encrypted reply without WECHAT_AES_KEY")
        fields = parse_xml(crypto.decrypt(fields["Encrypt"], fields.get("MsgSignature"), fields.get("TimeStamp", ""),
                                          fields.get("Nonce", "")).encode("utf-8"))
    return fields.get("Content")


def own_wechat_url(request: web.Request) -> str:
    """This process's /wechat, at the address the browser's request arrived on (so the
    push reaches this process, whose message log the page then reads)."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if isinstance(sockname, tuple) and len(sockname) >= 2:
        host, port = str(sockname[0]), int(sockname[1])
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 (not a bind: read from the connected socket)
            host = "127.0.0.1"
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/wechat"
    return f"http://127.0.0.1:{request.app[gateway_keys.SETTINGS].port}/wechat"


# -- what happened, in the staff member's words ---------------------------------------------------


class TryError(Exception):
    """The test message did not get through; `message` is for the page."""

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _notice(status: str | None, delivery: str, held_by: str | None, rate_limit: int, budget_s: float) -> str | None:
    """What the inbound message's status in the message log means for the person trying."""
    if status == "handed_off":
        if delivery == CUSTOMER_SERVICE:
            return (f"机器人没有在 {budget_s:g} 秒内答完：网关先回答微信 “success”，回复随后通过客服消息接口发出，"
                    "到达后会显示在对话里。")
        return f"机器人没有在 {budget_s:g} 秒内答完，而此账号未开通客服消息接口：回复会在您发下一条消息时一并送达。"
    if status == "held":
        return f"此测试用户正由 {held_by or '工作人员'} 人工接管，机器人暂停回复；请在会话页面回复或交还机器人。"
    if status == "failed":
        return ("机器人（Rasa）没有正常回答，用户收到的是致歉和热线电话。请检查 Rasa 和动作服务器是否在运行"
                "（make run），详情见网关日志。")
    if status == "rate_limited":
        return f"发送太频繁：每位用户每分钟最多 {rate_limit} 条消息，请稍后再试。"
    if status == "busy":
        return "网关正忙（待回答的消息太多），用户会被请求稍后再发。"
    if status == "duplicate":
        return "网关把这条消息当作重复推送，没有再次回答。"
    return None


async def _inbound_status(request: web.Request, openid: str, msg_id: int) -> str | None:
    """The status the gateway logged for this push (answered, handed_off, held, failed …)."""
    app = request.app
    await app[gateway_keys.LOG_WRITER].flush()
    try:
        rows = await asyncio.to_thread(app[gateway_keys.MESSAGING].conversation, WECHAT, openid, 20)
    except SQLAlchemyError as error:
        log.warning("console try: message log unreadable (%s)", type(error).__name__)
        return None
    # str(): the column is NOT NULL; SQLAlchemy 2's types call the unannotated attribute a Column.
    return next((str(row.status) for row in reversed(rows) if row.direction == "in" and row.msg_id == str(msg_id)),
                None)


async def push_as_wechat(request: web.Request, openid: str, text: str) -> dict[str, Any]:
    """Push `text` from `openid` to our own /wechat as WeChat would; what came of it."""
    app = request.app
    settings = app[gateway_keys.SETTINGS]
    if not settings.wechat.configured:
        raise TryError("公众号尚未配置：试一试需要 WECHAT_TOKEN（开发环境可设 WECHAT_DEV_TOKEN=on）。", 503)
    now = int(time.time())
    msg_id = secrets.randbits(62)
    push = signed_push(settings.wechat, text_message_xml(openid, text, msg_id, now), now)
    url = own_wechat_url(request)
    try:
        async with app[gateway_keys.HTTP].post(
                url, params=push.query, data=push.body.encode("utf-8"), headers={"Content-Type": "text/xml"},
                timeout=aiohttp.ClientTimeout(total=PUSH_TIMEOUT_S)) as response:
            status, body = response.status, await response.text()
    except TimeoutError as error:
        raise TryError(f"微信网关（/wechat）{PUSH_TIMEOUT_S:.0f} 秒内没有应答，请查看网关日志。", 504) from error
    except aiohttp.ClientError as error:
        log.warning("console try: %s unreachable (%s)", url, type(error).__name__)
        raise TryError("无法连接微信网关（/wechat），请确认网关正在运行。") from error
    if status == 403:
        raise TryError("网关拒绝了这条测试消息：签名或时间戳没有通过校验（请检查服务器时间和 WECHAT_TOKEN）。")
    if status != 200:
        raise TryError(f"网关返回了错误（HTTP {status}），详情见网关日志。")
    try:
        reply = reply_content(body, app[gateway_keys.WECHAT_CRYPTO] if push.encrypted else None)
    except ProtocolError as error:
        log.warning("console try: unreadable reply from /wechat (%s)", error.reason)
        raise TryError("网关的回复无法解密或解析（请检查 WECHAT_AES_KEY 和 WECHAT_APP_ID）。") from error
    delivery = app[gateway_keys.DELIVERER].delivery_for(WECHAT)
    logged = await _inbound_status(request, openid, msg_id)
    takeover = None
    if logged == "held":
        takeover = await asyncio.to_thread(app[keys.TAKEOVERS].active, WECHAT, openid)
    return {
        "ok": True,
        "reply": reply,
        # passive: in the HTTP answer; otherwise how a late reply goes (customer_service, deferred)
        "delivery": "passive" if reply is not None else delivery,
        "status": logged,
        "encrypted": push.encrypted,
        "notice": _notice(logged, delivery, takeover.staff_username if takeover else None,
                          settings.rate_limit_per_minute, settings.rasa_budget_s),
    }


# -- pages ---------------------------------------------------------------------------------------


async def _rasa_down(request: web.Request) -> bool:
    rasa = request.app[gateway_keys.RASA]
    answers = await asyncio.gather(*(rasa.reachable(url) for url in rasa.ring.nodes))
    return not any(answers)


async def try_page(request: web.Request) -> web.Response:
    openid = try_openid(current_user(request).username)
    service = request.app[keys.CONVERSATIONS]
    turns = (await asyncio.to_thread(service.transcript, WECHAT, openid, TRANSCRIPT_TURNS * 3))[-TRANSCRIPT_TURNS:]
    context: dict[str, Any] = {"openid": openid, "turns": turns}
    if request.query.get("partial") == "1":
        return await render(request, "_tryit_chat.html", context)
    settings = request.app[gateway_keys.SETTINGS]
    newest = await asyncio.to_thread(service.newest_id, WECHAT, openid)
    context.update(newest_id=newest, max_chars=MAX_CHARS, encrypted=bool(settings.wechat.aes_key),
                   rasa_down=await _rasa_down(request),
                   live_delivery=request.app[gateway_keys.DELIVERER].delivery_for(WECHAT) == CUSTOMER_SERVICE,
                   budget_s=settings.rasa_budget_s)
    return await render(request, "tryit.html", context)


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


async def try_send(request: web.Request) -> web.StreamResponse:
    """POST (CSRF-checked like every console POST): push one message; JSON for tryit.js,
    or a flash and a redirect for a browser without JavaScript."""
    user = current_user(request)
    form = await request.post()
    text = _NOT_XML.sub("", str(form.get("text") or "")).strip()
    try:
        if not text:
            raise TryError("请输入要发送的内容。", 400)
        if len(text) > MAX_CHARS:
            raise TryError(f"一条消息不能超过 {MAX_CHARS} 个字。", 400)
        log.info("console: %s sends a test message through /wechat", user.username)
        result = await push_as_wechat(request, try_openid(user.username), text)
    except TryError as error:
        if _wants_json(request):
            return web.json_response({"ok": False, "error": error.message}, status=error.status)
        await flash(request, error.message)
    else:
        if _wants_json(request):
            return web.json_response(result)
        if result["notice"]:
            await flash(request, result["notice"])
    raise web.HTTPFound(str(request.app.router["tryit"].url_for()))
