"""Notices staff review before members see them (the console's 通知审核).

An uploaded notice becomes a draft: its file name, cleaned text, the record extraction read
(`extracted`, never changed) and the record as staff corrected it (`record`), both as JSON
(services.ingest.record_json). Nothing of a draft reaches the assistant until it is
published; publishing stores the corrected record through the notice loader
(`NoticeLoader.store_reviewed`), in the same transaction that marks the draft published,
so members get exactly the reviewed values, and a notice of the same file name later
ingested from the command line finds the same document and activities.

One draft per file name: uploading the same name again reads the new version into that
draft (its activities keep their link to what was published when the name is the same).

Re-publishing updates the activities in place: each activity of the draft remembers the
activity it was published as (`activity_ids`), and that row is renamed first, so that the
loader, which matches by name and year, finds it even when staff changed the name or date.
An activity staff removed from the draft is deleted.

Withdrawing deletes what the notice brought: its document (so document answers no longer
quote it) and the activities created for it (keys `ingest-<file>-NN`); the assistant then
neither offers nor answers them. Deleting is the simplest correct way, as every
query of the assistant reads these tables; no hidden-flag needs honouring elsewhere.
An activity that already has sign-ups is never deleted (its sign-ups would go with it):
the withdrawal or the removal is refused with a message. Activities that another notice
created and this one only updated (a change notice) stay, with their current values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, String, Text, func, select
from sqlalchemy.orm import Session, sessionmaker

from services.activity_admin import staff_edited_ids
from services.ingest.loader import FileReport, NoticeLoader, notice_slug
from services.ingest.record_json import record_from_json, record_to_json
from services.ingest.records import NoticeRecord
from services.models import Activity, Base, Signup, SourceDocument, utcnow
from services.textnorm import match_key

DRAFT, PUBLISHED, WITHDRAWN = "draft", "published", "withdrawn"
STATUS_TEXT = {DRAFT: "草稿（会员看不到）", PUBLISHED: "已发布", WITHDRAWN: "已撤回"}


class NoticeDraft(Base):
    __tablename__ = "notice_drafts"

    id = Column(Integer, primary_key=True)
    file_name = Column(String(300), nullable=False, unique=True)
    text = Column(Text, nullable=False)
    extracted = Column(JSON, nullable=False)  # as extraction read it
    record = Column(JSON, nullable=False)  # as staff corrected it
    # Per activity of `record`: the activity it was last published as, or null.
    activity_ids = Column(JSON, nullable=False, default=list)
    status = Column(String(12), nullable=False, default=DRAFT)
    created_by = Column(String(40), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_by = Column(String(40), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    published_by = Column(String(40))
    published_at = Column(DateTime(timezone=True))
    withdrawn_by = Column(String(40))
    withdrawn_at = Column(DateTime(timezone=True))


class DraftNotFound(LookupError):
    pass


class DraftRefused(Exception):
    """Publishing or withdrawing cannot be done; the message is for staff, in Chinese."""


@dataclass(frozen=True)
class DraftView:
    id: int
    file_name: str
    text: str
    extracted: NoticeRecord
    record: NoticeRecord
    activity_ids: tuple[int | None, ...]
    status: str
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    published_by: str | None
    published_at: dt.datetime | None
    withdrawn_by: str | None
    withdrawn_at: dt.datetime | None

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, self.status)

    @property
    def changed_since_published(self) -> bool:
        return self.status == PUBLISHED and self.published_at is not None and self.updated_at > self.published_at


def _view(row: NoticeDraft) -> DraftView:
    return DraftView(id=row.id, file_name=row.file_name, text=row.text, extracted=record_from_json(row.extracted),
                     record=record_from_json(row.record), activity_ids=tuple(row.activity_ids or ()),
                     status=row.status, created_by=row.created_by, created_at=_aware(row.created_at),
                     updated_by=row.updated_by, updated_at=_aware(row.updated_at), published_by=row.published_by,
                     published_at=_aware(row.published_at) if row.published_at else None,
                     withdrawn_by=row.withdrawn_by,
                     withdrawn_at=_aware(row.withdrawn_at) if row.withdrawn_at else None)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite gives naive datetimes back; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


class DraftService:
    def __init__(self, session_factory: sessionmaker) -> None:
        self._session_factory = session_factory

    def create(self, file_name: str, text: str, record: NoticeRecord, username: str) -> tuple[int, bool]:
        """A draft of an uploaded notice; (its id, whether it replaced the draft of that name)."""
        with self._session_factory() as session, session.begin():
            row = session.scalars(select(NoticeDraft).where(NoticeDraft.file_name == file_name)).first()
            replaced = row is not None
            if row is None:
                row = NoticeDraft(file_name=file_name, created_by=username, status=DRAFT)
                session.add(row)
                ids: list[int | None] = [None] * len(record.activities)
            else:
                ids = _realigned(record_from_json(row.record), list(row.activity_ids or ()), record)
                if row.status == WITHDRAWN:
                    row.status = DRAFT
            row.text, row.extracted, row.record = text, record_to_json(record), record_to_json(record)
            row.activity_ids = ids
            row.updated_by, row.updated_at = username, utcnow()
            session.flush()
            return row.id, replaced

    def get(self, draft_id: int) -> DraftView | None:
        with self._session_factory() as session:
            row = session.get(NoticeDraft, draft_id)
            return _view(row) if row is not None else None

    def all(self) -> list[DraftView]:
        with self._session_factory() as session:
            rows = session.scalars(select(NoticeDraft).order_by(NoticeDraft.updated_at.desc(), NoticeDraft.id.desc()))
            return [_view(row) for row in rows]

    def save(self, draft_id: int, record: NoticeRecord, slots: Sequence[int | None], username: str) -> None:
        """Keep staff's corrections; members see them only once published.

        `slots[i]`: which activity of the stored record `record.activities[i]` is (None: new)."""
        with self._session_factory() as session, session.begin():
            row = self._row(session, draft_id)
            row.activity_ids = _by_slot(row.activity_ids, slots)
            row.record = record_to_json(record)
            row.updated_by, row.updated_at = username, utcnow()

    def publish(self, draft_id: int, record: NoticeRecord, slots: Sequence[int | None], username: str) -> FileReport:
        """Store the corrected record for the assistant, in one transaction with the draft's status."""
        with self._session_factory() as session, session.begin():
            row = self._row(session, draft_id)
            ids = _by_slot(row.activity_ids, slots)
            self._rename_published(session, record, ids)
            report = NoticeLoader(self._session_factory).store_reviewed(session, row.file_name, row.text, record)
            if report.status == "reviewed":
                raise DraftRefused("这份通知已有人工审核的知识文件，以知识文件为准，不能在这里发布。")
            ids = _stored_ids(session, row.file_name, record, ids)
            removed = [a for a in _owned_activities(session, row.file_name) if a.id not in ids]
            self._delete(session, removed, "从通知中删除")
            now = utcnow()
            row.record, row.activity_ids, row.status = record_to_json(record), ids, PUBLISHED
            row.updated_by = row.published_by = username
            row.updated_at = row.published_at = now
            return report

    def withdraw(self, draft_id: int, username: str) -> list[str]:
        """Take a published notice back from members; lines saying what was removed and kept."""
        with self._session_factory() as session, session.begin():
            row = self._row(session, draft_id)
            if row.status != PUBLISHED:
                raise DraftRefused("只有已发布的通知可以撤回。")
            owned = _owned_activities(session, row.file_name)
            self._delete(session, owned, "撤回")
            lines = [f"已删除活动：{activity.name}" for activity in owned]
            document = _document(session, row.file_name)
            if document is not None:
                kept = session.scalars(select(Activity).where(Activity.source_document_id == document.id)).all()
                for activity in kept:
                    if activity not in owned:
                        activity.source_document_id = None
                        lines.append(f"保留活动：{activity.name}（由其他通知建立，本通知只更新过它，请在活动页核对）")
                session.delete(document)
            now = utcnow()
            row.status, row.activity_ids = WITHDRAWN, [None] * len(row.activity_ids or ())
            row.withdrawn_by = row.updated_by = username
            row.withdrawn_at = row.updated_at = now
            return lines

    @staticmethod
    def _row(session: Session, draft_id: int) -> NoticeDraft:
        row = session.get(NoticeDraft, draft_id)
        if row is None:
            raise DraftNotFound(draft_id)
        return row

    @staticmethod
    def _rename_published(session: Session, record: NoticeRecord, ids: Sequence[int | None]) -> None:
        """The loader finds an activity by name and year: give the published one the new ones
        (not one staff edited on its own page: the loader leaves that as staff left it)."""
        edited = staff_edited_ids(session)
        for activity_id, wanted in zip(ids, record.activities, strict=True):
            activity = session.get(Activity, activity_id) if activity_id else None
            if activity is not None and activity.id not in edited:
                activity.name = wanted.name[:300]
                activity.year = wanted.year or record.year
        session.flush()

    @staticmethod
    def _delete(session: Session, activities: Sequence[Activity], why: str) -> None:
        if not activities:
            return
        ids = [a.id for a in activities]
        counts: dict[int, Any] = dict(session.execute(
            select(Signup.activity_id, func.count(Signup.id)).where(Signup.activity_id.in_(ids))
            .group_by(Signup.activity_id)).all())
        signed_up = [a for a in activities if counts.get(a.id)]
        if signed_up:
            names = "、".join(f"{a.name}（{counts[a.id]} 条报名）" for a in signed_up)
            raise DraftRefused(f"不能{why}：{names} 已有报名记录，删除会丢失报名。"
                               f"可在活动页关闭报名，或先联系已报名的会员。")
        for activity in activities:
            session.delete(activity)
        session.flush()


def _by_slot(published: Sequence[int | None] | None, slots: Sequence[int | None]) -> list[int | None]:
    known = list(published or ())
    return [known[slot] if slot is not None and 0 <= slot < len(known) else None for slot in slots]


def _realigned(before: NoticeRecord, ids: list[int | None], after: NoticeRecord) -> list[int | None]:
    """A new version of the file: its activities keep their published ids where the name is the same."""
    by_name = {match_key(a.name): ids[i] for i, a in enumerate(before.activities) if i < len(ids) and ids[i]}
    return [by_name.get(match_key(a.name)) for a in after.activities]


def _document(session: Session, file_name: str) -> SourceDocument | None:
    slug = notice_slug(Path(file_name))
    return session.scalars(select(SourceDocument).where(SourceDocument.slug == slug)).first()


def _owned_activities(session: Session, file_name: str) -> list[Activity]:
    """The activities created for this notice (the loader's keys `ingest-<file>-NN`)."""
    prefix = notice_slug(Path(file_name)) + "-"
    return list(session.scalars(select(Activity).where(Activity.key.startswith(prefix)).order_by(Activity.id)))


def _stored_ids(session: Session, file_name: str, record: NoticeRecord,
                before: Sequence[int | None]) -> list[int | None]:
    """Which stored activity each of the record's activities now is."""
    document = _document(session, file_name)
    if document is None:
        return list(before)
    stored = session.scalars(select(Activity).where(Activity.source_document_id == document.id)).all()
    found: list[int | None] = []
    for position, wanted in enumerate(record.activities):
        year = wanted.year or record.year
        same = [a.id for a in stored if match_key(a.name) == match_key(wanted.name) and a.year in (year, None)]
        found.append(same[0] if same else before[position] if position < len(before) else None)
    return found
