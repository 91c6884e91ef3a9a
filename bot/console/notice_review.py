"""What the review page shows beside the form: the notice with the sentences values came
from marked (<mark id="q3">, made here, no script), and per field its quote, whether the
notice gave it at all and whether extraction doubted it.

The sentences are the record's evidence (services.ingest.records.Evidence); a field without
evidence (a name, a contact) is shown with the line of the notice that contains its value.
A sentence found nowhere in the text (rewritten by extraction) is quoted without a mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from markupsafe import Markup, escape

from bot.console.notice_form import ACTIVITY_FIELDS, LABELS, NoticeForm
from services.ingest.records import ActivityRecord, NoticeRecord

# The record's evidence field that stands for each form field.
EVIDENCE_OF = {"start": "start", "end": "start", "time_of_day": "start", "place": "place", "audience": "audience",
               "capacity": "capacity", "fee": "fee", "signup_deadline": "signup_deadline",
               "signup_method": "signup_method", "theme": "theme"}
# The words a doubt line (NoticeRecord.doubts) uses for each field.
DOUBT_WORDS = {"start": ("时间",), "end": ("时间",), "place": ("地点",), "signup_deadline": ("报名截止",),
               "signup_method": ("报名方式",), "fee": ("费用",), "capacity": ("名额",), "theme": ("主题",),
               "audience": ("对象",), "issued_on": ("发文日期",)}
WIDE = {"signup_method", "audience"}
DATED = {"start", "end", "time_of_day", "signup_deadline"}
_NOT_FOUND = re.compile(r"未找到|没有找到|未写明")


@dataclass(frozen=True)
class Quote:
    anchor: str  # the mark's id in the notice text; "" when the sentence is not found there
    sentence: str


@dataclass(frozen=True)
class FieldRow:
    """One field of the card: what is in the form, where it came from, what to look at."""

    name: str  # the form field, e.g. a0-place
    label: str
    value: str
    quote: Quote | None
    missing: bool  # empty: the notice does not give it (通知未写明)
    doubtful: bool  # extraction doubted it (请核对)
    error: str | None
    wide: bool = False  # a textarea


@dataclass
class Review:
    """The notice text, marked, and the card's rows, in the order of the form."""

    text: Markup
    notice: list[FieldRow] = field(default_factory=list)
    activities: list[list[FieldRow]] = field(default_factory=list)
    phases: list[list[Quote | None]] = field(default_factory=list)
    contacts: list[Quote | None] = field(default_factory=list)


class _Marks:
    """Places in the text to mark, each with the anchor its quote links to. A long sentence is
    marked only where the value is (the address in 时间：…；地点：…), so marks stay precise;
    marks may overlap."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: dict[tuple[int, int], str] = {}  # (start, end) → anchor

    def quote(self, sentence: str | None, value: str | None = None, dated: bool = False) -> Quote | None:
        sentence = (sentence or "").strip()
        if not sentence:
            return None
        return Quote(self._mark(sentence, value, dated), sentence)

    def line_with(self, value: str | None, last: bool = False, below_title: bool = False) -> Quote | None:
        """The sentence of the notice (up to 。；or the line's end) that contains `value`
        (`below_title`: preferably one after the first line, where an activity is described)."""
        if not value or len(value) < 2:
            return None
        at = self.text.rfind(value) if last else self.text.find(value)
        if below_title and 0 <= at < self.text.find("\n"):
            later = self.text.find(value, self.text.find("\n"))
            at = later if later >= 0 else at
        if at < 0:
            return None
        start = max(self.text.rfind(stop, 0, at) for stop in "\n。；") + 1
        ends = [end for end in (self.text.find(stop, at + len(value)) for stop in "\n。；") if end >= 0]
        end = min(ends) + 1 if ends else len(self.text)
        sentence = self.text[start:end].strip()
        return Quote(self._add(at, at + len(value)), sentence)

    def _mark(self, sentence: str, value: str | None, dated: bool) -> str:
        # A joined sentence (phases joined with ；) is marked where its longest piece is.
        pieces = [sentence, *sorted(re.split(r"[；;\n]", sentence), key=len, reverse=True)]
        for piece in (p.strip() for p in pieces if len(p.strip()) >= 4):
            at = self.text.find(piece)
            if at < 0:
                continue
            if len(piece) > 20:
                inner = _precise(piece, value, dated)
                if inner is not None:
                    return self._add(at + inner[0], at + inner[1])
            return self._add(at, at + len(piece))
        return ""

    def _add(self, start: int, end: int) -> str:
        return self.spans.setdefault((start, end), f"q{len(self.spans) + 1}")

    def html(self) -> Markup:
        cuts = sorted({0, len(self.text), *(point for span in self.spans for point in span)})
        anchors: dict[int, list[str]] = {}
        for (start, _), anchor in self.spans.items():
            anchors.setdefault(start, []).append(anchor)
        out = []
        for start, end in pairwise(cuts):
            out += [Markup('<span class="anchor" id="{}"></span>').format(a) for a in anchors.get(start, ())]
            piece = escape(self.text[start:end])
            covered = any(a <= start and end <= b for a, b in self.spans)
            out.append(Markup("<mark>{}</mark>").format(piece) if covered else piece)
        return Markup("").join(out)


def _precise(sentence: str, value: str | None, dated: bool) -> tuple[int, int] | None:
    """Where in a long sentence the value itself is, or its clause with a date."""
    if value and len(value) >= 2 and value in sentence:
        at = sentence.index(value)
        return at, at + len(value)
    if dated:
        for clause in re.finditer(r"[^。；;，,]+", sentence):
            if re.search(r"\d\s*[月日号]", clause.group(0)):
                return clause.start(), clause.end()
    return None


def review_of(text: str, stored: NoticeRecord, form: NoticeForm, errors: dict[str, str]) -> Review:
    """The review of `form` (as stored, or as just posted), its quotes from `stored`'s evidence."""
    marks = _Marks(text)
    quotes = {"title": marks.line_with(form.title), "issuer": marks.line_with(form.issuer, last=True)}
    notice = [_row(name, form_value, quotes.get(name),
                   doubtful(stored.doubts, name, filled=bool(form_value)), errors)
              for name, form_value in (("title", form.title), ("issuer", form.issuer), ("issued_on", form.issued_on))]
    review = Review(text=Markup(""), notice=notice)
    for i, activity in enumerate(form.activities):
        slot = int(activity.slot) if activity.slot.isdigit() else None
        earlier = stored.activities[slot] if slot is not None and slot < len(stored.activities) else None
        review.activities.append([_activity_row(marks, f"a{i}-", name, activity.values[name], earlier, stored, errors)
                                  for name in ACTIVITY_FIELDS])
        review.phases.append([marks.quote(phase.text) if len(phase.text) >= 4 else None
                              for phase in activity.phases])
    review.contacts = [_contact_quote(marks, contact) for contact in form.contacts]
    review.text = marks.html()
    return review


def _activity_row(marks: _Marks, prefix: str, name: str, value: str, earlier: ActivityRecord | None,
                  stored: NoticeRecord, errors: dict[str, str]) -> FieldRow:
    if name == "name":
        quote = marks.line_with(value, below_title=True)
    else:
        evidence = earlier.source_of(EVIDENCE_OF[name]) if earlier is not None and name in EVIDENCE_OF else None
        quote = marks.quote(evidence, value, dated=name in DATED) if value else None
    is_doubtful = earlier is not None and doubtful(stored.doubts, name, earlier.name, filled=bool(value))
    return _row(prefix + name, value, quote, is_doubtful, errors, wide=name in WIDE)


def _row(name: str, value: str, quote: Quote | None, is_doubtful: bool, errors: dict[str, str],
         wide: bool = False) -> FieldRow:
    label = LABELS[name.split("-")[-1]]
    return FieldRow(name=name, label=label, value=value, quote=quote, missing=not value, doubtful=is_doubtful,
                    error=errors.get(name), wide=wide)


def _contact_quote(marks: _Marks, contact: dict[str, str]) -> Quote | None:
    for name in ("phone", "mobile", "email", "person", "address"):
        quote = marks.line_with(contact.get(name))
        if quote:
            return quote
    return None


def doubtful(doubts: list[str], form_field: str, activity_name: str | None = None, filled: bool = False) -> bool:
    """Whether a doubt names this field: of this activity (its lines start with the name), or
    of the notice. A "not found" doubt no longer applies once staff filled the field in."""
    words = DOUBT_WORDS.get(form_field, ())
    for doubt in doubts:
        if activity_name is not None and not doubt.startswith(activity_name + "："):
            continue
        if any(word in doubt for word in words) and not (filled and _NOT_FOUND.search(doubt)):
            return True
    return False
