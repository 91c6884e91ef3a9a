"""Stores what was extracted from a notice: one transaction per file, idempotent.

The reviewed files in data/knowledge/ stay authoritative:

* a notice that has a reviewed file (same source file name) is not written
  again; the report compares what extraction found with the reviewed facts;
* an extracted activity that is a reviewed one (same name or alias and year)
  is skipped with a report line;
* an organisation whose contact details come from a reviewed file keeps them;
* an activity staff edited in the console stays as staff left it.

Everything else is written under keys `ingest-…`, so it never collides with
a reviewed key; the same file again changes nothing (content hash), and a
corrected notice updates what it extracted in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.activity_admin import staff_edited_ids
from services.ingest.cleaning import clean_text
from services.ingest.extraction import Extraction, extract
from services.ingest.readers import read_notice
from services.knowledge import KnowledgeLoader
from services.models import Activity, ActivityAlias, SourceDocument
from services.textnorm import clean_display_text, match_key

INGEST_PREFIX = "ingest-"
# Bumped when the rules change, so that re-ingesting a file applies the new rules.
EXTRACTOR_VERSION = "2"


@dataclass
class FileReport:
    path: Path
    status: str = ""  # stored | updated | unchanged | reviewed | would store
    title: str = ""
    extraction: Extraction | None = None
    stored: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.path.name}: {self.status} — 《{self.title}》"]
        if self.extraction is not None:
            document = self.extraction.document
            out.append(f"  issuer: {document.get('issuer') or '—'}; issued on: "
                       f"{document.get('issued_on') or '—'}; year: {document.get('year') or '—'}")
            for activity in self.extraction.activities:
                out.append("  • " + describe_activity(activity))
            for organisation in self.extraction.organisations:
                if organisation.get("phones") or organisation.get("contact_persons"):
                    out.append(f"  ☎ {organisation['name']}: "
                               f"{'、'.join(organisation.get('contact_persons') or []) or '—'} "
                               f"{'、'.join(organisation.get('phones') or []) or '—'}"
                               f"{' ' + organisation['email'] if organisation.get('email') else ''}")
        out += [f"  + {line}" for line in self.stored]
        out += [f"  = {line}" for line in self.skipped]
        out += [f"  ! {line}" for line in self.notes]
        if self.extraction is not None:
            out += [f"  ? {problem}" for problem in self.extraction.problems]
        return out


def describe_activity(activity: dict[str, Any]) -> str:
    parts = [activity["name"]]
    labels = (("year", "年份"), ("theme", "主题"), ("location", "地点"), ("capacity", "名额"),
              ("fee", "费用"), ("signup_deadline", "报名截止"))
    for key, label in labels:
        if activity.get(key):
            parts.append(f"{label}：{activity[key]}")
    if activity.get("milestones"):
        parts.append("时间：" + "；".join(f"{m['name']} {m['when']}" for m in activity["milestones"]))
    units = activity.get("organisers") or activity.get("responsible_units")
    if units:
        parts.append("单位：" + "、".join(units))
    return " | ".join(parts)


def content_hash(text: str) -> str:
    return hashlib.sha256(f"{EXTRACTOR_VERSION}\0{text}".encode()).hexdigest()


def _stem_key(path: Path) -> str:
    stem = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]+", "-", path.stem).strip("-").lower()
    return stem[:80] or "notice"


def read_and_extract(path: Path) -> tuple[str, Extraction]:
    """The cleaned text of a notice file and what the rules read in it."""
    text = clean_text(read_notice(path))
    return text, extract(text, path.name)


class NoticeLoader(KnowledgeLoader):
    """Loads extracted notices with the reviewed loader's own upserts."""

    def __init__(self, session_factory: sessionmaker) -> None:
        super().__init__(session_factory)

    def ingest(self, path: Path, dry_run: bool = False) -> FileReport:
        """Read, extract and store one notice in one transaction (nothing on error)."""
        text, extraction = read_and_extract(path)
        report = FileReport(path=path, title=extraction.document["title"], extraction=extraction)
        digest = content_hash(text)
        slug = INGEST_PREFIX + _stem_key(path)
        with self._session_factory() as session:
            transaction = session.begin()
            try:
                self._store(session, path, slug, text, digest, extraction, report, dry_run)
                if dry_run:
                    transaction.rollback()
                else:
                    transaction.commit()
            except BaseException:
                transaction.rollback()
                raise
        return report

    def _store(self, session: Session, path: Path, slug: str, text: str, digest: str,
               extraction: Extraction, report: FileReport, dry_run: bool) -> None:
        reviewed = session.scalars(
            select(SourceDocument).where(SourceDocument.source_file == path.name,
                                         SourceDocument.slug.not_like(f"{INGEST_PREFIX}%"))
        ).first()
        if reviewed is not None:
            report.status = "reviewed"
            report.notes.append(f"data/knowledge/{reviewed.slug}.yml is the reviewed extraction of this "
                                f"notice and stays authoritative; nothing written")
            return
        document = session.scalars(select(SourceDocument).where(SourceDocument.slug == slug)).first()
        if document is not None and document.content_hash == digest:
            report.status = "unchanged"
            return
        report.status = ("would store" if dry_run else "updated" if document is not None else "stored")
        meta = extraction.document
        if document is None:
            document = SourceDocument(slug=slug)
            session.add(document)
        document.title = clean_display_text(meta["title"])[:300]
        document.issuer = meta.get("issuer")
        document.issued_on = dt.date.fromisoformat(meta["issued_on"]) if meta.get("issued_on") else None
        document.year = meta.get("year")
        document.kind = meta.get("kind")
        document.source_file = path.name
        document.text = text
        document.content_hash = digest
        document.loaded_at = dt.datetime.now(dt.timezone.utc)
        session.flush()

        for organisation in extraction.organisations:
            self._store_contact(session, organisation, document, report)
        keys: dict[str, Activity] = {}
        for activity_data in extraction.activities:
            activity = self._store_activity(session, activity_data, document, path, report)
            if activity is not None:
                keys[activity_data["name"]] = activity
        for activity_data in extraction.activities:
            child, parent = keys.get(activity_data["name"]), keys.get(activity_data.get("parent") or "")
            if child is not None and parent is not None and parent is not child:
                child.parent_id = parent.id
        session.flush()

    def _store_contact(self, session: Session, data: dict[str, Any], document: SourceDocument,
                       report: FileReport) -> None:
        organisation = self._organisation(session, data["name"])
        has_contact = data.get("phones") or data.get("contact_persons") or data.get("address")
        if not has_contact:
            return
        source = organisation.contact_source
        if source is not None and not source.slug.startswith(INGEST_PREFIX):
            report.notes.append(f"{organisation.name}: the contact details of the reviewed 《{source.title}》 "
                                f"are kept; this notice's are in the activities' descriptions")
            return
        organisation.address = data.get("address")
        organisation.postcode = data.get("postcode")
        organisation.phones = list(data.get("phones") or [])
        organisation.fax = data.get("fax")
        organisation.email = data.get("email")
        organisation.contact_persons = list(data.get("contact_persons") or [])
        organisation.contact_source_id = document.id
        report.stored.append(f"contact of {organisation.name}")

    def _store_activity(self, session: Session, data: dict[str, Any], document: SourceDocument,
                        path: Path, report: FileReport) -> Activity | None:
        name_key, year = match_key(data["name"]), data.get("year")
        same = _same_activity(session, name_key, year)
        edited = staff_edited_ids(session)
        by_staff = [a for a in same if a.id in edited]
        if by_staff:
            report.skipped.append(f"{data['name']}: {by_staff[0].key} was edited by staff in the console; kept")
            return None
        reviewed = [a for a in same if not a.key.startswith(INGEST_PREFIX)]
        if reviewed:
            report.skipped.append(f"{data['name']}: same as the reviewed activity {reviewed[0].key}; kept")
            return None
        # This notice's own activity first; else one another notice introduced
        # (a re-issued notice updates it rather than duplicating it).
        ours = sorted(same, key=lambda a: a.source_document_id != document.id)
        if ours:
            key = ours[0].key
            if ours[0].source_document_id != document.id:
                report.notes.append(f"{data['name']}: updates {key}, first ingested from another notice")
        else:
            base = f"{INGEST_PREFIX}{_stem_key(path)}"
            taken = set(session.scalars(select(Activity.key).where(Activity.key.like(f"{base}-%"))).all())
            key = next(f"{base}-{n:02d}" for n in range(1, 1000) if f"{base}-{n:02d}" not in taken)
        aliases = list(data.get("aliases") or [])
        short = re.sub(r"^\d{4}年(?:度)?", "", data["name"])
        if short != data["name"] and len(short) >= 4:
            aliases.append(short)
        knowledge = {**data, "key": key, "aliases": aliases, "parent": None}
        self._upsert_activity(session, knowledge, document, path.name)
        activity = session.scalars(select(Activity).where(Activity.key == key)).one()
        report.stored.append(f"{key}: {data['name']}")
        return activity


def _same_activity(session: Session, name_key: str, year: int | None) -> list[Activity]:
    """Activities named (or aliased) exactly so, in the same year."""
    by_name = [a for a in session.scalars(select(Activity)).all() if match_key(a.name) == name_key]
    alias_rows = session.scalars(select(ActivityAlias)).all()
    by_alias = [row.activity for row in alias_rows if match_key(row.alias) == name_key]
    found = {a.id: a for a in [*by_name, *by_alias] if year is None or a.year in (None, year)}
    return list(found.values())

