"""Fielded BM25 over the notices' passages, with the thresholds below which nothing answers.

Score. BM25F: a sentence's own words count fully; the heading and item it sits under (×0.8)
and the notice's title (×0.2) count less and do not make it longer. (rank-bm25, used before,
scores a single field: giving the heading its own weight meant writing the thirty lines of
BM25F here.) The score is multiplied by the share of the question's weight (IDF) that the
passage covers, by the factor of each cue of `questions` the sentence fits, and by 1.3 when it
is of the year the question names — a sentence of another year does not count at all.

Refusal. The best passage must reach `MIN_SCORE` and cover `MIN_COVERAGE` of the question's
weight; a word no notice uses (护照, 北京) weighs as much as a word no passage has, so such a
question falls short and gets the normal fallback instead of a random sentence. And when the
thing asked for (`questions.asked_thing`) is named in no notice (not even a pair of its
characters), nothing answers. An address, phone or contact person is answered only by a contact
block, a web or mail address only by a passage that has one. A bigram no passage has, and a word
no notice uses whose parts they all do, do not weigh against a question.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from services.dates import relative_year_in
from services.ingest.structure import read_line
from services.ingest.tables import cells
from services.models import SourceDocument
from services.retrieval.passages import HEADING, ROW_BREAK, Passage, notice_card, split_passages
from services.retrieval.questions import (
    STAGE_PLACE,
    asked_thing,
    cues_asked,
    question_form,
    shapes_asked,
    uncommon_words,
)
from services.retrieval.spelling import Respeller
from services.retrieval.words import (
    BIGRAM,
    DROPPED,
    ENTITY,
    covered_by,
    function_words,
    names_things,
    synonym_heads,
    terms,
)
from services.textnorm import normalise
from services.views import SourceView

# The best passage must reach this score and cover this share of the question's IDF
# weight. Round 4 chose both on the 499 questions of the six sets seen by then, as the
# pair with the fewest misses + 2 × wrong answers (a wrong answer costs more than a
# refusal), on a grid of MIN_SCORE 7–12 and MIN_COVERAGE 0.35–0.55: 8 and 0.45 (round 3
# had 9 and 0.4; dropping unknown bigrams in round 4 raised every coverage).
MIN_SCORE = 8.0
MIN_COVERAGE = 0.45
# Within the notice of the activity asked about, without the words that name it (培训班, 讲座):
# what is left is what is asked (住宿, 停车, 回放), with words members add around it (开车过去,
# 当天没空). The sentence must hold the rarest of the words the notices use, and some of the
# rest. Chosen on the development set's questions and refusals (2026-12-02).
OWN_MIN_SCORE = 0.3
OWN_MIN_COVERAGE = 0.08
# A sentence holding half of what is asked answers without the rarest word (会议号 of 腾讯会议号是多少).
_OWN_WIDE_COVERAGE = 0.5
_MAX_ANSWER_CHARS = 220
# BM25F: k1 and b as usual (b low: the notices' sentences are long), and the weight
# of each field's words relative to the passage's own.
_K1 = 1.2
_B = 0.5
_FIELD_WEIGHTS = {"own": 1.0, "context": 0.8, "lead": 0.4, "title": 0.2}
_BIGRAM_WEIGHT = 0.5
_YEAR_BOOST = 1.3
_CARD_BOOST = 2.0
_SUBJECT_BOOST = 3.0
_AS_BEFORE = re.compile(r"(?:其他|其余|其它)[^。；]{0,30}(?:(?:仍按|按照?|依照)原通知|不变|照常)")
# A year inside 《…》 names a document; it dates nothing.
_BOOK_TITLE = re.compile(r"《[^》]*》")
# 异议找谁, 发票的事问谁, 系统登不上打哪个电话: whom to turn to about what the sentence is about
_ASKS_WHOM = re.compile(r"找谁|联系谁|问谁|跟谁|和谁|向谁|找哪个|找哪位|打哪个|打什么电话|哪个电话|电话(?:是)?多少")
# a person or a number to call (联系人：…, 电话：…, 021-6433 5150); a line of whom also names the unit that
# takes it (受理部门：…)
_NAMES_WHOM = re.compile(r"联\s*系\s*人|电\s*话|(?<!\d)(?:0\d{2,3}[-\s]?)?\d{4}[\s-]?\d{4}(?!\d)")
_SAYS_WHOM = re.compile(rf"{_NAMES_WHOM.pattern}|受理部门|受理单位")
_WHOM_LINES = 3
_YEAR = re.compile(r"(?<!\d)(20\d\d)年")
_ISSUER_WORDS = frozenset({"部门", "单位", "机构", BIGRAM + "部门", BIGRAM + "单位", BIGRAM + "机构"})
_ASKS_NEXT = re.compile(r"下一?[期届次场轮回]|下个月|最近一[期届次场]|即将|接下来")
# A question about the notice itself (when and by whom it was issued, its number), which its card answers.
_ASKS_ABOUT_NOTICE = re.compile(r"发布|印发|发文|文号|落款|签发|下发|出台|谁发|发的|哪天发"
                                r"|(?:通知|文件|要点|重点|报告).*(?:哪天|日期|几号|谁|哪个部门|哪个单位)")

_RANK_COLUMN = re.compile(r"名次|排名|名\s*次")  # a results table ranked by its first column


def _rank_cell(row: str, width: int, rank_at: int) -> str | None:
    """A table row's rank, when the row has as many cells as its header."""
    row_cells = cells(row)
    return row_cells[rank_at] if len(row_cells) == width else None


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
    document_id: int


@dataclass(frozen=True)
class NamedNotice:
    """A notice a question's words name, and how well (`DocumentIndex.notices_named`)."""

    document_id: int
    score: float
    source: SourceView


class DocumentIndex:
    """Fielded BM25 over every passage of the given documents."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self._position = {id(p): i for i, p in enumerate(passages)}
        self._of_document: dict[int, list[int]] = {}  # each notice's passages, by position
        for i, passage in enumerate(passages):
            self._of_document.setdefault(passage.document_id, []).append(i)
        # What the answer-shape cues look at: the sentence without the documents it names.
        self._shapes = [_BOOK_TITLE.sub("", p.text) for p in passages]
        titles: dict[int, Counter[str]] = {}
        contexts: dict[str, Counter[str]] = {}  # many sentences share a heading and item
        lengths: list[int] = []
        weighted: list[dict[str, float]] = []
        for passage in passages:
            if passage.context not in contexts:
                contexts[passage.context] = Counter(terms(passage.context))
            if passage.document_id not in titles:
                titles[passage.document_id] = Counter(terms(passage.source.title))
            if passage.lead not in contexts:
                contexts[passage.lead] = Counter(terms(passage.lead))
            own = Counter(terms(passage.text))
            fields = {"own": own, "context": contexts[passage.context], "lead": contexts[passage.lead],
                      "title": titles[passage.document_id]}
            frequencies: dict[str, float] = {}
            for field, counts in fields.items():
                for term, count in counts.items():
                    frequencies[term] = frequencies.get(term, 0.0) + _FIELD_WEIGHTS[field] * count
            weighted.append(frequencies)
            lengths.append(sum(own.values()))
        self._title_terms = {document_id: frozenset(words) for document_id, words in titles.items()}
        count = len(passages)
        average_length = sum(lengths) / count if count else 1.0
        self._norms = [_K1 * (1 - _B + _B * length / average_length) for length in lengths]
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for i, frequencies in enumerate(weighted):
            for term, frequency in frequencies.items():
                self._postings.setdefault(term, []).append((i, frequency))
        self._idf = {t: self._inverse_frequency(len(p)) for t, p in self._postings.items()}
        # A word no notice uses weighs as much as one that no passage has.
        self._unknown_idf = self._inverse_frequency(0)
        self._respeller = Respeller(self._postings.keys())
        function_words()  # loaded now, not at the first question that needs it

    def _inverse_frequency(self, frequency: int) -> float:
        count = len(self.passages)
        return math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))

    def uses(self, word: str) -> bool:
        """Whether some notice has the word, or a pair of its characters (党总支: 总支部委员会)."""
        return word in self._postings or ENTITY + synonym_heads().get(word, word) in self._postings or any(
            BIGRAM + word[i:i + 2] in self._postings for i in range(len(word) - 1))

    def respell(self, question: str) -> str:
        """The question with a word no notice uses replaced by the one notice word that sounds the same."""
        return self._respeller.respell(question)

    def _query_terms(self, question: str) -> set[str]:
        """The question's terms as the index can weigh them.

        A bigram no passage has says nothing of the topic (it straddles two of the member's words:
        质协/办公 gives 协办); a word no notice uses but whose parts they all do (qc小组, 办公地址) is
        asked in its parts, which are terms too. What stays unknown weighs as much as a missing word."""
        found = terms(question, known=self._postings)
        known_parts = {term for term in found if term in self._postings} | DROPPED
        query = set()
        for term in found:
            if term.startswith(BIGRAM) and term not in self._postings:
                continue
            if term not in self._postings and len(term) > 2 and covered_by(term, known_parts):
                continue
            query.add(term)
        return query

    def search(self, question: str, limit: int = 3, today: dt.date | None = None,
               document_id: int | None = None, year: int | None = None, named: str = "") -> list[Hit]:
        """The best passages for the question. With `today`, a question about the next session
        (下一期, 下届) is answered only from a notice of this year or later; with `document_id`,
        only from that notice (the one about the activity the member is asking of), and the words
        of `named` (that activity's name) are not part of what is asked."""
        simplified, query = self._asked_terms(question, named if document_id is not None else "")
        return self._scored(simplified, query, limit, today, document_id, year)

    def _asked_terms(self, question: str, named: str) -> tuple[str, set[str]]:
        """The question as it is searched (幾月 asks what 几月 does; 那天 without a question word is
        哪天; respelt) and its terms, without those of `named`."""
        simplified = self.respell(question_form(question))
        query = self._query_terms(simplified)
        if named:
            query -= set(terms(self.respell(question_form(named)), known=self._postings))
        return simplified, query

    def _scored(self, simplified: str, query: set[str], limit: int, today: dt.date | None,
                document_id: int | None, year: int | None, subject: str = "") -> list[Hit]:
        asks_about_notice = bool(_ASKS_ABOUT_NOTICE.search(simplified))
        if asks_about_notice:
            query = query - _ISSUER_WORDS  # 哪个部门发的 asks who issued it: the kind of answer, not its topic
        if not query or not self.passages:
            return []
        scores: dict[int, float] = {}
        covered: dict[int, float] = {}
        total = 0.0
        for term in query:
            weight = _BIGRAM_WEIGHT if term.startswith(BIGRAM) else 1.0
            idf = self._idf.get(term, self._unknown_idf)
            total += weight * idf
            for i, frequency in self._postings.get(term, ()):
                scores[i] = scores.get(i, 0.0) + weight * idf * frequency * (_K1 + 1) / (frequency + self._norms[i])
                covered[i] = covered.get(i, 0.0) + weight * idf
        if not total:
            return []
        thing = asked_thing(simplified)
        if thing is not None and not self.uses(thing):
            # What is asked for is named in no notice (奖品, 一等奖, 门票): the notices cannot say.
            return []
        cues = cues_asked(simplified)
        year_match = _YEAR.search(simplified)
        # the member's year (2021年; 今年 when searching every notice), else the activity's
        year = int(year_match.group(1)) if year_match else year
        # 今年 is said loosely: that year's sentences are preferred, others not ruled out
        loosely = relative_year_in(simplified, today) if today is not None and year is None else None
        # 下一期啥时候开: what comes after today; a notice of an earlier year tells only what is past
        earliest_year = today.year if today is not None and _ASKS_NEXT.search(simplified) else None
        hits = []
        for i, score in scores.items():
            passage = self.passages[i]
            if passage.is_card and not asks_about_notice:
                continue
            if document_id is not None and passage.document_id != document_id:
                continue
            if earliest_year is not None and (passage.source.year or 0) < earliest_year:
                continue
            coverage = covered[i] / total
            score *= coverage
            if passage.is_card:
                score *= _CARD_BOOST  # a question about the notice itself: its card is the answer's form
            # a stage's own sentence begins with it (决赛：…) or sits under its heading (四、决赛 / 地点：…)
            if subject and (HEADING.sub("", passage.item + passage.text).startswith(subject)
                            or HEADING.sub("", passage.heading).startswith(subject)):
                score *= _SUBJECT_BOOST
            for cue in cues:
                # within the activity's own notice, the item a sentence sits under is shown with it
                # and may hold the answer's shape (三、本期名额150人，每家单位限报2人。 above 本次讲座免费)
                # a rank's table row sits under its heading (二等奖 / 作者：孙晴…) in any notice
                shape = passage.text if cue.in_titles else (
                    (passage.heading if cue.in_heading else "") + self._shapes[i] if document_id is None
                    else _BOOK_TITLE.sub("", (passage.heading if cue.in_heading else "") + passage.item)
                    + self._shapes[i])
                fits = cue.shape.search(shape)
                score *= cue.factor if fits else 0.0 if cue.required else 1.0
            meant = year if year is not None else loosely
            if meant is not None:
                # A sentence of another year does not answer for this one: 2021's theme is
                # no answer to 2025年质量月的主题, however well the words match (今年 only prefers).
                names_year = passage.source.year == meant or f"{meant}年" in f"{passage.context}{passage.text}"
                score *= _YEAR_BOOST if names_year else 0.0 if year is not None else 1.0
            if score > 0:  # 0: ruled out by a required cue or another year
                hits.append(Hit(passage, score, coverage))
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits[:limit]

    def answer(self, question: str, today: dt.date | None = None, document_id: int | None = None,
               year: int | None = None, named: str = "", subject: str = "") -> DocumentAnswer | None:
        """The best passage's sentence (and the next when it is short), or None below the thresholds
        (lower within the notice the member asks of, see OWN_MIN_SCORE). A `subject` (a stage the
        question names) prefers the sentences that begin with it: （三）决赛：… over 前8支队伍进入决赛."""
        own = document_id is not None  # the notice the member asks of, not any notice
        simplified, query = self._asked_terms(question, named if own else "")
        hits = self._scored(simplified, query, 1, today, document_id, year, subject)
        best = hits[0] if hits else None
        min_score, min_coverage = (OWN_MIN_SCORE, OWN_MIN_COVERAGE) if own else (MIN_SCORE, MIN_COVERAGE)
        # 一等奖奖金多少 of a contest whose notice has no 奖金: it does not say; but a question whose
        # answer has a shape (能多带个同事吗 — 每单位限报2人) is answered whatever words it uses
        shapes = shapes_asked(simplified)
        if own and not shapes and not self._names_asked_thing(simplified, document_id):
            return None
        if best is None or best.score < min_score or best.coverage < min_coverage \
                or (own and best.coverage < _OWN_WIDE_COVERAGE and not self._holds_rarest(best.passage, query)):
            best = self._by_shape(shapes, query, document_id) if own else None
        if best is None:
            return None
        text = self.answer_text(best.passage, query)
        if own and _ASKS_WHOM.search(simplified) and not _NAMES_WHOM.search(text):
            text += "".join(f"\n{p.text}" for p in self._whom_after(best.passage) if p.text not in text)
        return DocumentAnswer(text, best.passage.source, best.score, best.passage.document_id)

    def _whom_after(self, passage: Passage) -> list[Passage]:
        """The lines right after a sentence that say whom to turn to (异议…向班组工作部反映, then
        受理部门：… / 联系人：钟立群 电话：…): the answer to whom, when the sentence names nobody."""
        index = self._position[id(passage)]
        following = list(itertools.takewhile(lambda p: p.document_id == passage.document_id and not p.is_card,
                                             self.passages[index + 1:]))
        first = next((i for i, p in enumerate(following[:_WHOM_LINES]) if _SAYS_WHOM.search(p.text)), None)
        if first is None:
            return []
        return list(itertools.takewhile(lambda p: bool(_SAYS_WHOM.search(p.text)),
                                        following[first:first + _WHOM_LINES]))

    def notices_named(self, question: str) -> list[NamedNotice]:
        """The notices the question's words name, best first. Each is scored by the words it uses
        anywhere (title or sentence), weighed by how few notices use them: a member names an event
        their own way (临港那个参观), and words every notice uses (报名, 费用) weigh next to nothing. A
        notice is named only through a noun of its title that most titles lack (论坛, 卓越绩效; not 质量,
        活动, nor the verb 参加) or an uncommon word of the question it uses as a word (临港, 恒润精密;
        服务质量 itself, not 质量 alone)."""
        _, query = self._asked_terms(question, "")
        words = [term for term in query if not term.startswith(BIGRAM)]
        titles = self._title_terms
        in_few_titles = {term for term in words if names_things(term)
                         and 2 * sum(term in held for held in titles.values()) < len(titles)}
        naming = {document_id for document_id, held in titles.items() if in_few_titles & held}
        naming |= {self.passages[i].document_id for word in uncommon_words(question)
                   for i, _ in self._postings.get(word.casefold(), ())}
        count = len(self._of_document)
        scores: dict[int, float] = {}
        for term in words:
            holding = {self.passages[i].document_id for i, _ in self._postings.get(term, ())}
            for document_id in holding:
                scores[document_id] = scores.get(document_id, 0.0) + math.log(1 + count / len(holding))
        ranked = sorted((document_id for document_id in scores if document_id in naming),
                        key=lambda document_id: -scores[document_id])
        return [NamedNotice(document_id, scores[document_id], self.passages[self._of_document[document_id][0]].source)
                for document_id in ranked]

    def _names_asked_thing(self, simplified: str, document_id: int | None) -> bool:
        """Whether the notice names the thing the question asks of (奖金 in 一等奖奖金多少); True when
        no one thing is asked."""
        thing = asked_thing(simplified)
        return thing is None or self.names_thing(thing, document_id)

    def names_thing(self, thing: str, document_id: int | None) -> bool:
        """Whether the notice names the thing, in its words or a word standing for them."""
        own = set(self._of_document.get(document_id, ())) if document_id is not None else set()
        if any(thing in self.passages[i].text for i in own):
            return True
        words = {w for w in terms(self.respell(thing), known=self._postings) if not w.startswith(BIGRAM)} - DROPPED
        return bool(words) and all(any(i in own for i, _ in self._postings.get(w, ())) for w in words)

    def _by_shape(self, shapes: list[re.Pattern[str]], query: set[str], document_id: int | None) -> Hit | None:
        """Within one notice, the sentence of the shape a question asks for when that shape is the
        answer (`shapes_asked`: a per-unit limit, an e-mail address): the one that shares most of its words."""
        if not shapes or document_id is None:
            return None
        fitting = [i for i in self._of_document.get(document_id, ()) if not self.passages[i].is_card
                   and all(shape.search(_BOOK_TITLE.sub("", self.passages[i].item) + self._shapes[i])
                           for shape in shapes)]
        if not fitting:
            return None
        holding = {t: {i for i, _ in self._postings.get(t, ())} for t in query}
        shared = {i: sum(self._idf.get(t, 0.0) for t in query if i in holding[t]) for i in fitting}
        best = max(fitting, key=lambda i: (shared[i], -i))
        return Hit(self.passages[best], shared[best], 0.0)

    def stage_places(self, document_id: int, stages: Iterable[str]) -> DocumentAnswer | None:
        """Each stage's own line in the notice that says where it is held (四、决赛暨颁奖典礼：6月18日，
        地点：…; the 决赛 row of a schedule table; 初赛 线上答题): where a contest's rounds are when the
        contest has no one place. None when no stage has such a line."""
        passages = [self.passages[i] for i in self._of_document.get(document_id, ()) if not self.passages[i].is_card]
        found: list[str] = []
        for stage in (normalise(name) for name in stages):
            short = re.split(r"[（(]", stage)[0]  # 初赛（网络评审）: written 初赛 in a table
            for passage in passages:
                rows = [HEADING.sub("", row).strip() for row in f"{passage.item}{passage.text}".split(ROW_BREAK)]
                line = next((row for row in rows if short and normalise(row).startswith(short)
                             and STAGE_PLACE.search(normalise(row))), None)
                if line is not None:
                    found.append(line)
                    break
        if not found:
            return None
        source = passages[0].source
        return DocumentAnswer(ROW_BREAK.join(dict.fromkeys(found))[:_MAX_ANSWER_CHARS], source, 0.0, document_id)

    def as_before(self, document_id: int) -> DocumentAnswer | None:
        """A change notice's sentence saying the rest stands as first announced (其他事项仍按原通知
        执行): the answer to what it does not restate."""
        passage = next((self.passages[i] for i in self._of_document.get(document_id, ())
                        if _AS_BEFORE.search(self.passages[i].text)), None)
        if passage is None:
            return None
        return DocumentAnswer(self.answer_text(passage), passage.source, 0.0, document_id)

    def ranked_row(self, document_id: int, rank: int) -> DocumentAnswer | None:
        """The row of a ranked table of the notice (名次  代表队  得分) whose rank is the one asked
        (谁拿了第一, 第二名多少分), under the table's header."""
        for i in self._of_document.get(document_id, ()):
            passage = self.passages[i]
            rows = passage.text.split(ROW_BREAK)
            header = cells(rows[0])
            rank_at = next((at for at, label in enumerate(header) if _RANK_COLUMN.fullmatch(label)), None)
            if rank_at is None:
                continue
            ranked = (row for row in rows[1:] if _rank_cell(row, len(header), rank_at) in (str(rank), f"第{rank}名"))
            row = next(ranked, None)
            if row is not None:
                return DocumentAnswer(ROW_BREAK.join((rows[0], row)), passage.source, 0.0, document_id)
        return None

    def opening(self, document_id: int) -> DocumentAnswer | None:
        """A notice's first sentence after its title block: what it announces (现予以公示)."""
        passage = next((self.passages[i] for i in self._of_document.get(document_id, ())
                        if not self.passages[i].is_card), None)
        if passage is None:
            return None
        return DocumentAnswer(self.answer_text(passage), passage.source, 0.0, document_id)

    def _holds_rarest(self, passage: Passage, query: set[str]) -> bool:
        """Whether the passage holds the rarest of the question's terms (not the name's) that its
        notice uses: 停车 of 开车过去好停车吗, 回看 of 当天没空，能看回放吗."""
        holding: dict[str, set[int]] = {}
        for term in query:
            holding[term] = {i for i, _ in self._postings.get(term, ())
                             if self.passages[i].document_id == passage.document_id}
        in_notice = [term for term, where in holding.items() if where]
        if not in_notice:
            return False
        rarest = max(in_notice, key=lambda term: self._idf.get(term, 0.0))
        return self._position[id(passage)] in holding[rarest]

    def best(self, question: str, today: dt.date | None = None) -> Hit | None:
        hits = self.search(question, limit=1, today=today)
        return hits[0] if hits else None

    def _section(self, passage: Passage) -> list[Passage]:
        """The sentences under a numbered heading (`一、活动目的`), for a passage that is one; else none."""
        if passage.item or not HEADING.match(passage.text):
            return []
        index = self._position[id(passage)]
        level = read_line(0, passage.text).level  # 一、 1, （一） 2, 1. 3; 0 when not numbered
        section = []
        for following in self.passages[index + 1:]:
            if following.document_id != passage.document_id or following.is_card:
                break
            # its sentences, and the numbered items below it (六、报名材料 / 1. 身份证… / 2. …)
            deeper = read_line(0, following.text).level
            if following.heading != passage.text and not (level and deeper > level):
                break
            section.append(following)
        return section

    def answer_text(self, passage: Passage, query: Collection[str] = ()) -> str:
        """The passage's sentence after its item's name (so that "先后邀请…举办十二期" says of what),
        and the next sentence too when it is short; a heading with the sentences under it; of a
        long table, its header and the rows that hold the question's words (老庙 of 老庙那个是几等)."""
        rows = passage.text.split(ROW_BREAK)
        words = [t for t in query if not t.startswith((BIGRAM, ENTITY)) and len(t) >= 2]
        held = {row: sum(t in row.casefold() for t in words) for row in rows[1:]}
        most = max(held.values(), default=0)
        asked_rows = [row for row, count in held.items() if count == most and most > 0]  # 恒润精密's row
        if len(rows) > 1 and asked_rows:
            # a table under its heading (二等奖): the heading, the first row (a header, or a row), the rows asked of
            shown = [passage.heading] if passage.heading and not HEADING.match(passage.heading) else []
            shown += [rows[0], *(row for row in asked_rows if row != rows[0])]
            return ROW_BREAK.join(shown)[:_MAX_ANSWER_CHARS]
        text = passage.item + passage.text
        section = self._section(passage)
        if section:
            text += "".join(p.text for p in section)
            return text if len(text) <= _MAX_ANSWER_CHARS else text[:_MAX_ANSWER_CHARS] + "…"
        index = self._position[id(passage)]
        following = self.passages[index + 1] if index + 1 < len(self.passages) else None
        if len(text) < 40 and following is not None and following.document_id == passage.document_id \
                and following.heading == passage.heading and not HEADING.match(following.text):
            text = f"{text}{following.text}"
        return text if len(text) <= _MAX_ANSWER_CHARS else text[:_MAX_ANSWER_CHARS] + "…"


def build_index(documents: Iterable[SourceDocument]) -> DocumentIndex:
    passages: list[Passage] = []
    for document in documents:
        source = SourceView(title=document.title, issued_on=document.issued_on, year=document.year)
        passages += split_passages(document.id, source, document.text or "")
        passages.append(notice_card(document.id, source, document.text or "", document.issuer))
    return DocumentIndex(passages)
