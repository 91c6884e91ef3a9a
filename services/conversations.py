"""What staff read in the console: members' conversations from the gateway's message
log, and what Rasa understood of each message, from the `events` table that Rasa's
SQLTrackerStore writes into the same database.

A member's message and Rasa's user event are matched by the message id the gateway
sends Rasa in the metadata (`msg_id`); the actions run after it are the action
events up to the member's next message.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import column, exists, func, inspect, select, table
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from services.messaging import MessageLog
from services.models import utcnow
from services.settings import SHANGHAI
from services.takeover import Author, Takeover, TakeoverService

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent): read, never written.
RASA_EVENTS = table("events", column("id"), column("sender_id"), column("type_name"), column("timestamp"),
                    column("intent_name"), column("action_name"), column("data"))
# Below this Rasa's FallbackClassifier (config.yml: threshold 0.55) answers nlu_fallback.
LOW_CONFIDENCE = 0.55
PAGE_SIZE = 50


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns; they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


@dataclass(frozen=True)
class ConversationFilter:
    date_from: dt.date | None = None  # Shanghai dates, inclusive
    date_to: dt.date | None = None
    channel: str | None = None
    held: bool = False  # taken over by staff now
    failed: bool = False  # has a message that failed or a reply not delivered
    query: str | None = None  # text contained in a message
    page: int = 1


@dataclass(frozen=True)
class ConversationRow:
    channel: str
    user_id: str
    messages: int
    last_id: int
    last_at: dt.datetime
    last_text: str | None
    last_direction: str
    last_status: str
    held: bool


@dataclass(frozen=True)
class ListPage:
    rows: list[ConversationRow]
    page: int
    has_next: bool
    newest_id: int  # the highest message id when the page was read (for live updates)


@dataclass(frozen=True)
class Understanding:
    """Rasa's reading of one member message."""

    intent: str | None
    confidence: float | None
    entities: list[dict[str, Any]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)

    @property
    def fallback(self) -> bool:
        return self.intent == "nlu_fallback" or (self.confidence is not None and self.confidence < LOW_CONFIDENCE)


@dataclass(frozen=True)
class Line:
    """One message of a transcript."""

    id: int
    uid: str
    direction: str
    msg_type: str
    text: str | None
    status: str
    delivery: str | None
    error: str | None
    created_at: dt.datetime
    sent_by_user_at: dt.datetime | None
    delivered_at: dt.datetime | None
    rasa_ms: int | None
    latency_ms: int | None
    author: Author | None = None  # set for what staff sent


@dataclass(frozen=True)
class Turn:
    """A member's message and the replies to it (or a message staff sent on their own)."""

    turn_id: str
    inbound: Line | None
    replies: list[Line]
    understanding: Understanding | None

    @property
    def at(self) -> dt.datetime:
        return (self.inbound or self.replies[0]).created_at


def _line(row: MessageLog, author: Author | None = None) -> Line:
    return Line(id=row.id, uid=row.uid, direction=row.direction, msg_type=row.msg_type, text=row.text,
                status=row.status, delivery=row.delivery, error=row.error,
                created_at=aware(row.created_at) or utcnow(), sent_by_user_at=aware(row.sent_by_user_at),
                delivered_at=aware(row.delivered_at), rasa_ms=row.rasa_ms, latency_ms=row.latency_ms,
                author=author)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A Shanghai calendar day as UTC instants [start, end)."""
    start = dt.datetime.combine(day, dt.time.min, SHANGHAI)
    return start.astimezone(dt.timezone.utc), (start + dt.timedelta(days=1)).astimezone(dt.timezone.utc)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ConversationService:
    def __init__(self, session_factory: sessionmaker, engine: Engine) -> None:
        self._session_factory = session_factory
        self._engine = engine
        self.takeovers = TakeoverService(session_factory)

    # -- the list ----------------------------------------------------------------

    def _where(self, f: ConversationFilter) -> list[Any]:
        where: list[Any] = []
        if f.date_from:
            where.append(MessageLog.created_at >= day_bounds(f.date_from)[0])
        if f.date_to:
            where.append(MessageLog.created_at < day_bounds(f.date_to)[1])
        if f.channel:
            where.append(MessageLog.channel == f.channel)
        if f.query:
            where.append(MessageLog.text.like(f"%{_escape_like(f.query)}%", escape="\\"))
        if f.failed:
            where.append(MessageLog.status.in_(("failed", "pending")))
        if f.held:
            where.append(exists().where(Takeover.channel == MessageLog.channel, Takeover.user_id == MessageLog.user_id,
                                        Takeover.ended_at.is_(None)))
        return where

    def find(self, f: ConversationFilter, page_size: int = PAGE_SIZE) -> ListPage:
        """Members with messages matching the filter, the most recently active first."""
        page = max(f.page, 1)
        with self._session_factory() as session:
            newest = int(session.scalar(select(func.max(MessageLog.id))) or 0)
            grouped = (select(MessageLog.channel, MessageLog.user_id, func.max(MessageLog.id).label("last_id"),
                              func.count().label("messages"))
                       .where(*self._where(f))
                       .group_by(MessageLog.channel, MessageLog.user_id)
                       .order_by(func.max(MessageLog.id).desc())
                       .limit(page_size + 1).offset((page - 1) * page_size))
            groups = session.execute(grouped).all()
            has_next = len(groups) > page_size
            groups = groups[:page_size]
            last_rows = {row.id: row for row in session.scalars(
                select(MessageLog).where(MessageLog.id.in_([group.last_id for group in groups])))}
            held = self.takeovers.held_members()
            rows = []
            for group in groups:
                last = last_rows[group.last_id]
                rows.append(ConversationRow(
                    channel=group.channel, user_id=group.user_id, messages=group.messages, last_id=group.last_id,
                    last_at=aware(last.created_at) or utcnow(), last_text=last.text, last_direction=last.direction,
                    last_status=last.status, held=(group.channel, group.user_id) in held))
            return ListPage(rows, page, has_next, newest)

    def newest_id(self, channel: str | None = None, user_id: str | None = None) -> int:
        """The highest message id (of one member, when given): the console's live updates poll it."""
        query = select(func.max(MessageLog.id))
        if channel is not None and user_id is not None:
            query = query.where(MessageLog.channel == channel, MessageLog.user_id == user_id)
        with self._session_factory() as session:
            return int(session.scalar(query) or 0)

    # -- one member ----------------------------------------------------------------

    def transcript(self, channel: str, user_id: str, limit: int = 300) -> list[Turn]:
        """The member's last `limit` messages as turns, oldest first, with Rasa's reading."""
        with self._session_factory() as session:
            rows = session.scalars(
                select(MessageLog).where(MessageLog.channel == channel, MessageLog.user_id == user_id)
                .order_by(MessageLog.id.desc()).limit(limit)).all()
        rows = list(reversed(rows))
        authors = self.takeovers.authors(row.uid for row in rows if row.direction == "out")
        understood = self.understanding(channel, user_id)
        turns: dict[str, Turn] = {}
        for row in rows:
            line = _line(row, authors.get(row.uid))
            turn = turns.get(row.turn_id)
            if turn is None:
                turn = turns[row.turn_id] = Turn(row.turn_id, None, [], None)
            if row.direction == "in":
                turns[row.turn_id] = Turn(turn.turn_id, line, turn.replies,
                                          understood.get(row.msg_id) if row.msg_id else None)
            else:
                turn.replies.append(line)
        return sorted(turns.values(), key=lambda turn: (turn.inbound or turn.replies[0]).id)

    def account_of(self, channel: str, user_id: str) -> str | None:
        """The account (公众号 original id, CorpID) the member last wrote to."""
        with self._session_factory() as session:
            return session.scalars(select(MessageLog.account).where(
                MessageLog.channel == channel, MessageLog.user_id == user_id, MessageLog.direction == "in",
                MessageLog.account.is_not(None)).order_by(MessageLog.id.desc()).limit(1)).first()

    def has_rasa_events(self) -> bool:
        return bool(inspect(self._engine).has_table("events"))

    def understanding(self, channel: str, user_id: str, limit: int = 2000) -> dict[str, Understanding]:
        """Rasa's reading of the member's messages by the gateway's message id. Empty when
        Rasa's tracker store is not in this database (yet)."""
        if not self.has_rasa_events():
            return {}
        with self._engine.connect() as connection:
            events = connection.execute(
                select(RASA_EVENTS.c.type_name, RASA_EVENTS.c.action_name, RASA_EVENTS.c.data)
                .where(RASA_EVENTS.c.sender_id == user_id, RASA_EVENTS.c.type_name.in_(("user", "action")))
                .order_by(RASA_EVENTS.c.id.desc()).limit(limit)).all()
        return read_events(reversed(events), channel)


def read_events(events: Any, channel: str) -> dict[str, Understanding]:
    """(type_name, action_name, data) rows in order → the understanding per msg_id."""
    found: dict[str, Understanding] = {}
    current: str | None = None
    for type_name, action_name, data in events:
        if type_name == "action":
            if current is not None and action_name and action_name != "action_listen":
                found[current].actions.append(action_name)
            continue
        try:
            event = json.loads(data or "{}")
        except ValueError:
            current = None
            continue
        metadata = event.get("metadata") or {}
        msg_id = metadata.get("msg_id")
        if not msg_id or metadata.get("channel", channel) != channel:
            current = None
            continue
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        confidence = intent.get("confidence")
        entities = [{"entity": e.get("entity"), "value": e.get("value")} for e in parse.get("entities") or []
                    if isinstance(e, dict)]
        found[str(msg_id)] = Understanding(intent.get("name"),
                                           float(confidence) if confidence is not None else None, entities)
        current = str(msg_id)
    return found

