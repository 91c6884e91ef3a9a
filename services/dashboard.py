"""The console's dashboard figures: messages and members per day, what Rasa understood,
how fast and how surely replies went out, sign-ups per activity.

Every figure is one grouped query (two more for the percentiles), so the page costs
the same whether the message log holds a hundred rows or a hundred thousand:

* days are Shanghai calendar days (UTC+8 all year), bucketed in SQL;
* intents and the fallback rate come from Rasa's `events` table (user events'
  `intent_name`; `nlu_fallback` is what Rasa's FallbackClassifier answers below its
  threshold), read with the table definition of `services.conversations`;
* reply time is the gateway's `latency_ms` of each reply: from the member's message
  arriving to the reply leaving (staff messages left out);
* undelivered: replies still `pending` or `failed` in the message log.

Measured on 100,000 messages (50,000 turns over 30 days, 3,000 members) and 100,000
Rasa events on SQLite: see docs/console.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, inspect, literal, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.conversations import RASA_EVENTS, day_bounds
from services.messaging import MessageLog
from services.models import Activity, Signup
from services.settings import SHANGHAI

FALLBACK_INTENT = "nlu_fallback"
UNDELIVERED = ("pending", "failed")
TOP_INTENTS = 10
TOP_ACTIVITIES = 15


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    messages: int  # members' messages
    users: int  # members who wrote that day


@dataclass(frozen=True)
class IntentCount:
    intent: str
    count: int


@dataclass(frozen=True)
class ActivitySignups:
    activity_id: int
    name: str
    signups: int
    capacity: int | None


@dataclass(frozen=True)
class Dashboard:
    first_day: dt.date
    last_day: dt.date
    days: list[DayCount]  # every day of the period, zeros included
    messages: int
    users: int  # distinct members over the whole period
    replies: int
    has_events: bool  # Rasa's tracker store is in this database
    understood: int  # members' messages Rasa classified in the period
    fallbacks: int
    intents: list[IntentCount]  # the most frequent first
    reply_p50_ms: int | None
    reply_p95_ms: int | None
    timed_replies: int
    undelivered: dict[str, int]  # pending / failed, over the period
    signups: list[ActivitySignups]  # active sign-ups, the most first
    signups_total: int

    @property
    def fallback_rate(self) -> float | None:
        return self.fallbacks / self.understood if self.understood else None

    @property
    def undelivered_total(self) -> int:
        return sum(self.undelivered.values())

    @property
    def empty(self) -> bool:
        return not self.messages and not self.replies and not self.understood and not self.signups_total


def _shanghai_day(session: Session, column: Any) -> Any:
    """The Shanghai calendar day of a UTC timestamp column, in SQL."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite holds the UTC wall time as text; Shanghai keeps UTC+8 all year.
        return func.date(column, literal("+8 hours"))
    return func.date(func.timezone("Asia/Shanghai", column))


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


class DashboardService:
    def __init__(self, session_factory: sessionmaker, engine: Engine,
                 today: Callable[[], dt.date] | None = None) -> None:
        self._session_factory = session_factory
        self._engine = engine
        self._today = today or (lambda: dt.datetime.now(SHANGHAI).date())

    def build(self, days: int = 30) -> Dashboard:
        last_day = self._today()
        first_day = last_day - dt.timedelta(days=days - 1)
        start, end = day_bounds(first_day)[0], day_bounds(last_day)[1]
        in_period = (MessageLog.created_at >= start, MessageLog.created_at < end)
        with self._session_factory() as session:
            day = _shanghai_day(session, MessageLog.created_at).label("day")
            inbound, outbound = MessageLog.direction == "in", MessageLog.direction == "out"
            member = case((inbound, MessageLog.channel + ":" + MessageLog.user_id))
            # One pass over the period: per day, members' messages and members, replies by status.
            per_day = {_as_date(row.day): row for row in session.execute(
                select(day, func.sum(case((inbound, 1), else_=0)).label("messages"),
                       func.count(func.distinct(member)).label("users"),
                       *(func.sum(case((and_(outbound, MessageLog.status == status), 1), else_=0)).label(status)
                         for status in (*UNDELIVERED, "all")))
                .where(*in_period).group_by(day))}
            users = int(session.scalar(select(func.count(func.distinct(member))).where(*in_period, inbound)) or 0)
            p50, p95, timed = self._reply_times(session, in_period)
            signups = [ActivitySignups(row.id, row.name, int(row.count), row.capacity) for row in session.execute(
                select(Activity.id, Activity.name, Activity.capacity, func.count(Signup.id).label("count"))
                .join(Signup, Signup.activity_id == Activity.id).where(Signup.status == "active")
                .group_by(Activity.id, Activity.name, Activity.capacity)
                .order_by(func.count(Signup.id).desc(), Activity.id))]
        has_events, intents = self._intents(start, end)
        understood = sum(intent.count for intent in intents)
        fallbacks = sum(intent.count for intent in intents if intent.intent == FALLBACK_INTENT)
        daily = [DayCount(d, int(per_day[d].messages or 0) if d in per_day else 0,
                          int(per_day[d].users or 0) if d in per_day else 0)
                 for d in (first_day + dt.timedelta(days=n) for n in range(days))]
        return Dashboard(
            first_day=first_day, last_day=last_day, days=daily, messages=sum(d.messages for d in daily),
            users=users, replies=sum(int(row.all or 0) for row in per_day.values()),
            has_events=has_events, understood=understood, fallbacks=fallbacks, intents=intents[:TOP_INTENTS],
            reply_p50_ms=p50, reply_p95_ms=p95, timed_replies=timed,
            undelivered={status: sum(int(getattr(row, status) or 0) for row in per_day.values())
                         for status in UNDELIVERED},
            signups=signups[:TOP_ACTIVITIES], signups_total=sum(s.signups for s in signups))

    @staticmethod
    def _reply_times(session: Session, in_period: tuple[Any, ...]) -> tuple[int | None, int | None, int]:
        """The median and 95th percentile (nearest rank) of the replies' latency, from one
        grouped query: replies per distinct millisecond value (a few thousand rows at most)."""
        latency = MessageLog.latency_ms
        counts = session.execute(
            select(latency, func.count()).where(*in_period, MessageLog.direction == "out", latency.is_not(None),
                                                MessageLog.msg_type != "staff")
            .group_by(latency).order_by(latency)).all()
        total = sum(int(count) for _, count in counts)
        if not total:
            return None, None, 0

        def rank(share: float) -> int:
            wanted, seen = max(math.ceil(share * total), 1), 0
            for value, count in counts:
                seen += int(count)
                if seen >= wanted:
                    return int(value)
            return int(counts[-1][0])

        return rank(0.5), rank(0.95), total

    def _intents(self, start: dt.datetime, end: dt.datetime) -> tuple[bool, list[IntentCount]]:
        """Members' messages per intent, from Rasa's tracker store (absent: False, [])."""
        if not inspect(self._engine).has_table("events"):
            return False, []
        events = RASA_EVENTS
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(events.c.intent_name, func.count().label("count"))
                .where(events.c.type_name == "user", events.c.timestamp >= start.timestamp(),
                       events.c.timestamp < end.timestamp())
                .group_by(events.c.intent_name).order_by(func.count().desc(), events.c.intent_name)).all()
        return True, [IntentCount(row.intent_name or "（无）", int(row.count)) for row in rows]
