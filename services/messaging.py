"""The message log and the outbox: every message in and out of a channel gateway.

`message_log` is the record staff read (one row per inbound message and one per
outbound reply, linked by `turn_id`); `outbox` is the work queue of replies
that could not be given in the HTTP answer and still have to be delivered
(through the customer-service API, or kept until the member writes again).
The gateway writes here; nothing in this module knows about HTTP or Rasa.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text, insert, or_, select, update
from sqlalchemy.orm import sessionmaker

from services.models import Base, utcnow

# How a reply reached (or is to reach) the member.
PASSIVE = "passive"  # in the HTTP answer to WeChat's push (被动回复)
CUSTOMER_SERVICE = "customer_service"  # 客服消息 message/custom/send, after the answer
DEFERRED = "deferred"  # kept, given with the answer to the member's next message
DELIVERIES = (PASSIVE, CUSTOMER_SERVICE, DEFERRED)

# The message log's type of what staff sent (console), beside text, voice, event:… .
STAFF = "staff"

# Outbox states.
PENDING = "pending"
DELIVERED = "delivered"
GIVEN = "given"
FAILED = "failed"


def new_uid() -> str:
    return uuid.uuid4().hex


class MessageLog(Base):
    """One message, in or out, as staff will read it in the console."""

    __tablename__ = "message_log"
    __table_args__ = (
        # A member's conversation in order; the console's main view.
        Index("ix_message_log_user_created", "channel", "user_id", "created_at"),
        Index("ix_message_log_created", "created_at"),
        # "What failed today", "what is still waiting".
        Index("ix_message_log_status_created", "status", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    # Chosen by the writer, so a row written in a batch can be updated later.
    uid = Column(String(32), nullable=False, unique=True)
    # An inbound message and the replies to it share a turn id.
    turn_id = Column(String(32), nullable=False, index=True)
    channel = Column(String(20), nullable=False)  # wechat | wecom
    account = Column(String(64))  # ToUserName of the push: the 公众号 original id, or the CorpID
    user_id = Column(String(128), nullable=False)  # openid (公众号) or UserID (企业微信)
    direction = Column(String(3), nullable=False)  # in | out
    msg_type = Column(String(40), nullable=False)  # text, voice, image … event:subscribe, event:CLICK
    msg_id = Column(String(64))  # MsgId, or the event's FromUserName+CreateTime+Event key
    text = Column(Text)
    delivery = Column(String(20))  # outbound: passive | customer_service | deferred
    # in: answered | handed_off | failed | duplicate | rate_limited | busy | unsupported | ignored
    # out: sent | pending | failed | given
    status = Column(String(20), nullable=False)
    error = Column(String(300))
    # When the platform says the member sent it (CreateTime), and when we received it.
    sent_by_user_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # Outbound: when the reply left (the HTTP answer, or the API accepting it).
    delivered_at = Column(DateTime(timezone=True))
    # Inbound: the Rasa turn; outbound: from the inbound's arrival to the reply leaving.
    rasa_ms = Column(Integer)
    latency_ms = Column(Integer)


class OutboxMessage(Base):
    """A reply not yet delivered: retried by the gateway's worker, visible to staff."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_user", "channel", "user_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    message_uid = Column(ForeignKey("message_log.uid", ondelete="CASCADE"), nullable=False, unique=True)
    channel = Column(String(20), nullable=False)
    account = Column(String(64))
    user_id = Column(String(128), nullable=False)
    text = Column(Text, nullable=False)
    delivery = Column(String(20), nullable=False)  # customer_service | deferred
    status = Column(String(20), nullable=False, default=PENDING)  # pending | delivered | given | failed
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # A worker that took the row owns it until then (several gateway processes may run).
    locked_until = Column(DateTime(timezone=True))
    last_error = Column(String(300))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    done_at = Column(DateTime(timezone=True))


@dataclass(frozen=True)
class LogEntry:
    """A row of the message log, as the gateway describes it."""

    turn_id: str
    channel: str
    user_id: str
    direction: str
    msg_type: str
    status: str
    text: str | None = None
    account: str | None = None
    msg_id: str | None = None
    delivery: str | None = None
    error: str | None = None
    sent_by_user_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    rasa_ms: int | None = None
    latency_ms: int | None = None
    uid: str | None = None

    def row(self) -> dict[str, object]:
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values["uid"] = self.uid or new_uid()
        values["created_at"] = self.created_at or utcnow()
        if values["error"]:
            values["error"] = str(values["error"])[:300]
        return values


@dataclass(frozen=True)
class OutboxItem:
    id: int
    message_uid: str
    channel: str
    account: str | None
    user_id: str
    text: str
    delivery: str
    attempts: int
    created_at: dt.datetime
    msg_type: str = "text"  # the log row's: "staff" for what staff sent


def _item(row: OutboxMessage, msg_type: str = "text") -> OutboxItem:
    return OutboxItem(id=row.id, message_uid=row.message_uid, channel=row.channel, account=row.account,
                      user_id=row.user_id, text=row.text, delivery=row.delivery, attempts=row.attempts,
                      created_at=row.created_at, msg_type=msg_type)


class MessagingService:
    """Writes the log and runs the outbox. Each method is one transaction."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self._session_factory = session_factory

    def record(self, entries: Sequence[LogEntry]) -> None:
        """Append rows to the log (the gateway batches them)."""
        if not entries:
            return
        with self._session_factory() as session, session.begin():
            session.execute(insert(MessageLog), [entry.row() for entry in entries])

    def enqueue(self, entries: Sequence[LogEntry], now: dt.datetime | None = None,
                locked_for_s: float | None = None) -> list[int]:
        """Log outbound replies that are still to be delivered and put them in the outbox,
        in one transaction, so a reply is never lost between the two. `locked_for_s`:
        the caller sends them itself at once; the worker leaves them alone until then."""
        now = now or utcnow()
        locked_until = now + dt.timedelta(seconds=locked_for_s) if locked_for_s else None
        ids = []
        with self._session_factory() as session, session.begin():
            for entry in entries:
                if entry.delivery not in (CUSTOMER_SERVICE, DEFERRED):
                    raise ValueError(f"only customer_service or deferred replies wait in the outbox, "
                                     f"got {entry.delivery!r}")
                row = entry.row()
                row["status"] = PENDING
                session.execute(insert(MessageLog), [row])
                outbox = OutboxMessage(
                    message_uid=row["uid"], channel=entry.channel, account=entry.account,
                    user_id=entry.user_id, text=entry.text or "", delivery=entry.delivery,
                    status=PENDING, attempts=0, next_attempt_at=now, created_at=now,
                    locked_until=locked_until)
                session.add(outbox)
                session.flush()
                ids.append(int(outbox.id))
        return ids

    def claim_due(self, now: dt.datetime, limit: int = 20, lease_s: float = 60.0,
                  delivery: str = CUSTOMER_SERVICE) -> list[OutboxItem]:
        """Pending items whose next attempt is due, each taken with a conditional UPDATE so
        that two workers (two gateway processes) never send the same reply."""
        lease_end = now + dt.timedelta(seconds=lease_s)
        with self._session_factory() as session, session.begin():
            candidates = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == PENDING, OutboxMessage.delivery == delivery,
                       OutboxMessage.next_attempt_at <= now,
                       or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now))
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
            ).all()
            taken = []
            for row in candidates:
                result = session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.status == PENDING,
                           or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now))
                    .values(locked_until=lease_end)
                    .execution_options(synchronize_session=False))
                if result.rowcount == 1:
                    taken.append(_item(row))
            return taken

    def mark_delivered(self, outbox_id: int, now: dt.datetime | None = None) -> None:
        now = now or utcnow()
        with self._session_factory() as session, session.begin():
            row = session.get(OutboxMessage, outbox_id)
            if row is None:
                return
            row.status = DELIVERED
            row.attempts = row.attempts + 1
            row.done_at = now
            row.locked_until = None
            session.execute(update(MessageLog).where(MessageLog.uid == row.message_uid)
                            .values(status="sent", delivered_at=now, error=None)
                            .execution_options(synchronize_session=False))

    def mark_failed(self, outbox_id: int, error: str, retry_at: dt.datetime | None,
                    now: dt.datetime | None = None, attempts: int = 1) -> None:
        """`attempts` more failed attempts; `retry_at` None → give up (staff see it as failed)."""
        now = now or utcnow()
        with self._session_factory() as session, session.begin():
            row = session.get(OutboxMessage, outbox_id)
            if row is None:
                return
            row.attempts = row.attempts + attempts
            row.last_error = error[:300]
            row.locked_until = None
            if retry_at is None:
                row.status = FAILED
                row.done_at = now
                session.execute(update(MessageLog).where(MessageLog.uid == row.message_uid)
                                .values(status=FAILED, error=error[:300])
                                .execution_options(synchronize_session=False))
            else:
                row.next_attempt_at = retry_at

    def postpone(self, outbox_ids: Sequence[int], retry_at: dt.datetime) -> None:
        """Keep a member's later replies behind an earlier one that failed, so they arrive in order."""
        if not outbox_ids:
            return
        with self._session_factory() as session, session.begin():
            session.execute(update(OutboxMessage)
                            .where(OutboxMessage.id.in_(list(outbox_ids)), OutboxMessage.status == PENDING)
                            .values(next_attempt_at=retry_at, locked_until=None)
                            .execution_options(synchronize_session=False))

    def defer(self, outbox_ids: Sequence[int]) -> None:
        """The account turned out to lack the customer-service API: keep these replies
        for the member's next message instead."""
        if not outbox_ids:
            return
        with self._session_factory() as session, session.begin():
            uids = session.scalars(select(OutboxMessage.message_uid)
                                   .where(OutboxMessage.id.in_(list(outbox_ids)),
                                          OutboxMessage.status == PENDING)).all()
            session.execute(update(OutboxMessage)
                            .where(OutboxMessage.id.in_(list(outbox_ids)), OutboxMessage.status == PENDING)
                            .values(delivery=DEFERRED, locked_until=None)
                            .execution_options(synchronize_session=False))
            session.execute(update(MessageLog).where(MessageLog.uid.in_(list(uids)))
                            .values(delivery=DEFERRED)
                            .execution_options(synchronize_session=False))

    def take_deferred(self, channel: str, user_id: str, now: dt.datetime | None = None) -> list[OutboxItem]:
        """The replies kept for this member (accounts without the customer-service API),
        oldest first, marked as given; a concurrent caller cannot take the same ones."""
        now = now or utcnow()
        with self._session_factory() as session, session.begin():
            rows = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.channel == channel, OutboxMessage.user_id == user_id,
                       OutboxMessage.status == PENDING, OutboxMessage.delivery == DEFERRED)
                .order_by(OutboxMessage.id)
            ).all()
            types = dict(session.execute(select(MessageLog.uid, MessageLog.msg_type)
                                         .where(MessageLog.uid.in_([row.message_uid for row in rows]))).all()) \
                if rows else {}
            taken = []
            for row in rows:
                result = session.execute(
                    update(OutboxMessage).where(OutboxMessage.id == row.id, OutboxMessage.status == PENDING)
                    .values(status=GIVEN, done_at=now)
                    .execution_options(synchronize_session=False))
                if result.rowcount == 1:
                    session.execute(update(MessageLog).where(MessageLog.uid == row.message_uid)
                                    .values(status=GIVEN, delivered_at=now)
                                    .execution_options(synchronize_session=False))
                    taken.append(_item(row, types.get(row.message_uid) or "text"))
            return taken

    def has_deferred(self, channel: str, user_id: str) -> bool:
        with self._session_factory() as session:
            found = session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.channel == channel, OutboxMessage.user_id == user_id,
                       OutboxMessage.status == PENDING, OutboxMessage.delivery == DEFERRED)
                .limit(1)).first()
            return found is not None

    def undelivered(self, limit: int = 100) -> list[OutboxItem]:
        """Replies still waiting or given up on, newest first: what staff need to look at."""
        with self._session_factory() as session:
            rows = session.scalars(
                select(OutboxMessage).where(OutboxMessage.status.in_([PENDING, FAILED]))
                .order_by(OutboxMessage.id.desc()).limit(limit)).all()
            return [_item(row) for row in rows]

    def conversation(self, channel: str, user_id: str, limit: int = 200) -> list[MessageLog]:
        """A member's messages in order (oldest first), for the staff console."""
        with self._session_factory() as session:
            rows = session.scalars(
                select(MessageLog).where(MessageLog.channel == channel, MessageLog.user_id == user_id)
                .order_by(MessageLog.created_at.desc(), MessageLog.id.desc()).limit(limit)).all()
            return list(reversed(rows))
