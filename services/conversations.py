"""What staff read in the console: members' conversations from the gateway's message
log, and what Rasa understood of each message, from the `events` table that Rasa's
SQLTrackerStore writes into the same database.

A member's message and Rasa's user event are matched by the message id the gateway
sends Rasa in the metadata (`msg_id`); the actions run after it are the action
events up to the member's next message.

The list's filters on what Rasa understood and its text search read the
console's own index of both (services.conversation_index), caught up at each
request; review marks and tags are services.review's, the misunderstood inbox
services.inbox's.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from services.conversation_index import (
    FALLBACK_ACTIONS,
    FALLBACK_INTENT,
    RASA_EVENTS,
    ConversationIndex,
    NluReading,
    SearchText,
    read_parse_data,
    search_key,
)
from services.inbox import LOW_CONFIDENCE, InboxService
from services.messaging import MessageLog
from services.models import Member, Signup, utcnow
from services.review import ReviewMark, ReviewService, ReviewTag, TagView, TurnReview, members_clause
from services.review_file import ReviewFile
from services.senders import rasa_sender
from services.settings import SHANGHAI
from services.takeover import Author, Takeover, TakeoverService

__all__ = ["LOW_CONFIDENCE", "RASA_EVENTS", "ConversationFilter", "ConversationService"]
PAGE_SIZE = 50
MAX_SEARCH_WORDS = 5
MAX_LISTED = 1000  # members a member-level filter is listed by, rather than sub-selected


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
    query: str | None = None  # words a member's message contains (normalised: 繁體 finds 简体)
    masked_search: bool = True  # search the text with mobile numbers masked (everyone but admins)
    intent: str | None = None  # what Rasa decided (nlu_fallback included)
    below: float | None = None  # the classifier's confidence below this
    fallback: bool = False  # nlu_fallback, or a fallback action answered
    signup: bool = False  # the member has signed up for an activity
    reviewed: bool | None = None  # member messages marked reviewed (True) or not yet (False)
    tag: str | None = None  # the member's conversation or one of its turns has this tag
    page: int = 1

    @property
    def reads_rasa(self) -> bool:
        return self.intent is not None or self.below is not None or self.fallback

    @property
    def narrowed(self) -> bool:
        """Rows count only the messages that match (not all the member's)."""
        return any((self.date_from, self.date_to, self.channel, self.failed, self.query, self.reads_rasa,
                    self.reviewed is not None))


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
    tags: list[str] = field(default_factory=list)
    unreviewed: bool = False  # has a message not marked reviewed


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
    guess: str | None = None  # for nlu_fallback: the intent the classifier would have chosen
    guess_confidence: float | None = None

    @property
    def fallback(self) -> bool:
        return (self.intent == FALLBACK_INTENT or any(action in FALLBACK_ACTIONS for action in self.actions)
                or (self.confidence is not None and self.confidence < LOW_CONFIDENCE))


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
    review: ReviewMark | None = None
    tags: list[TagView] = field(default_factory=list)

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


def search_words(query: str | None) -> list[str]:
    """The search's words in the stored text's form; every one must be in the same message."""
    return [word for word in search_key(query).split(" ") if word][:MAX_SEARCH_WORDS]


class ConversationService:
    def __init__(self, session_factory: sessionmaker, engine: Engine, review_file: ReviewFile | None = None) -> None:
        self._session_factory = session_factory
        self._engine = engine
        self.takeovers = TakeoverService(session_factory)
        self.index = ConversationIndex(session_factory, engine)
        self.reviews = ReviewService(session_factory)
        self.inbox = InboxService(session_factory, self.index, review_file)

    # -- the list ----------------------------------------------------------------

    def _matching(self, f: ConversationFilter, allowed: set[tuple[str, str]] | None, *columns: Any) -> Any:
        """SELECT `columns` FROM the messages that match the filter.

        Message-level filters (dates, channel, failed, Rasa's reading, search, review marks)
        narrow the messages; member-level ones (taken over, signed up, tagged) the members,
        through `(channel, user_id) IN (…)` on a small table rather than a test per message.

        Search: `LIKE '%word%'` over `message_search.text_key`, the normalised text, on
        SQLite and PostgreSQL alike. Neither a B-tree nor pg_trgm helps a substring search
        in Chinese: most searches are one or two words of two characters (报名, 证书), too
        short to make a trigram, so pg_trgm's GIN index would be read whole; SQLite has no
        such index at all (FTS5 tokenises on spaces, which Chinese has none of). The scan
        reads one narrow table (message id and text) of member messages only, newest
        first, and stops once a page of members is found (see `find`); at 100,000
        messages it stays well under the 500 ms target (make bench; docs/console.md).
        """
        log = MessageLog
        query = select(*columns)
        where: list[Any] = []
        if f.date_from:
            where.append(log.created_at >= day_bounds(f.date_from)[0])
        if f.date_to:
            where.append(log.created_at < day_bounds(f.date_to)[1])
        if f.channel:
            # Two channels: an index on it never narrows much, but without this SQLite's planner
            # takes the (channel, …) index for "wechat + intent" and sorts nine rows in ten.
            where.append(log.channel.concat("") == f.channel)
        if f.failed:
            where.append(log.status.in_(("failed", "pending")))
        words = search_words(f.query)
        if words:
            query = query.join(SearchText, SearchText.message_id == log.id)
            searched = SearchText.masked_key if f.masked_search else SearchText.text_key
            where.extend(searched.like(f"%{_escape_like(word)}%", escape="\\") for word in words)
        if f.reads_rasa:
            query = query.join(NluReading, NluReading.message_id == log.id)
            if f.intent:
                where.append(NluReading.intent == f.intent)
            if f.below is not None:
                where.append(NluReading.confidence < f.below)
            if f.fallback:
                where.append(NluReading.fallback.is_(True))
        if f.reviewed is True:
            query = query.join(TurnReview, TurnReview.message_id == log.id)
        elif f.reviewed is False:
            query = query.outerjoin(TurnReview, TurnReview.message_id == log.id)
            where.extend((log.direction == "in", TurnReview.message_id.is_(None)))
        if allowed is not None:
            where.append(members_clause(allowed))
        else:
            member = tuple_(log.channel, log.user_id)
            where.extend(member.in_(chosen) for chosen in self._member_filters(f))
        return query.where(*where)

    @staticmethod
    def _member_filters(f: ConversationFilter) -> list[Any]:
        """SELECT channel, user_id of the members each member-level filter allows."""
        found: list[Any] = []
        if f.held:
            found.append(select(Takeover.channel, Takeover.user_id).where(Takeover.ended_at.is_(None)))
        if f.signup:
            found.append(select(Member.channel, Member.channel_user_id).join(Signup, Signup.member_id == Member.id))
        if f.tag:
            found.append(select(ReviewTag.channel, ReviewTag.user_id).where(ReviewTag.tag == f.tag))
        return found

    def _allowed(self, session: Any, f: ConversationFilter) -> set[tuple[str, str]] | None:
        """The members the member-level filters allow, when there are few (None: no such
        filter, or too many to list). Listing them (`channel = ? AND user_id IN (…)`) lets
        the database read just their messages; a sub-select instead is tested message by
        message (PostgreSQL: a nested loop over every message read, 200 ms and more)."""
        queries = self._member_filters(f)
        if not queries:
            return None
        allowed: set[tuple[str, str]] | None = None
        for query in queries:
            members = {(channel, user_id) for channel, user_id
                       in session.execute(query.distinct().limit(MAX_LISTED + 1))}
            if len(members) > MAX_LISTED:
                return None
            allowed = members if allowed is None else allowed & members
        return allowed

    def find(self, f: ConversationFilter, page_size: int = PAGE_SIZE) -> ListPage:
        """Members with messages matching the filter, the most recently active first.

        Rather than grouping every matching message by member (which reads all of them,
        100,000 and more, for every page), the matching messages are read newest first
        in growing chunks (an index range on the primary key) until the page's members
        and one more are found: the first page of an unfiltered list reads a few hundred
        rows. Then the page's members alone are counted."""
        page = max(f.page, 1)
        wanted = page * page_size + 1  # one more: is there a next page?
        self.index.catch_up()
        log = MessageLog
        # Newest first along the most selective table's own copy of the message id, so the
        # database walks that table's index backwards instead of sorting what matched.
        order = NluReading.message_id if f.reads_rasa else TurnReview.message_id if f.reviewed else log.id
        latest: dict[tuple[str, str], int] = {}  # member → latest matching message id, newest first
        counts: dict[tuple[str, str], int] = {}
        with self._session_factory() as session:
            newest = int(session.scalar(select(func.max(log.id))) or 0)
            allowed = self._allowed(session, f)
            if allowed is not None:
                # A few members: group just their messages (an index lookup per member).
                grouped = session.execute(
                    self._matching(f, allowed, log.channel, log.user_id, func.max(log.id).label("last_id"),
                                   func.count().label("messages"))
                    .group_by(log.channel, log.user_id)).all() if allowed else []
                for row in sorted(grouped, key=lambda row: -row.last_id):
                    latest[(row.channel, row.user_id)] = int(row.last_id)
                    counts[(row.channel, row.user_id)] = int(row.messages)
            upper, chunk = newest + 1, 500
            while allowed is None and len(latest) < wanted:
                rows = session.execute(self._matching(f, allowed, log.id, log.channel, log.user_id)
                                       .where(order < upper)
                                       .order_by(order.desc()).limit(chunk)).all()
                for row in rows:
                    latest.setdefault((row.channel, row.user_id), row.id)
                if len(rows) < chunk:
                    break
                upper, chunk = rows[-1].id, min(chunk * 4, 32_000)
            members = list(latest)[(page - 1) * page_size:page * page_size]
            if members and allowed is None:
                counts = {(row.channel, row.user_id): int(row.messages) for row in session.execute(
                    self._matching(f, allowed, log.channel, log.user_id, func.count().label("messages"))
                    .where(members_clause(members)).group_by(log.channel, log.user_id))}
            last_rows = {row.id: row for row in session.scalars(
                select(log).where(log.id.in_([latest[member] for member in members])))}
        held = self.takeovers.held_members()
        tags = self.reviews.tags_of_members(members)
        unreviewed = self.reviews.with_unreviewed(members)
        rows = []
        for member in members:
            last = last_rows[latest[member]]
            rows.append(ConversationRow(
                channel=member[0], user_id=member[1], messages=counts.get(member, 0), last_id=last.id,
                last_at=aware(last.created_at) or utcnow(), last_text=last.text, last_direction=last.direction,
                last_status=last.status, held=member in held, tags=tags.get(member, []),
                unreviewed=member in unreviewed))
        return ListPage(rows, page, len(latest) > page * page_size, newest)

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
        marks = self.reviews.marks(row.id for row in rows if row.direction == "in")
        tags: dict[int, list[TagView]] = {}
        for tag in self.reviews.tags(channel, user_id):
            tags.setdefault(tag.message_id, []).append(tag)
        turns: dict[str, Turn] = {}
        for row in rows:
            line = _line(row, authors.get(row.uid))
            turn = turns.get(row.turn_id)
            if turn is None:
                turn = turns[row.turn_id] = Turn(row.turn_id, None, [], None)
            if row.direction == "in":
                turns[row.turn_id] = Turn(turn.turn_id, line, turn.replies,
                                          understood.get(row.msg_id) if row.msg_id else None,
                                          marks.get(row.id), tags.get(row.id, []))
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
        return self.index.has_rasa_events()

    def understanding(self, channel: str, user_id: str, limit: int = 2000) -> dict[str, Understanding]:
        """Rasa's reading of the member's messages by the gateway's message id. Empty when
        Rasa's tracker store is not in this database (yet)."""
        if not self.has_rasa_events():
            return {}
        with self._engine.connect() as connection:
            events = connection.execute(
                select(RASA_EVENTS.c.type_name, RASA_EVENTS.c.action_name, RASA_EVENTS.c.data)
                # Namespaced since issue #13; bare in conversations from before it.
                .where(RASA_EVENTS.c.sender_id.in_((rasa_sender(channel, user_id), user_id)),
                       RASA_EVENTS.c.type_name.in_(("user", "action")))
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
        reading = read_parse_data(event)
        found[str(msg_id)] = Understanding(reading.intent, reading.confidence, reading.entities,
                                           guess=reading.guess if reading.intent == FALLBACK_INTENT else None,
                                           guess_confidence=reading.guess_confidence
                                           if reading.intent == FALLBACK_INTENT else None)
        current = str(msg_id)
    return found

