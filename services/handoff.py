"""A member asking for a person (转人工): the request, the queue staff work from, and
what the member is told at once.

A request is a `handoff_requests` row: 待处理 (`pending`) when the member asked,
处理中 (`active`) once a staff member took the conversation over (the takeover in
services/takeover.py is what silences the bot), 已解决 (`resolved`) when they handed it
back. A member has at most one open request (pending or active); asking again while
one is open keeps it and says so.

The reply the member gets is a typed `Answer` (domain.yml's response and its values):
within working hours roughly how soon a person answers; outside them, when. Working
hours come from the settings (`HANDOFF_HOURS`, `HANDOFF_DAYS`, `HANDOFF_REPLY_MINUTES`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Index, Integer, String, Text, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.accounts import StaffUser
from services.answers import Answer, Phrase
from services.messaging import MessageLog
from services.models import Base, Member, Signup, utcnow
from services.settings import SHANGHAI, WorkingHours
from services.takeover import StaffMessage, Takeover

PENDING = "pending"  # 待处理
ACTIVE = "active"  # 处理中
RESOLVED = "resolved"  # 已解决
STATUSES = (PENDING, ACTIVE, RESOLVED)
OPEN = (PENDING, ACTIVE)
QUESTION_CHARS = 500
WEEKDAYS = "一二三四五六日"  # 星期一 … 星期日, as dates.py writes 年月日


class HandoffRequest(Base):
    __tablename__ = "handoff_requests"
    __table_args__ = (
        # One open request per member: the database decides between two messages at once.
        Index("uq_handoff_requests_open_member", "channel", "user_id", unique=True,
              sqlite_where=text("status != 'resolved'"), postgresql_where=text("status != 'resolved'")),
        Index("ix_handoff_requests_status", "status", "requested_at"),
    )

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    user_id = Column(String(128), nullable=False)
    account = Column(String(64))
    question = Column(Text, nullable=False)  # the member's words asking for a person ("" from the menu)
    context = Column(Text)  # what they asked just before, when the request itself says little
    status = Column(String(10), nullable=False, default=PENDING)
    requested_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    assigned_to = Column(String(40))  # staff username, once taken
    assigned_at = Column(DateTime(timezone=True))
    resolved_at = Column(DateTime(timezone=True))
    resolved_by = Column(String(40))


@dataclass(frozen=True)
class QueueEntry:
    id: int
    channel: str
    user_id: str
    question: str
    context: str | None
    status: str
    requested_at: dt.datetime
    member_name: str | None  # from their sign-ups, where known
    company: str | None
    assigned_to: str | None
    assigned_name: str | None  # the display name staff set
    assigned_at: dt.datetime | None
    resolved_at: dt.datetime | None
    unread: int  # member messages since staff last wrote to them (处理中) or since the request


@dataclass(frozen=True)
class QueueState:
    """What the live-update stream tells every console page: for the badge and the alert."""

    waiting: int  # members waiting for anyone (待处理)
    newest_id: int  # the newest waiting request: a browser alerts once per new one
    mine_unread: int = 0  # members' messages in the staff member's own 处理中 conversations, since their reply

    @property
    def needs_me(self) -> int:
        """The navigation's count: who waits, and what waits in my own conversations."""
        return self.waiting + self.mine_unread


@dataclass(frozen=True)
class Recorded:
    answer: Answer
    request_id: int
    new: bool


def next_opening(hours: WorkingHours, now: dt.datetime) -> dt.datetime | None:
    """When a person is next at work (now, if they are); None when no day is a working day."""
    local = now.astimezone(SHANGHAI)
    for ahead in range(8):
        day = local.date() + dt.timedelta(days=ahead)
        if day.isoweekday() not in hours.days:
            continue
        opens = dt.datetime.combine(day, hours.start, SHANGHAI)
        closes = dt.datetime.combine(day, hours.end, SHANGHAI) if hours.end != dt.time(0, 0) \
            else dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), SHANGHAI)
        if local < closes:
            return max(opens, local)
    return None


def _day_phrase(opening: dt.date, today: dt.date) -> Phrase:
    if opening == today:
        return Phrase("utter_handoff_day_today")
    if opening == today + dt.timedelta(days=1):
        return Phrase("utter_handoff_day_tomorrow")
    return Phrase("utter_handoff_day_date", {"month": opening.month, "day": opening.day,
                                             "weekday": WEEKDAYS[opening.weekday()]})


def when_answered(hours: WorkingHours, now: dt.datetime, live: bool, again: bool) -> Answer:
    """What the member is told: soon (working hours), or when; and how the reply reaches them."""
    hint = Phrase("utter_handoff_hint_live" if live else "utter_handoff_hint_next_message")
    opening = next_opening(hours, now)
    local = now.astimezone(SHANGHAI)
    prefix = "utter_handoff_again" if again else "utter_handoff"
    if opening is not None and opening <= local:
        return Answer(f"{prefix}_in_hours", {"minutes": hours.reply_minutes, "hint": hint})
    if opening is None:  # no working day configured: no promise of a time
        return Answer(f"{prefix}_no_hours", {"hint": hint})
    return Answer(f"{prefix}_after_hours", {"day": _day_phrase(opening.date(), local.date()),
                                            "time": opening.strftime("%H:%M"), "hint": hint})


def _clip(words: str | None) -> str | None:
    words = (words or "").strip()
    return words[:QUESTION_CHARS] if words else None


class HandoffService:
    """Records members' requests for a person and keeps the queue staff work from."""

    def __init__(self, session_factory: sessionmaker, hours: WorkingHours,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._session_factory = session_factory
        self.hours = hours
        self._clock = clock

    # -- the member's side (the action server) ------------------------------------------

    def request(self, channel: str, user_id: str, question: str | None, context: str | None = None,
                account: str | None = None, live: bool = False) -> Recorded:
        """Record that the member asked for a person (or find the request already open) and
        say what they are told. `live`: staff replies reach them at once (客服消息接口)."""
        now = self._clock().astimezone(dt.timezone.utc)
        words = _clip(question) or ""  # a menu click says nothing more: the page shows the context
        try:
            with self._session_factory() as session, session.begin():
                row = HandoffRequest(channel=channel, user_id=user_id, account=account, question=words,
                                     context=_clip(context), status=PENDING, requested_at=now)
                session.add(row)
                session.flush()
                return Recorded(when_answered(self.hours, now, live, again=False), int(row.id), True)
        except IntegrityError:  # one is open already: it stays as it was, in its place in the queue
            existing = self.open_request(channel, user_id)
            if existing is None:  # resolved between the two statements: ask once more
                return self.request(channel, user_id, question, context, account, live)
            return Recorded(when_answered(self.hours, now, live, again=True), existing, False)

    def open_request(self, channel: str, user_id: str) -> int | None:
        with self._session_factory() as session:
            return session.scalars(select(HandoffRequest.id).where(
                HandoffRequest.channel == channel, HandoffRequest.user_id == user_id,
                HandoffRequest.status.in_(OPEN))).first()

    # -- the staff's side (the console) -------------------------------------------------

    def take(self, channel: str, user_id: str, staff: str) -> bool:
        """The member's open request is now 处理中, held by `staff` (who took the conversation
        over). False when the member had asked for no one."""
        with self._session_factory() as session, session.begin():
            done = session.execute(
                update(HandoffRequest)
                .where(HandoffRequest.channel == channel, HandoffRequest.user_id == user_id,
                       HandoffRequest.status.in_(OPEN))
                .values(status=ACTIVE, assigned_to=staff, assigned_at=self._clock())
                .execution_options(synchronize_session=False))
            return bool(done.rowcount)

    def resolve(self, channel: str, user_id: str, staff: str) -> bool:
        """已解决: the conversation was handed back (or staff closed the request)."""
        with self._session_factory() as session, session.begin():
            done = session.execute(
                update(HandoffRequest)
                .where(HandoffRequest.channel == channel, HandoffRequest.user_id == user_id,
                       HandoffRequest.status.in_(OPEN))
                .values(status=RESOLVED, resolved_at=self._clock(), resolved_by=staff)
                .execution_options(synchronize_session=False))
            return bool(done.rowcount)

    def state(self, staff: str | None = None) -> QueueState:
        """The queue as the navigation counts it, for `staff` (their own conversations' new messages)."""
        with self._session_factory() as session:
            waiting, newest = session.execute(
                select(func.count(HandoffRequest.id), func.max(HandoffRequest.id))
                .where(HandoffRequest.status == PENDING)).one()
            mine = session.scalars(select(HandoffRequest).where(HandoffRequest.status == ACTIVE,
                                                                HandoffRequest.assigned_to == staff)).all() \
                if staff else []
            return QueueState(int(waiting or 0), int(newest or 0), sum(self._unread(session, row) for row in mine))

    def counts(self) -> dict[str, int]:
        with self._session_factory() as session:
            rows = session.execute(select(HandoffRequest.status, func.count(HandoffRequest.id))
                                   .group_by(HandoffRequest.status))
            found = {status: int(count) for status, count in rows}
            return {status: found.get(status, 0) for status in STATUSES}

    def queue(self, statuses: tuple[str, ...] = OPEN, limit: int = 100) -> list[QueueEntry]:
        """Requests of these statuses: the waiting ones oldest first (first come, first served),
        then the ones in hand and the resolved, newest first."""
        with self._session_factory() as session:
            rows = session.scalars(select(HandoffRequest).where(HandoffRequest.status.in_(statuses))
                                   .order_by(HandoffRequest.requested_at.desc()).limit(limit)).all()
            entries = self._entries(session, rows)
        order = {PENDING: 0, ACTIVE: 1, RESOLVED: 2}
        return sorted(entries, key=lambda e: (order[e.status], e.requested_at.timestamp() if e.status == PENDING
                                              else -e.id))

    def for_member(self, channel: str, user_id: str) -> QueueEntry | None:
        """The member's open request, for their conversation page."""
        with self._session_factory() as session:
            rows = session.scalars(select(HandoffRequest).where(
                HandoffRequest.channel == channel, HandoffRequest.user_id == user_id,
                HandoffRequest.status.in_(OPEN))).all()
            entries = self._entries(session, rows)
        return entries[0] if entries else None

    def _entries(self, session: Session, rows: Sequence[HandoffRequest]) -> list[QueueEntry]:
        members = self._members(session, {(row.channel, row.user_id) for row in rows})
        assigned = {row.assigned_to for row in rows if row.assigned_to}
        names = dict(session.execute(select(StaffUser.username, StaffUser.display_name)
                                     .where(StaffUser.username.in_(assigned))).all()) if assigned else {}
        entries = []
        for row in rows:
            name, company = members.get((row.channel, row.user_id), (None, None))
            entries.append(QueueEntry(
                id=row.id, channel=row.channel, user_id=row.user_id, question=row.question,
                context=row.context, status=row.status, requested_at=_aware(row.requested_at),
                member_name=name, company=company, assigned_to=row.assigned_to,
                assigned_name=names.get(row.assigned_to) or row.assigned_to,
                assigned_at=row.assigned_at, resolved_at=row.resolved_at,
                unread=self._unread(session, row) if row.status != RESOLVED else 0))
        return entries

    def member_names(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str | None, str | None]]:
        """(name, company) of these members, where their sign-ups give them (the conversation list)."""
        with self._session_factory() as session:
            return self._members(session, keys)

    @staticmethod
    def _members(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str | None, str | None]]:
        """Name and company the members gave when they signed up (the member row, else their latest sign-up)."""
        if not keys:
            return {}
        found: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        ids = {user_id for _, user_id in keys}
        rows = session.execute(select(Member.id, Member.channel, Member.channel_user_id, Member.name, Member.company)
                               .where(Member.channel_user_id.in_(ids))).all()
        for member_id, channel, user_id, name, company in rows:
            if (channel, user_id) not in keys:
                continue
            if not name:
                latest = session.execute(select(Signup.name, Signup.company).where(Signup.member_id == member_id)
                                         .order_by(Signup.created_at.desc())).first()
                name, company = (latest[0], latest[1]) if latest else (None, company)
            found[(channel, user_id)] = (name, company)
        return found

    @staticmethod
    def _unread(session: Session, row: HandoffRequest) -> int:
        """Member messages since staff last wrote to them in this conversation, or since the request."""
        since = row.requested_at
        if row.status == ACTIVE:
            last_staff = session.scalar(
                select(func.max(MessageLog.created_at))
                .join(StaffMessage, StaffMessage.message_uid == MessageLog.uid)
                .join(Takeover, Takeover.id == StaffMessage.takeover_id)
                .where(Takeover.channel == row.channel, Takeover.user_id == row.user_id,
                       StaffMessage.kind == "reply"))
            if last_staff is not None:
                since = max(_aware(since), _aware(last_staff))
        return int(session.scalar(
            select(func.count(MessageLog.id))
            .where(MessageLog.channel == row.channel, MessageLog.user_id == row.user_id,
                   MessageLog.direction == "in", MessageLog.created_at > since)) or 0)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives datetimes back without their zone (they were written in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
