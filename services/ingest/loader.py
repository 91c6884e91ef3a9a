"""Stores what extraction read in a notice (a `NoticeRecord`): one transaction per file, idempotent.

The reviewed files in data/knowledge/ stay authoritative:

* a notice that has a reviewed file (same source file name) is not written again;
* an extracted activity that is a reviewed one (same name or alias and year) is kept
  as reviewed, with a report line;
* an organisation whose contact details come from a reviewed file keeps them (the
  notice's own contacts are still kept with each of its activities);
* an activity staff edited in the console stays as staff left it.

Everything else is written under keys `ingest-<file>-NN`, so it never collides with a
reviewed key; the same file again changes nothing (content hash), and a corrected
notice updates what it stored in place. Activities are never deleted.

What a notice does depends on its kind: an announcement (通知) stores its activities; a
change notice (变更通知) updates the earlier activity it names and keeps the replaced
values ("原定…"); results (公示) store the document only, for answers from documents; a
report's activities are stored for questions but open to no sign-up
(services.signups).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.activities import PREVIOUS_LABELS, milestone_span, previously_line
from services.activity_admin import staff_edited_ids
from services.dates import DAY, DatePoint, DateSpan, format_date, format_point
from services.ingest.cleaning import clean_text
from services.ingest.readers import read_notice
from services.ingest.records import ActivityRecord, Contact, NoticeKind, NoticeRecord, Phase
from services.knowledge import KnowledgeLoader
from services.models import Activity, ActivityAlias, ActivityContact, ActivityOrganisation, Milestone, SourceDocument
from services.signups import applies_elsewhere
from services.textnorm import clean_display_text, match_key
from services.views import HELD

INGEST_PREFIX = "ingest-"
# Bumped when extraction or these rules change, so that re-ingesting a file applies them.
EXTRACTOR_VERSION = "3"

Extractor = Callable[[str, str], NoticeRecord]

STATUS_TEXT = {
    "stored": "已入库",
    "updated": "已更新",
    "unchanged": "未变化（与上次入库的内容相同）",
    "reviewed": "已有人工审核的知识文件，以它为准，未写入",
    "would store": "预览（未写入）",
}

_LEADING_YEAR = re.compile(r"^\d{4}年(?:度)?")
_YEAR_IN_TEXT = re.compile(r"((?:19|20)\d\d)年")


# -- the report staff see ---------------------------------------------------------------------


@dataclass
class FileReport:
    path: Path
    status: str = ""  # stored | updated | unchanged | reviewed | would store (STATUS_TEXT says it in Chinese)
    title: str = ""
    record: NoticeRecord | None = None
    stored: list[str] = field(default_factory=list)  # rows written, one line each
    skipped: list[str] = field(default_factory=list)  # activities kept as they were, and why
    notes: list[str] = field(default_factory=list)

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, self.status)

    def lines(self) -> list[str]:
        """The card staff read after an ingestion, in Chinese."""
        out = [f"《{self.title}》 {self.status_text}（{self.path.name}）"]
        record = self.record
        if record is not None:
            out.append("  " + _describe_notice(record))
            # Results and reports take no sign-up: their card says nothing of one.
            signup = record.kind not in (NoticeKind.RESULTS, NoticeKind.REPORT)
            for activity in record.activities:
                out.append("  • " + describe_activity(activity, phases=False, signup=signup))
                out += [f"    阶段：{_describe_phase(phase, activity)}" for phase in activity.phases]
                if activity.previously:
                    out.append("    " + "；".join(previously_line(name, text)
                                                  for name, text in activity.previously.items()))
            out += [f"  ☎ 联系：{describe_contact(contact)}" for contact in record.contacts
                    if contact.has_details()]
        out += [f"  + {line}" for line in self.stored]
        out += [f"  = {line}" for line in self.skipped]
        out += [f"  ! {line}" for line in self.notes]
        if record is not None:
            out += [f"  ？{doubt}" for doubt in record.doubts]
        return out


def _describe_notice(record: NoticeRecord) -> str:
    parts = [f"发文：{record.issuer or '未写明'}",
             format_date(record.issued_on) if record.issued_on else "日期未写明",
             record.kind.value]
    if record.kind is NoticeKind.RESULTS:
        parts.append("只存入通知全文供查询，不建立活动")
    elif record.kind is NoticeKind.REPORT:
        parts.append("活动只供查询，不接受报名")
    return " · ".join(parts)


def describe_activity(activity: ActivityRecord, phases: bool = True, signup: bool = True) -> str:
    """One activity as the console and the card list it: 名称 | 时间：… | 地点：… | …
    (`signup`: with the deadline and the way to sign up, as the assistant will apply them)."""
    parts = [activity.name]
    if activity.span:
        parts.append("时间：" + " ".join(filter(None, (activity.span.describe(), activity.time_of_day))))
    elif activity.time_of_day:
        parts.append(f"时间：{activity.time_of_day}")
    labelled = (("地点", activity.place), ("对象", activity.audience),
                ("名额", f"{activity.capacity}人" if activity.capacity is not None else None),
                ("费用", activity.fee))
    parts += [f"{label}：{value}" for label, value in labelled if value]
    deadline = _deadline_text(activity) if signup else None
    if deadline:
        parts.append(f"报名截止：{deadline}")
    if activity.signup_method and signup:
        elsewhere = "（按此办理，助手不代为报名）" if applies_elsewhere(activity.signup_method) else ""
        parts.append(f"报名方式：{activity.signup_method}{elsewhere}")
    if activity.theme:
        parts.append(f"主题：{activity.theme}")
    units = activity.organisers or activity.responsible_units
    if units:
        parts.append("单位：" + "、".join(units))
    if phases and activity.phases:
        parts.append("阶段：" + "；".join(_describe_phase(phase, activity) for phase in activity.phases))
    return " | ".join(parts)


def _deadline_text(activity: ActivityRecord) -> str | None:
    """The deadline as the assistant will apply it (services.activities.signup_deadline)."""
    if activity.signup_deadline:
        return format_date(activity.signup_deadline)
    closing = next((p for p in activity.phases if closes_signup(p, activity) and p.span), None)
    if closing is not None and closing.span is not None:
        return f"{format_point(closing.span.end)}（{closing.name}结束）"
    if activity.span and activity.span.start.precision == DAY:
        day_before = activity.span.start.first_day - dt.timedelta(days=1)
        return f"未写明，按活动前一天 {format_date(day_before)}"
    return None


def _describe_phase(phase: Phase, activity: ActivityRecord) -> str:
    when = phase.span.describe() if phase.span else phase.text
    closing = "（报名截止）" if closes_signup(phase, activity) else ""
    return f"{phase.name} {when}{closing}".strip()


def describe_contact(contact: Contact) -> str:
    labelled = (("电话", contact.phone), ("手机", contact.mobile), ("邮箱", contact.email),
                ("传真", contact.fax), ("地址", contact.address), ("邮编", contact.postcode))
    parts = [value for value in (contact.org, contact.person) if value]
    parts += [f"{label} {value}" for label, value in labelled if value]
    return " ".join(parts)


def closes_signup(phase: Phase, activity: ActivityRecord) -> bool:
    """A phase that takes applications ends the sign-up, unless the notice states a deadline:
    then that date is the one members were given, and the phase may be wider (材料提交
    can run past the sign-up)."""
    return activity.signup_deadline is None and phase.takes_applications


def notice_yaml(record: NoticeRecord) -> str:
    """The record as YAML, for the dry run and the console's preview."""
    return yaml.safe_dump(_plain(record), allow_unicode=True, sort_keys=False, width=100)


def _plain(value: Any) -> Any:
    """Dates as ISO text, spans as start/end, no empty fields: what a reviewer reads."""
    if isinstance(value, DateSpan):
        return value.start.iso() if value.start == value.end else {"start": value.start.iso(),
                                                                   "end": value.end.iso()}
    if isinstance(value, DatePoint):
        return value.iso()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        pairs = ((f.name, _plain(getattr(value, f.name))) for f in dataclasses.fields(value))
        return {name: item for name, item in pairs if item not in (None, [], {}, "")}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


# -- reading ---------------------------------------------------------------------------------------


def content_hash(text: str) -> str:
    return hashlib.sha256(f"{EXTRACTOR_VERSION}\0{text}".encode()).hexdigest()


def _stem_key(path: Path) -> str:
    stem = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]+", "-", path.stem).strip("-").lower()
    return stem[:80] or "notice"


def notice_slug(path: Path) -> str:
    """The key of the document an ingested notice file is stored under."""
    return INGEST_PREFIX + _stem_key(path)


def _default_extractor(text: str, filename: str) -> NoticeRecord:
    # Looked up at each call, so the loader always uses the extraction module as it stands.
    from services.ingest import extraction

    return extraction.extract(text, filename)


def read_and_extract(path: Path, extractor: Extractor | None = None) -> tuple[str, NoticeRecord]:
    """The cleaned text of a notice file and what extraction read in it."""
    text = clean_text(read_notice(path))
    return text, (extractor or _default_extractor)(text, path.name)


# -- storing ----------------------------------------------------------------------------------------


def _text(value: str | None, limit: int) -> str | None:
    """Display text cut to the column's length (PostgreSQL refuses longer values)."""
    if not value:
        return None
    return clean_display_text(value, max_chars=limit) or None


def short_name(name: str) -> str | None:
    """The name without its leading year (质量大讲堂 for 2027年质量大讲堂), as members say it."""
    short = _LEADING_YEAR.sub("", name)
    return short if short != name and len(short) >= 4 else None


class NoticeLoader(KnowledgeLoader):
    """Stores notices with the reviewed loader's organisation lookup."""

    def __init__(self, session_factory: sessionmaker, extractor: Extractor | None = None) -> None:
        super().__init__(session_factory)
        self._extractor = extractor

    def ingest(self, path: Path, dry_run: bool = False) -> FileReport:
        """Read, extract and store one notice in one transaction (nothing on error)."""
        text, record = read_and_extract(path, self._extractor)
        report = FileReport(path=path, title=record.title, record=record)
        with self._session_factory() as session:
            transaction = session.begin()
            try:
                self._store(session, path, text, record, report, dry_run)
                if dry_run:
                    transaction.rollback()
                else:
                    transaction.commit()
            except BaseException:
                transaction.rollback()
                raise
        return report

    def store_reviewed(self, session: Session, file_name: str, text: str, record: NoticeRecord) -> FileReport:
        """Store a record staff reviewed and corrected (the console's 发布), in the caller's
        transaction, exactly as `ingest` stores one read from a file of that name. It is
        written even when the notice's text is unchanged: the corrections are what changed."""
        path = Path(file_name)
        report = FileReport(path=path, title=record.title, record=record)
        document = session.scalars(select(SourceDocument).where(SourceDocument.slug == notice_slug(path))).first()
        if document is not None:
            document.content_hash = ""  # so that _store does not find it "unchanged"
        self._store(session, path, text, record, report, dry_run=False)
        return report

    def _store(self, session: Session, path: Path, text: str, record: NoticeRecord,
               report: FileReport, dry_run: bool) -> None:
        reviewed = session.scalars(
            select(SourceDocument).where(SourceDocument.source_file == path.name,
                                         SourceDocument.slug.not_like(f"{INGEST_PREFIX}%"))
        ).first()
        if reviewed is not None:
            report.status = "reviewed"
            report.notes.append(f"这份通知已有人工审核的知识文件 data/knowledge/{reviewed.slug}.yml，"
                                f"以它为准，没有写入")
            return
        slug, digest = INGEST_PREFIX + _stem_key(path), content_hash(text)
        document = session.scalars(select(SourceDocument).where(SourceDocument.slug == slug)).first()
        if document is not None and document.content_hash == digest:
            report.status = "unchanged"
            return
        report.status = "would store" if dry_run else "updated" if document is not None else "stored"
        document = self._store_document(session, document, slug, path, text, digest, record)
        self._store_organisation_contacts(session, record, document, report)
        if record.kind is NoticeKind.RESULTS:
            # Results name winners, not events to join: the text answers questions about them.
            report.notes.append("公示类通知：只存入全文供查询，没有建立活动")
            return
        for activity in record.activities:
            if record.kind is NoticeKind.CHANGE:
                self._store_change(session, activity, record, document, path, report)
            else:
                self._store_activity(session, activity, record, document, path, report)
        session.flush()

    @staticmethod
    def _store_document(session: Session, document: SourceDocument | None, slug: str, path: Path,
                        text: str, digest: str, record: NoticeRecord) -> SourceDocument:
        if document is None:
            document = SourceDocument(slug=slug)
            session.add(document)
        document.title = _text(record.title, 300) or path.stem[:300]
        document.issuer = _text(record.issuer, 300)
        document.issued_on = record.issued_on
        document.year = record.year
        document.kind = record.kind.value
        document.source_file = path.name
        document.text = text
        document.content_hash = digest
        document.loaded_at = dt.datetime.now(dt.timezone.utc)
        session.flush()
        return document

    def _store_organisation_contacts(self, session: Session, record: NoticeRecord,
                                     document: SourceDocument, report: FileReport) -> None:
        """Each unit the notice gives a contact for gets it, unless a reviewed file gave it one."""
        by_unit: dict[str, list[Contact]] = {}
        for contact in record.contacts:
            unit = contact.org or record.issuer
            if unit and contact.has_details():
                by_unit.setdefault(unit, []).append(contact)
        for unit, contacts in by_unit.items():
            organisation = self._organisation(session, unit)
            source = organisation.contact_source
            if source is not None and not source.slug.startswith(INGEST_PREFIX):
                report.notes.append(f"{organisation.name}：保留已审核的《{source.title}》中的联系方式；"
                                    f"本通知的联系人记在各活动上")
                continue

            def values(*names: str, group: list[Contact] = contacts) -> list[str]:
                found = (getattr(contact, name) for contact in group for name in names)
                return list(dict.fromkeys(value for value in found if value))

            organisation.address = _text(next(iter(values("address")), None), 300)
            organisation.postcode = _text(next(iter(values("postcode")), None), 20)
            organisation.phones = values("phone", "mobile")
            organisation.fax = _text(next(iter(values("fax")), None), 60)
            organisation.email = _text(next(iter(values("email")), None), 200)
            organisation.contact_persons = values("person")
            organisation.contact_source_id = document.id
            report.stored.append(f"{organisation.name} 的联系方式")

    # -- announcements -------------------------------------------------------------------------

    def _store_activity(self, session: Session, record: ActivityRecord, notice: NoticeRecord,
                        document: SourceDocument, path: Path, report: FileReport) -> None:
        same = _same_activities(session, [record.name], {record.year or notice.year})
        kept = _kept_as_is(session, same, record.name)
        if kept:
            report.skipped.append(kept)
            return
        # This notice's own activity first; else one another notice introduced
        # (a re-issued notice updates it rather than duplicating it).
        ours = sorted(same, key=lambda a: a.source_document_id != document.id)
        if ours and ours[0].source_document_id != document.id:
            earlier = ours[0].source_document
            if earlier is not None and earlier.kind == NoticeKind.CHANGE.value:
                report.skipped.append(f"{record.name}：已按变更通知《{earlier.title}》更新，保留不变")
                return
            report.notes.append(f"{record.name}：更新 {ours[0].key}（最早由另一份通知入库）")
        activity = ours[0] if ours else self._new_activity(session, path)
        self._write(session, activity, record, notice, document)
        if record.previously:  # a change the extraction found in an announcement: say it too
            activity.description = _with_previously(activity.description, record.previously)
        report.stored.append(f"{activity.key}：{activity.name}")

    @staticmethod
    def _new_activity(session: Session, path: Path) -> Activity:
        base = f"{INGEST_PREFIX}{_stem_key(path)}"
        taken = set(session.scalars(select(Activity.key).where(Activity.key.like(f"{base}-%"))).all())
        key = next(f"{base}-{n:02d}" for n in range(1, 1000) if f"{base}-{n:02d}" not in taken)
        activity = Activity(key=key, seats_taken=0)
        session.add(activity)
        return activity

    def _write(self, session: Session, activity: Activity, record: ActivityRecord, notice: NoticeRecord,
               document: SourceDocument) -> None:
        """Every field of the record onto the activity, as the notice states it."""
        activity.name = _text(record.name, 300) or record.name[:300]
        activity.year = record.year or notice.year
        activity.theme = _text(record.theme, 300)
        activity.location = _text(record.place, 300)
        activity.capacity = record.capacity
        activity.fee = _text(record.fee, 300)
        activity.signup_deadline = record.signup_deadline
        activity.time_of_day = _text(record.time_of_day, 40)
        activity.audience = _text(record.audience, 300)
        activity.signup_method = _text(record.signup_method, 4000)
        activity.description = None
        activity.source_document_id = document.id
        self._write_aliases(activity, [*record.aliases, short_name(record.name)])
        self._write_notice_roles(session, activity, record, notice)
        activity.milestones = [*_held(record.span), *_phases(record)]
        _renumber(activity.milestones)
        activity.contacts = _contacts(record.contacts or notice.contacts)
        session.flush()

    @staticmethod
    def _write_aliases(activity: Activity, wanted: Iterable[str | None]) -> None:
        # Aliases are unique per activity: change only what differs, so no new row is
        # inserted before the old one it replaces is deleted.
        names = {alias for alias in (_text(a, 200) for a in wanted) if alias} - {activity.name}
        activity.aliases = [a for a in activity.aliases if a.alias in names]
        kept = {a.alias for a in activity.aliases}
        activity.aliases.extend(ActivityAlias(alias=alias) for alias in sorted(names - kept))

    def _write_notice_roles(self, session: Session, activity: Activity, record: ActivityRecord,
                            notice: NoticeRecord) -> None:
        """The organisers the notice names (else its issuer) and its responsible units, a district
        notice's 区… as that district's."""
        self._write_roles(session, activity, record.organisers or [notice.issuer],
                          [in_district(unit, notice) for unit in record.responsible_units])

    def _write_roles(self, session: Session, activity: Activity, organisers: Iterable[str | None],
                     responsible: Iterable[str | None]) -> None:
        wanted: dict[tuple[int, str], int] = {}
        for role, units in (("organiser", organisers), ("responsible", responsible)):
            for position, unit in enumerate(u for u in units if u):
                organisation = self._organisation(session, unit[:200])
                wanted.setdefault((organisation.id, role), position)
        activity.roles = [r for r in activity.roles if (r.organisation_id, r.role) in wanted]
        for existing in activity.roles:
            existing.position = wanted[(existing.organisation_id, existing.role)]
        kept = {(r.organisation_id, r.role) for r in activity.roles}
        activity.roles.extend(ActivityOrganisation(organisation_id=org_id, role=role, position=position)
                              for (org_id, role), position in wanted.items() if (org_id, role) not in kept)

    # -- change notices ------------------------------------------------------------------------

    def _store_change(self, session: Session, record: ActivityRecord, notice: NoticeRecord,
                      document: SourceDocument, path: Path, report: FileReport) -> None:
        """Move the earlier activity the change names; a change to nothing known is stored new."""
        names = [record.name, *record.aliases]
        years = {record.year, notice.year, *(_years_in(record.previously.values()))} - {None}
        same = _same_activities(session, [*names, *filter(None, map(short_name, names))], years)
        if not same:
            report.notes.append(f"{record.name}：没有找到变更前的活动，按新活动存入")
            self._store_activity(session, record, notice, document, path, report)
            return
        kept = _kept_as_is(session, same, record.name)
        if kept:
            report.skipped.append(kept + "；变更内容请在后台手动更新")
            return
        # The activity this notice already moved (a corrected change notice), else the earliest.
        activity = sorted(same, key=lambda a: (a.source_document_id != document.id, a.id))[0]
        changed = self._apply_change(session, activity, record, notice, document)
        labels = "、".join(PREVIOUS_LABELS.get(name, name) for name in changed)
        report.stored.append(f"{activity.key}：{activity.name} 按变更通知更新" + (f"（{labels}）" if labels else ""))
        if "span" in changed and "signup_deadline" not in changed and activity.signup_deadline:
            report.notes.append(f"{activity.name}：时间已变更，报名截止仍为原来的 "
                                f"{format_date(activity.signup_deadline)}，请核对")

    def _apply_change(self, session: Session, activity: Activity, record: ActivityRecord,
                      notice: NoticeRecord, document: SourceDocument) -> list[str]:
        """The fields the change notice states, onto the activity; the replaced values kept
        as "原定…" lines. Returns the names of the fields that changed."""
        # Re-ingesting a corrected change notice: the stored values are already the new
        # ones, so only the notice's own words can say what they were.
        first_time = activity.source_document_id != document.id
        new_values: dict[str, Any] = {
            "span": record.span, "time_of_day": record.time_of_day, "place": record.place,
            "audience": record.audience, "capacity": record.capacity, "fee": record.fee,
            "signup_deadline": record.signup_deadline, "signup_method": record.signup_method,
            "theme": record.theme,
        }
        previously = dict(record.previously)
        changed: list[str] = []
        for name, value in new_values.items():
            before = _stored_value(activity, name)
            # A value the notice withdraws (延期，时间另行通知) is no longer valid either.
            withdrawn = value is None and name in record.previously
            if (value is None and not withdrawn) or _same_value(name, before, value):
                continue
            if first_time and name not in previously and before is not None:
                previously[name] = _describe_value(name, before)
            _set_value(activity, name, value)
            changed.append(name)
        if record.phases:
            held = [m for m in activity.milestones if m.name == HELD]
            activity.milestones = [*held, *_phases(record)]
            _renumber(activity.milestones)
        if record.organisers or record.responsible_units:
            self._write_notice_roles(session, activity, record, notice)
        if record.contacts or notice.contacts:
            activity.contacts = _contacts(record.contacts or notice.contacts)
        # The name the change notice uses finds the activity too.
        self._write_aliases(activity, [*(a.alias for a in activity.aliases), record.name,
                                       short_name(record.name), *record.aliases])
        activity.description = _with_previously(activity.description, previously)
        activity.source_document_id = document.id
        session.flush()
        return changed


# -- rows from records ----------------------------------------------------------------------------


_DISTRICT = re.compile(r"浦东新区|[\u4e00-\u9fff]{2}区")


def in_district(unit: str, notice: NoticeRecord) -> str:
    """区总工会 in a 嘉定区 notice is 嘉定区总工会: a district's own unit, not any district's (the
    association's files call 各区市场监督管理局 区市场监管局 too)."""
    if not unit.startswith("区"):
        return unit
    for text in (notice.issuer or "", notice.title):
        found = _DISTRICT.search(text.replace("上海市", ""))
        if found:
            return found.group(0) + unit[1:]
    return unit


def _held(span: DateSpan | None) -> list[Milestone]:
    if span is None:
        return []
    return [Milestone(name=HELD, when_text=span.describe()[:100], **_dates(span), closes_signup=False)]


def _phases(record: ActivityRecord) -> list[Milestone]:
    return [Milestone(name=_text(phase.name, 100) or "阶段", when_text=_text(phase.text, 100),
                      **_dates(phase.span), closes_signup=closes_signup(phase, record))
            for phase in record.phases]


def _dates(span: DateSpan | None) -> dict[str, Any]:
    if span is None:
        return {"start_date": None, "start_precision": None, "end_date": None, "end_precision": None}
    return {"start_date": span.start.first_day, "start_precision": span.start.precision,
            "end_date": span.end.first_day, "end_precision": span.end.precision}


def _renumber(milestones: list[Milestone]) -> None:
    for position, milestone in enumerate(milestones):
        milestone.position = position


def _contacts(contacts: Iterable[Contact]) -> list[ActivityContact]:
    return [ActivityContact(position=position, org=_text(c.org, 200), person=_text(c.person, 100),
                            phone=_text(c.phone, 100), mobile=_text(c.mobile, 40), email=_text(c.email, 200),
                            fax=_text(c.fax, 60), address=_text(c.address, 300), postcode=_text(c.postcode, 20))
            for position, c in enumerate(c for c in contacts if c.has_details())]


_COLUMNS = {"place": "location"}  # record field → Activity column, where the names differ
_LIMITS = {"time_of_day": 40, "place": 300, "audience": 300, "fee": 300, "signup_method": 4000, "theme": 300}


def _stored_value(activity: Activity, name: str) -> Any:
    if name == "span":
        held = next((m for m in activity.milestones if m.name == HELD), None)
        return milestone_span(held) if held else None
    return getattr(activity, _COLUMNS.get(name, name))


def _set_value(activity: Activity, name: str, value: Any) -> None:
    if name == "span":
        others = [m for m in activity.milestones if m.name != HELD]
        activity.milestones = [*_held(value), *others]
        _renumber(activity.milestones)
        return
    if isinstance(value, str):
        value = _text(value, _LIMITS.get(name, 300))
    setattr(activity, _COLUMNS.get(name, name), value)


def _same_value(name: str, before: Any, after: Any) -> bool:
    if isinstance(after, str) and isinstance(before, str):
        return match_key(before) == match_key(after)
    return bool(before == after)


def _describe_value(name: str, value: Any) -> str:
    if isinstance(value, DateSpan):
        return value.describe()
    if isinstance(value, dt.date):
        return format_date(value)
    if name == "capacity":
        return f"{value}人"
    return str(value)


def _with_previously(description: str | None, previously: dict[str, str]) -> str | None:
    """The description with one "原定…" line per replaced field (the latest wins)."""
    replaced = {previously_line(name, "") for name in previously}
    kept = [line for line in (description or "").splitlines()
            if line.strip() and not any(line.startswith(prefix) for prefix in replaced)]
    lines = kept + [previously_line(name, text) for name, text in previously.items() if text]
    return "\n".join(lines)[:4000] or None


def _years_in(texts: Iterable[str]) -> list[int]:
    return [int(year) for text in texts for year in _YEAR_IN_TEXT.findall(text)]


# -- finding what is already there ----------------------------------------------------------------


def _same_activities(session: Session, names: Iterable[str], years: set[int | None]) -> list[Activity]:
    """Activities named (or aliased) exactly so, in one of the years (or of no known year)."""
    keys = {match_key(name) for name in names if name} - {""}
    by_name = [a for a in session.scalars(select(Activity)).all() if match_key(a.name) in keys]
    alias_rows = session.scalars(select(ActivityAlias)).all()
    by_alias = [row.activity for row in alias_rows if match_key(row.alias) in keys]
    wanted = years - {None}
    found = {a.id: a for a in [*by_name, *by_alias] if not wanted or a.year is None or a.year in wanted}
    return sorted(found.values(), key=lambda a: a.id)


def _kept_as_is(session: Session, same: list[Activity], name: str) -> str | None:
    """Why the matching activity must not be written over, or None when it may be."""
    edited = staff_edited_ids(session)
    by_staff = [a for a in same if a.id in edited]
    if by_staff:
        return f"{name}：工作人员在后台修改过（{by_staff[0].key}），保留不变"
    reviewed = [a for a in same if not a.key.startswith(INGEST_PREFIX)]
    if reviewed:
        return f"{name}：与已审核的活动 {reviewed[0].key} 相同，以审核内容为准"
    return None
