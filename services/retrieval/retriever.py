"""The index of the database's notices, rebuilt when they change.

`DocumentRetriever` checks a cheap fingerprint (ids and content hashes) before each search, so a
notice ingested by another process is searchable at its next question.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.models import SourceDocument
from services.retrieval.index import DocumentAnswer, DocumentIndex, NamedNotice, build_index
from services.retrieval.questions import asked_kinds, asked_thing, question_form

log = logging.getLogger(__name__)


class DocumentRetriever:
    """The index of the database's documents, rebuilt when they change."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self._session_factory = session_factory
        self._lock = threading.Lock()
        self._fingerprint: tuple[tuple[int, str], ...] | None = None
        self._index: DocumentIndex | None = None
        self.built_at: dt.datetime | None = None

    def _current_fingerprint(self) -> tuple[tuple[int, str], ...]:
        with self._session_factory() as session:
            rows = session.execute(
                select(SourceDocument.id, SourceDocument.content_hash).order_by(SourceDocument.id)
            ).all()
        return tuple((row[0], row[1]) for row in rows)

    def index(self) -> DocumentIndex:
        fingerprint = self._current_fingerprint()
        with self._lock:
            if self._index is None or fingerprint != self._fingerprint:
                with self._session_factory() as session:
                    documents = session.scalars(select(SourceDocument).order_by(SourceDocument.id)).all()
                    self._index = build_index(documents)
                self._index.respell("")  # its table of sounds now, not in a member's first question
                self._fingerprint = fingerprint
                self.built_at = dt.datetime.now(dt.timezone.utc)
                log.info("document index built: %d passages", len(self._index.passages))
            return self._index

    def answer(self, question: str, today: dt.date | None = None, document_id: int | None = None,
               year: int | None = None, named: str = "", subject: str = "") -> DocumentAnswer | None:
        return self.index().answer(question, today, document_id, year, named, subject)

    def opening(self, document_id: int) -> DocumentAnswer | None:
        return self.index().opening(document_id)

    def ranked_row(self, document_id: int, rank: int) -> DocumentAnswer | None:
        return self.index().ranked_row(document_id, rank)

    def stage_places(self, document_id: int, stages: Iterable[str]) -> DocumentAnswer | None:
        return self.index().stage_places(document_id, stages)

    def as_before(self, document_id: int) -> DocumentAnswer | None:
        return self.index().as_before(document_id)

    def notices_named(self, question: str) -> list[NamedNotice]:
        return self.index().notices_named(question)

    def is_of_kind(self, document_id: int, kind: str) -> bool:
        with self._session_factory() as session:
            document = session.get(SourceDocument, document_id)
        return document is not None and document.kind == kind

    def titles_of_kind(self, kind: str) -> list[tuple[int, str]]:
        """(id, title) of the notices of one kind (公示: shortlists and results)."""
        with self._session_factory() as session:
            rows = session.execute(select(SourceDocument.id, SourceDocument.title)
                                   .where(SourceDocument.kind == kind)).all()
        return [(row[0], row[1]) for row in rows]

    def asks_beyond(self, question: str, kinds: frozenset[str]) -> bool:
        """Whether the question asks for something an answer of `kinds` cannot give: another kind
        (a count, when only a time is known), or a thing no notice names (知识竞赛的奖品)."""
        asked = asked_kinds(question)
        if asked and not asked & kinds:
            return True
        thing = asked_thing(question_form(question))
        return thing is not None and not self.index().uses(thing)

    def unnamed_thing(self, question: str, document_id: int) -> str | None:
        """The thing the question asks of when the notice does not name it (分期 of 学费能分期付吗)."""
        thing = asked_thing(question_form(question))
        return thing if thing is not None and not self.index().names_thing(thing, document_id) else None
