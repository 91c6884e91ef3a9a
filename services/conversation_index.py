"""The console's index of the message log: what members wrote, normalised for search,
and what Rasa understood of it, read from Rasa's `events` table.

Neither source can be filtered quickly as it is: the message log keeps text as
members typed it (繁體, full-width letters), and Rasa keeps its reading as JSON in
`events.data`. `ConversationIndex.catch_up()` copies both, incrementally, into
two narrow tables the conversation list and the misunderstood inbox query:

* `message_search`: one row per inbound message with text, its normalised form
  (simplified script, half-width, lower case: `search_key`);
* `nlu_readings`: one row per user event that came through the gateway (its
  metadata carries the gateway's `msg_id`), with the intent, the classifier's
  confidence and whether a fallback answered it, linked to its message-log row
  (`message_id`) as soon as both are there.

Each table has a cursor (the highest source id read). Catching up reads only what
is newer, so a console request normally costs two `max(id)` queries. It re-reads
a small overlap below the cursor, because ids are handed out when rows are
inserted but become visible when their transaction commits, which two writers
may do out of order; rows already indexed are skipped (insert-or-ignore), so
catching up is idempotent and two processes may do it at once.

The indexed rows are derived data: deleting them and the cursors rebuilds them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
    inspect,
    select,
    table,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from services.messaging import MessageLog
from services.models import Base
from services.senders import member_user_id, split_sender
from services.textnorm import normalise
from services.validation import mask_mobiles

log = logging.getLogger(__name__)

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent): read, never written.
RASA_EVENTS = table("events", column("id"), column("sender_id"), column("type_name"), column("timestamp"),
                    column("intent_name"), column("action_name"), column("data"))
FALLBACK_INTENT = "nlu_fallback"
# Actions that mean "the bot did not understand": the clarifying question or the
# hotline (actions/conversation.py), and the answer taken from the notices' sentences
# when no intent fitted (actions/knowledge.py).
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_clarify_or_fallback",
                              "action_answer_from_documents"})
MESSAGES_CURSOR = "message_log"
EVENTS_CURSOR = "rasa_events"
OVERLAP = 200  # ids re-read below a cursor (see the module's docstring)
BATCH = 5000
ANALYZE_AFTER = 5000  # newly indexed rows before the planner's statistics are refreshed
ANALYZED_TABLES = ("message_log", "message_search", "nlu_readings", "turn_reviews", "review_tags")
MAX_KEY_CHARS = 500

# The list joins Rasa's reading to the message by (channel, member, msg_id): an index
# on the message log for it, declared here with the tables that need it (migration 0004).
Index("ix_message_log_member_msg", MessageLog.channel, MessageLog.user_id, MessageLog.msg_id)


class SearchText(Base):
    """What a member wrote, normalised: the conversation list's text search reads this."""

    __tablename__ = "message_search"

    message_id = Column(ForeignKey("message_log.id", ondelete="CASCADE"), primary_key=True)
    text_key = Column(Text, nullable=False)
    # The same with mobile numbers masked (139****5678): what staff without the right to
    # see numbers search, so that a search cannot tell them the hidden digits one by one.
    masked_key = Column(Text)


class NluReading(Base):
    """Rasa's reading of one member message that came through the gateway."""

    __tablename__ = "nlu_readings"
    __table_args__ = (
        UniqueConstraint("channel", "user_id", "msg_id", name="uq_nlu_readings_message"),
        Index("ix_nlu_readings_intent", "intent"),
        Index("ix_nlu_readings_confidence", "confidence"),
        Index("ix_nlu_readings_sender", "user_id", "event_id"),  # an action's user event
        Index("ix_nlu_readings_message", "message_id"),
    )

    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, nullable=False, unique=True)  # events.id of the user event
    # The message-log row of the message, once both are there (see ConversationIndex._link).
    message_id = Column(ForeignKey("message_log.id", ondelete="CASCADE"))
    channel = Column(String(20), nullable=False)
    user_id = Column(String(128), nullable=False)  # the openid or UserID (Rasa's sender id without its channel)
    msg_id = Column(String(64), nullable=False)  # the gateway's message id, from the event's metadata
    intent = Column(String(100))  # what Rasa decided, nlu_fallback included
    # The classifier's confidence in its best intent; for nlu_fallback, in the intent it
    # would have chosen (Rasa reports the fallback threshold itself there).
    confidence = Column(Float)
    guess = Column(String(100))  # that best intent other than nlu_fallback
    fallback = Column(Boolean, nullable=False, default=False)
    fallback_action = Column(String(60))
    created_at = Column(DateTime(timezone=True))


class IndexCursor(Base):
    __tablename__ = "console_index_cursors"

    name = Column(String(40), primary_key=True)
    position = Column(Integer, nullable=False, default=0)


def search_key(text: str | None) -> str:
    """The form both the stored text and the search words are compared in: simplified
    script, half-width letters and digits, lower case, single spaces (services.textnorm)."""
    return normalise(text or "", MAX_KEY_CHARS).casefold()


@dataclass(frozen=True)
class Reading:
    """Rasa's reading of a user event (`parse_data`)."""

    intent: str | None
    confidence: float | None  # as Rasa reported it (the threshold, for nlu_fallback)
    guess: str | None
    guess_confidence: float | None
    entities: list[dict[str, Any]]

    @property
    def classifier_confidence(self) -> float | None:
        return self.guess_confidence if self.intent == FALLBACK_INTENT else self.confidence


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def read_parse_data(event: Mapping[str, Any]) -> Reading:
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    name = intent.get("name")
    guess, guess_confidence = name, _float(intent.get("confidence"))
    if name == FALLBACK_INTENT:
        # FallbackClassifier puts itself first in the ranking; the classifier's choice follows.
        guess, guess_confidence = None, None
        for ranked in parse.get("intent_ranking") or []:
            if isinstance(ranked, dict) and ranked.get("name") != FALLBACK_INTENT:
                guess, guess_confidence = ranked.get("name"), _float(ranked.get("confidence"))
                break
    entities = [{"entity": e.get("entity"), "value": e.get("value")} for e in parse.get("entities") or []
                if isinstance(e, dict)]
    return Reading(name, _float(intent.get("confidence")), guess, guess_confidence, entities)


def insert_ignoring_duplicates(session: Session, target: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL (row by row elsewhere)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        session.execute(insert(target).on_conflict_do_nothing(), list(rows))
        return
    for row in rows:  # pragma: no cover - the project runs on SQLite and PostgreSQL
        try:
            with session.begin_nested():
                session.execute(target.insert(), [row])
        except IntegrityError:
            pass


class ConversationIndex:
    """Keeps `message_search` and `nlu_readings` up to date (see the module docstring)."""

    def __init__(self, session_factory: sessionmaker, engine: Engine) -> None:
        self._session_factory = session_factory
        self._engine = engine
        self._lock = threading.Lock()  # one catch-up at a time in this process
        self._has_events = False
        self._analyzed = False
        self._since_analyze = 0

    def has_rasa_events(self) -> bool:
        """Whether Rasa's tracker store writes into this database (remembered once seen)."""
        if not self._has_events:
            self._has_events = bool(inspect(self._engine).has_table("events"))
        return self._has_events

    def catch_up(self) -> None:
        with self._lock:
            events = self.has_rasa_events()
            with self._session_factory() as session:  # one round of four small queries when nothing is new
                cursors = dict(session.execute(select(IndexCursor.name, IndexCursor.position)).all())
                messages_top = int(session.scalar(select(func.max(MessageLog.id))) or 0)
                events_top = int(session.scalar(select(func.max(RASA_EVENTS.c.id))) or 0) if events else 0
            indexed = 0
            if messages_top > cursors.get(MESSAGES_CURSOR, 0):
                indexed += self._catch_up_messages(cursors.get(MESSAGES_CURSOR, 0), messages_top)
            if events_top > cursors.get(EVENTS_CURSOR, 0):
                indexed += self._catch_up_events(cursors.get(EVENTS_CURSOR, 0), events_top)
            if indexed:
                self._link()
            self._since_analyze += indexed
            if self._since_analyze >= ANALYZE_AFTER or not self._analyzed:
                self._analyze()

    def _analyze(self) -> None:
        """Give the query planner statistics on the tables the list reads.

        SQLite keeps none until ANALYZE runs; without them it guesses, and for a filter
        such as `channel = 'wechat' AND intent = …` newest first it picks the channel
        index (nine rows in ten) and sorts everything: 600 ms at 100,000 messages
        instead of 50. `analysis_limit` makes SQLite sample each index rather than read
        it whole, so this costs milliseconds; it runs when a process first catches up
        and after every ANALYZE_AFTER newly indexed rows. PostgreSQL's autovacuum would
        get there by itself, later; analysing the freshly filled index tables at once
        does no harm."""
        self._analyzed, self._since_analyze = True, 0
        try:
            with self._engine.begin() as connection:
                if self._engine.dialect.name == "sqlite":
                    connection.exec_driver_sql("PRAGMA analysis_limit=2000")
                for name in ANALYZED_TABLES:
                    connection.exec_driver_sql(f"ANALYZE {name}")
        except SQLAlchemyError as error:  # statistics are an optimisation, never a failure
            log.warning("console: ANALYZE failed (%s); queries may be slower", type(error).__name__)

    # -- cursors ------------------------------------------------------------------

    def _advance(self, session: Session, name: str, position: int) -> None:
        insert_ignoring_duplicates(session, IndexCursor.__table__, [{"name": name, "position": 0}])
        session.execute(update(IndexCursor).where(IndexCursor.name == name, IndexCursor.position < position)
                        .values(position=position).execution_options(synchronize_session=False))

    def _link(self) -> None:
        """Give each reading its message-log row, found by (channel, member, msg_id). Rasa
        commits a turn's events before the gateway logs the message (its log is written in
        batches), so either may be indexed first; readings wait, unlinked, for their row."""
        log = MessageLog
        row = (select(log.id).where(log.channel == NluReading.channel, log.user_id == NluReading.user_id,
                                    log.msg_id == NluReading.msg_id, log.direction == "in")
               .order_by(log.id).limit(1).scalar_subquery())
        with self._session_factory() as session, session.begin():
            session.execute(update(NluReading).where(NluReading.message_id.is_(None)).values(message_id=row)
                            .execution_options(synchronize_session=False))

    # -- the message log ----------------------------------------------------------------

    def _catch_up_messages(self, position: int, top: int) -> int:
        """Index the member messages logged after `position`, up to `top`; how many were read."""
        start, read = max(position - OVERLAP, 0), 0
        while start < top:
            end = min(start + BATCH * 4, top)
            with self._session_factory() as session, session.begin():
                rows = session.execute(
                    select(MessageLog.id, MessageLog.text)
                    .where(MessageLog.id > start, MessageLog.id <= end, MessageLog.direction == "in",
                           MessageLog.text.is_not(None))).all()
                insert_ignoring_duplicates(session, SearchText.__table__,
                                           [{"message_id": row.id, "text_key": search_key(row.text),
                                             "masked_key": search_key(mask_mobiles(row.text))}
                                            for row in rows if (row.text or "").strip()])
                self._advance(session, MESSAGES_CURSOR, end)
            start, read = end, read + len(rows)
        return read

    # -- Rasa's events ------------------------------------------------------------------

    def _catch_up_events(self, position: int, top: int) -> int:
        """Read Rasa's events written after `position`, up to `top`; how many user events were read."""
        start, read = max(position - OVERLAP, 0), 0
        while start < top:
            end = min(start + BATCH * 4, top)
            with self._session_factory() as session, session.begin():
                events = session.execute(
                    select(RASA_EVENTS.c.id, RASA_EVENTS.c.sender_id, RASA_EVENTS.c.type_name,
                           RASA_EVENTS.c.action_name, RASA_EVENTS.c.timestamp, RASA_EVENTS.c.data)
                    .where(RASA_EVENTS.c.id > start, RASA_EVENTS.c.id <= end,
                           RASA_EVENTS.c.type_name.in_(("user", "action")))
                    .order_by(RASA_EVENTS.c.id)).all()
                self._index_events(session, events)
                self._advance(session, EVENTS_CURSOR, end)
            start, read = end, read + sum(1 for event in events if event.type_name == "user")
        return read

    def _index_events(self, session: Session, events: Iterable[Any]) -> None:
        readings: list[dict[str, Any]] = []
        # The reading an action event belongs to: the sender's latest user event.
        current: dict[str, dict[str, Any] | None] = {}
        late_fallbacks: list[tuple[str, int, str]] = []  # (sender, action event id, action)
        for event_id, sender, type_name, action_name, timestamp, data in events:
            if type_name == "action":
                if action_name not in FALLBACK_ACTIONS:
                    continue
                if sender in current:
                    row = current[sender]
                    if row is not None and not row["fallback_action"]:
                        row["fallback"], row["fallback_action"] = True, action_name
                else:  # its user event was read in an earlier batch
                    late_fallbacks.append((sender, event_id, action_name))
                continue
            row = self._reading_row(event_id, sender, timestamp, data)
            current[sender] = row
            if row is not None:
                readings.append(row)
        insert_ignoring_duplicates(session, NluReading.__table__, readings)
        # A reading indexed before its fallback action was written: re-read in the overlap, it
        # was not inserted again, so the flag is set on the stored row.
        marks = [(row["event_id"], row["fallback_action"]) for row in readings if row["fallback_action"]]
        for sender, event_id, action_name in late_fallbacks:
            channel, user_id = split_sender(sender)
            same_member = [NluReading.user_id == user_id] + ([NluReading.channel == channel] if channel else [])
            latest = session.scalar(select(func.max(NluReading.event_id))
                                    .where(*same_member, NluReading.event_id < event_id))
            if latest is not None:
                marks.append((latest, action_name))
        by_action: dict[str, list[int]] = {}
        for event_id, action_name in marks:
            by_action.setdefault(action_name, []).append(event_id)
        for action_name, ids in by_action.items():
            for chunk in range(0, len(ids), 500):
                session.execute(update(NluReading)
                                .where(NluReading.event_id.in_(ids[chunk:chunk + 500]),
                                       NluReading.fallback_action.is_(None))
                                .values(fallback=True, fallback_action=action_name)
                                .execution_options(synchronize_session=False))

    @staticmethod
    def _reading_row(event_id: int, sender: str, timestamp: float | None, data: str | None) -> dict[str, Any] | None:
        try:
            event = json.loads(data or "{}")
        except ValueError:
            return None
        metadata = event.get("metadata") or {}
        msg_id, channel = metadata.get("msg_id"), metadata.get("channel")
        if not msg_id or not channel:  # not from the gateway (the REST channel, rasa shell)
            return None
        reading = read_parse_data(event)
        at = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc) if timestamp else None
        user_id = member_user_id(str(channel), sender)  # the message log's bare id (services.senders)
        return {"event_id": event_id, "message_id": None, "channel": str(channel)[:20], "user_id": user_id[:128],
                "msg_id": str(msg_id)[:64], "intent": (reading.intent or None) and str(reading.intent)[:100],
                "confidence": reading.classifier_confidence, "guess": (reading.guess or None) and
                str(reading.guess)[:100], "fallback": reading.intent == FALLBACK_INTENT,
                "fallback_action": None, "created_at": at}
