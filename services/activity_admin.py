"""Staff create and edit activities and their milestones (the console's 活动 pages).

Every change is one transaction that also writes its audit entry, so there is no
change without a record and no record without a change. Those audit entries are
also what protects staff work: `staff_edited_ids` reads them, and the knowledge
loader (`make knowledge`) and notice ingestion leave those activities alone, with
a report line, rather than overwrite what staff corrected. An admin-less escape
hatch exists: `release` (允许通知更新) writes an entry that lifts the protection.

What staff typed comes in as strings (`ActivityInput`, `MilestoneInput`) and is
checked here; a refusal is a `FormErrors` holding one Chinese message per field,
so the page can show the form again with what was typed.

Sign-up: the assistant takes sign-ups while today is on or before the activity's
deadline (`services.activities.signup_deadline`: its own date, else the end of a
phase that closes sign-up, else its programme's). 接受报名 on the form is that
rule seen from the other side: ticking it needs such a date in the future;
unticking it while one is in the future closes sign-up by setting the activity's
own deadline to yesterday, so the assistant says when it closed.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.accounts import AuditEntry
from services.activities import milestone_span, signup_deadline
from services.dates import DAY, MONTH, TEN_DAYS, YEAR, DatePoint, DateSpan, ten_days_of
from services.models import (
    Activity,
    ActivityAlias,
    ActivityOrganisation,
    Milestone,
    Organisation,
    OrganisationAlias,
    SourceDocument,
)
from services.repositories import ActivityRepository
from services.textnorm import clean_display_text, match_key
from services.views import HELD

STAFF_KEY_PREFIX = "staff-"
# Audit actions that mark an activity as edited by staff (and so protected from loaders).
CREATE, EDIT = "activity_create", "activity_edit"
MILESTONE_ADD, MILESTONE_EDIT, MILESTONE_REMOVE = "milestone_add", "milestone_edit", "milestone_remove"
RELEASE = "activity_release"  # staff let notices update the activity again
EDIT_ACTIONS = (CREATE, EDIT, MILESTONE_ADD, MILESTONE_EDIT, MILESTONE_REMOVE)
_TARGET = re.compile(r"^activity (\d+)\b")

PRECISIONS = {DAY: "日", TEN_DAYS: "旬", MONTH: "月", YEAR: "年"}
MIN_YEAR, MAX_YEAR = 1980, 2100
MAX_CAPACITY = 100_000
MAX_NAMES = 30  # aliases or organisers
_SEPARATORS = re.compile(r"[\n\r、，,；;]+")
_LIMITS = {"name": 300, "category": 40, "theme": 300, "location": 300, "fee": 300, "description": 4000}
LABELS = {"name": "名称", "aliases": "别名", "year": "年份", "category": "类别", "theme": "主题",
          "description": "简介", "location": "地点", "capacity": "名额", "fee": "费用",
          "signup_deadline": "报名截止", "signup_open": "接受报名", "organisers": "主办单位",
          "held_start": "活动日期", "held_end": "结束日期", "held": "活动日期", "time_of_day": "活动时间"}
MAX_TIME_CHARS = 40  # activities.time_of_day
_CLOCK = re.compile(r"(\d{1,2})\s*[:：]\s*(\d{2})")
_DATE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*"
                   r"(?:[-/.月]\s*(\d{1,2})\s*日?|[-/.月]?\s*(上旬|中旬|下旬)|月)?)?\s*$")


class FormErrors(ValueError):
    """What is wrong with a form, one Chinese message per field name."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = dict(errors)


class NotFound(LookupError):
    """No such activity or milestone."""


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _flag(data: Mapping[str, Any], name: str) -> bool:
    return data.get(name) in ("1", "on", "true", True)


@dataclass
class ActivityInput:
    """The activity form as typed (strings), kept to show it again after a refusal."""

    name: str = ""
    aliases: str = ""
    year: str = ""
    category: str = ""
    theme: str = ""
    description: str = ""
    location: str = ""
    capacity: str = ""
    fee: str = ""
    signup_deadline: str = ""
    signup_open: bool = False
    organisers: str = ""
    # When it takes place (its 举办 milestone): 2027-04-15, 2027-04 or 2027, and the hours.
    held_start: str = ""
    held_end: str = ""
    time_of_day: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ActivityInput:
        values: dict[str, Any] = {f.name: _text(data, f.name) for f in fields(cls) if f.name != "signup_open"}
        return cls(**values, signup_open=_flag(data, "signup_open"))


@dataclass
class MilestoneInput:
    """A milestone form as typed: dates as 2027-04-15, 2027-04 or 2027 with their precision."""

    name: str = ""
    start: str = ""
    start_precision: str = DAY
    end: str = ""
    end_precision: str = DAY
    closes_signup: bool = False
    note: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> MilestoneInput:
        return cls(name=_text(data, "name"), start=_text(data, "start"),
                   start_precision=_text(data, "start_precision") or DAY, end=_text(data, "end"),
                   end_precision=_text(data, "end_precision") or DAY,
                   closes_signup=_flag(data, "closes_signup"), note=_text(data, "note"))

    @classmethod
    def of(cls, milestone: Milestone) -> MilestoneInput:
        span = milestone_span(milestone)
        if span is None:
            return cls(name=milestone.name, closes_signup=milestone.closes_signup, note=milestone.note or "")
        end = "" if span.end == span.start else span.end.iso()
        return cls(name=milestone.name, start=span.start.iso(), start_precision=span.start.precision, end=end,
                   end_precision=span.end.precision, closes_signup=milestone.closes_signup,
                   note=milestone.note or "")


@dataclass(frozen=True)
class MilestoneRow:
    id: int
    form: MilestoneInput
    when: str  # as the assistant says it: 2027年4月15日至16日


@dataclass(frozen=True)
class ActivityPage:
    """What the edit page shows besides the form."""

    id: int
    key: str
    name: str
    origin: str  # staff | notice | reviewed
    source_title: str | None
    parent_name: str | None
    responsible_units: tuple[str, ...]
    seats_taken: int
    deadline: dt.date | None  # the effective one (own, a phase's, the programme's)
    signup_open: bool
    staff_edited: bool
    milestones: tuple[MilestoneRow, ...]


@dataclass(frozen=True)
class ActivityMeta:
    """For the list: where an activity came from and whether staff edited it."""

    key: str
    category: str | None
    origin: str
    staff_edited: bool


@dataclass(frozen=True)
class Saved:
    id: int
    changes: list[str] = field(default_factory=list)  # what the audit entry says, for the page too


# -- reading what was typed -------------------------------------------------------------


def split_names(raw: str) -> list[str]:
    """别名 or 主办单位 typed one per line or separated by 、，,；"""
    seen: dict[str, None] = {}
    for part in _SEPARATORS.split(raw or ""):
        name = clean_display_text(part).strip()
        if name:
            seen.setdefault(name, None)
    return list(seen)


def parse_point(raw: str, precision: str) -> DatePoint:
    """A date typed as 2027-04-15 / 2027-04 / 2027 (or 2027年4月15日, 2027/4/15), at `precision`:
    the parts it needs must be there; finer parts are dropped. ValueError with a Chinese reason."""
    if precision not in PRECISIONS:
        raise ValueError("请选择精确到日、旬、月或年")
    match = _DATE.match(raw or "")
    if not match:
        raise ValueError("请按“年-月-日”填写，如 2027-04-15（精确到月填 2027-04，到年填 2027）")
    year, month, day = (int(part) if part else None for part in match.groups()[:3])
    ten_days = match.group(4)
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"年份应在 {MIN_YEAR} 至 {MAX_YEAR} 之间")
    if precision == YEAR:
        return DatePoint(dt.date(year, 1, 1), YEAR)
    if month is None:
        if precision == DAY:
            raise ValueError("精确到日时请填写完整日期，如 2027-04-15")
        raise ValueError("精确到月时请填写月份，如 2027-04")
    if not 1 <= month <= 12:
        raise ValueError("月份应在 1 至 12 之间")
    if precision == MONTH:
        return DatePoint(dt.date(year, month, 1), MONTH)
    if precision == TEN_DAYS:
        if ten_days is None and day is None:
            raise ValueError("精确到旬时请写明上旬、中旬或下旬，如 2027-05中旬")
        return DatePoint.parse(f"{year}-{month}{ten_days or ten_days_of(day or 1)}")
    if day is None:
        raise ValueError("精确到日时请填写完整日期，如 2027-04-15")
    try:
        return DatePoint(dt.date(year, month, day), DAY)
    except ValueError:
        raise ValueError(f"{year}年{month}月没有{day}日") from None


def parse_typed_point(raw: str) -> DatePoint:
    """A date at the precision it was typed with: 2027-04-15 (a day), 2027-05中旬, 2027-04, 2027."""
    match = _DATE.match(raw or "")
    if not match:
        return parse_point(raw, DAY)  # its message says how to write it
    day, ten_days, month = match.group(3), match.group(4), match.group(2)
    return parse_point(raw, DAY if day else TEN_DAYS if ten_days else MONTH if month else YEAR)


def check_time_of_day(raw: str) -> str | None:
    """活动时间 as typed (13:30-16:30, 上午, 全天), its clock times checked. ValueError in Chinese."""
    text = clean_display_text(raw)
    if len(text) > MAX_TIME_CHARS:
        raise ValueError(f"活动时间不能超过 {MAX_TIME_CHARS} 个字，如 13:30-16:30")
    clocks = []
    for hours, minutes in _CLOCK.findall(text):
        if int(hours) > 24 or int(minutes) > 59:
            raise ValueError(f"{hours}:{minutes} 不是有效的时刻：请写成 13:30-16:30 这样")
        clocks.append((int(hours), int(minutes)))
    if len(clocks) == 2 and clocks[1] <= clocks[0]:
        raise ValueError("结束时刻应晚于开始时刻，如 13:30-16:30")
    return text or None


@dataclass(frozen=True)
class _ActivityValues:
    name: str
    aliases: list[str]
    year: int | None
    category: str | None
    theme: str | None
    description: str | None
    location: str | None
    capacity: int | None
    fee: str | None
    signup_deadline: dt.date | None
    signup_open: bool
    organisers: list[str]
    held_start: DatePoint | None = None
    held_end: DatePoint | None = None
    time_of_day: str | None = None


def _check_activity(form: ActivityInput) -> _ActivityValues:
    errors: dict[str, str] = {}
    texts: dict[str, str | None] = {}
    for name, limit in _LIMITS.items():
        value = clean_display_text(getattr(form, name), max_chars=10**6)
        if len(value) > limit:
            errors[name] = f"{LABELS[name]}不能超过 {limit} 个字（现在 {len(value)} 个）"
        texts[name] = value or None
    if not texts["name"] and "name" not in errors:
        errors["name"] = "请填写活动名称"
    year: int | None = None
    if form.year:
        raw_year = form.year.removesuffix("年")
        if not raw_year.isdigit() or not MIN_YEAR <= int(raw_year) <= MAX_YEAR:
            errors["year"] = f"年份请填写 {MIN_YEAR} 至 {MAX_YEAR} 之间的四位数字，如 2027"
        else:
            year = int(raw_year)
    capacity: int | None = None
    if form.capacity:
        raw = form.capacity.removesuffix("人").removesuffix("名")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_CAPACITY:
            errors["capacity"] = f"名额请填写 1 至 {MAX_CAPACITY} 之间的整数；不限名额请留空"
        else:
            capacity = int(raw)
    deadline: dt.date | None = None
    if form.signup_deadline:
        try:
            deadline = parse_point(form.signup_deadline, DAY).first_day
        except ValueError as error:
            errors["signup_deadline"] = f"报名截止日期：{error}"
    held_start = held_end = None
    if form.held_start:
        try:
            held_start = parse_typed_point(form.held_start)
        except ValueError as error:
            errors["held_start"] = f"活动日期：{error}"
    elif form.held_end:
        errors["held_start"] = "填写了结束日期时，也请填写活动日期"
    if form.held_end:
        try:
            held_end = parse_typed_point(form.held_end)
        except ValueError as error:
            errors["held_end"] = f"结束日期：{error}"
    if held_start and held_end and held_end.last_day < held_start.first_day:
        errors["held_end"] = "结束日期早于活动日期"
    time_of_day = None
    try:
        time_of_day = check_time_of_day(form.time_of_day)
    except ValueError as error:
        errors["time_of_day"] = str(error)
    aliases = split_names(form.aliases)
    organisers = split_names(form.organisers)
    for name, names, limit in (("aliases", aliases, 200), ("organisers", organisers, 200)):
        if len(names) > MAX_NAMES:
            errors[name] = f"{LABELS[name]}最多 {MAX_NAMES} 个"
        elif too_long := [n for n in names if len(n) > limit]:
            errors[name] = f"{LABELS[name]}“{too_long[0][:20]}…”超过 {limit} 个字"
    if errors:
        raise FormErrors(errors)
    name = texts["name"] or ""
    return _ActivityValues(
        name=name, aliases=[a for a in aliases if a != name], year=year, category=texts["category"],
        theme=texts["theme"], description=texts["description"], location=texts["location"], capacity=capacity,
        fee=texts["fee"], signup_deadline=deadline, signup_open=form.signup_open, organisers=organisers,
        held_start=held_start, held_end=held_end, time_of_day=time_of_day)


@dataclass(frozen=True)
class _MilestoneValues:
    name: str
    start: DatePoint | None
    end: DatePoint | None
    closes_signup: bool
    note: str | None


def _check_milestone(form: MilestoneInput) -> _MilestoneValues:
    errors: dict[str, str] = {}
    name = clean_display_text(form.name)
    if not name:
        errors["name"] = "请填写阶段名称，如 报名、举办、评审"
    elif len(name) > 100:
        errors["name"] = "阶段名称不能超过 100 个字"
    note = clean_display_text(form.note)
    if len(note) > 300:
        errors["note"] = "备注不能超过 300 个字"
    start = end = None
    if form.start:
        try:
            start = parse_point(form.start, form.start_precision)
        except ValueError as error:
            errors["start"] = f"开始：{error}"
    elif form.end:
        errors["start"] = "填写了结束日期时，也请填写开始日期"
    if form.end:
        try:
            end = parse_point(form.end, form.end_precision)
        except ValueError as error:
            errors["end"] = f"结束：{error}"
    if start and end and end.last_day < start.first_day:
        errors["end"] = "结束日期早于开始日期"
    if form.closes_signup and not start:
        errors["closes_signup"] = "“报名截止于此阶段结束”需要日期"
    if errors:
        raise FormErrors(errors)
    return _MilestoneValues(name=name, start=start, end=end or start, closes_signup=form.closes_signup,
                            note=note or None)


# -- protection from loaders ----------------------------------------------------------------


def activity_target(activity_id: int, name: str) -> str:
    """The audit entry's target, as the console's other activity entries write it."""
    return f"activity {activity_id} {name}"[:200]


def staff_edited_ids(session: Session) -> set[int]:
    """Activities staff created or edited in the console and did not release since:
    the knowledge loader and notice ingestion leave them as staff left them."""
    rows = session.execute(select(AuditEntry.action, AuditEntry.target)
                           .where(AuditEntry.action.in_((*EDIT_ACTIONS, RELEASE)))
                           .order_by(AuditEntry.id)).all()
    edited: dict[int, bool] = {}
    for action, target in rows:
        match = _TARGET.match(target or "")
        if match:
            edited[int(match.group(1))] = action != RELEASE
    return {activity_id for activity_id, is_edited in edited.items() if is_edited}


def origin_of(key: str) -> str:
    if key.startswith(STAFF_KEY_PREFIX):
        return "staff"
    if key.startswith("ingest-"):  # services.ingest.loader.INGEST_PREFIX (not imported: no cycle)
        return "notice"
    return "reviewed"


# -- the service ---------------------------------------------------------------------------


def _organisation(session: Session, name: str) -> Organisation:
    """By name or alias; a new one when neither is known (as the knowledge loader does)."""
    found = session.scalars(select(Organisation).where(Organisation.name == name)).first()
    if found is None:
        alias = session.scalars(select(OrganisationAlias).where(OrganisationAlias.alias == name)).first()
        found = alias.organisation if alias else None
    if found is None:
        found = Organisation(name=name, phones=[], contact_persons=[])
        session.add(found)
        session.flush()
    return found


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, list):
        return "、".join(value)
    return str(value)


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    changes = []
    for name, old in before.items():
        new = after[name]
        if old == new:
            continue
        if name == "description":
            changes.append("简介已修改")
        else:
            changes.append(f"{LABELS[name]}：{_shown(old)} → {_shown(new)}")
    return changes


def held_milestone(activity: Activity) -> Milestone | None:
    """The 举办 milestone the form's 活动日期 edits: the one the assistant reads
    (`held_span`: the first with a date), else the first without one."""
    held = [m for m in activity.milestones if m.name == HELD]
    return next((m for m in held if m.start_date is not None), held[0] if held else None)


def _held_text(activity: Activity) -> str | None:
    milestone = held_milestone(activity)
    span = milestone_span(milestone) if milestone is not None else None
    return span.describe() if span else None


def _state(activity: Activity) -> dict[str, Any]:
    roles = sorted((r for r in activity.roles if r.role == "organiser"), key=lambda r: r.position)
    return {"name": activity.name, "aliases": sorted(a.alias for a in activity.aliases), "year": activity.year,
            "category": activity.category, "theme": activity.theme, "description": activity.description,
            "location": activity.location, "capacity": activity.capacity, "fee": activity.fee,
            "signup_deadline": activity.signup_deadline, "organisers": [r.organisation.name for r in roles],
            "held": _held_text(activity), "time_of_day": activity.time_of_day}


class ActivityAdminService:
    """Each public method is one transaction, its audit entry included."""

    def __init__(self, session_factory: sessionmaker, today: Callable[[], dt.date]) -> None:
        self._session_factory = session_factory
        self._today = today

    # -- reading ---------------------------------------------------------------------

    def overview(self) -> dict[int, ActivityMeta]:
        with self._session_factory() as session:
            edited = staff_edited_ids(session)
            rows = session.execute(select(Activity.id, Activity.key, Activity.category)).all()
            return {row.id: ActivityMeta(key=row.key, category=row.category, origin=origin_of(row.key),
                                         staff_edited=row.id in edited) for row in rows}

    def notice_activities(self, source_file: str) -> list[tuple[int, str]]:
        """(id, name) of the activities an ingested notice of that file name holds."""
        with self._session_factory() as session:
            query = (select(Activity.id, Activity.name).join(SourceDocument, Activity.source_document_id ==
                                                              SourceDocument.id)
                     .where(SourceDocument.source_file == source_file, SourceDocument.slug.like("ingest-%"))
                     .order_by(Activity.id))
            return [(row.id, row.name) for row in session.execute(query)]

    def page(self, activity_id: int) -> tuple[ActivityInput, ActivityPage] | None:
        """The form filled from the database, and what the page shows around it."""
        with self._session_factory() as session:
            activity = ActivityRepository(session).get(activity_id)
            if activity is None:
                return None
            state = _state(activity)
            deadline = signup_deadline(activity)
            is_open = deadline is not None and deadline >= self._today()
            held = held_milestone(activity)
            held_form = MilestoneInput.of(held) if held is not None else MilestoneInput()
            form = ActivityInput(
                name=activity.name, aliases="\n".join(state["aliases"]),
                year=str(activity.year or ""), category=activity.category or "", theme=activity.theme or "",
                description=activity.description or "", location=activity.location or "",
                capacity=str(activity.capacity or ""), fee=activity.fee or "",
                signup_deadline=activity.signup_deadline.isoformat() if activity.signup_deadline else "",
                signup_open=is_open, organisers="\n".join(state["organisers"]), held_start=held_form.start,
                held_end=held_form.end, time_of_day=activity.time_of_day or "")
            rows = tuple(MilestoneRow(id=m.id, form=MilestoneInput.of(m),
                                      when=(span.describe() if (span := milestone_span(m)) else m.when_text or ""))
                         for m in activity.milestones)
            responsible = tuple(r.organisation.name for r in sorted(activity.roles, key=lambda r: r.position)
                                if r.role == "responsible")
            return form, ActivityPage(
                id=activity.id, key=activity.key, name=activity.name, origin=origin_of(activity.key),
                source_title=activity.source_document.title if activity.source_document else None,
                parent_name=activity.parent.name if activity.parent else None, responsible_units=responsible,
                seats_taken=activity.seats_taken or 0, deadline=deadline, signup_open=is_open,
                staff_edited=activity.id in staff_edited_ids(session), milestones=rows)

    # -- activities ------------------------------------------------------------------

    def create(self, form: ActivityInput, username: str) -> Saved:
        values = _check_activity(form)
        with self._session_factory() as session, session.begin():
            self._check_unique_name(session, values, None)
            activity = Activity(key=f"{STAFF_KEY_PREFIX}{uuid.uuid4().hex[:12]}", name=values.name, seats_taken=0)
            session.add(activity)
            session.flush()
            notes = self._apply(session, activity, values)
            changes = [f"新建：{values.name}", *notes]
            self._audit(session, username, CREATE, activity, "；".join(changes))
            return Saved(activity.id, changes)

    def update(self, activity_id: int, form: ActivityInput, username: str) -> Saved:
        values = _check_activity(form)
        with self._session_factory() as session, session.begin():
            activity = self._activity(session, activity_id)
            self._check_unique_name(session, values, activity.id)
            before = _state(activity)
            if values.name != activity.name and activity.name not in values.aliases:
                # Members (and a re-issued notice) still know it by its old name.
                values = _replace_aliases(values, [*values.aliases, activity.name])
            notes = self._apply(session, activity, values)
            changes = [*_changes(before, _state(activity)), *notes]
            if changes:
                self._audit(session, username, EDIT, activity, "；".join(changes))
            return Saved(activity.id, changes)

    def release(self, activity_id: int, username: str) -> None:
        """Let the knowledge files and notices update this activity again."""
        with self._session_factory() as session, session.begin():
            activity = self._activity(session, activity_id)
            if activity.source_document is not None:
                # The file was loaded while the activity was protected: the next `make knowledge`
                # (or upload of the notice) applies it again instead of finding it unchanged.
                activity.source_document.content_hash = ""
            self._audit(session, username, RELEASE, activity, "允许知识文件和通知再次更新此活动")

    # -- milestones ------------------------------------------------------------------

    def add_milestone(self, activity_id: int, form: MilestoneInput, username: str) -> Saved:
        values = _check_milestone(form)
        with self._session_factory() as session, session.begin():
            activity = self._activity(session, activity_id)
            position = max((m.position for m in activity.milestones), default=-1) + 1
            milestone = Milestone(position=position)
            _set_milestone(milestone, values)
            activity.milestones.append(milestone)
            change = f"新增阶段：{_describe(values)}"
            self._audit(session, username, MILESTONE_ADD, activity, change)
            return Saved(activity.id, [change])

    def update_milestone(self, activity_id: int, milestone_id: int, form: MilestoneInput, username: str) -> Saved:
        values = _check_milestone(form)
        with self._session_factory() as session, session.begin():
            activity = self._activity(session, activity_id)
            milestone = self._milestone(activity, milestone_id)
            before, described = _milestone_state(milestone), _describe_row(milestone)
            _set_milestone(milestone, values)
            if _milestone_state(milestone) == before:
                return Saved(activity.id, [])
            change = f"修改阶段：{described} → {_describe(values)}"
            if values.note != before[-1]:
                change += f"（备注：{values.note or '（空）'}）"
            self._audit(session, username, MILESTONE_EDIT, activity, change)
            return Saved(activity.id, [change])

    def remove_milestone(self, activity_id: int, milestone_id: int, username: str) -> Saved:
        with self._session_factory() as session, session.begin():
            activity = self._activity(session, activity_id)
            milestone = self._milestone(activity, milestone_id)
            change = f"删除阶段：{_describe_row(milestone)}"
            activity.milestones.remove(milestone)
            self._audit(session, username, MILESTONE_REMOVE, activity, change)
            return Saved(activity.id, [change])

    # -- inside a transaction --------------------------------------------------------

    @staticmethod
    def _activity(session: Session, activity_id: int) -> Activity:
        activity = ActivityRepository(session).get(activity_id)
        if activity is None:
            raise NotFound(f"activity {activity_id}")
        return activity

    @staticmethod
    def _milestone(activity: Activity, milestone_id: int) -> Milestone:
        milestone = next((m for m in activity.milestones if m.id == milestone_id), None)
        if milestone is None:
            raise NotFound(f"milestone {milestone_id} of activity {activity.id}")
        return milestone

    @staticmethod
    def _check_unique_name(session: Session, values: _ActivityValues, activity_id: int | None) -> None:
        """Two activities of one year with the same name could not be told apart by members."""
        key = match_key(values.name)
        for other_id, other_name, other_year in session.execute(
                select(Activity.id, Activity.name, Activity.year)):
            if other_id != activity_id and other_year == values.year and match_key(other_name) == key:
                raise FormErrors({"name": f"已有同名同年份的活动（编号 {other_id}）：请换一个名称，或去编辑那个活动"})

    def _apply(self, session: Session, activity: Activity, values: _ActivityValues) -> list[str]:
        """Write the values; returns notes for the page and the audit entry. FormErrors → nothing kept
        (the caller's transaction rolls back)."""
        activity.name = values.name
        activity.year = values.year
        activity.category = values.category
        activity.theme = values.theme
        activity.description = values.description
        activity.location = values.location
        activity.fee = values.fee
        if values.capacity is not None and values.capacity < (activity.seats_taken or 0):
            raise FormErrors({"capacity": f"已有 {activity.seats_taken} 人报名，名额不能少于 {activity.seats_taken}"})
        activity.capacity = values.capacity
        activity.signup_deadline = values.signup_deadline
        activity.time_of_day = values.time_of_day
        _apply_held(activity, values.held_start, values.held_end)
        # Aliases and roles are unique per activity: change only what differs (as the loader does).
        wanted = set(values.aliases)
        activity.aliases = [a for a in activity.aliases if a.alias in wanted]
        kept = {a.alias for a in activity.aliases}
        activity.aliases.extend(ActivityAlias(alias=a) for a in values.aliases if a not in kept)
        organisers = {(_organisation(session, name).id): position for position, name in enumerate(values.organisers)}
        activity.roles = [r for r in activity.roles if r.role != "organiser" or r.organisation_id in organisers]
        for role in activity.roles:
            if role.role == "organiser":
                role.position = organisers[role.organisation_id]
        present = {r.organisation_id for r in activity.roles if r.role == "organiser"}
        activity.roles.extend(ActivityOrganisation(organisation_id=org_id, role="organiser", position=position)
                              for org_id, position in organisers.items() if org_id not in present)
        session.flush()
        return self._apply_signup_open(activity, values.signup_open)

    def _apply_signup_open(self, activity: Activity, wanted_open: bool) -> list[str]:
        today = self._today()
        deadline = signup_deadline(activity)
        if wanted_open:
            if deadline is None:
                raise FormErrors({"signup_open": "接受报名需要报名截止日期：请填写报名截止日期，"
                                                 "或把某个阶段设为“报名截止于此阶段结束”"})
            if deadline < today:
                raise FormErrors({"signup_deadline": f"报名截止日期 {deadline.isoformat()} 已过，不能接受报名："
                                                     "请改为今天或以后的日期，或取消“接受报名”"})
            return []
        if deadline is not None and deadline >= today:
            closed_on = today - dt.timedelta(days=1)
            activity.signup_deadline = closed_on
            return [f"报名已关闭（报名截止记为 {closed_on.isoformat()}）"]
        return []

    @staticmethod
    def _audit(session: Session, username: str, action: str, activity: Activity, detail: str) -> None:
        session.add(AuditEntry(username=username, action=action, target=activity_target(activity.id, activity.name),
                               detail=detail[:4000]))


def _apply_held(activity: Activity, start: DatePoint | None, end: DatePoint | None) -> None:
    """活动日期 is the 举办 milestone's dates: added when there was none; emptied, it goes
    (or, holding a note or closing sign-up, keeps that and loses its dates)."""
    milestone = held_milestone(activity)
    if start is None:
        if milestone is None or milestone.start_date is None:
            return
        if milestone.note or milestone.closes_signup:
            _set_milestone(milestone, _MilestoneValues(HELD, None, None, bool(milestone.closes_signup), milestone.note))
        else:
            activity.milestones.remove(milestone)
        return
    if milestone is None:
        milestone = Milestone(position=max((m.position for m in activity.milestones), default=-1) + 1)
        activity.milestones.append(milestone)
    _set_milestone(milestone, _MilestoneValues(HELD, start, end or start, bool(milestone.closes_signup),
                                               milestone.note))


def _replace_aliases(values: _ActivityValues, aliases: Iterable[str]) -> _ActivityValues:
    return replace(values, aliases=list(dict.fromkeys(aliases)))


def _set_milestone(milestone: Milestone, values: _MilestoneValues) -> None:
    milestone.name = values.name
    milestone.start_date = values.start.first_day if values.start else None
    milestone.start_precision = values.start.precision if values.start else None
    milestone.end_date = values.end.first_day if values.end else None
    milestone.end_precision = values.end.precision if values.end else None
    # What the assistant says is written from the dates now, not the notice's words.
    milestone.when_text = DateSpan(values.start, values.end or values.start).describe() if values.start else None
    milestone.closes_signup = values.closes_signup
    milestone.note = values.note


def _milestone_state(milestone: Milestone) -> tuple[Any, ...]:
    return (milestone.name, milestone.start_date, milestone.start_precision, milestone.end_date,
            milestone.end_precision, bool(milestone.closes_signup), milestone.note)


def _describe(values: _MilestoneValues) -> str:
    when = DateSpan(values.start, values.end or values.start).describe() if values.start else "无日期"
    return f"{values.name} {when}{'（报名截止）' if values.closes_signup else ''}"


def _describe_row(milestone: Milestone) -> str:
    span = milestone_span(milestone)
    when = span.describe() if span else (milestone.when_text or "无日期")
    return f"{milestone.name} {when}{'（报名截止）' if milestone.closes_signup else ''}"
