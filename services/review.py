"""Staff reviewing conversations: a member message (a turn) marked as reviewed, and
free tags (待补充知识, 投诉 …) on a turn or on the whole conversation.

A conversation counts as reviewed up to what was there when it was marked: a
member's later messages are new turns, not reviewed until someone looks at them.
A review mark or a tag is taken back by whoever set it, or by an admin.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    delete,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, sessionmaker

from services.conversation_index import insert_ignoring_duplicates
from services.messaging import MessageLog
from services.models import Base, utcnow

CONVERSATION = 0  # review_tags.message_id of a tag on the whole conversation
MAX_TAG_CHARS = 20
_SPACES = re.compile(r"\s+")


class TurnReview(Base):
    """A member message staff have looked at."""

    __tablename__ = "turn_reviews"
    __table_args__ = (Index("ix_turn_reviews_member", "channel", "user_id"),)

    message_id = Column(ForeignKey("message_log.id", ondelete="CASCADE"), primary_key=True)
    channel = Column(String(20), nullable=False)
    user_id = Column(String(128), nullable=False)
    staff_username = Column(String(40), nullable=False)
    reviewed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ReviewTag(Base):
    """A tag on a turn (message_id: the member's message) or on the conversation (0)."""

    __tablename__ = "review_tags"
    __table_args__ = (
        UniqueConstraint("channel", "user_id", "message_id", "tag", name="uq_review_tags"),
        Index("ix_review_tags_tag", "tag", "channel", "user_id"),
    )

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    user_id = Column(String(128), nullable=False)
    message_id = Column(Integer, nullable=False, default=CONVERSATION)
    tag = Column(String(MAX_TAG_CHARS), nullable=False)
    staff_username = Column(String(40), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class NotAllowed(Exception):
    """Someone else's mark or tag, and the staff member is not an admin."""


class InvalidTag(ValueError):
    """Empty, or longer than MAX_TAG_CHARS."""


@dataclass(frozen=True)
class ReviewMark:
    message_id: int
    staff_username: str
    reviewed_at: dt.datetime


@dataclass(frozen=True)
class TagView:
    id: int
    message_id: int
    tag: str
    staff_username: str
    created_at: dt.datetime

    @property
    def on_conversation(self) -> bool:
        return self.message_id == CONVERSATION


Member = tuple[str, str]


def clean_tag(raw: str | None) -> str:
    tag = _SPACES.sub(" ", unicodedata.normalize("NFC", raw or "")).strip().strip("#")
    if not tag or len(tag) > MAX_TAG_CHARS or not tag.isprintable():
        raise InvalidTag(raw)
    return tag


def members_clause(members: Iterable[Member], channel_column: object = MessageLog.channel,
                   user_column: object = MessageLog.user_id) -> object:
    """(channel, user_id) pairs as `channel = ? AND user_id IN (…)` per channel: each term
    uses the (channel, user_id, …) indexes on SQLite and PostgreSQL alike."""
    by_channel: dict[str, list[str]] = {}
    for channel, user_id in members:
        by_channel.setdefault(channel, []).append(user_id)
    if not by_channel:
        return false()
    return or_(*(and_(channel_column == channel, user_column.in_(users))  # type: ignore[attr-defined]
                 for channel, users in by_channel.items()))


class ReviewService:
    def __init__(self, session_factory: sessionmaker, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._session_factory = session_factory
        self._clock = clock

    # -- review marks ---------------------------------------------------------------

    def mark(self, channel: str, user_id: str, staff: str, message_id: int | None = None) -> int:
        """Mark one member message (or, with no id, every one not yet marked) as reviewed;
        how many were newly marked."""
        query = select(MessageLog.id).where(MessageLog.channel == channel, MessageLog.user_id == user_id,
                                            MessageLog.direction == "in")
        if message_id is not None:
            query = query.where(MessageLog.id == message_id)
        now = self._clock()
        with self._session_factory() as session, session.begin():
            ids = session.scalars(query.where(~select(TurnReview.message_id)
                                              .where(TurnReview.message_id == MessageLog.id).exists())).all()
            insert_ignoring_duplicates(session, TurnReview.__table__, [
                {"message_id": found, "channel": channel, "user_id": user_id, "staff_username": staff,
                 "reviewed_at": now} for found in ids])
            return len(ids)

    def unmark(self, channel: str, user_id: str, message_id: int, staff: str, is_admin: bool) -> bool:
        with self._session_factory() as session, session.begin():
            row = session.get(TurnReview, message_id)
            if row is None or (row.channel, row.user_id) != (channel, user_id):
                return False
            if row.staff_username != staff and not is_admin:
                raise NotAllowed(row.staff_username)
            session.delete(row)
            return True

    def marks(self, message_ids: Iterable[int]) -> dict[int, ReviewMark]:
        ids = list(message_ids)
        found: dict[int, ReviewMark] = {}
        with self._session_factory() as session:
            for start in range(0, len(ids), 500):
                for row in session.scalars(select(TurnReview)
                                           .where(TurnReview.message_id.in_(ids[start:start + 500]))):
                    found[row.message_id] = ReviewMark(row.message_id, row.staff_username,
                                                       _aware(row.reviewed_at))
        return found

    def with_unreviewed(self, members: Iterable[Member]) -> set[Member]:
        """The members who have a message not reviewed yet (one query for a page of members:
        it reads their messages, as counting them for the page does anyway)."""
        members = list(members)
        if not members:
            return set()
        with self._session_factory() as session:
            rows = session.execute(
                select(MessageLog.channel, MessageLog.user_id).distinct()
                .outerjoin(TurnReview, TurnReview.message_id == MessageLog.id)
                .where(members_clause(members), MessageLog.direction == "in", TurnReview.message_id.is_(None))).all()
        return {(channel, user_id) for channel, user_id in rows}

    # -- tags ---------------------------------------------------------------------------

    def add_tag(self, channel: str, user_id: str, tag: str, staff: str, message_id: int = CONVERSATION) -> bool:
        """Tag a turn or the conversation; False when it already had that tag."""
        tag = clean_tag(tag)
        with self._session_factory() as session, session.begin():
            if message_id != CONVERSATION and not self._is_members_message(session, channel, user_id, message_id):
                return False
            before = session.scalar(select(func.count()).select_from(ReviewTag).where(
                ReviewTag.channel == channel, ReviewTag.user_id == user_id, ReviewTag.message_id == message_id,
                ReviewTag.tag == tag))
            insert_ignoring_duplicates(session, ReviewTag.__table__, [
                {"channel": channel, "user_id": user_id, "message_id": message_id, "tag": tag,
                 "staff_username": staff, "created_at": self._clock()}])
            return not before

    def remove_tag(self, channel: str, user_id: str, tag_id: int, staff: str, is_admin: bool) -> TagView | None:
        with self._session_factory() as session, session.begin():
            row = session.get(ReviewTag, tag_id)
            if row is None or (row.channel, row.user_id) != (channel, user_id):
                return None
            if row.staff_username != staff and not is_admin:
                raise NotAllowed(row.staff_username)
            view = _tag(row)
            session.execute(delete(ReviewTag).where(ReviewTag.id == tag_id))
            return view

    def tags(self, channel: str, user_id: str) -> list[TagView]:
        with self._session_factory() as session:
            rows = session.scalars(select(ReviewTag).where(ReviewTag.channel == channel, ReviewTag.user_id == user_id)
                                   .order_by(ReviewTag.id)).all()
            return [_tag(row) for row in rows]

    def tags_of_members(self, members: Iterable[Member]) -> dict[Member, list[str]]:
        """Each member's tags (on turns or the conversation), each once, in the order given."""
        members = list(members)
        found: dict[Member, list[str]] = {}
        if not members:
            return found
        with self._session_factory() as session:
            rows = session.execute(select(ReviewTag.channel, ReviewTag.user_id, ReviewTag.tag)
                                   .where(members_clause(members, ReviewTag.channel, ReviewTag.user_id))
                                   .order_by(ReviewTag.id)).all()
        for channel, user_id, tag in rows:
            tags = found.setdefault((channel, user_id), [])
            if tag not in tags:
                tags.append(tag)
        return found

    def known_tags(self, limit: int = 50) -> list[str]:
        """Tags in use, the most used first (offered when tagging and filtering)."""
        with self._session_factory() as session:
            return list(session.scalars(select(ReviewTag.tag).group_by(ReviewTag.tag)
                                        .order_by(func.count().desc(), ReviewTag.tag).limit(limit)))

    @staticmethod
    def _is_members_message(session: Session, channel: str, user_id: str, message_id: int) -> bool:
        return session.scalar(select(MessageLog.id).where(
            MessageLog.id == message_id, MessageLog.channel == channel, MessageLog.user_id == user_id)) is not None


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def _tag(row: ReviewTag) -> TagView:
    return TagView(row.id, row.message_id, row.tag, row.staff_username, _aware(row.created_at))
