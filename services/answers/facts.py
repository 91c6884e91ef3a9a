"""One activity's answer for each topic, from its record: a typed reply, or None when the
record does not say (then the notice's own sentences, or "通知里没有写…", answer)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from services.answers.replies import Answer, Phrase, Value, phrase, say
from services.answers.topics import Topic
from services.dates import DAY, Timing, format_date, format_point
from services.textnorm import normalise
from services.views import ActivityContactView, ActivityDetails, MilestoneView

NOT_STATED = phrase("utter_not_stated")
_ASKS_PEOPLE = re.compile(r"(?:几|多少)个?人")
# The sessions of one activity held on days of their own (第一场, 第二期, 第三站).
_SESSION = re.compile(r"第[一二三四五六七八九十\d]{1,2}[场期站批轮次]$")
_ASKS_FOR_A_DAY = re.compile(r"几号|几日|哪天|哪一天|哪日|几点|具体日期|具体时间|具体哪")
_ASKS_IF_STILL_OPEN = re.compile(r"还(?:能|可以)|现在|来得及|过期")
_ASKS_HOW_MANY_DAYS = re.compile(r"几天|多少天|多久|多长时间")


def asks_for_a_day(question: str | None) -> bool:
    """Whether the member asks for the day (几号, 哪一天), not just when."""
    return bool(question) and bool(_ASKS_FOR_A_DAY.search(normalise(question or "")))


def asks_how_many_days(question: str | None) -> bool:
    return bool(_ASKS_HOW_MANY_DAYS.search(normalise(question or "")))


def source_of(details: ActivityDetails) -> str | Phrase:
    return details.source.cite() if details.source else NOT_STATED


def timing_phrase(timing: Timing | None) -> Phrase:
    """已经结束 / 正在进行 / 尚未开始, or 通知未写明 when the date is unknown."""
    return phrase(f"utter_timing_{timing.value}") if timing else NOT_STATED


def timing_of(details: ActivityDetails, today: dt.date) -> Phrase:
    return timing_phrase(details.held.timing(today) if details.held else None)


def when_with_hours(details: ActivityDetails) -> str | Phrase:
    """2027年3月18日 13:30-16:30（原定2027年1月21日): the day, its hours and what it replaced."""
    span = details.held
    if span is None:
        return NOT_STATED
    sessions = [m for m in details.milestones if _SESSION.match(m.name) and m.span is not None]
    days = "、".join(f"{m.span.describe()}（{m.name}）" for m in sessions if m.span) if len(sessions) >= 2 \
        else span.describe()  # 两场: each on its own day, not one span from the first to the last
    when = days + (f" {details.time_of_day}" if details.time_of_day else "")
    previous = details.previous("span")
    return phrase("utter_when_changed", when=when, previous=previous) if previous else when


def organisers_of(details: ActivityDetails) -> tuple[Phrase, str]:
    """(role label, names): organisers where the notice names them, else responsible units."""
    if details.organisers:
        return phrase("utter_role_organisers"), "、".join(details.organisers)
    if details.responsible_units:
        return phrase("utter_role_responsible"), "、".join(details.responsible_units)
    return phrase("utter_role_organisers"), ""


def describe_contact(contact: ActivityContactView) -> tuple[Value, ...]:
    """王敏 电话021-6543 2187 邮箱px@example.org: one person's ways to be reached (the labels
    are domain.yml's)."""
    ways = (("phone", contact.phone), ("mobile", contact.mobile), ("email", contact.email),
            ("fax", contact.fax), ("address", contact.address))
    return (contact.person or contact.org or "",
            *(phrase(f"utter_contact_item_{way}", value=value) for way, value in ways if value))


def _joined(parts: Sequence[tuple[Value, ...]], separator: str) -> tuple[Value, ...]:
    return tuple(item for index, part in enumerate(parts) for item in ((separator,) if index else ()) + part)


def ask_whom(details: ActivityDetails) -> Phrase | str:
    """Whom to ask when the notice is silent: its contacts, else its organisers, else nothing."""
    if details.contacts:
        return phrase("utter_contact_hint", contacts=_joined([describe_contact(c) for c in details.contacts[:2]], "；"))
    _, organisers = organisers_of(details)
    return phrase("utter_organisers_hint", organisers=organisers) if organisers else ""


def _about(details: ActivityDetails) -> dict[str, str | Phrase]:
    return {"activity": details.name, "source": source_of(details)}


def card(details: ActivityDetails, today: dt.date, milestones: tuple[MilestoneView, ...]) -> Answer:
    role_label, organisers = organisers_of(details)
    deadline = details.signup_deadline
    lines = [
        phrase("utter_detail_location", location=details.location) if details.location else None,
        phrase("utter_detail_fee", fee=details.fee) if details.fee else None,
        phrase("utter_detail_capacity", capacity=details.capacity, taken=details.seats_taken)
        if details.capacity else None,
        phrase("utter_detail_deadline", deadline=format_date(deadline)) if deadline and deadline >= today else None,
        phrase("utter_detail_audience", audience=details.audience) if details.audience else None,
        phrase("utter_detail_signup_method", method=details.signup_method) if details.signup_method else None,
    ]
    when: str | Phrase = NOT_STATED
    if details.summary.span:
        when = phrase("utter_when_and_timing", when=when_with_hours(details), timing=timing_of(details, today))
    return say("utter_activity_details", **_about(details), when=when, theme=details.theme or NOT_STATED,
               role_label=role_label, organisers=organisers or NOT_STATED,
               practical=tuple(line for line in lines if line is not None),
               description=details.description or NOT_STATED)


def time(details: ActivityDetails, today: dt.date, question: str | None) -> Answer | None:
    span = details.held
    if span is None:
        return None
    if asks_for_a_day(question) and DAY not in (span.start.precision, span.end.precision):
        return say("utter_activity_time_to_the_month", **_about(details), when=span.describe(),
                   timing=timing_of(details, today))
    when: Value = when_with_hours(details)
    if span.days and span.days > 1 and asks_how_many_days(question):
        when = (when, phrase("utter_days_count", days=span.days))
    return say("utter_activity_time", **_about(details), when=when, timing=timing_of(details, today))


def place(details: ActivityDetails) -> Answer | None:
    if not details.location:
        return None
    previous = details.previous("place")
    location: str | Phrase = (phrase("utter_when_changed", when=details.location, previous=previous)
                              if previous else details.location)
    return say("utter_activity_place", **_about(details), location=location)


def theme(details: ActivityDetails) -> Answer | None:
    return say("utter_activity_theme", **_about(details), theme=details.theme) if details.theme else None


def fee(details: ActivityDetails) -> Answer | None:
    return say("utter_activity_fee", **_about(details), fee=details.fee) if details.fee else None


def audience(details: ActivityDetails) -> Answer | None:
    if not details.audience:
        return None
    return say("utter_activity_audience", **_about(details), audience=details.audience)


def signup_method(details: ActivityDetails) -> Answer | None:
    if not details.signup_method:
        return None
    return say("utter_activity_signup_method", **_about(details), method=details.signup_method)


def contact(details: ActivityDetails) -> Answer | None:
    if not details.contacts:
        return None
    return say("utter_activity_contacts", **_about(details),
               contacts=_joined([("• ", *describe_contact(c)) for c in details.contacts], "\n"))


def capacity(details: ActivityDetails, today: dt.date, question: str | None = None) -> Answer | None:
    if not details.capacity:
        return None
    deadline = details.signup_deadline
    left = details.capacity - details.seats_taken
    if deadline is None or deadline < today:
        seats = phrase("utter_capacity_closed")  # seats left only mean something while sign-up is open
    elif left <= 0:
        seats = phrase("utter_capacity_full")
    else:
        seats = phrase("utter_capacity_seats_left", left=left, deadline=format_date(deadline))
    # in the member's own unit: 限多少人 — 30人; 志愿者招几个 — 40名
    unit = "人" if _ASKS_PEOPLE.search(question or "") else "名"
    return say("utter_activity_capacity", **_about(details), capacity=details.capacity, unit=unit, seats=seats)


_ASKS_RESPONSIBLE = re.compile(r"负责|牵头|承办|具体.{0,2}(?:办|组织)")


def organiser(details: ActivityDetails, question: str | None = None) -> Answer | None:
    """Who organises it; who is responsible for it (知识竞赛谁负责) where the notice says."""
    if details.responsible_units and _ASKS_RESPONSIBLE.search(normalise(question or "")):
        role_label, organisers = phrase("utter_role_responsible"), "、".join(details.responsible_units)
    else:
        role_label, organisers = organisers_of(details)
    if not organisers:
        return None
    return say("utter_activity_organiser", **_about(details), role_label=role_label, organisers=organisers)


def phases(details: ActivityDetails, today: dt.date, milestones: tuple[MilestoneView, ...]) -> Answer | None:
    if not milestones:
        return None
    lines = []
    for index, milestone in enumerate(milestones, start=1):
        lines.append(phrase("utter_phase_line", index=index, name=milestone.name,
                            when=milestone.when or NOT_STATED, timing=timing_phrase(milestone.timing(today))))
    return say("utter_activity_phases", **_about(details), count=len(milestones),
               phases=tuple(lines))


def deadline(details: ActivityDetails, today: dt.date, question: str | None,
             milestones: tuple[MilestoneView, ...]) -> Answer | None:
    span = details.summary.span
    last_day = details.signup_deadline
    if span is not None and span.end.last_day < today and _ASKS_IF_STILL_OPEN.search(normalise(question or "")):
        # 现在还能报名吗, of what is over: that it is over, not only that sign-up closed
        was = phrase("utter_deadline_was", deadline=format_date(last_day)) if last_day else ""
        return say("utter_activity_over", **_about(details), when=span.describe(), deadline=was)
    if last_day is None:
        return None
    closing = next((m for m in milestones if m.closes_signup and m.span), None)
    response = "utter_deadline"
    milestone: str | Phrase = ""
    if closing is not None and closing.span is not None and closing.span.end.last_day == last_day:
        written = format_point(closing.span.end)  # "2018年12月", not a day the notice never gave
        milestone = phrase("utter_deadline_milestone", milestone=closing.name)
        if asks_for_a_day(question) and closing.span.end.precision != DAY:
            response = "utter_deadline_to_the_month"
    else:
        written = format_date(last_day)
    previous = details.previous("signup_deadline")
    if previous:
        milestone = phrase("utter_detail_previously", previous=previous)
    status = phrase("utter_deadline_passed" if last_day < today else "utter_deadline_open")
    return say(response, **_about(details), deadline=written, milestone=milestone, status=status)


def when_hint(details: ActivityDetails) -> Phrase | str:
    span = details.summary.span
    return phrase("utter_when_hint", when=span.describe()) if span else ""


# What the notice does not say, by topic: the reply and what helps the member on.
MISSING: dict[Topic, tuple[str, Callable[[ActivityDetails], Phrase | str]]] = {
    Topic.TIME: ("utter_activity_time_unknown", ask_whom),
    Topic.PLACE: ("utter_activity_place_unknown", ask_whom),
    Topic.THEME: ("utter_activity_theme_unknown", ask_whom),
    Topic.FEE: ("utter_activity_fee_unknown", ask_whom),
    Topic.CAPACITY: ("utter_activity_capacity_unknown", ask_whom),
    Topic.ORGANISER: ("utter_activity_organiser_unknown", ask_whom),
    Topic.PHASES: ("utter_activity_phases_unknown", when_hint),
    Topic.DEADLINE: ("utter_deadline_unknown", when_hint),
    Topic.AUDIENCE: ("utter_activity_audience_unknown", ask_whom),
    Topic.SIGNUP_METHOD: ("utter_activity_signup_method_unknown", ask_whom),
    Topic.CONTACT: ("utter_activity_contacts_unknown", ask_whom),
    Topic.OTHER: ("utter_notice_silent", ask_whom),
}


def missing(topic: Topic, details: ActivityDetails) -> Answer:
    response, helper = MISSING.get(topic, MISSING[Topic.OTHER])
    return say(response, **_about(details), hint=helper(details))
