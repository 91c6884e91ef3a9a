"""Loads the reviewed knowledge files (data/knowledge/*.yml) into the database.

Each file holds what one notice says: its organisations and contacts, its
activities, their themes, organisers and milestones. Loading is idempotent: a
file whose content has not changed since it was loaded is skipped, and a
changed one updates its rows in place (activities are never deleted, so no
sign-up loses its activity). Activities staff edited in the console are left as
staff left them (`services.activity_admin.staff_edited_ids`), with a report line.

    python -m services.knowledge [--dir data/knowledge]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from services.activity_admin import staff_edited_ids
from services.dates import DatePoint
from services.db import make_engine, make_session_factory
from services.models import (
    Activity,
    ActivityAlias,
    ActivityOrganisation,
    Milestone,
    Organisation,
    OrganisationAlias,
    SourceDocument,
)
from services.settings import PROJECT_ROOT, get_settings
from services.textnorm import clean_display_text

log = logging.getLogger(__name__)
CORPUS_DIR = PROJECT_ROOT / "corpus"


class KnowledgeFileError(ValueError):
    """A knowledge file that cannot be loaded as it stands."""


@dataclass
class LoadReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    activities: int = 0
    organisations: int = 0
    milestones: int = 0
    # Activities staff edited in the console, not overwritten: "key: why".
    kept: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"loaded {len(self.loaded)} file(s), unchanged {len(self.unchanged)}; "
            f"{self.activities} activities, {self.organisations} organisations, "
            f"{self.milestones} milestones written"
            + (f"; {len(self.kept)} activities edited by staff kept" if self.kept else "")
        )


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _optional_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _point(value: Any, where: str) -> DatePoint | None:
    if value in (None, ""):
        return None
    try:
        return DatePoint.parse(value)
    except ValueError as error:
        raise KnowledgeFileError(f"{where}: bad date {value!r}") from error


class KnowledgeLoader:
    def __init__(self, session_factory: sessionmaker, corpus_dir: Path = CORPUS_DIR) -> None:
        self._session_factory = session_factory
        self._corpus_dir = corpus_dir

    def load_dir(self, directory: Path) -> LoadReport:
        files = sorted(directory.glob("*.yml"))
        if not files:
            raise KnowledgeFileError(f"no knowledge files in {directory}")
        report = LoadReport()
        parsed = [(path, *self._read(path)) for path in files]
        with self._session_factory() as session, session.begin():
            changed = [
                (path, data, document)
                for path, data, digest in parsed
                if (document := self._upsert_document(session, path, data, digest, report))
            ]
            # Organisations first, from every changed file: an activity may name
            # a unit by a short form that another file declares as an alias.
            for _, data, document in changed:
                for org in data.get("organisations") or []:
                    self._upsert_organisation(session, org, document)
                    report.organisations += 1
            edited = staff_edited_ids(session)
            for path, data, document in changed:
                for item in data.get("activities") or []:
                    if self._edited_by_staff(session, item, edited, report):
                        continue
                    report.milestones += self._upsert_activity(session, item, document, path.name)
                    report.activities += 1
            self._link_parents(session, [data for _, data, _ in parsed])
        return report

    @staticmethod
    def _edited_by_staff(session: Session, item: dict[str, Any], edited: set[int], report: LoadReport) -> bool:
        """Staff corrected this activity in the console: their version stays (`make knowledge`
        must not undo it); the console's 允许通知更新 lets the file update it again."""
        if not edited or not item.get("key"):
            return False
        activity_id = session.scalar(select(Activity.id).where(Activity.key == item["key"]))
        if activity_id is None or activity_id not in edited:
            return False
        report.kept.append(f"{item['key']}: edited by staff in the console; kept")
        return True

    def _read(self, path: Path) -> tuple[dict[str, Any], str]:
        raw = path.read_text(encoding="utf-8")
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as error:
            raise KnowledgeFileError(f"{path.name}: not valid YAML: {error}") from error
        if not isinstance(data, dict) or "document" not in data:
            raise KnowledgeFileError(f"{path.name}: needs a 'document' section")
        source_text = self._source_text(data["document"])
        return data, _hash(raw, source_text)

    def _source_text(self, document: dict[str, Any]) -> str:
        source_file = document.get("source_file")
        path = self._corpus_dir / source_file if source_file else None
        if path and path.exists():
            return clean_display_text(path.read_text(encoding="utf-8"), max_chars=10**7)
        return ""

    def _upsert_document(
        self, session: Session, path: Path, data: dict[str, Any], digest: str, report: LoadReport
    ) -> SourceDocument | None:
        """The document row, updated; None when the file is unchanged since its last load."""
        slug = path.stem
        document = session.scalars(select(SourceDocument).where(SourceDocument.slug == slug)).first()
        if document is not None and document.content_hash == digest:
            report.unchanged.append(path.name)
            return None
        meta = data["document"]
        if document is None:
            document = SourceDocument(slug=slug)
            session.add(document)
        document.title = clean_display_text(meta["title"])
        document.issuer = meta.get("issuer")
        document.issued_on = _optional_date(meta.get("issued_on"))
        document.year = meta.get("year")
        document.kind = meta.get("kind")
        document.source_file = meta.get("source_file")
        document.text = self._source_text(meta)
        document.content_hash = digest
        document.loaded_at = dt.datetime.now(dt.timezone.utc)
        session.flush()
        report.loaded.append(path.name)
        return document

    def _organisation(self, session: Session, name: str) -> Organisation:
        """The organisation with this name or alias, created when neither is known."""
        name = clean_display_text(name)
        organisation = session.scalars(select(Organisation).where(Organisation.name == name)).first()
        if organisation is None:
            alias = session.scalars(
                select(OrganisationAlias).where(OrganisationAlias.alias == name)
            ).first()
            organisation = alias.organisation if alias else None
        if organisation is None:
            organisation = Organisation(name=name, phones=[], contact_persons=[])
            session.add(organisation)
            session.flush()
        return organisation

    def _upsert_organisation(self, session: Session, data: dict[str, Any], document: SourceDocument) -> None:
        organisation = self._organisation(session, data["name"])
        contact_fields = {
            "address": data.get("address"),
            "postcode": data.get("postcode"),
            "fax": data.get("fax"),
            "email": data.get("email"),
        }
        phones = [str(p) for p in data.get("phones") or []]
        persons = [clean_display_text(p).replace(" ", "") for p in data.get("contact_persons") or []]
        if any(contact_fields.values()) or phones or persons:
            for column, value in contact_fields.items():
                setattr(organisation, column, str(value) if value is not None else None)
            organisation.phones = phones
            organisation.contact_persons = persons
            organisation.contact_source_id = document.id
        known = {alias.alias for alias in organisation.aliases}
        for alias in data.get("aliases") or []:
            alias = clean_display_text(str(alias))
            if alias in known or alias == organisation.name:
                continue
            owner = session.scalars(
                select(OrganisationAlias).where(OrganisationAlias.alias == alias)
            ).first()
            if owner is None:
                organisation.aliases.append(OrganisationAlias(alias=alias))
                known.add(alias)
            elif owner.organisation_id != organisation.id:
                log.warning("alias %s already names another organisation; kept there", alias)

    def _upsert_activity(
        self, session: Session, data: dict[str, Any], document: SourceDocument, filename: str
    ) -> int:
        key = data.get("key")
        if not key or not data.get("name"):
            raise KnowledgeFileError(f"{filename}: every activity needs a key and a name")
        activity = session.scalars(select(Activity).where(Activity.key == key)).first()
        if activity is None:
            activity = Activity(key=key, seats_taken=0)
            session.add(activity)
        activity.name = clean_display_text(data["name"])
        activity.category = data.get("category")
        activity.year = data.get("year")
        activity.theme = clean_display_text(data["theme"]) if data.get("theme") else None
        activity.location = data.get("location")
        activity.capacity = data.get("capacity")
        activity.fee = data.get("fee")
        description = data.get("description")
        activity.description = clean_display_text(description, max_chars=4000) if description else None
        activity.signup_deadline = _optional_date(data.get("signup_deadline"))
        activity.source_document_id = document.id

        # Aliases and roles are unique per activity: change only what differs, so
        # no new row is inserted before the old one it replaces is deleted.
        aliases = {clean_display_text(str(a)) for a in data.get("aliases") or []} - {activity.name}
        activity.aliases = [a for a in activity.aliases if a.alias in aliases]
        kept_aliases = {a.alias for a in activity.aliases}
        activity.aliases.extend(ActivityAlias(alias=a) for a in sorted(aliases - kept_aliases))

        wanted: dict[tuple[int, str], int] = {}
        for role, field_name in (("organiser", "organisers"), ("responsible", "responsible_units")):
            for position, name in enumerate(data.get(field_name) or []):
                organisation = self._organisation(session, str(name))
                wanted.setdefault((organisation.id, role), position)
        activity.roles = [r for r in activity.roles if (r.organisation_id, r.role) in wanted]
        for existing in activity.roles:
            existing.position = wanted[(existing.organisation_id, existing.role)]
        kept_roles = {(r.organisation_id, r.role) for r in activity.roles}
        activity.roles.extend(
            ActivityOrganisation(organisation_id=org_id, role=role, position=position)
            for (org_id, role), position in wanted.items() if (org_id, role) not in kept_roles
        )

        milestones = []
        for position, item in enumerate(data.get("milestones") or []):
            where = f"{filename} {key} milestone {position + 1}"
            start = _point(item.get("start"), where)
            end = _point(item.get("end"), where) or start
            if start and end and end.last_day < start.first_day:
                raise KnowledgeFileError(f"{where}: ends before it starts")
            milestones.append(
                Milestone(
                    position=position,
                    name=item.get("name") or "",
                    when_text=item.get("when"),
                    start_date=start.first_day if start else None,
                    start_precision=start.precision if start else None,
                    end_date=end.first_day if end else None,
                    end_precision=end.precision if end else None,
                    closes_signup=bool(item.get("closes_signup")),
                    note=item.get("note"),
                )
            )
        activity.milestones = milestones
        session.flush()
        return len(milestones)

    def _link_parents(self, session: Session, files: list[dict[str, Any]]) -> None:
        keys = {a.key: a for a in session.scalars(select(Activity)).all()}
        for data in files:
            for item in data.get("activities") or []:
                parent_key = item.get("parent")
                child = keys.get(item["key"])
                if child is None:
                    continue
                if parent_key and parent_key not in keys:
                    raise KnowledgeFileError(f"{item['key']}: unknown parent {parent_key}")
                parent_id = keys[parent_key].id if parent_key else None
                if child.parent_id != parent_id:
                    child.parent_id = parent_id


def load_knowledge(session_factory: sessionmaker, directory: Path) -> LoadReport:
    return KnowledgeLoader(session_factory).load_dir(directory)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load the reviewed knowledge files.")
    settings = get_settings()
    parser.add_argument("--dir", type=Path, default=settings.knowledge_dir)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    engine = make_engine(settings.database_url)
    try:
        report = load_knowledge(make_session_factory(engine), args.dir)
    except (KnowledgeFileError, OSError) as error:
        print(f"knowledge: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"knowledge: the database refused the load (is it migrated? `make migrate`): "
              f"{type(error).__name__}: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"knowledge: {report}")
    for line in report.kept:
        print(f"  = {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
