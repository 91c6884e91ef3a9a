"""Replies that miss the 5-second passive window: the customer-service message API
(客服消息 `message/custom/send`; 企业微信 `message/send`) and the outbox.

A late reply is first written to the outbox (with its message-log row, in one
transaction), then sent at once with a few quick retries; what still fails is
retried by `OutboxWorker` with growing pauses until it goes through or the
48-hour window for customer-service messages closes. Accounts without the API
keep the reply in the outbox as `deferred`; the gateway gives it with the
answer to the member's next message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from sqlalchemy.exc import SQLAlchemyError

from bot.gateway.kv import KeyValue
from services.messaging import CUSTOMER_SERVICE, DEFERRED, LogEntry, MessagingService, OutboxItem
from services.models import utcnow

log = logging.getLogger(__name__)

# errcodes: the access_token is invalid or expired → fetch a new one and try again.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# errcodes that no retry will fix: invalid openid, not following, the 48-hour window
# is over, the member's message quota is used up, the user is outside the app's scope.
PERMANENT_ERRORS = frozenset({40003, 43004, 45015, 45047, 60111, 81013})
# The account has no right to this API (e.g. an unverified 订阅号).
NO_API_ERRORS = frozenset({48001})


class ApiError(Exception):
    def __init__(self, message: str, errcode: int | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode

    @property
    def permanent(self) -> bool:
        return self.errcode in PERMANENT_ERRORS

    @property
    def no_api(self) -> bool:
        return self.errcode in NO_API_ERRORS


@dataclass(frozen=True)
class ApiAccount:
    channel: str  # wechat | wecom
    base_url: str
    app_id: str  # AppID or CorpID
    secret: str
    agent_id: int | None = None  # 企业微信 only


class CustomerServiceApi:
    """An aiohttp client for one account's message API, with its access_token cached
    in the shared store (Redis when configured) until shortly before it expires."""

    def __init__(self, session: aiohttp.ClientSession, kv: KeyValue, account: ApiAccount,
                 timeout_s: float = 5.0) -> None:
        self.session = session
        self.kv = kv
        self.account = account
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._lock = asyncio.Lock()
        self._token_key = f"token:{account.channel}:{account.app_id}:{account.agent_id or ''}"

    async def _json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with self.session.request(method, url, timeout=self.timeout, **kwargs) as response:
                if response.status != 200:
                    raise ApiError(f"HTTP {response.status}")
                body = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise ApiError(f"{type(error).__name__}") from error
        if not isinstance(body, dict):
            raise ApiError("answer is not a JSON object")
        return body

    async def access_token(self, stale: str | None = None) -> str:
        """The cached token, unless it is `stale` (just refused), then a new one."""
        cached = await self.kv.get(self._token_key)
        if cached and cached != stale:
            return cached
        async with self._lock:
            cached = await self.kv.get(self._token_key)
            if cached and cached != stale:
                return cached
            account = self.account
            if account.channel == "wecom":
                url, params = f"{account.base_url}/cgi-bin/gettoken", {"corpid": account.app_id,
                                                                       "corpsecret": account.secret}
            else:
                url, params = f"{account.base_url}/cgi-bin/token", {"grant_type": "client_credential",
                                                                    "appid": account.app_id,
                                                                    "secret": account.secret}
            body = await self._json("GET", url, params=params)
            token = body.get("access_token")
            if not token:
                raise ApiError(f"no access_token (errcode {body.get('errcode')})", body.get("errcode"))
            expires_in = int(body.get("expires_in") or 7200)
            # Refresh five minutes early: WeChat keeps the old token valid for five more.
            await self.kv.set(self._token_key, str(token), max(60, expires_in - 300))
            return str(token)

    async def send_text(self, user_id: str, text: str) -> None:
        account = self.account
        if account.channel == "wecom":
            path = "/cgi-bin/message/send"
            payload: dict[str, Any] = {"touser": user_id, "msgtype": "text", "agentid": account.agent_id,
                                       "text": {"content": text}}
        else:
            path = "/cgi-bin/message/custom/send"
            payload = {"touser": user_id, "msgtype": "text", "text": {"content": text}}
        token = await self.access_token()
        for attempt in range(2):
            body = await self._json("POST", account.base_url + path, params={"access_token": token},
                                    json=payload)
            errcode = int(body.get("errcode") or 0)
            if errcode == 0:
                return
            if errcode in TOKEN_ERRORS and attempt == 0:
                token = await self.access_token(stale=token)
                continue
            raise ApiError(f"errcode {errcode}: {body.get('errmsg', '')}"[:200], errcode)


def retry_delay_s(attempts: int) -> float:
    """30 s, 1 min, 2 min … at most 30 min between attempts."""
    return float(min(30 * 2 ** max(attempts - 1, 0), 1800))


class Deliverer:
    """Where late replies go: the customer-service API, or kept as deferred."""

    def __init__(self, messaging: MessagingService, apis: dict[str, CustomerServiceApi],
                 quick_retries_s: Sequence[float] = (0.5, 1.5)) -> None:
        self.messaging = messaging
        self.apis = apis
        self.quick_retries_s = tuple(quick_retries_s)

    def delivery_for(self, channel: str) -> str:
        return CUSTOMER_SERVICE if channel in self.apis else DEFERRED

    async def deliver(self, entries: Sequence[LogEntry]) -> None:
        """Store the replies (one member's, in order), then send them if the API is there."""
        if not entries:
            return
        delivery = self.delivery_for(entries[0].channel)
        entries = [replace(entry, delivery=delivery) for entry in entries]
        try:
            ids = await asyncio.to_thread(self.messaging.enqueue, entries, None,
                                          None if delivery == DEFERRED else 60.0)
        except SQLAlchemyError as db_error:
            log.error("the outbox is unreachable (%s): %d replies %s", type(db_error).__name__, len(entries),
                      "sent without a record" if delivery == CUSTOMER_SERVICE else "lost")
            if delivery == CUSTOMER_SERVICE:
                await self._send_unrecorded(entries)
            return
        if delivery == DEFERRED:
            return
        api = self.apis[entries[0].channel]
        for index, (outbox_id, entry) in enumerate(zip(ids, entries, strict=True)):
            failure = await self._send_with_quick_retries(api, entry.user_id, entry.text or "")
            if failure is None:
                await asyncio.to_thread(self.messaging.mark_delivered, outbox_id)
                continue
            await self.after_failure(entry.channel, outbox_id, failure, made=1 + len(self.quick_retries_s),
                                      total=1 + len(self.quick_retries_s), later=ids[index + 1:], age_s=0.0)
            return

    async def _send_unrecorded(self, entries: Sequence[LogEntry]) -> None:
        """The database is down: still try to reach the member."""
        api = self.apis[entries[0].channel]
        for entry in entries:
            error = await self._send_with_quick_retries(api, entry.user_id, entry.text or "")
            if error is not None:
                log.error("a reply could not be delivered or stored: %s", error)
                return

    async def _send_with_quick_retries(self, api: CustomerServiceApi, user_id: str, text: str) -> ApiError | None:
        pauses = (*self.quick_retries_s, None)
        for pause in pauses:
            try:
                await api.send_text(user_id, text)
                return None
            except ApiError as error:
                if error.permanent or error.no_api or pause is None:
                    return error
                await asyncio.sleep(pause)
        return None  # not reached

    async def after_failure(self, channel: str, outbox_id: int, error: ApiError, made: int, total: int,
                            later: Sequence[int], age_s: float, give_up_s: float = 48 * 3600) -> None:
        """`made` attempts just failed (`total` so far): retry later, or give up."""
        if error.no_api:
            log.error("the account may not use the customer-service API (%s); from now on replies are kept "
                      "for the member's next message — set WECHAT_CUSTOMER_SERVICE=off", error)
            self.apis.pop(channel, None)  # delivery_for(channel) is "deferred" from now on
            await asyncio.to_thread(self.messaging.defer, [outbox_id, *later])
            return
        retry_in = retry_delay_s(total)
        if error.permanent or age_s + retry_in > give_up_s:
            log.error("customer-service message %s given up: %s", outbox_id, error)
            await asyncio.to_thread(self.messaging.mark_failed, outbox_id, str(error), None, None, made)
            if later:  # what followed it can still go
                await asyncio.to_thread(self.messaging.postpone, later, utcnow())
            return
        retry_at = utcnow() + dt.timedelta(seconds=retry_in)
        log.warning("customer-service message %s not delivered (%s); retrying in %.0f s", outbox_id, error, retry_in)
        await asyncio.to_thread(self.messaging.mark_failed, outbox_id, str(error), retry_at, None, made)
        await asyncio.to_thread(self.messaging.postpone, later, retry_at)


class OutboxWorker:
    """Retries the outbox's customer-service messages that are due (every process may
    run one: rows are taken with a conditional UPDATE)."""

    def __init__(self, deliverer: Deliverer, poll_s: float = 5.0, give_up_s: float = 48 * 3600) -> None:
        self.deliverer = deliverer
        self.poll_s = poll_s
        self.give_up_s = give_up_s

    async def run_once(self) -> int:
        messaging = self.deliverer.messaging
        items: list[OutboxItem] = await asyncio.to_thread(messaging.claim_due, utcnow(), 20, 60.0)
        failed_users: set[tuple[str, str]] = set()
        sent = 0
        for index, item in enumerate(items):
            member = (item.channel, item.user_id)
            if member in failed_users:
                continue  # postponed behind the failure below
            api = self.deliverer.apis.get(item.channel)
            if api is None:
                await asyncio.to_thread(messaging.defer, [item.id])
                continue
            try:
                await api.send_text(item.user_id, item.text)
            except ApiError as error:
                failed_users.add(member)
                later = [other.id for other in items[index + 1:] if (other.channel, other.user_id) == member]
                created = item.created_at if item.created_at.tzinfo else item.created_at.replace(tzinfo=dt.UTC)
                await self.deliverer.after_failure(item.channel, item.id, error, 1, item.attempts + 1, later,
                                                   (utcnow() - created).total_seconds(), self.give_up_s)
                continue
            await asyncio.to_thread(messaging.mark_delivered, item.id)
            sent += 1
        return sent

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not end the worker
                log.exception("outbox worker cycle failed; trying again in %.0f s", self.poll_s)
            await asyncio.sleep(self.poll_s)
