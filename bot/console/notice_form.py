"""The review form of a notice: what staff typed, as strings, and the NoticeRecord it becomes.

The form keeps the strings exactly as typed, so a refused form is shown again with nothing
lost; `to_record` either returns the corrected record or raises `FormInvalid` with one
Chinese message per field. Dates are typed as 2027-03-18, 2027-03 or 2027 (or 2027年3月18日):
a date keeps the precision it was typed with, as the notice's own did.

What the form does not show (the sentences values came from, aliases, organisers, an
activity's own contacts, a change notice's earlier values) is carried over from the activity
it was filled from, found by its `slot` (its position in the stored record).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from services.dates import DAY, DatePoint, DateSpan
from services.ingest.activities import aliases_of
from services.ingest.record_json import CONTACT_FIELDS
from services.ingest.records import ActivityRecord, Contact, NoticeKind, NoticeRecord, Phase

ACTIVITY_FIELDS = ("name", "start", "end", "time_of_day", "place", "audience", "capacity", "fee",
                   "signup_deadline", "signup_method", "theme")
LABELS = {"title": "通知标题", "issuer": "发文单位", "issued_on": "发文日期", "kind": "通知类型",
          "name": "活动名称", "start": "开始日期", "end": "结束日期", "time_of_day": "时间段", "place": "地点",
          "audience": "参加对象", "capacity": "名额（人）", "fee": "费用", "signup_deadline": "报名截止",
          "signup_method": "报名方式", "theme": "主题", "phases": "阶段", "contacts": "联系人",
          "org": "单位", "person": "联系人", "phone": "电话", "mobile": "手机", "email": "邮箱", "fax": "传真",
          "address": "地址", "postcode": "邮编"}
KINDS = {NoticeKind.ANNOUNCEMENT.value: "通知（活动可报名）", NoticeKind.CHANGE.value: "变更通知（更新已有活动）",
         NoticeKind.RESULTS.value: "公示（只存全文，不建立活动）", NoticeKind.REPORT.value: "工作报告（活动只供查询）"}
BAD_DATE = "日期格式不正确，请写成 2027-03-18、2027-03 或 2027年3月18日。"
_CHINESE_DATE = re.compile(r"(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号]|(上旬|中旬|下旬))?)?")
_NUMERIC_DATE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2})|(上旬|中旬|下旬))?)?")
_ACTIVITY_KEY = re.compile(r"a(\d+)-slot")
_PHASE_KEY = re.compile(r"a(\d+)-p(\d+)-name")
_CONTACT_KEY = re.compile(r"c(\d+)-org")


class FormInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class PhaseForm:
    name: str = ""
    start: str = ""
    end: str = ""
    text: str = ""  # the notice's own wording of the dates …
    dates: str = ""  # … and the dates it was read as: while unchanged, that wording is kept


@dataclass
class ActivityForm:
    slot: str = ""  # position of the activity in the stored record; "" for one staff added
    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(ACTIVITY_FIELDS, ""))
    phases: list[PhaseForm] = field(default_factory=list)


@dataclass
class NoticeForm:
    title: str = ""
    issuer: str = ""
    issued_on: str = ""
    kind: str = NoticeKind.ANNOUNCEMENT.value
    activities: list[ActivityForm] = field(default_factory=list)
    contacts: list[dict[str, str]] = field(default_factory=list)

    def with_blank_rows(self) -> NoticeForm:
        """One empty phase row per activity and one empty contact row, to add one."""
        activities = [replace(a, phases=[*a.phases, PhaseForm()]) for a in self.activities]
        return replace(self, activities=activities, contacts=[*self.contacts, dict.fromkeys(CONTACT_FIELDS, "")])


# -- record → form ------------------------------------------------------------------------------


def form_of(record: NoticeRecord) -> NoticeForm:
    return NoticeForm(title=record.title, issuer=record.issuer or "",
                      issued_on=record.issued_on.isoformat() if record.issued_on else "", kind=record.kind.value,
                      activities=[_activity_form(a, slot) for slot, a in enumerate(record.activities)],
                      contacts=[{name: getattr(c, name) or "" for name in CONTACT_FIELDS} for c in record.contacts])


def _activity_form(activity: ActivityRecord, slot: int) -> ActivityForm:
    span = activity.span
    values = {"name": activity.name, "start": span.start.iso() if span else "", "end": span.end.iso() if span else "",
              "time_of_day": activity.time_of_day or "", "place": activity.place or "",
              "audience": activity.audience or "",
              "capacity": str(activity.capacity) if activity.capacity is not None else "", "fee": activity.fee or "",
              "signup_deadline": activity.signup_deadline.isoformat() if activity.signup_deadline else "",
              "signup_method": activity.signup_method or "", "theme": activity.theme or ""}
    phases = [PhaseForm(p.name, p.span.start.iso() if p.span else "", p.span.end.iso() if p.span else "", p.text,
                        _dates_key(p.span)) for p in activity.phases]
    return ActivityForm(slot=str(slot), values=values, phases=phases)


def _dates_key(span: DateSpan | None) -> str:
    return f"{span.start.iso()}|{span.end.iso()}" if span else ""


# -- posted form → form ------------------------------------------------------------------------


def form_from_post(post: Mapping[str, Any]) -> NoticeForm:
    """The form as posted: activities, phases and contacts in the order of their numbers."""

    def text(name: str) -> str:
        value = post.get(name)
        return value.strip() if isinstance(value, str) else ""

    def numbers(pattern: re.Pattern[str], prefix: str = "") -> list[str]:
        found = {m.groups()[-1] for key in post if (m := pattern.fullmatch(key)) and key.startswith(prefix)}
        return sorted(found, key=int)

    activities = []
    for i in numbers(_ACTIVITY_KEY):
        a = f"a{i}-"
        phases = [PhaseForm(*(text(f"{a}p{j}-{part}") for part in ("name", "start", "end", "text", "dates")))
                  for j in numbers(_PHASE_KEY, a)]
        activities.append(ActivityForm(slot=text(a + "slot"), values={n: text(a + n) for n in ACTIVITY_FIELDS},
                                       phases=[p for p in phases if p.name or p.start or p.end]))
    contacts = [{name: text(f"c{j}-{name}") for name in CONTACT_FIELDS} for j in numbers(_CONTACT_KEY)]
    return NoticeForm(title=text("title"), issuer=text("issuer"), issued_on=text("issued_on"), kind=text("kind"),
                      activities=activities, contacts=[c for c in contacts if any(c.values())])


# -- form → record -------------------------------------------------------------------------------


def parse_point(text: str) -> DatePoint | None:
    """2027-03-18, 2027/3/18, 2027-03中旬, 2027-03, 2027, 2027年3月18日 → a date of that precision;
    None if not a date."""
    text = text.strip()
    match = _CHINESE_DATE.fullmatch(text) or _NUMERIC_DATE.fullmatch(text)
    if not match:
        return None
    year, month, day, ten_days = match.groups()
    iso = "-".join(part.zfill(2) for part in (year, month, day) if part) + (ten_days or "")
    try:
        return DatePoint.parse(iso)
    except ValueError:  # 2027-02-30, 2027-13
        return None


def to_record(form: NoticeForm, stored: NoticeRecord) -> tuple[NoticeRecord, list[int | None]]:
    """The corrected record, and for each of its activities the slot it came from (None: new)."""
    errors: dict[str, str] = {}
    if not form.title:
        errors["title"] = "请填写通知标题。"
    if form.kind not in KINDS:
        errors["kind"] = "请选择通知类型。"
    issued_on = _day(form.issued_on, "issued_on", errors)
    activities, slots = [], []
    for i, activity_form in enumerate(form.activities):
        slot = _slot(activity_form.slot, len(stored.activities))
        earlier = stored.activities[slot] if slot is not None else None
        activities.append(_activity(activity_form, earlier, f"a{i}-", errors))
        slots.append(slot)
    contacts = [Contact(**{name: values.get(name) or None for name in CONTACT_FIELDS}) for values in form.contacts]
    if errors:
        raise FormInvalid(errors)
    record = NoticeRecord(title=form.title, issuer=form.issuer or None, issued_on=issued_on,
                          kind=NoticeKind(form.kind), activities=activities, contacts=contacts,
                          doubts=list(stored.doubts))
    return record, slots


def _slot(raw: str, count: int) -> int | None:
    return int(raw) if raw.isdigit() and int(raw) < count else None


def _activity(form: ActivityForm, earlier: ActivityRecord | None, prefix: str,
              errors: dict[str, str]) -> ActivityRecord:
    values = form.values
    if not values["name"]:
        errors[prefix + "name"] = "请填写活动名称。"
    span = _span(values["start"], values["end"], prefix, errors)
    capacity = None
    if values["capacity"]:
        if re.fullmatch(r"\d{1,6}", values["capacity"]):
            capacity = int(values["capacity"])
        else:
            errors[prefix + "capacity"] = "名额必须是整数（人数）；不限名额请留空。"
    phases = []
    for j, phase in enumerate(form.phases):
        phase_span = _span(phase.start, phase.end, f"{prefix}p{j}-", errors)
        if not phase.name:
            errors[f"{prefix}p{j}-name"] = "请填写阶段名称，或清空这一行。"
        kept_wording = phase.text and phase.dates == _dates_key(phase_span)
        phases.append(Phase(phase.name, phase_span,
                            phase.text if kept_wording else phase_span.describe() if phase_span else ""))
    renamed = earlier is None or earlier.name != values["name"]
    return ActivityRecord(
        name=values["name"], span=span, time_of_day=values["time_of_day"] or None, place=values["place"] or None,
        audience=values["audience"] or None, capacity=capacity, fee=values["fee"] or None,
        signup_deadline=_day(values["signup_deadline"], prefix + "signup_deadline", errors),
        signup_method=values["signup_method"] or None, theme=values["theme"] or None, phases=phases,
        responsible_units=list(earlier.responsible_units) if earlier else [],
        organisers=list(earlier.organisers) if earlier else [],
        contacts=list(earlier.contacts) if earlier else [],
        aliases=aliases_of(values["name"]) if renamed else list(earlier.aliases if earlier else []),
        previously=dict(earlier.previously) if earlier else {},
        evidence=list(earlier.evidence) if earlier else [])


def _span(start_text: str, end_text: str, prefix: str, errors: dict[str, str]) -> DateSpan | None:
    start = parse_point(start_text) if start_text else None
    end = parse_point(end_text) if end_text else None
    if start_text and start is None:
        errors[prefix + "start"] = BAD_DATE
    if end_text and end is None:
        errors[prefix + "end"] = BAD_DATE
    if end_text and not start_text:
        errors[prefix + "start"] = "填写了结束日期，请同时填写开始日期。"
    if start is None:
        return None
    if end is not None and end.last_day < start.first_day:
        errors[prefix + "end"] = "结束日期早于开始日期。"
        return None
    return DateSpan(start, end or start)


def _day(text: str, name: str, errors: dict[str, str]) -> Any:
    if not text:
        return None
    point = parse_point(text)
    if point is None:
        errors[name] = BAD_DATE
        return None
    if point.precision != DAY:
        errors[name] = "这个日期要写到日，例如 2027-03-10。"
        return None
    return point.first_day
