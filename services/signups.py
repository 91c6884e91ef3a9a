"""Signing members up for activities, listing and cancelling their sign-ups."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.activities import signup_deadline, summarise
from services.ingest.records import NoticeKind
from services.models import Activity, Member, Signup, utcnow
from services.repositories import ActivityRepository, MemberRepository, SignupRepository
from services.senders import member_user_id
from services.views import ActivitySummary, SignupView

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


class Eligibility(str, Enum):
    OPEN = "open"
    CLOSED = "closed"  # the deadline has passed
    NO_SIGNUP = "no_signup"  # the notice gives no sign-up arrangement, or nothing to join
    APPLY_ELSEWHERE = "apply_elsewhere"  # the notice sends members elsewhere: SignupCheck.signup_method
    FULL = "full"
    ALREADY = "already"
    UNKNOWN_ACTIVITY = "unknown_activity"


# Notices that invite nobody: results (公示) and reports. Their activities are answered
# about, never signed up for.
_NOT_FOR_SIGNUP = {NoticeKind.RESULTS.value, NoticeKind.REPORT.value}

# An application that goes through another channel: materials filed in a 申报系统 or on a
# website, an application form (申报书). Signing up to attend is not one, whichever way the
# notice offers (a website's 活动报名, a reply slip by e-mail): the assistant's own list
# replaces it.
_ELSEWHERE = re.compile(
    r"申报系统|网上申报|在线申报|网上填报|在线填报|申报书|申报表"
    r"|(?:网站|网址|系统|平台|小程序|https?://|www\.).{0,30}?(?:申报|提交|上传|填报|注册)"
    r"|(?:申报|提交|上传|填报|注册).{0,30}?(?:网站|网址|系统|平台|小程序|https?://|www\.)",
    re.IGNORECASE,
)


def applies_elsewhere(signup_method: str | None) -> bool:
    """Whether the notice's sign-up method sends members to another channel."""
    return bool(signup_method and _ELSEWHERE.search(signup_method))


@dataclass(frozen=True)
class SignupCheck:
    eligibility: Eligibility
    activity: ActivitySummary | None = None
    deadline: dt.date | None = None
    capacity: int | None = None
    existing_reference: str | None = None
    # How the notice says to sign up or apply; with APPLY_ELSEWHERE, what to tell the member.
    signup_method: str | None = None


@dataclass(frozen=True)
class SignupOutcome:
    check: SignupCheck
    signup: SignupView | None = None

    @property
    def done(self) -> bool:
        return self.signup is not None


def signup_view(signup: Signup, activity_name: str) -> SignupView:
    return SignupView(
        reference=signup.reference,
        activity_id=signup.activity_id,
        activity_name=activity_name,
        name=signup.name,
        mobile=signup.mobile,
        company=signup.company,
        created_at=signup.created_at,
        status=signup.status,
    )


def new_reference(today: dt.date) -> str:
    suffix = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(5))
    return f"SQ{today:%y%m%d}{suffix}"


class SignupService:
    def __init__(self, session_factory: sessionmaker, today: Callable[[], dt.date]) -> None:
        self._session_factory = session_factory
        self._today = today

    def _check(self, session: Session, activity: Activity | None, member: Member | None) -> SignupCheck:
        if activity is None:
            return SignupCheck(Eligibility.UNKNOWN_ACTIVITY)
        summary, method = summarise(activity), activity.signup_method
        document = activity.source_document
        if document is not None and document.kind in _NOT_FOR_SIGNUP:
            return SignupCheck(Eligibility.NO_SIGNUP, summary, signup_method=method)
        deadline = signup_deadline(activity)
        if deadline is not None and self._today() > deadline:
            return SignupCheck(Eligibility.CLOSED, summary, deadline, signup_method=method)
        if applies_elsewhere(method):
            return SignupCheck(Eligibility.APPLY_ELSEWHERE, summary, deadline, signup_method=method)
        if deadline is None:
            return SignupCheck(Eligibility.NO_SIGNUP, summary, signup_method=method)
        if member is not None:
            existing = SignupRepository(session).active(member.id, activity.id)
            if existing is not None:
                return SignupCheck(Eligibility.ALREADY, summary, deadline,
                                   existing_reference=existing.reference, signup_method=method)
        if activity.capacity is not None and activity.seats_taken >= activity.capacity:
            return SignupCheck(Eligibility.FULL, summary, deadline, capacity=activity.capacity,
                               signup_method=method)
        return SignupCheck(Eligibility.OPEN, summary, deadline, capacity=activity.capacity,
                           signup_method=method)

    def check(self, activity_id: int, channel: str, channel_user_id: str) -> SignupCheck:
        """Whether this member may sign up now, and if not, why."""
        with self._session_factory() as session:
            activity = ActivityRepository(session).get(activity_id)
            member = MemberRepository(session).find(channel, channel_user_id)
            return self._check(session, activity, member)

    def open_activities(self) -> list[ActivitySummary]:
        """Activities a member can sign up for here today, deadline first."""
        with self._session_factory() as session:
            found = []
            for activity in ActivityRepository(session).all():
                check = self._check(session, activity, None)
                if check.eligibility is Eligibility.OPEN and check.deadline is not None:
                    found.append((check.deadline, check.activity or summarise(activity)))
        return [summary for _, summary in sorted(found, key=lambda item: (item[0], item[1].id))]

    def known_member(self, channel: str, channel_user_id: str) -> tuple[str | None, str | None, str | None]:
        """The name, mobile and company this member gave last time, to offer them again."""
        with self._session_factory() as session:
            member = MemberRepository(session).find(channel, channel_user_id)
            if member is None:
                return None, None, None
            return member.name, member.mobile, member.company

    def sign_up(
        self,
        activity_id: int,
        channel: str,
        channel_user_id: str,
        name: str,
        mobile: str,
        company: str,
    ) -> SignupOutcome:
        """Sign the member up, atomically: no double sign-up, no overbooking."""
        try:
            return self._sign_up_once(activity_id, channel, channel_user_id, name, mobile, company)
        except IntegrityError:
            # A simultaneous request for the same member won: report what it stored.
            check = self.check(activity_id, channel, channel_user_id)
            return SignupOutcome(check)

    def _sign_up_once(
        self, activity_id: int, channel: str, channel_user_id: str, name: str, mobile: str, company: str
    ) -> SignupOutcome:
        with self._session_factory() as session, session.begin():
            activity = ActivityRepository(session).get(activity_id)
            members = MemberRepository(session)
            member = members.find(channel, channel_user_id)
            check = self._check(session, activity, member)
            if check.eligibility is not Eligibility.OPEN or activity is None:
                return SignupOutcome(check)
            # The seat is taken by one conditional UPDATE, which the database
            # serialises: of two requests for the last seat, one sees rowcount 0.
            taken = session.execute(
                update(Activity)
                .where(
                    Activity.id == activity_id,
                    or_(Activity.capacity.is_(None), Activity.seats_taken < Activity.capacity),
                )
                .values(seats_taken=Activity.seats_taken + 1)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:
                return SignupOutcome(SignupCheck(Eligibility.FULL, check.activity, check.deadline,
                                                 capacity=activity.capacity,
                                                 signup_method=check.signup_method))
            if member is None:
                member = Member(channel=channel, channel_user_id=member_user_id(channel, channel_user_id))
                members.add(member)
            member.name, member.mobile, member.company = name, mobile, company
            signup = Signup(
                reference=new_reference(self._today()),
                member=member,
                activity_id=activity_id,
                status="active",
                name=name,
                mobile=mobile,
                company=company,
                created_at=utcnow(),
            )
            SignupRepository(session).add(signup)
            session.flush()
            return SignupOutcome(check, signup_view(signup, activity.name))

    def list_for(self, channel: str, channel_user_id: str) -> list[SignupView]:
        with self._session_factory() as session:
            member = MemberRepository(session).find(channel, channel_user_id)
            if member is None:
                return []
            return [
                signup_view(signup, signup.activity.name)
                for signup in SignupRepository(session).active_for_member(member.id)
            ]

    def cancel(self, activity_id: int, channel: str, channel_user_id: str) -> SignupView | None:
        """Cancel the member's active sign-up and free the seat; None if there was none."""
        with self._session_factory() as session, session.begin():
            member = MemberRepository(session).find(channel, channel_user_id)
            if member is None:
                return None
            signup = SignupRepository(session).active(member.id, activity_id)
            if signup is None:
                return None
            cancelled = session.execute(
                update(Signup)
                .where(Signup.id == signup.id, Signup.status == "active")
                .values(status="cancelled", cancelled_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if cancelled.rowcount != 1:
                return None
            session.execute(
                update(Activity)
                .where(Activity.id == activity_id, Activity.seats_taken > 0)
                .values(seats_taken=Activity.seats_taken - 1)
                .execution_options(synchronize_session=False)
            )
            activity = ActivityRepository(session).get(activity_id)
            view = signup_view(signup, activity.name if activity else "")
            return SignupView(**{**view.__dict__, "status": "cancelled"})
