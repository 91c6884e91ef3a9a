"""Answers from the notices themselves: BM25 over their sentences.

Each document's text (source_documents.text) is split into sentences; a
sentence is scored together with the heading or item it sits under, so
"QC小组活动的主题" finds the theme sentence under "（一）…优秀质量管理小组活动".
Tokens are jieba's (search mode) on normalised text, without question words.

Two tests decide whether the best sentence answers at all: its BM25 score,
and how much of the question's weight (IDF) it covers — a question about
words no notice contains ("护照", "北京") covers little and is refused, so
it gets the normal fallback instead of a random sentence.

The index is rebuilt when the documents change: `DocumentRetriever` checks a
cheap fingerprint (ids and content hashes) before each search, so a notice
ingested by another process is searchable at its next question.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rank_bm25 import BM25Okapi
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.ingest.cleaning import clean_text
from services.models import SourceDocument
from services.textnorm import normalise
from services.views import SourceView

log = logging.getLogger(__name__)

# Tuned on tests/retrieval/questions.yml (see `make eval`): a sentence must
# cover this share of the question's IDF weight and reach this BM25 score.
MIN_COVERAGE = 0.35
MIN_SCORE = 8.0
_MAX_ANSWER_CHARS = 220

_QUESTION_WORDS = frozenset({
    "什么", "是", "的", "吗", "呢", "了", "哪", "哪些", "哪里", "哪儿", "几", "多少",
    "怎么", "怎么样", "如何", "请问", "一下", "有", "有没有", "在", "和", "与", "么",
    "个", "我", "你", "您", "想", "知道", "问", "问问", "谁", "时候", "什么时候", "啥",
    "可以", "吧", "一共", "为", "为什么", "哪个", "哪一年", "哪年", "是否", "都", "会",
    "能", "要", "告诉", "下", "那", "这", "这个", "那个", "其", "及", "或", "被",
    "把", "对", "给", "让", "从", "向", "到", "于", "由", "还", "也", "又", "就",
    "等", "之", "以", "中", "上", "具体", "情况", "内容", "关于", "方面", "相关", "哪家",
    "谁家", "多久", "叫", "叫做", "是不是", "对吗",
})
_SENTENCE_END = re.compile(r"(?<=[。！？])")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[.．、]|[一二三四五六七八九十]是)"
)
# What kind of answer a question wants, and what a sentence holding one looks like.
_CUES = (
    (re.compile(r"什么时候|何时|哪天|哪一天|日期|几月|哪年|哪一年|时间"), re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日")),
    (re.compile(r"多少|几"), re.compile(r"\d|[一二三四五六七八九十百千万]+(?:个|项|期|场|名|家|届|万)")),
    (re.compile(r"哪里|地址|在哪|地点"), re.compile(r"地址|路\d|号|设在|在")),
    (re.compile(r"主题"), re.compile(r"主题")),
)
_CUE_BOOST = 1.3
_COUNTED = re.compile(r"[0-9一二三四五六七八九十百千万两]+([期届场项名家个次位人])")
# Notices' sentences are long; length matters less than in web text (BM25's b).
_BM25_B = 0.5


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in ("质量大讲堂", "大讲堂", "质量月", "质协", "市质协", "QC小组", "信得过班组", "首席质量官",
                 "万千百", "进博会", "工博会", "卓越绩效", "品管圈", "理事会", "世界质量论坛"):
        jieba.add_word(word)
    return jieba


def tokens(text: str) -> list[str]:
    """Search tokens: jieba (search mode) on normalised, case-folded text, no question words."""
    cleaned = normalise(text, max_chars=10**6).casefold()
    found = []
    for token in _jieba().lcut_for_search(cleaned):
        if not token.strip() or not any(ch.isalnum() for ch in token) or token in _QUESTION_WORDS:
            continue
        found.append(token)
        counted = _COUNTED.fullmatch(token)
        if counted:  # 十二期 answers 几期: the measure word is a token of its own
            found.append(counted.group(1))
    return found


@dataclass(frozen=True)
class Passage:
    document_id: int
    source: SourceView
    text: str  # the sentence shown to the member
    context: str  # the heading or item it belongs to, scored with it


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    coverage: float


@dataclass(frozen=True)
class DocumentAnswer:
    text: str
    source: SourceView
    score: float


def split_passages(document_id: int, source: SourceView, text: str) -> list[Passage]:
    """Sentences of the cleaned text, each with the heading or item it sits under."""
    passages: list[Passage] = []
    heading = ""
    lines = clean_text(text).split("\n")
    # The title block (title, 文号, byline) names the notice; the citation already does.
    start = next((i for i, line in enumerate(lines[:6]) if "。" in line), 0)
    for line in lines[start:]:
        sentences: list[str] = []
        for piece in (s.strip() for s in _SENTENCE_END.split(line)):
            # "（市质量工作领导小组办公室）" after an item's last 。 belongs to that sentence.
            if piece and sentences and len(piece) <= 20 and not re.search(r"[。！？]$", piece):
                sentences[-1] += piece
            elif piece:
                sentences.append(piece)
        if not sentences:
            continue
        is_heading = len(line) <= 40 and not re.search(r"[。；]", line[:-1])
        if is_heading:
            heading = line
        item = sentences[0] if _HEADING.match(line) and len(sentences) > 1 else ""
        for index, sentence in enumerate(sentences):
            if item and index == 0 and len(sentence) <= 30:
                continue  # an item's name is scored as the context of its sentences
            context = " ".join(filter(None, [heading if heading != line else "",
                                             item if index > 0 else ""]))
            passages.append(Passage(document_id, source, sentence, context))
    return passages


class DocumentIndex:
    """BM25 over every passage of the given documents."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self._tokens = [tokens(f"{p.context} {p.text}") for p in passages]
        self._sets = [set(t) for t in self._tokens]
        self._bm25 = BM25Okapi(self._tokens, b=_BM25_B) if passages else None
        count = max(len(passages), 1)
        frequency: dict[str, int] = {}
        for token_set in self._sets:
            for token in token_set:
                frequency[token] = frequency.get(token, 0) + 1
        self._idf = {t: math.log((count + 1) / (n + 0.5)) for t, n in frequency.items()}
        # A word no notice uses weighs as much as the rarest one that is used.
        self._unknown_idf = math.log((count + 1) / 0.5)

    def search(self, question: str, limit: int = 3) -> list[Hit]:
        query = tokens(question)
        if not query or self._bm25 is None:
            return []
        scores = list(self._bm25.get_scores(query))
        for cue, shape in _CUES:
            if cue.search(question):
                scores = [s * _CUE_BOOST if shape.search(p.text) else s
                          for s, p in zip(scores, self.passages, strict=True)]
        year = re.search(r"(?<!\d)(20\d\d)年", question)
        if year:
            scores = [s * _CUE_BOOST if p.source.year == int(year.group(1)) else s
                      for s, p in zip(scores, self.passages, strict=True)]
        order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)[:limit]
        unique = set(query)
        total = sum(self._idf.get(t, self._unknown_idf) for t in unique)
        hits = []
        for i in order:
            covered = sum(self._idf.get(t, self._unknown_idf) for t in unique if t in self._sets[i])
            hits.append(Hit(self.passages[i], float(scores[i]), covered / total if total else 0.0))
        return hits

    def answer(self, question: str) -> DocumentAnswer | None:
        """The best sentence (and the next when it is short), or None below the thresholds."""
        best = self.best(question)
        if best is None or best.score < MIN_SCORE or best.coverage < MIN_COVERAGE:
            return None
        return DocumentAnswer(self.answer_text(best.passage), best.passage.source, best.score)

    def best(self, question: str) -> Hit | None:
        hits = self.search(question, limit=1)
        return hits[0] if hits else None

    def answer_text(self, passage: Passage) -> str:
        text = passage.text
        index = self.passages.index(passage)
        following = self.passages[index + 1] if index + 1 < len(self.passages) else None
        if len(text) < 40 and following is not None and following.document_id == passage.document_id:
            text = f"{text}{following.text}"
        return text if len(text) <= _MAX_ANSWER_CHARS else text[:_MAX_ANSWER_CHARS] + "…"


def build_index(documents: Iterable[SourceDocument]) -> DocumentIndex:
    passages: list[Passage] = []
    for document in documents:
        source = SourceView(title=document.title, issued_on=document.issued_on, year=document.year)
        passages += split_passages(document.id, source, document.text or "")
    return DocumentIndex(passages)


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
                self._fingerprint = fingerprint
                self.built_at = dt.datetime.now(dt.timezone.utc)
                log.info("document index built: %d passages", len(self._index.passages))
            return self._index

    def answer(self, question: str) -> DocumentAnswer | None:
        return self.index().answer(question)


_retrievers: dict[int, DocumentRetriever] = {}
_retrievers_lock = threading.Lock()


def retriever_for(session_factory: sessionmaker) -> DocumentRetriever:
    """One retriever per session factory (per database), built on first use."""
    with _retrievers_lock:
        retriever = _retrievers.get(id(session_factory))
        if retriever is None or retriever._session_factory is not session_factory:
            retriever = DocumentRetriever(session_factory)
            _retrievers[id(session_factory)] = retriever
        return retriever
