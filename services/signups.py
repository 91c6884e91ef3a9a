"""Signing members up for activities, listing and cancelling their sign-ups."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
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
# Sign-ups staff took on the telephone (notices say 或致电联系人报名): the member is known by
# the mobile number they gave, as a WeChat member is by their openid.
PHONE = "phone"


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


class Refusal(str, Enum):
    """Why staff's change to a sign-up was refused."""

    UNKNOWN = "unknown"  # no sign-up with that reference in that activity
    CANCELLED = "cancelled"  # it was cancelled already
    TAKEN = "taken"  # another active sign-up of the activity holds that mobile number


@dataclass(frozen=True)
class SignupChange:
    """A sign-up staff corrected or cancelled: as it is now and as it was, or why not."""

    signup: SignupView | None = None
    before: SignupView | None = None
    refused: Refusal | None = None
    other_reference: str | None = None  # with TAKEN: the sign-up holding the number

    @property
    def changed(self) -> bool:
        return self.signup is not None and self.signup != self.before


# Runs inside a sign-up's transaction with the sign-up before (None when new) and after:
# the console writes its audit entry there, so no change goes unrecorded.
Recorder = Callable[[Session, SignupView | None, SignupView], None]


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


def standing(activity: Activity, today: dt.date, deadline: dt.date | None = None) -> Eligibility:
    """Whether the activity takes sign-ups today, whoever asks: OPEN, FULL, CLOSED,
    APPLY_ELSEWHERE or NO_SIGNUP, in the order a member's sign-up is refused.
    `deadline`: `signup_deadline(activity)` when the caller has it already."""
    document = activity.source_document
    if document is not None and document.kind in _NOT_FOR_SIGNUP:
        return Eligibility.NO_SIGNUP
    deadline = deadline or signup_deadline(activity)
    if deadline is not None and today > deadline:
        return Eligibility.CLOSED
    if applies_elsewhere(activity.signup_method):
        return Eligibility.APPLY_ELSEWHERE
    if deadline is None:
        return Eligibility.NO_SIGNUP
    if activity.capacity is not None and (activity.seats_taken or 0) >= activity.capacity:
        return Eligibility.FULL
    return Eligibility.OPEN


def new_reference(today: dt.date) -> str:
    suffix = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(5))
    return f"SQ{today:%y%m%d}{suffix}"


class SignupService:
    def __init__(self, session_factory: sessionmaker, today: Callable[[], dt.date]) -> None:
        self._session_factory = session_factory
        self._today = today

    def _check(self, session: Session, activity: Activity | None, member: Member | None,
               mobile: str | None = None) -> SignupCheck:
        """The member's own rules; with `mobile`, also no second active sign-up of that number
        on any channel (a sign-up staff take by phone for someone who signed up on WeChat)."""
        if activity is None:
            return SignupCheck(Eligibility.UNKNOWN_ACTIVITY)
        summary, method = summarise(activity), activity.signup_method
        deadline = signup_deadline(activity)
        state = standing(activity, self._today(), deadline)
        if state is Eligibility.NO_SIGNUP:
            return SignupCheck(state, summary, signup_method=method)
        if state in (Eligibility.CLOSED, Eligibility.APPLY_ELSEWHERE):
            return SignupCheck(state, summary, deadline, signup_method=method)
        signups = SignupRepository(session)
        existing = signups.active(member.id, activity.id) if member is not None else None
        if existing is None and mobile is not None:
            existing = signups.active_with_mobile(activity.id, mobile)
        if existing is not None:
            return SignupCheck(Eligibility.ALREADY, summary, deadline,
                               existing_reference=existing.reference, signup_method=method)
        return SignupCheck(state, summary, deadline, capacity=activity.capacity, signup_method=method)

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
        return self._sign_up(activity_id, channel, channel_user_id, name, mobile, company)

    def sign_up_by_phone(self, activity_id: int, name: str, mobile: str, company: str,
                         record: Recorder | None = None) -> SignupOutcome:
        """A sign-up staff took on the telephone, under the member's own rules (deadline,
        seats, one sign-up each), the member known by `mobile` (11 digits); refused too when
        that number already holds an active sign-up of the activity on another channel.
        `record` runs inside the transaction (the console's audit entry)."""
        return self._sign_up(activity_id, PHONE, mobile, name, mobile, company, by_mobile=True, record=record)

    def _sign_up(self, activity_id: int, channel: str, channel_user_id: str, name: str, mobile: str,
                 company: str, by_mobile: bool = False, record: Recorder | None = None) -> SignupOutcome:
        try:
            return self._sign_up_once(activity_id, channel, channel_user_id, name, mobile, company, by_mobile,
                                      record)
        except IntegrityError:
            # A simultaneous request for the same member won: report what it stored.
            check = self.check(activity_id, channel, channel_user_id)
            return SignupOutcome(check)

    def _sign_up_once(
        self, activity_id: int, channel: str, channel_user_id: str, name: str, mobile: str, company: str,
        by_mobile: bool, record: Recorder | None,
    ) -> SignupOutcome:
        with self._session_factory() as session, session.begin():
            activity = ActivityRepository(session).get(activity_id)
            members = MemberRepository(session)
            member = members.find(channel, channel_user_id)
            check = self._check(session, activity, member, mobile if by_mobile else None)
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
            view = signup_view(signup, activity.name)
            if record is not None:
                record(session, None, view)
            return SignupOutcome(check, view)

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
            if signup is None or not _cancel(session, signup):
                return None
            activity = ActivityRepository(session).get(activity_id)
            return _cancelled(signup_view(signup, activity.name if activity else ""))

    # -- what staff do for members (the console): by the sign-up's reference ------------------

    def cancel_reference(self, activity_id: int, reference: str, record: Recorder | None = None) -> SignupChange:
        """Cancel a sign-up of the activity and free its seat, as the member's own
        cancellation does; `record` runs inside the transaction."""
        with self._session_factory() as session, session.begin():
            signup = SignupRepository(session).by_reference(activity_id, reference)
            if signup is None:
                return SignupChange(refused=Refusal.UNKNOWN)
            before = signup_view(signup, signup.activity.name)
            if signup.status != "active" or not _cancel(session, signup):
                return SignupChange(before=before, refused=Refusal.CANCELLED)
            after = _cancelled(before)
            if record is not None:
                record(session, before, after)
            return SignupChange(signup=after, before=before)

    def change(self, activity_id: int, reference: str, name: str, mobile: str, company: str,
               record: Recorder | None = None) -> SignupChange:
        """Correct an active sign-up's name, mobile and company. A number another active
        sign-up of the activity holds is refused; a phone sign-up follows its new number
        (its member is that number). `record` runs inside the transaction, only when
        something changed."""
        try:
            return self._change_once(activity_id, reference, name, mobile, company, record)
        except IntegrityError:
            # That number's sign-up was stored at the same moment (the one-active-sign-up index).
            return SignupChange(refused=Refusal.TAKEN)

    def _change_once(self, activity_id: int, reference: str, name: str, mobile: str, company: str,
                     record: Recorder | None) -> SignupChange:
        with self._session_factory() as session, session.begin():
            signups = SignupRepository(session)
            signup = signups.by_reference(activity_id, reference)
            if signup is None:
                return SignupChange(refused=Refusal.UNKNOWN)
            before = signup_view(signup, signup.activity.name)
            if signup.status != "active":
                return SignupChange(before=before, refused=Refusal.CANCELLED)
            if mobile != signup.mobile:
                other = signups.active_with_mobile(activity_id, mobile)
                if other is not None and other.id != signup.id:
                    return SignupChange(before=before, refused=Refusal.TAKEN, other_reference=other.reference)
            member = signup.member
            if member.channel == PHONE:
                if mobile != member.channel_user_id:
                    members = MemberRepository(session)
                    member = members.find(PHONE, mobile)
                    if member is None:
                        member = Member(channel=PHONE, channel_user_id=mobile)
                        members.add(member)
                    signup.member = member
                member.name, member.mobile, member.company = name, mobile, company
            signup.name, signup.mobile, signup.company = name, mobile, company
            after = signup_view(signup, before.activity_name)
            if after == before:
                return SignupChange(signup=after, before=before)
            session.flush()
            if record is not None:
                record(session, before, after)
            return SignupChange(signup=after, before=before)


def _cancel(session: Session, signup: Signup) -> bool:
    """Cancel the active sign-up and free its seat; False when it was no longer active."""
    cancelled = session.execute(
        update(Signup)
        .where(Signup.id == signup.id, Signup.status == "active")
        .values(status="cancelled", cancelled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if cancelled.rowcount != 1:
        return False
    session.execute(
        update(Activity)
        .where(Activity.id == signup.activity_id, Activity.seats_taken > 0)
        .values(seats_taken=Activity.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    return True


def _cancelled(view: SignupView) -> SignupView:
    return replace(view, status="cancelled")
