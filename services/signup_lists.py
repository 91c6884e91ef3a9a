"""Sign-up lists for staff: each activity's sign-ups against its capacity, and the
activity list's search, filters and pages.

Mobile numbers leave this module as stored; whoever shows them decides on
masking (the console masks them unless an admin asks, and audits that).

The list is filtered in Python, not SQL: the association runs a few hundred activities
at most, each needs its milestones and programme for its deadline and its date anyway
(`signup_deadline`, `held_span`), and a search compares normalised names
(`textnorm.match_key`: 繁體, full-width letters and punctuation do not matter).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload, sessionmaker

from services.activities import held_span, signup_deadline
from services.dates import DateSpan
from services.models import Activity, Member, Signup
from services.signups import Eligibility, standing
from services.textnorm import match_key

PER_PAGE = 50
# 报名状态 filter values: whether a member (or staff, by phone) could sign up today.
STATUSES = (Eligibility.OPEN, Eligibility.FULL, Eligibility.CLOSED, Eligibility.APPLY_ELSEWHERE,
            Eligibility.NO_SIGNUP)
UPCOMING, PAST = "upcoming", "past"  # the activity's own dates against today


@dataclass(frozen=True)
class ActivityCount:
    id: int
    name: str
    year: int | None
    capacity: int | None
    seats_taken: int
    active_signups: int
    cancelled_signups: int
    signup_deadline: dt.date | None
    held: DateSpan | None = None  # when it takes place: its 举办 milestone, else its span
    time_of_day: str | None = None
    location: str | None = None
    status: Eligibility = Eligibility.NO_SIGNUP  # as of today
    # What a search looks in (name, aliases, place, theme), each as `match_key` writes it.
    searched: str = field(default="", repr=False, compare=False)

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)

    @property
    def when(self) -> str:
        """活动时间 as the assistant says it: 2026年12月10日 13:30-16:30."""
        when = self.held.describe() if self.held else ""
        return " ".join(part for part in (when, self.time_of_day or "") if part)


@dataclass(frozen=True)
class ActivityFilter:
    """The activity list's query (unknown values are dropped before they get here)."""

    query: str | None = None  # every word in the name, an alias, the place or the theme
    year: int | None = None
    status: Eligibility | None = None
    when: str | None = None  # UPCOMING or PAST
    only_ids: frozenset[int] | None = None  # an organiser's own activities
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def narrowed(self) -> bool:
        return any((self.query, self.year, self.status, self.when, self.only_ids is not None))


@dataclass(frozen=True)
class ActivityListPage:
    activities: list[ActivityCount]
    total: int  # matching activities, on every page
    page: int
    pages: int
    years: list[int] = field(default_factory=list)  # of every activity, for the filter

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class SignupLine:
    reference: str
    name: str
    mobile: str
    company: str
    status: str
    created_at: dt.datetime
    cancelled_at: dt.datetime | None
    channel: str
    channel_user_id: str


def _words(query: str | None) -> list[str]:
    return [key for word in (query or "").split() if (key := match_key(word))]


def _searched(activity: Activity) -> str:
    return "\n".join(match_key(text) for text in (activity.name, *(a.alias for a in activity.aliases),
                                                  activity.location or "", activity.theme or ""))


class SignupListService:
    def __init__(self, session_factory: sessionmaker, today: Callable[[], dt.date] = dt.date.today) -> None:
        self._session_factory = session_factory
        self._today = today

    def _counts(self, activities: Collection[Activity], counts: dict[int, int],
                cancelled: dict[int, int]) -> list[ActivityCount]:
        today = self._today()
        found = []
        for activity in activities:
            deadline = signup_deadline(activity)
            found.append(ActivityCount(
                id=activity.id, name=activity.name, year=activity.year, capacity=activity.capacity,
                seats_taken=activity.seats_taken or 0, active_signups=int(counts.get(activity.id, 0)),
                cancelled_signups=int(cancelled.get(activity.id, 0)), signup_deadline=deadline,
                held=held_span(activity), time_of_day=activity.time_of_day, location=activity.location,
                status=standing(activity, today, deadline), searched=_searched(activity)))
        return found

    def _load(self, activity_id: int | None = None) -> list[ActivityCount]:
        with self._session_factory() as session:
            active = select(Signup.activity_id, func.count()).where(Signup.status == "active")
            gone = select(Signup.activity_id, func.count()).where(Signup.status == "cancelled")
            query = select(Activity).options(
                selectinload(Activity.milestones), selectinload(Activity.parent), selectinload(Activity.aliases),
                selectinload(Activity.source_document)).order_by(Activity.id)
            if activity_id is not None:
                active, gone = active.where(Signup.activity_id == activity_id), gone.where(
                    Signup.activity_id == activity_id)
                query = query.where(Activity.id == activity_id)
            counts = dict(session.execute(active.group_by(Signup.activity_id)).all())
            cancelled = dict(session.execute(gone.group_by(Signup.activity_id)).all())
            return self._counts(session.scalars(query).all(), counts, cancelled)

    def activities(self, only_with_signups: bool = False) -> list[ActivityCount]:
        """Every activity with its counts; those taking sign-ups (a deadline or sign-ups) first."""
        found = [a for a in self._load() if not only_with_signups or a.active_signups or a.cancelled_signups]
        return sorted(found, key=lambda a: (a.signup_deadline is None and not a.active_signups,
                                            -(a.year or 0), a.id))

    def find(self, wanted: ActivityFilter) -> ActivityListPage:
        """One page of the activities matching the filter, in the order of `activities`."""
        today = self._today()
        words = _words(wanted.query)
        everything = self.activities()
        found = []
        for activity in everything:
            if wanted.only_ids is not None and activity.id not in wanted.only_ids:
                continue
            if wanted.year is not None and activity.year != wanted.year:
                continue
            if wanted.status is not None and activity.status is not wanted.status:
                continue
            if wanted.when is not None and (activity.held is None or (
                    wanted.when == UPCOMING) != (activity.held.end.last_day >= today)):
                continue
            if not all(word in activity.searched for word in words):
                continue
            found.append(activity)
        pages = max(math.ceil(len(found) / wanted.per_page), 1)
        page = min(max(wanted.page, 1), pages)
        start = (page - 1) * wanted.per_page
        return ActivityListPage(activities=found[start:start + wanted.per_page], total=len(found), page=page,
                                pages=pages, years=sorted({a.year for a in everything if a.year}, reverse=True))

    def activity(self, activity_id: int) -> ActivityCount | None:
        return next(iter(self._load(activity_id)), None)

    def signups(self, activity_id: int, include_cancelled: bool = False) -> list[SignupLine]:
        """The activity's sign-ups, oldest first."""
        query = (select(Signup, Member.channel, Member.channel_user_id).join(Member, Member.id == Signup.member_id)
                 .where(Signup.activity_id == activity_id).order_by(Signup.created_at, Signup.id))
        if not include_cancelled:
            query = query.where(Signup.status == "active")
        with self._session_factory() as session:
            return [SignupLine(reference=signup.reference, name=signup.name, mobile=signup.mobile,
                               company=signup.company, status=signup.status, created_at=signup.created_at,
                               cancelled_at=signup.cancelled_at, channel=channel, channel_user_id=user_id)
                    for signup, channel, user_id in session.execute(query)]

    def signup(self, activity_id: int, reference: str) -> SignupLine | None:
        """One sign-up of the activity, by its reference."""
        return next((line for line in self.signups(activity_id, include_cancelled=True)
                     if line.reference == reference), None)
