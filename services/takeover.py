"""Staff taking a conversation over from the bot, and handing it back.

While a member is taken over (a `takeovers` row with no `ended_at`), the gateway
keeps their messages for staff and asks Rasa nothing. Who wrote each message
staff sent (the joining notice, replies, the leaving notice) is kept in
`staff_messages`, by the message log row's uid: the message log itself has no
author column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from services.accounts import StaffUser
from services.models import Base, utcnow

JOINED = "joined"
REPLY = "reply"
LEFT = "left"


class Takeover(Base):
    __tablename__ = "takeovers"
    __table_args__ = (
        # One takeover in progress per member; the database decides between two staff clicking at once.
        Index("uq_takeovers_active_member", "channel", "user_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        Index("ix_takeovers_member", "channel", "user_id", "started_at"),
    )

    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    user_id = Column(String(128), nullable=False)
    account = Column(String(64))
    staff_username = Column(String(40), nullable=False)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    ended_at = Column(DateTime(timezone=True))
    ended_by = Column(String(40))


class StaffMessage(Base):
    """A message staff sent to a member during a takeover (or its join/leave notice)."""

    __tablename__ = "staff_messages"

    id = Column(Integer, primary_key=True)
    takeover_id = Column(ForeignKey("takeovers.id", ondelete="CASCADE"), nullable=False, index=True)
    message_uid = Column(String(32), nullable=False, unique=True)  # message_log.uid
    staff_username = Column(String(40), nullable=False)
    kind = Column(String(10), nullable=False)  # joined | reply | left
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


@dataclass(frozen=True)
class TakeoverView:
    id: int
    channel: str
    user_id: str
    account: str | None
    staff_username: str
    started_at: dt.datetime
    ended_at: dt.datetime | None


@dataclass(frozen=True)
class Author:
    staff_username: str
    kind: str


def _view(row: Takeover) -> TakeoverView:
    return TakeoverView(id=row.id, channel=row.channel, user_id=row.user_id, account=row.account,
                        staff_username=row.staff_username, started_at=row.started_at, ended_at=row.ended_at)


class TakeoverService:
    def __init__(self, session_factory: sessionmaker, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def active(self, channel: str, user_id: str) -> TakeoverView | None:
        with self._session_factory() as session:
            row = session.scalars(select(Takeover).where(Takeover.channel == channel, Takeover.user_id == user_id,
                                                         Takeover.ended_at.is_(None))).first()
            return _view(row) if row is not None else None

    def is_held(self, channel: str, user_id: str) -> bool:
        """Whether the bot must stay silent for this member (the gateway asks on every message)."""
        with self._session_factory() as session:
            found = session.scalars(select(Takeover.id).where(
                Takeover.channel == channel, Takeover.user_id == user_id, Takeover.ended_at.is_(None))).first()
            return found is not None

    def holder(self, channel: str, user_id: str) -> str | None:
        """Who has this member (the display name staff set, else the username), or None when the
        bot answers: the gateway asks on every message, and names them to the member."""
        with self._session_factory() as session:
            found = session.execute(
                select(Takeover.staff_username, StaffUser.display_name)
                .outerjoin(StaffUser, StaffUser.username == Takeover.staff_username)
                .where(Takeover.channel == channel, Takeover.user_id == user_id, Takeover.ended_at.is_(None))
            ).first()
            return (found[1] or found[0]) if found is not None else None

    def start(self, channel: str, user_id: str, account: str | None, staff: str) -> tuple[TakeoverView, bool]:
        """Take the member over; (the takeover, True) or, when someone already has, (theirs, False)."""
        try:
            with self._session_factory() as session, session.begin():
                row = Takeover(channel=channel, user_id=user_id, account=account, staff_username=staff,
                               started_at=self._clock())
                session.add(row)
                session.flush()
                return _view(row), True
        except IntegrityError:
            existing = self.active(channel, user_id)
            if existing is None:  # ended between the two statements: try once more
                return self.start(channel, user_id, account, staff)
            return existing, False

    def end(self, channel: str, user_id: str, staff: str) -> TakeoverView | None:
        """Hand the member back to the bot; None when nobody had taken them over."""
        now = self._clock()
        with self._session_factory() as session, session.begin():
            row = session.scalars(select(Takeover).where(Takeover.channel == channel, Takeover.user_id == user_id,
                                                         Takeover.ended_at.is_(None))).first()
            if row is None:
                return None
            done = session.execute(update(Takeover).where(Takeover.id == row.id, Takeover.ended_at.is_(None))
                                   .values(ended_at=now, ended_by=staff)
                                   .execution_options(synchronize_session=False))
            if done.rowcount != 1:
                return None
            view = _view(row)
            return TakeoverView(**{**view.__dict__, "ended_at": now})

    def held_members(self) -> set[tuple[str, str]]:
        with self._session_factory() as session:
            rows = session.execute(select(Takeover.channel, Takeover.user_id).where(Takeover.ended_at.is_(None)))
            return {(channel, user_id) for channel, user_id in rows}

    def record_message(self, takeover_id: int, message_uid: str, staff: str, kind: str) -> None:
        with self._session_factory() as session, session.begin():
            session.add(StaffMessage(takeover_id=takeover_id, message_uid=message_uid, staff_username=staff,
                                     kind=kind, created_at=self._clock()))

    def authors(self, message_uids: Iterable[str]) -> dict[str, Author]:
        uids = list(message_uids)
        if not uids:
            return {}
        with self._session_factory() as session:
            rows = session.execute(select(StaffMessage.message_uid, StaffMessage.staff_username, StaffMessage.kind)
                                   .where(StaffMessage.message_uid.in_(uids)))
            return {uid: Author(staff, kind) for uid, staff, kind in rows}
