"""A NoticeRecord as JSON and back, for drafts kept between upload and publishing.

Written out field by field rather than with `dataclasses.asdict`: the stored shape is then
what this module says, dates are ISO strings (a `DatePoint` keeps its precision: 2027,
2027-03, 2027-03-18), and a record stored by an older version still reads (missing keys
take the record's defaults).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.dates import DatePoint, DateSpan
from services.ingest.records import ActivityRecord, Contact, Evidence, NoticeKind, NoticeRecord, Phase

Json = dict[str, Any]
CONTACT_FIELDS = ("org", "person", "phone", "mobile", "email", "fax", "address", "postcode")


def record_to_json(record: NoticeRecord) -> Json:
    return {
        "title": record.title,
        "issuer": record.issuer,
        "issued_on": _day_out(record.issued_on),
        "kind": record.kind.value,
        "activities": [activity_to_json(activity) for activity in record.activities],
        "contacts": [contact_to_json(contact) for contact in record.contacts],
        "doubts": list(record.doubts),
    }


def record_from_json(data: Json) -> NoticeRecord:
    return NoticeRecord(
        title=str(data.get("title") or ""),
        issuer=data.get("issuer"),
        issued_on=_day_in(data.get("issued_on")),
        kind=NoticeKind(data.get("kind") or NoticeKind.ANNOUNCEMENT.value),
        activities=[activity_from_json(item) for item in data.get("activities") or []],
        contacts=[contact_from_json(item) for item in data.get("contacts") or []],
        doubts=[str(doubt) for doubt in data.get("doubts") or []],
    )


def activity_to_json(activity: ActivityRecord) -> Json:
    return {
        "name": activity.name,
        "span": _span_out(activity.span),
        "time_of_day": activity.time_of_day,
        "place": activity.place,
        "audience": activity.audience,
        "capacity": activity.capacity,
        "fee": activity.fee,
        "signup_deadline": _day_out(activity.signup_deadline),
        "signup_method": activity.signup_method,
        "theme": activity.theme,
        "phases": [{"name": p.name, "span": _span_out(p.span), "text": p.text} for p in activity.phases],
        "responsible_units": list(activity.responsible_units),
        "organisers": list(activity.organisers),
        "contacts": [contact_to_json(c) for c in activity.contacts],
        "aliases": list(activity.aliases),
        "previously": dict(activity.previously),
        "evidence": [{"field": e.field, "sentence": e.sentence} for e in activity.evidence],
    }


def activity_from_json(data: Json) -> ActivityRecord:
    capacity = data.get("capacity")
    return ActivityRecord(
        name=str(data.get("name") or ""),
        span=_span_in(data.get("span")),
        time_of_day=data.get("time_of_day"),
        place=data.get("place"),
        audience=data.get("audience"),
        capacity=int(capacity) if capacity is not None else None,
        fee=data.get("fee"),
        signup_deadline=_day_in(data.get("signup_deadline")),
        signup_method=data.get("signup_method"),
        theme=data.get("theme"),
        phases=[Phase(str(p.get("name") or ""), _span_in(p.get("span")), str(p.get("text") or ""))
                for p in data.get("phases") or []],
        responsible_units=[str(unit) for unit in data.get("responsible_units") or []],
        organisers=[str(unit) for unit in data.get("organisers") or []],
        contacts=[contact_from_json(c) for c in data.get("contacts") or []],
        aliases=[str(alias) for alias in data.get("aliases") or []],
        previously={str(k): str(v) for k, v in (data.get("previously") or {}).items()},
        evidence=[Evidence(str(e["field"]), str(e["sentence"])) for e in data.get("evidence") or []],
    )


def contact_to_json(contact: Contact) -> Json:
    return {name: getattr(contact, name) for name in CONTACT_FIELDS}


def contact_from_json(data: Json) -> Contact:
    return Contact(**{name: data.get(name) for name in CONTACT_FIELDS})


def _day_out(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _day_in(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _span_out(span: DateSpan | None) -> Json | None:
    return {"start": span.start.iso(), "end": span.end.iso()} if span else None


def _span_in(data: Json | None) -> DateSpan | None:
    if not data:
        return None
    return DateSpan(DatePoint.parse(str(data["start"])), DatePoint.parse(str(data["end"])))
