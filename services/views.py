"""Plain read-only results the services hand out; no session is needed to use them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar

from services.dates import DateSpan, Timing


@dataclass(frozen=True)
class SourceView:
    title: str
    issued_on: dt.date | None
    year: int | None

    def cite(self) -> str:
        """The notice as an answer names it: 《title》（2018年9月7日）."""
        from services.dates import format_date

        if self.issued_on:
            return f"《{self.title}》（{format_date(self.issued_on)}）"
        return f"《{self.title}》"


@dataclass(frozen=True)
class MilestoneView:
    name: str
    span: DateSpan | None
    when_text: str | None
    closes_signup: bool
    note: str | None = None

    @property
    def when(self) -> str:
        if self.span:
            return self.span.describe()
        return self.when_text or ""

    def timing(self, today: dt.date) -> Timing | None:
        return self.span.timing(today) if self.span else None


HELD = "举办"  # the milestone holding the activity's own day(s); phases are the others


@dataclass(frozen=True)
class ActivitySummary:
    id: int
    key: str
    name: str
    year: int | None
    category: str | None
    span: DateSpan | None  # from the first to the last milestone

    def timing(self, today: dt.date) -> Timing | None:
        return self.span.timing(today) if self.span else None


@dataclass(frozen=True)
class ActivityContactView:
    """One person or line the activity's own notice names to contact."""

    org: str | None
    person: str | None
    phone: str | None
    mobile: str | None
    email: str | None
    fax: str | None
    address: str | None
    postcode: str | None


@dataclass(frozen=True)
class ActivityDetails:
    summary: ActivitySummary
    theme: str | None
    location: str | None
    fee: str | None
    capacity: int | None
    seats_taken: int
    description: str | None
    signup_deadline: dt.date | None
    milestones: tuple[MilestoneView, ...]
    organisers: tuple[str, ...]
    responsible_units: tuple[str, ...]
    parent_name: str | None
    children: tuple[ActivitySummary, ...]
    source: SourceView | None
    time_of_day: str | None = None  # the hours of the day the span gives: "13:30-16:30", 上午
    audience: str | None = None
    signup_method: str | None = None
    contacts: tuple[ActivityContactView, ...] = ()  # the activity's notice's own, in its order
    # What a change notice replaced, by field ("span", "place", "signup_deadline", …),
    # as it was said: (("span", "2027年1月21日"),) answers "原来定的是哪天".
    previously: tuple[tuple[str, str], ...] = ()
    source_document_id: int | None = None  # the notice whose sentences answer what the record does not

    @property
    def name(self) -> str:
        return self.summary.name

    @property
    def held(self) -> DateSpan | None:
        """When the activity itself takes place (its 举办 milestone: the hackathon's two days, not
        its sign-up phase), else its whole span."""
        return next((m.span for m in self.milestones if m.name == HELD and m.span), None) or self.summary.span

    def previous(self, field_name: str) -> str | None:
        """The value before a change notice moved it, or None when nothing was changed."""
        return next((text for name, text in self.previously if name == field_name), None)


@dataclass(frozen=True)
class ContactView:
    organisation: str
    address: str | None
    postcode: str | None
    phones: tuple[str, ...]
    fax: str | None
    email: str | None
    contact_persons: tuple[str, ...]
    source: SourceView | None

    def field(self, name: str) -> str | None:
        """The value of one contact field (phone, address, fax, postcode, contact_person, email)."""
        values = {
            "phone": "、".join(self.phones) or None,
            "address": self.address,
            "fax": self.fax,
            "postcode": self.postcode,
            "contact_person": "、".join(self.contact_persons) or None,
            "email": self.email,
        }
        return values.get(name)

    @property
    def has_any(self) -> bool:
        return any(self.field(name) for name in CONTACT_FIELDS)


CONTACT_FIELDS = ("phone", "address", "fax", "postcode", "contact_person", "email")


T = TypeVar("T")


@dataclass(frozen=True)
class Resolution(Generic[T]):
    """Which activities or organisations a member's words may mean."""

    matches: tuple[T, ...] = ()

    @property
    def unique(self) -> T | None:
        return self.matches[0] if len(self.matches) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.matches) > 1


@dataclass(frozen=True)
class SignupView:
    reference: str
    activity_id: int
    activity_name: str
    name: str
    mobile: str
    company: str
    created_at: dt.datetime
    status: str
