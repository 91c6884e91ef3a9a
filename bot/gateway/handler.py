"""What to answer to one pushed message: the gateway's rules, apart from HTTP.

    subscribe                 → welcome (domain.yml's greeting and capabilities)
    text, voice + Recognition → a Rasa turn, sender id = wechat:<openid> / wecom:<UserID>
    menu CLICK                → config/wechat_menu.yml's message or intent, then a Rasa turn
    image, video, location …  → "目前只能处理文字"
    unsubscribe, other events → recorded, no reply

Rasa gets a budget (4 s by default) from the moment the push arrived. Within it
the reply is passive (in the HTTP answer); past it the push is answered
`success` and the reply follows through the customer-service API, or is kept for
the member's next message. A message is answered once, however often WeChat
pushes it (see dedupe.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.gateway.dedupe import ClaimState, Deduplicator, RateLimiter
from bot.gateway.outbox import Deliverer
from bot.gateway.rasa_client import RasaClient, RasaError
from bot.gateway.settings import GatewaySettings
from bot.gateway.texts import GatewayTexts, Menu, split_reply
from bot.gateway.wechat import SILENT_EVENTS, Inbound
from services.contacts import ContactService
from services.messaging import DEFERRED, PASSIVE, STAFF, LogEntry, MessagingService, new_uid
from services.models import utcnow
from services.senders import rasa_sender

log = logging.getLogger(__name__)
T = TypeVar("T")
# Past this (from the push's arrival) a passive reply would reach WeChat after it gave up.
HARD_LIMIT_S = 4.8


@dataclass(frozen=True)
class TurnResult:
    texts: list[str]
    ok: bool
    rasa_ms: int | None = None
    error: str | None = None


@dataclass
class Turn:
    inbound: Inbound
    started: float  # loop time at the push's arrival
    received_at: dt.datetime = field(default_factory=utcnow)
    turn_id: str = field(default_factory=new_uid)


class Hotline:
    """The association's phone number from its notices, for apologies (cached)."""

    def __init__(self, contacts: ContactService, organisation: str, ttl_s: float = 600.0) -> None:
        self.contacts = contacts
        self.organisation = organisation
        self.ttl_s = ttl_s
        self._value: tuple[str, str] | None = None
        self._expires = 0.0

    async def get(self) -> tuple[str, str] | None:
        if time.monotonic() < self._expires:
            return self._value
        try:
            contact = await asyncio.to_thread(self.contacts.contact, self.organisation)
            phone = contact.field("phone") if contact else None
            self._value = (self.organisation, str(phone)) if phone else None
        except SQLAlchemyError as error:  # no hotline is better than no apology
            log.warning("hotline lookup failed (%s); apologising without it", type(error).__name__)
            self._value = None
        self._expires = time.monotonic() + self.ttl_s
        return self._value


class MessageHandler:
    def __init__(self, settings: GatewaySettings, texts: GatewayTexts, menu: Menu, dedupe: Deduplicator,
                 limiter: RateLimiter, rasa: RasaClient, deliverer: Deliverer, messaging: MessagingService,
                 record: Callable[[Iterable[LogEntry]], None], hotline: Hotline) -> None:
        self.settings = settings
        self.texts = texts
        self.menu = menu
        self.dedupe = dedupe
        self.limiter = limiter
        self.rasa = rasa
        self.deliverer = deliverer
        self.messaging = messaging
        self.record = record  # LogWriter.add: rows for the message log
        self.hotline = hotline
        self.in_flight = asyncio.Semaphore(settings.max_in_flight)
        self.pending = 0
        self.tasks: set[asyncio.Task[Any]] = set()
        self.turns_started = 0  # Rasa turns started (tests and the benchmark read it)
        self.clock: Callable[[], float] = time.time  # for the rate limit's minutes
        # Set by the staff console (bot/console): (channel, user_id) → the display name of the staff
        # member who took this member over, or None when the bot answers.
        self.held: Callable[[str, str], Awaitable[str | None]] | None = None

    # -- tasks -----------------------------------------------------------------

    def spawn(self, coroutine: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """A task the gateway waits for at shutdown (a late reply must not be dropped)."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    async def drain(self, timeout_s: float) -> None:
        """Let turns and late deliveries finish (shutdown), then cancel what is left."""
        if self.tasks:
            log.info("waiting up to %.0f s for %d unfinished replies", timeout_s, len(self.tasks))
            _, left = await asyncio.wait(set(self.tasks), timeout=timeout_s)
            for task in left:
                task.cancel()

    # -- entry point -------------------------------------------------------------

    async def handle(self, inbound: Inbound, started: float) -> str | None:
        """The passive reply for this push; None → answer "success"."""
        # Shielded: if the HTTP request goes away, the message is still answered and
        # its answer recorded for WeChat's retry.
        return await asyncio.shield(self.spawn(self._handle(Turn(inbound, started))))

    async def _handle(self, turn: Turn) -> str | None:
        inbound = turn.inbound
        if inbound.msg_type == "event" and (inbound.event == "unsubscribe" or inbound.event in SILENT_EVENTS):
            self._log_in(turn, "ignored")
            return None
        claim = await self.dedupe.claim(inbound.dedupe_key)
        if claim.state is ClaimState.IN_PROGRESS:
            claim = await self.dedupe.wait(inbound.dedupe_key, self._left(turn))
        if claim.state is not ClaimState.NEW:
            self._log_in(turn, "duplicate")
            log.info("%s pushed again (%s); answered once", inbound.log_type, inbound.dedupe_key)
            return claim.reply if claim.state is ClaimState.DONE else None
        reply: str | None = None
        try:
            reply = await self._answer(turn)
        except Exception:  # the member still gets an apology, never silence
            log.exception("answering %s failed", inbound.dedupe_key)
            reply = self.texts.apology(await self.hotline.get())
            self._log_in(turn, "failed", error="gateway error")
            self._log_out(turn, reply, PASSIVE, "sent")
        finally:
            await self.dedupe.finish(inbound.dedupe_key, reply)
        return reply

    def _left(self, turn: Turn) -> float:
        return turn.started + self.settings.rasa_budget_s - asyncio.get_running_loop().time()

    async def _answer(self, turn: Turn) -> str | None:
        inbound = turn.inbound
        if inbound.msg_type == "event":
            if inbound.event == "subscribe":
                return self._fixed(turn, "welcome")
            if inbound.event == "click":
                action = self.menu.action(inbound.event_key)
                if action is None:
                    log.warning("menu key %r is not in config/wechat_menu.yml", inbound.event_key)
                    return self._fixed(turn, "unknown_menu")
                return await self._converse(turn, action.message)
            self._log_in(turn, "ignored")
            return None
        if inbound.text is not None:
            return await self._converse(turn, inbound.text)
        return self._fixed(turn, "unsupported", status="unsupported")

    def _fixed(self, turn: Turn, name: str, status: str = "answered") -> str:
        reply = self.texts.say(name)
        self._log_in(turn, status)
        self._log_out(turn, reply, PASSIVE, "sent")
        return reply

    # -- a Rasa turn ---------------------------------------------------------------

    async def _converse(self, turn: Turn, message: str) -> str | None:
        inbound = turn.inbound
        if self.held is not None:
            staff = await self.held(inbound.channel, inbound.user_id)
            if staff is not None:
                return await self._held(turn, staff)
        if not await self.limiter.allow(inbound.channel, inbound.user_id, self.clock()):
            log.info("rate limit reached for a %s member", inbound.channel)
            return self._fixed(turn, "rate_limited", status="rate_limited")
        if self.pending >= self.settings.max_pending:
            log.warning("%d messages pending: answering busy", self.pending)
            return self._fixed(turn, "busy", status="busy")
        self.pending += 1
        task = self.spawn(self._turn(turn, message))
        loop = asyncio.get_running_loop()
        done, _ = await asyncio.wait({task}, timeout=max(self._left(turn), 0))
        if task in done and loop.time() - turn.started <= HARD_LIMIT_S:
            result = task.result()
            earlier = await self._take_deferred(inbound)
            pieces = split_reply("\n\n".join([*earlier, *result.texts]))
            if not pieces:  # Rasa's texts were blank
                pieces = [self.texts.apology(await self.hotline.get())]
            self._log_in(turn, "answered" if result.ok else "failed", error=result.error, rasa_ms=result.rasa_ms)
            self._log_out(turn, pieces[0], PASSIVE, "sent", rasa_ms=result.rasa_ms)
            if len(pieces) > 1:  # what does not fit in one message follows, in order
                self.spawn(self._deliver_late(turn, pieces[1:], result.rasa_ms, delay_s=0.3))
            return pieces[0]
        self._log_in(turn, "handed_off")
        log.info("Rasa past the %.1f s budget; the reply goes by %s", self.settings.rasa_budget_s,
                 self.deliverer.delivery_for(inbound.channel))
        self.spawn(self._finish_late(turn, task))
        return None

    async def _held(self, turn: Turn, staff: str) -> str | None:
        """A member staff have taken over: kept for staff, no Rasa turn. With the customer-service
        API staff replies reach the member at once and the message needs no answer; without it,
        this message's passive reply is the only way to the member: it carries what staff wrote
        meanwhile, or says that a person has it and that any message fetches their reply."""
        inbound = turn.inbound
        self._log_in(turn, "held")
        if self.deliverer.delivery_for(inbound.channel) != DEFERRED:
            return None
        kept = await self._take_deferred(inbound)
        text = "\n\n".join([*kept, self.texts.say("held_more")]) if kept else self.texts.say("held", staff=staff)
        pieces = split_reply(text)
        self._log_out(turn, pieces[0], PASSIVE, "sent")
        if len(pieces) > 1:  # kept again for the next message
            self.spawn(self._deliver_late(turn, pieces[1:], None))
        return pieces[0]

    async def _turn(self, turn: Turn, message: str) -> TurnResult:
        inbound = turn.inbound
        metadata: dict[str, Any] = {"channel": inbound.channel, "account": inbound.account,
                                    "msg_type": inbound.log_type, "msg_id": inbound.log_msg_id,
                                    # How replies reach the member after the passive window (the
                                    # hand-off action tells them whether to write again for them).
                                    "delivery": self.deliverer.delivery_for(inbound.channel)}
        metadata["userid" if inbound.channel == "wecom" else "openid"] = inbound.user_id
        if inbound.agent_id:
            metadata["agent_id"] = inbound.agent_id
        loop = asyncio.get_running_loop()
        try:
            async with self.in_flight:
                began = loop.time()
                self.turns_started += 1
                try:
                    answer = await self.rasa.send(rasa_sender(inbound.channel, inbound.user_id), message, metadata)
                    error = None if answer.texts else f"{answer.url} answered no message"
                    texts = answer.texts
                except RasaError as failure:
                    error, texts = str(failure), []
                rasa_ms = int((loop.time() - began) * 1000)
        finally:
            self.pending -= 1
        if error:
            log.error("Rasa turn failed (%s, %d ms): %s", inbound.channel, rasa_ms, error)
            return TurnResult([self.texts.apology(await self.hotline.get())], False, rasa_ms, error)
        return TurnResult(texts, True, rasa_ms)

    async def _take_deferred(self, inbound: Inbound) -> list[str]:
        """Replies kept for this member (no customer-service API) go first: the bot's late ones
        after a line saying so, staff's (a person joining, replying, leaving) as they are."""
        if self.deliverer.delivery_for(inbound.channel) != DEFERRED:
            return []
        try:
            items = await asyncio.to_thread(self.messaging.take_deferred, inbound.channel, inbound.user_id)
        except SQLAlchemyError as error:  # they stay in the outbox for next time
            log.error("could not read kept replies (%s)", type(error).__name__)
            return []
        texts: list[str] = []
        introduced = False
        for item in items:
            if item.msg_type != STAFF and not introduced:
                texts.append(self.texts.say("deferred_intro"))
                introduced = True
            texts.append(item.text)
        return texts

    async def _finish_late(self, turn: Turn, task: Awaitable[TurnResult]) -> None:
        result = await task
        await self._deliver_late(turn, split_reply("\n\n".join(result.texts)), result.rasa_ms)

    async def _deliver_late(self, turn: Turn, pieces: list[str], rasa_ms: int | None, delay_s: float = 0.0) -> None:
        if delay_s:
            await asyncio.sleep(delay_s)  # after the passive reply has left
        latency = int((asyncio.get_running_loop().time() - turn.started) * 1000)
        entries = [self._entry(turn, "out", "pending", text=piece, delivery=self.deliverer.delivery_for(
            turn.inbound.channel), rasa_ms=rasa_ms, latency_ms=latency) for piece in pieces]
        await self.deliverer.deliver(entries)

    # -- the message log --------------------------------------------------------------

    def _entry(self, turn: Turn, direction: str, status: str, **values: Any) -> LogEntry:
        inbound = turn.inbound
        return LogEntry(turn_id=turn.turn_id, channel=inbound.channel, user_id=inbound.user_id,
                        account=inbound.account, direction=direction,
                        msg_type=inbound.log_type if direction == "in" else "text", status=status, **values)

    def _log_in(self, turn: Turn, status: str, error: str | None = None, rasa_ms: int | None = None) -> None:
        inbound = turn.inbound
        sent = dt.datetime.fromtimestamp(inbound.create_time, dt.UTC) if inbound.create_time else None
        self.record([self._entry(turn, "in", status, text=inbound.text or inbound.event_key,
                                 msg_id=inbound.log_msg_id, error=error, sent_by_user_at=sent,
                                 created_at=turn.received_at, rasa_ms=rasa_ms)])

    def _log_out(self, turn: Turn, text: str, delivery: str, status: str, rasa_ms: int | None = None) -> None:
        latency = int((asyncio.get_running_loop().time() - turn.started) * 1000)
        self.record([self._entry(turn, "out", status, text=text, delivery=delivery, rasa_ms=rasa_ms,
                                 latency_ms=latency, delivered_at=utcnow())])
