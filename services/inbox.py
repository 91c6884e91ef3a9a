"""The misunderstood inbox: member messages the bot did not understand, grouped,
for staff to say what the member meant.

A message is in the inbox when Rasa's reading of it (services.conversation_index)
was a fallback (nlu_fallback, or a fallback action answered it) or its confidence
was below LOW_CONFIDENCE, and no one has handled its text yet.

Grouping: messages with the same normalised text (simplified, half-width, lower
case) are one entry from the start. Entries are then merged when their texts are
near-identical: the Jaccard similarity of their sets of character bigrams (with
spaces and punctuation left out) is at least SIMILARITY (0.6): a word added
or dropped keeps texts together, a word changed does not. “怎么报名” and
“怎么报名啊” share 3 of 4 bigrams (0.75), “质量月活动什么时候” and
“质量月的活动什么时候” 7 of 10 (0.7): one group each; “活动什么时候开始” and
“活动什么时候结束” 5 of 9 (0.56), “报名截止时间” and “报名开始时间” 2 of 8 (0.25):
apart. The most frequent text
starts a group and each further text joins the first group whose leading text
it is similar enough to (compared with the leader only, so groups do not drift
by chains of small differences).

Staff then pick the intent the member meant (the domain's intents), or “out of
scope” (the out_of_scope intent), or “ignore”. The chosen texts become examples
in data/nlu/review.yml (services.review_file); the texts leave the inbox
(`inbox_handled`, one row per normalised text, so the same words sent again
later stay out), and the decision is kept in `inbox_decisions` (who, when,
what); the console writes it to the audit log as well.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, func, or_, select
from sqlalchemy.orm import sessionmaker

from services.conversation_index import (
    FALLBACK_INTENT,
    ConversationIndex,
    NluReading,
    SearchText,
    insert_ignoring_duplicates,
)
from services.messaging import MessageLog
from services.models import Base, utcnow
from services.review_file import AddResult, ReviewFile
from services.settings import PROJECT_ROOT

DOMAIN_FILE = PROJECT_ROOT / "domain.yml"
# Below this Rasa's FallbackClassifier (config.yml: threshold 0.55) answers nlu_fallback.
LOW_CONFIDENCE = 0.55
SIMILARITY = 0.6
OUT_OF_SCOPE = "out_of_scope"
INTENT, OUT_OF_SCOPE_DECISION, IGNORE = "intent", "out_of_scope", "ignore"
DECISIONS = (INTENT, OUT_OF_SCOPE_DECISION, IGNORE)
MAX_TEXTS = 3000  # distinct texts grouped at once, the most recent first
MAX_KEY_CHARS = 500


class InboxDecision(Base):
    """What staff decided about a group of misunderstood messages."""

    __tablename__ = "inbox_decisions"

    id = Column(Integer, primary_key=True)
    decision = Column(String(12), nullable=False)  # intent | out_of_scope | ignore
    intent = Column(String(100))
    sample = Column(Text)  # the group's leading text
    messages = Column(Integer, nullable=False, default=0)
    examples_added = Column(Integer, nullable=False, default=0)
    staff_username = Column(String(40), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class InboxHandled(Base):
    """A normalised text staff have dealt with: its messages are no longer in the inbox."""

    __tablename__ = "inbox_handled"

    text_key = Column(String(MAX_KEY_CHARS), primary_key=True)
    decision_id = Column(ForeignKey("inbox_decisions.id", ondelete="CASCADE"), nullable=False, index=True)


@functools.lru_cache(maxsize=4)
def _intents(path: Path, _mtime: float) -> tuple[str, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names = []
    for item in data.get("intents") or []:
        name = next(iter(item)) if isinstance(item, dict) else item
        if isinstance(name, str) and name != FALLBACK_INTENT:
            names.append(name)
    return tuple(names)


def domain_intents(path: Path = DOMAIN_FILE) -> tuple[str, ...]:
    """The intents domain.yml declares (read again when the file changes)."""
    return _intents(path, path.stat().st_mtime)


def bigrams(text_key: str) -> frozenset[str]:
    """Character bigrams of the letters and digits (a single character stands for itself)."""
    chars = "".join(ch for ch in text_key if ch.isalnum())
    if len(chars) < 2:
        return frozenset([chars]) if chars else frozenset()
    return frozenset(chars[i:i + 2] for i in range(len(chars) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 1.0 if a == b else 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class InboxText:
    """One normalised text and its messages."""

    key: str
    text: str  # as the member wrote it, the latest time
    count: int
    members: int
    last_id: int
    last_at: dt.datetime
    guess: str | None  # the intent the model leaned towards, the latest time
    confidence: float | None


@dataclass
class InboxGroup:
    texts: list[InboxText] = field(default_factory=list)

    @property
    def leader(self) -> InboxText:
        return self.texts[0]

    @property
    def keys(self) -> list[str]:
        return [text.key for text in self.texts]

    @property
    def count(self) -> int:
        return sum(text.count for text in self.texts)

    @property
    def last_at(self) -> dt.datetime:
        return max(text.last_at for text in self.texts)

    @property
    def guess(self) -> str | None:
        """The intent the model leaned to most often across the group."""
        votes: dict[str, int] = {}
        for text in self.texts:
            if text.guess:
                votes[text.guess] = votes.get(text.guess, 0) + text.count
        return max(votes, key=lambda name: votes[name]) if votes else None


def group_texts(texts: Sequence[InboxText], threshold: float = SIMILARITY) -> list[InboxGroup]:
    """Near-identical texts in one group (see the module docstring); the largest groups
    first, then the most recently seen."""
    ordered = sorted(texts, key=lambda t: (-t.count, -t.last_id))
    groups: list[InboxGroup] = []
    shapes: list[frozenset[str]] = []
    by_bigram: dict[str, list[int]] = {}  # bigram → groups whose leader has it
    for text in ordered:
        shape = bigrams(text.key)
        candidates = sorted({index for gram in shape for index in by_bigram.get(gram, [])})
        home = next((index for index in candidates if jaccard(shape, shapes[index]) >= threshold), None)
        if home is None:
            home = len(groups)
            groups.append(InboxGroup())
            shapes.append(shape)
            for gram in shape:
                by_bigram.setdefault(gram, []).append(home)
        groups[home].texts.append(text)
    return sorted(groups, key=lambda group: (-group.count, -group.last_at.timestamp()))


@dataclass(frozen=True)
class Decision:
    id: int
    decision: str
    intent: str | None
    handled: int  # texts that left the inbox now (0: someone else was first)
    messages: int  # the messages with those texts
    result: AddResult | None


class InboxService:
    def __init__(self, session_factory: sessionmaker, index: ConversationIndex,
                 review_file: ReviewFile | None = None, domain_path: Path = DOMAIN_FILE,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._session_factory = session_factory
        self.index = index
        self.review_file = review_file or ReviewFile()
        self.domain_path = domain_path
        self._clock = clock

    def intents(self) -> tuple[str, ...]:
        return domain_intents(self.domain_path)

    def texts(self, limit: int = MAX_TEXTS) -> list[InboxText]:
        """Distinct misunderstood texts not handled yet, the most recent first."""
        self.index.catch_up()
        log, reading, search = MessageLog, NluReading, SearchText
        doubtful = or_(reading.fallback.is_(True), reading.confidence < LOW_CONFIDENCE)
        grouped = (select(search.text_key, func.count().label("n"),
                          func.count(func.distinct(log.user_id)).label("members"),
                          func.max(log.id).label("last_id"))
                   .select_from(reading)
                   .join(log, log.id == reading.message_id)
                   .join(search, search.message_id == log.id)
                   .outerjoin(InboxHandled, InboxHandled.text_key == search.text_key)
                   .where(doubtful, log.direction == "in", InboxHandled.text_key.is_(None))
                   .group_by(search.text_key)
                   .order_by(func.max(log.id).desc())
                   .limit(limit))
        with self._session_factory() as session:
            rows = session.execute(grouped).all()
            latest = {}
            ids = [row.last_id for row in rows]
            for start in range(0, len(ids), 500):
                for found in session.execute(
                        select(log.id, log.text, log.created_at, reading.guess, reading.confidence)
                        .join(reading, reading.message_id == log.id)
                        .where(log.id.in_(ids[start:start + 500]))):
                    latest[found.id] = found
        texts = []
        for row in rows:
            last = latest.get(row.last_id)
            if last is None:
                continue
            at = last.created_at if last.created_at.tzinfo else last.created_at.replace(tzinfo=dt.timezone.utc)
            texts.append(InboxText(key=row.text_key, text=last.text or row.text_key, count=int(row.n),
                                   members=int(row.members), last_id=int(row.last_id), last_at=at,
                                   guess=last.guess, confidence=last.confidence))
        return texts

    def groups(self, limit: int = MAX_TEXTS) -> list[InboxGroup]:
        return group_texts(self.texts(limit))

    def decide(self, message_ids: Iterable[int], decision: str, staff: str, intent: str | None = None,
               example_ids: Iterable[int] = ()) -> Decision:
        """Handle a group, named by its messages' ids (pages carry ids, not members' words):
        write the texts of `example_ids` as examples of `intent` (or of out_of_scope), or
        ignore them; every text of the group leaves the inbox. The file is written first:
        if recording the decision then failed, the group stays, and saving again adds no
        duplicates."""
        if decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r}")
        if decision == OUT_OF_SCOPE_DECISION:
            intent = OUT_OF_SCOPE
        if decision == IGNORE:
            intent = None
        elif intent not in self.intents():
            raise ValueError(f"{intent!r} is not an intent of the domain")
        ids = list(dict.fromkeys(int(found) for found in message_ids))
        wanted = set(int(found) for found in example_ids)
        with self._session_factory() as session:
            rows = session.execute(select(MessageLog.id, MessageLog.text, SearchText.text_key)
                                   .join(SearchText, SearchText.message_id == MessageLog.id)
                                   .where(MessageLog.id.in_(ids), MessageLog.direction == "in")).all() if ids else []
            by_id = {row.id: row for row in rows}
            keys = list(dict.fromkeys(by_id[found].text_key for found in ids if found in by_id))
            messages = int(session.scalar(select(func.count()).select_from(SearchText)
                                          .where(SearchText.text_key.in_(keys))) or 0) if keys else 0
        if not keys:
            raise ValueError("no such messages")
        examples = [by_id[found].text or "" for found in ids if found in by_id and found in wanted]
        result = self.review_file.add(intent, examples) if intent is not None else None
        with self._session_factory() as session, session.begin():
            row = InboxDecision(decision=decision, intent=intent, sample=(by_id[ids[0]].text or "")[:500]
                                if ids[0] in by_id else None, messages=messages,
                                examples_added=len(result.added) if result else 0, staff_username=staff,
                                created_at=self._clock())
            session.add(row)
            session.flush()
            before = session.scalar(select(func.count()).select_from(InboxHandled)
                                    .where(InboxHandled.text_key.in_(keys)))
            insert_ignoring_duplicates(session, InboxHandled.__table__,
                                       [{"text_key": key, "decision_id": row.id} for key in keys])
            return Decision(int(row.id), decision, intent, len(keys) - int(before or 0), messages, result)
