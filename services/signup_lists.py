"""Sign-up lists for staff: each activity's sign-ups against its capacity.

Mobile numbers leave this module as stored; whoever shows them decides on
masking (the console masks them unless an admin asks, and audits that).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload, sessionmaker

from services.activities import signup_deadline
from services.models import Activity, Member, Signup


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

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)


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


class SignupListService:
    def __init__(self, session_factory: sessionmaker) -> None:
        self._session_factory = session_factory

    def activities(self, only_with_signups: bool = False) -> list[ActivityCount]:
        """Every activity with its counts; those taking sign-ups (a deadline or sign-ups) first."""
        with self._session_factory() as session:
            counts = dict(session.execute(select(Signup.activity_id, func.count())
                                          .where(Signup.status == "active").group_by(Signup.activity_id)).all())
            cancelled = dict(session.execute(select(Signup.activity_id, func.count())
                                             .where(Signup.status == "cancelled")
                                             .group_by(Signup.activity_id)).all())
            found = []
            for activity in session.scalars(select(Activity).options(
                    selectinload(Activity.milestones), selectinload(Activity.parent)).order_by(Activity.id)):
                active = int(counts.get(activity.id, 0))
                if only_with_signups and not active and not cancelled.get(activity.id):
                    continue
                found.append(ActivityCount(
                    id=activity.id, name=activity.name, year=activity.year, capacity=activity.capacity,
                    seats_taken=activity.seats_taken or 0, active_signups=active,
                    cancelled_signups=int(cancelled.get(activity.id, 0)),
                    signup_deadline=signup_deadline(activity)))
        return sorted(found, key=lambda a: (a.signup_deadline is None and not a.active_signups,
                                            -(a.year or 0), a.id))

    def activity(self, activity_id: int) -> ActivityCount | None:
        return next((a for a in self.activities() if a.id == activity_id), None)

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
