"""How well extraction reads notices: precision and recall per field against the gold files.

    python -m bot.notice_eval [SET ...] [--json results/notice-eval.json] [--verbose]

A set is a folder under evaluation/notices/ (dev first, then the others by
name) holding notices (.txt .md .docx .pdf) and a `<stem>.gold.yml` for each;
evaluation/notices/dev/README.md describes the gold schema. Each notice is read
with `services.ingest.loader.read_and_extract`, the gold file is read into the
same typed record (`services.ingest.records.NoticeRecord`), and the two records
are compared field by field.

Counting, per field (a field of a list item counts once per item):

* gold null and extracted null: nothing is counted;
* gold null, extracted a value: a false positive (FP);
* gold a value, extracted null: a false negative (FN);
* both a value: a true positive (TP) when they are equal under the rules
  below, else both an FP and an FN (a wrong value is a miss and an error).

Activities are paired with gold activities one to one, greedily by the best
score: name similarity (equal match keys 1.0; one name inside the other, at
least 4 characters, 0.9; else the Dice coefficient of character bigrams) plus
0.5 when the start dates are equal. A pair needs a name similarity of 0.5, or
0.25 with equal start dates. The `name` field is activity-level: TP for a
pair, FN for a gold activity nothing matched, FP for an extracted activity
matching no gold one (a *spurious* activity: talk topics, phases or field
lines stored as activities; they are listed). The other fields of an unpaired
gold activity are all FN, those of a spurious one FP wherever it has a value.

Phases pair within paired activities by name (match keys equal or one inside
the other) and equal start; `responsible_units` pair by name likewise; each
paired item is a TP, each unpaired gold item an FN, each unpaired extracted
one an FP. Contacts pair by person (for contacts without a person: a shared
phone, mobile or email, else the organisation); then phone, mobile, email,
fax, address, postcode and org are compared per paired contact.

Equality rules. Both sides are first brought to one script
(`services.textnorm.strip_pinyin_artefacts` then `to_simplified`), half-width,
case-folded, and stripped of spaces, punctuation and quotes (the *match key*):

* dates (start, end, signup_deadline, issued_on, phase starts) compare by ISO
  string, which keeps precision: 2026-09 (a month) is not 2026-09-15;
* time_of_day compares as "HH:MM-HH:MM" with zero-padded hours (9:00 = 09:00,
  ：, ～, —, 至 read as : and -); 上午 / 下午 compare as words;
* phone, mobile and fax compare by their digits; a number may lack the area
  code the other has (65432187 = 021-6543 2187) when 8 digits or more remain;
  email case-insensitively; postcode by digits; capacity as an integer;
* title: equal match keys, or one inside the other covering 80% of it;
* issuer (joint issuers joined with 、): the same set of issuers, each pair
  equal or one inside the other (市质量协会 = 上海市质量协会);
* theme and org: match keys equal or one inside the other;
* text fields (place, audience, fee, signup_method, address) *contain the
  same key facts*: the extracted key contains the gold key; or the gold key
  contains the extracted one and that is at least half its length (so a
  fragment such as 上海 does not count); or most of the gold's key facts are
  in the extracted value: at least 2/3 of its facts and 2/3 of its numbers.
  A key fact is a number (a run of digits), a run of 2 or more Chinese
  characters between punctuation, digits or Latin letters, or a Latin word of
  2 or more letters (an email's or a URL's parts). Numbers must appear as
  whole numbers (3 is not found in 300); words as parts of the extracted key,
  or (words of 4+ characters) with 3/4 of their character bigrams in it, so a
  word or two more or less inside a phrase (不收取任何费用 in 不向申报单位收取
  任何费用) still counts.

`--extractor gold` scores the gold against itself (every figure must read
100%) and `--extractor empty` an extractor that finds nothing (recall 0%):
checks of the scorer itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.reports import write_details
from services.dates import TEN_DAYS, DatePoint, DateSpan
from services.ingest.records import ActivityRecord, Contact, NoticeKind, NoticeRecord, Phase
from services.settings import PROJECT_ROOT
from services.textnorm import strip_pinyin_artefacts, to_half_width, to_simplified

SETS_ROOT = PROJECT_ROOT / "evaluation" / "notices"
RESULTS = PROJECT_ROOT / "results" / "notice-eval.json"
NOTICE_SUFFIXES = (".txt", ".md", ".docx", ".pdf")
GOLD_SUFFIX = ".gold.yml"

NOTICE_FIELDS = ("title", "issuer", "issued_on")
ACTIVITY_FIELDS = ("name", "start", "end", "time_of_day", "place", "audience", "capacity", "fee",
                   "signup_deadline", "signup_method", "theme", "phases", "responsible_units")
CONTACT_FIELDS = ("contacts", "contact.phone", "contact.mobile", "contact.email", "contact.fax",
                  "contact.address", "contact.postcode", "contact.org")
ALL_FIELDS = NOTICE_FIELDS + ACTIVITY_FIELDS + CONTACT_FIELDS


# -- sets and gold files -------------------------------------------------------------

# A blind set not yet scored holds this file: `make eval` leaves it out until it is named, so
# that it is scored once, on purpose, after a round of work (then the file is removed).
UNSCORED_MARK = "UNSCORED"


def set_folders(names: Sequence[str] = ()) -> list[Path]:
    """The named sets, or every folder under evaluation/notices/ not marked unscored, `dev` first."""
    if names:
        return [Path(name) if Path(name).is_dir() else SETS_ROOT / name for name in names]
    folders = sorted(p for p in SETS_ROOT.iterdir() if p.is_dir() and not (p / UNSCORED_MARK).exists())
    return sorted(folders, key=lambda p: (p.name != "dev", p.name))


def notice_files(folder: Path) -> list[tuple[Path, Path]]:
    """(notice, gold file) pairs of a set, in name order; a notice without gold is not scored."""
    pairs = []
    for path in sorted(folder.iterdir()):
        gold = path.with_name(path.stem + GOLD_SUFFIX)
        if path.suffix.lower() in NOTICE_SUFFIXES and gold.exists():
            pairs.append((path, gold))
    return pairs


def load_gold(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a gold file is one YAML mapping")
    return data


def _point(value: Any) -> DatePoint | None:
    # YAML reads 2027-03-18 as a date and 2027-03 as a string.
    return None if value in (None, "") else DatePoint.parse(value)


def _span(start: Any, end: Any) -> DateSpan | None:
    first, last = _point(start), _point(end)
    if first is None:
        return DateSpan.single(last) if last else None
    return DateSpan(first, last) if last else DateSpan.single(first)


def gold_record(gold: dict[str, Any]) -> NoticeRecord:
    """The gold file as the record extraction returns, so both go through one comparison."""
    activities = []
    for item in gold.get("activities") or []:
        deadline = _point(item.get("signup_deadline"))
        activities.append(ActivityRecord(
            name=str(item["name"]),
            span=_span(item.get("start"), item.get("end")),
            time_of_day=_text(item.get("time_of_day")),
            place=_text(item.get("place")),
            audience=_text(item.get("audience")),
            capacity=item.get("capacity"),
            fee=_text(item.get("fee")),
            signup_deadline=deadline.first_day if deadline else None,
            signup_method=_text(item.get("signup_method")),
            theme=_text(item.get("theme")),
            phases=[Phase(str(p["name"]), _span(p.get("start"), p.get("end")), "")
                    for p in item.get("phases") or []],
            responsible_units=[str(unit) for unit in item.get("responsible_units") or []],
        ))
    contacts = [Contact(**{key: _text(entry.get(key)) for key in
                           ("org", "person", "phone", "mobile", "email", "fax", "address", "postcode")})
                for entry in gold.get("contacts") or []]
    issued = _point(gold.get("issued_on"))
    return NoticeRecord(title=str(gold.get("title") or ""), issuer=_text(gold.get("issuer")),
                        issued_on=issued.first_day if issued else None,
                        kind=NoticeKind.ANNOUNCEMENT if activities else NoticeKind.RESULTS,
                        activities=activities, contacts=contacts)


def _text(value: Any) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value)


# -- normalisation and the equality rules ------------------------------------------------

@lru_cache(maxsize=20_000)
def match_key(text: str) -> str:
    """One script, half-width, case-folded, letters and digits only (no spaces, punctuation, quotes)."""
    text = to_half_width(to_simplified(strip_pinyin_artefacts(text))).casefold()
    return "".join(ch for ch in text if ch.isalnum())


_FACT = re.compile(r"[0-9]+|[\u4e00-\u9fff]{2,}|[a-z]{2,}")


def key_facts(text: str) -> tuple[list[str], list[str]]:
    """(numbers, words) of a text: digit runs; Chinese runs of 2+ characters and Latin words
    of 2+ letters, each run cut at punctuation, digits and script changes."""
    plain = to_half_width(to_simplified(strip_pinyin_artefacts(text))).casefold()
    facts = _FACT.findall(plain)
    return [f for f in facts if f.isdigit()], [f for f in facts if not f.isdigit()]


def _covers(wanted: list[str], found: Callable[[str], bool]) -> bool:
    return not wanted or sum(map(found, wanted)) * 3 >= len(wanted) * 2


def same_text(gold: str, got: str) -> bool:
    """The text-field rule: the same key facts (see the module docstring)."""
    gold_key, got_key = match_key(gold), match_key(got)
    if not gold_key or not got_key:
        return gold_key == got_key
    if gold_key in got_key or (got_key in gold_key and 2 * len(got_key) >= len(gold_key)):
        return True
    numbers, words = key_facts(gold)
    if not numbers and not words:
        return False
    got_numbers = set(key_facts(got)[0])
    return (_covers(numbers + words, lambda f: f in got_numbers if f.isdigit() else _word_in(f, got_key))
            and _covers(numbers, got_numbers.__contains__))


def _word_in(word: str, key: str) -> bool:
    """A word fact is in a key as it is or, from 4 characters, with 3/4 of its bigrams there:
    不收取任何费用 is in 评选工作不向申报单位收取任何费用, said in other words."""
    if word in key:
        return True
    pairs = [word[i:i + 2] for i in range(len(word) - 1)]
    return len(word) >= 4 and 4 * sum(pair in key for pair in pairs) >= 3 * len(pairs)


def same_name(gold: str, got: str) -> bool:
    """Match keys equal or one inside the other (themes, organisations, units, phases)."""
    gold_key, got_key = match_key(gold), match_key(got)
    return bool(gold_key and got_key) and (gold_key in got_key or got_key in gold_key)


def same_title(gold: str, got: str) -> bool:
    gold_key, got_key = match_key(gold), match_key(got)
    short, long = sorted((gold_key, got_key), key=len)
    return bool(short) and short in long and 5 * len(short) >= 4 * len(long)


def same_issuer(gold: str, got: str) -> bool:
    """The same issuers, in any order: 上海市质量协会、上海市总工会."""
    gold_parts = [p for p in re.split(r"[、，,;；\s]+", gold) if p]
    got_parts = [p for p in re.split(r"[、，,;；\s]+", got) if p]
    return len(gold_parts) == len(got_parts) and len(_pair(gold_parts, got_parts, same_name)[0]) == len(gold_parts)


def digits(text: str) -> str:
    return "".join(ch for ch in to_half_width(text) if ch.isdigit())


def same_number(gold: str, got: str) -> bool:
    """Phone, mobile, fax: the same digits, or the same but for an area code (8+ digits left)."""
    gold_digits, got_digits = digits(gold), digits(got)
    if gold_digits == got_digits:
        return bool(gold_digits)
    short, long = sorted((gold_digits, got_digits), key=len)
    return len(short) >= 8 and long.endswith(short)


def same_email(gold: str, got: str) -> bool:
    return gold.strip().casefold() == got.strip().casefold()


def same_digits(gold: str, got: str) -> bool:
    return bool(digits(gold)) and digits(gold) == digits(got)


_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def time_of_day_key(text: str) -> str:
    """"9:00—16:30" and "09：00-16：30" both as "09:00-16:30"; words (上午) simplified."""
    plain = to_simplified(to_half_width(text)).replace(" ", "")
    times = [f"{int(h):02d}:{m}" for h, m in _TIME.findall(plain)]
    return "-".join(times) if times else plain


def same_time_of_day(gold: str, got: str) -> bool:
    return time_of_day_key(gold) == time_of_day_key(got)


def exact(gold: Any, got: Any) -> bool:
    return bool(gold == got)


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)} or {key}


def name_similarity(gold: str, got: str) -> float:
    """1.0 for equal match keys, 0.9 for one inside the other (4+ characters), else bigram Dice."""
    a, b = match_key(gold), match_key(got)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long = sorted((a, b), key=len)
    if len(short) >= 4 and short in long:
        return 0.9
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y))


# -- pairing ------------------------------------------------------------------------------

def _pair(gold: Sequence[Any], got: Sequence[Any], matches: Callable[[Any, Any], bool]
          ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """One-to-one pairs (first fit, in order); the unpaired gold and extracted indexes."""
    pairs, taken = [], set()
    for i, item in enumerate(gold):
        j = next((j for j, other in enumerate(got) if j not in taken and matches(item, other)), None)
        if j is not None:
            pairs.append((i, j))
            taken.add(j)
    paired = {i for i, _ in pairs}
    return pairs, [i for i in range(len(gold)) if i not in paired], [j for j in range(len(got)) if j not in taken]


def _iso(value: DatePoint | dt.date | None) -> str | None:
    """The date as the gold files write it: 5月中旬 is the month (YYYY-MM)."""
    if value is None:
        return None
    if isinstance(value, DatePoint):
        return value.iso()[:7] if value.precision == TEN_DAYS else value.iso()
    return value.isoformat()


def activity_score(gold: ActivityRecord, got: ActivityRecord) -> float | None:
    """How well an extracted activity fits a gold one; None when it is not a candidate."""
    similarity = name_similarity(gold.name, got.name)
    same_start = gold.start is not None and _iso(gold.start) == _iso(got.start)
    if similarity >= 0.5 or (similarity >= 0.25 and same_start):
        return similarity + (0.5 if same_start else 0.0)
    return None


def pair_activities(gold: Sequence[ActivityRecord], got: Sequence[ActivityRecord]
                    ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Greedy one-to-one pairing by the best score: (pairs, unpaired gold, spurious)."""
    candidates = sorted(((score, i, j) for i, a in enumerate(gold) for j, b in enumerate(got)
                         if (score := activity_score(a, b)) is not None), reverse=True)
    pairs, used_gold, used_got = [], set(), set()
    for _, i, j in candidates:
        if i not in used_gold and j not in used_got:
            pairs.append((i, j))
            used_gold.add(i)
            used_got.add(j)
    return (sorted(pairs), [i for i in range(len(gold)) if i not in used_gold],
            [j for j in range(len(got)) if j not in used_got])


def same_phase(gold: Phase, got: Phase) -> bool:
    gold_start = _iso(gold.span.start) if gold.span else None
    got_start = _iso(got.span.start) if got.span else None
    return same_name(gold.name, got.name) and gold_start == got_start


def same_contact(gold: Contact, got: Contact) -> bool:
    """By person; contacts without one by a shared number or email, else by organisation."""
    if gold.person or got.person:
        return bool(gold.person and got.person) and same_name(gold.person or "", got.person or "")
    gold_ways = {digits(v) for v in (gold.phone, gold.mobile) if v} | {(gold.email or "").casefold()} - {""}
    got_ways = {digits(v) for v in (got.phone, got.mobile) if v} | {(got.email or "").casefold()} - {""}
    if gold_ways & got_ways:
        return True
    return bool(gold.org and got.org) and same_name(gold.org or "", got.org or "")


# -- counting -------------------------------------------------------------------------------

@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass(frozen=True)
class Finding:
    """A value that was not right: missed (FN only), extra (FP only) or wrong (both)."""

    field: str
    where: str  # which activity or contact: "讲座", "contact 王敏"; "" for the notice
    kind: str  # missed | extra | wrong
    gold: str | None
    got: str | None

    def label(self) -> str:
        return f"{self.where}.{self.field}" if self.where else self.field


@dataclass
class NoticeScore:
    notice: str
    counts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    findings: list[Finding] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    error: str | None = None

    def total(self) -> Counts:
        total = Counts()
        for counts in self.counts.values():
            total.add(counts)
        return total

    def value(self, name: str, gold: Any, got: Any, equal: Callable[[Any, Any], bool],
              where: str = "", field_name: str | None = None) -> None:
        """Count one value under the null rules of the module docstring."""
        gold = None if gold in ("", []) else gold
        got = None if got in ("", []) else got
        counts = self.counts[name]
        label = field_name or name.removeprefix("contact.")
        if gold is None and got is None:
            return
        if gold is None:
            counts.fp += 1
            self.findings.append(Finding(label, where, "extra", None, str(got)))
        elif got is None:
            counts.fn += 1
            self.findings.append(Finding(label, where, "missed", str(gold), None))
        elif equal(gold, got):
            counts.tp += 1
        else:
            counts.fp += 1
            counts.fn += 1
            self.findings.append(Finding(label, where, "wrong", str(gold), str(got)))

    def items(self, name: str, gold: Sequence[Any], got: Sequence[Any], matches: Callable[[Any, Any], bool],
              show: Callable[[Any], str], where: str) -> None:
        """Count a list (phases, units): a TP per pair, an FN per unpaired gold, an FP per unpaired extracted."""
        pairs, missed, extra = _pair(gold, got, matches)
        counts = self.counts[name]
        counts.tp += len(pairs)
        counts.fn += len(missed)
        counts.fp += len(extra)
        self.findings += [Finding(name, where, "missed", show(gold[i]), None) for i in missed]
        self.findings += [Finding(name, where, "extra", None, show(got[j])) for j in extra]


def _show_phase(phase: Phase) -> str:
    if phase.span is None:
        return phase.name
    return f"{phase.name} {phase.span.start.iso()}~{phase.span.end.iso()}"


_ACTIVITY_VALUES: tuple[tuple[str, Callable[[ActivityRecord], Any], Callable[[Any, Any], bool]], ...] = (
    ("start", lambda a: _iso(a.start), exact),
    ("end", lambda a: _iso(a.end), exact),
    ("time_of_day", lambda a: a.time_of_day, same_time_of_day),
    ("place", lambda a: a.place, same_text),
    ("audience", lambda a: a.audience, same_text),
    ("capacity", lambda a: a.capacity, exact),
    ("fee", lambda a: a.fee, same_text),
    ("signup_deadline", lambda a: _iso(a.signup_deadline), exact),
    ("signup_method", lambda a: a.signup_method, same_text),
    ("theme", lambda a: a.theme, same_name),
)
_CONTACT_VALUES: tuple[tuple[str, Callable[[Contact], Any], Callable[[Any, Any], bool]], ...] = (
    ("contact.phone", lambda c: c.phone, same_number),
    ("contact.mobile", lambda c: c.mobile, same_number),
    ("contact.email", lambda c: c.email, same_email),
    ("contact.fax", lambda c: c.fax, same_number),
    ("contact.address", lambda c: c.address, same_text),
    ("contact.postcode", lambda c: c.postcode, same_digits),
    ("contact.org", lambda c: c.org, same_name),
)


def _short(name: str, length: int = 14) -> str:
    return name if len(name) <= length else name[:length] + "…"


def compare_activities(score: NoticeScore, gold: ActivityRecord | None, got: ActivityRecord | None) -> None:
    """One paired activity, or one side alone (an unpaired gold, a spurious extracted one)."""
    either = gold or got
    assert either is not None
    where = _short(either.name)
    score.value("name", gold and gold.name, got and got.name, lambda _a, _b: True, where)
    for name, read, equal in _ACTIVITY_VALUES:
        score.value(name, gold and read(gold), got and read(got), equal, where)
    score.items("phases", gold.phases if gold else [], got.phases if got else [], same_phase, _show_phase, where)
    score.items("responsible_units", gold.responsible_units if gold else [],
                got.responsible_units if got else [], same_name, str, where)


def _show_contact(contact: Contact | None) -> str | None:
    return None if contact is None else f"{contact.person or ''} {contact.org or ''}".strip()


def compare_contacts(score: NoticeScore, gold: Contact | None, got: Contact | None) -> None:
    either = gold or got
    assert either is not None
    where = f"contact {either.person or either.org or '?'}"
    score.value("contacts", _show_contact(gold), _show_contact(got), lambda _a, _b: True, where, "contact")
    for name, read, equal in _CONTACT_VALUES:
        score.value(name, gold and read(gold), got and read(got), equal, where)


def score_notice(notice: str, gold: NoticeRecord, got: NoticeRecord) -> NoticeScore:
    score = NoticeScore(notice)
    score.value("title", gold.title, got.title, same_title)
    score.value("issuer", gold.issuer, got.issuer, same_issuer)
    score.value("issued_on", _iso(gold.issued_on), _iso(got.issued_on), exact)
    pairs, missed, spurious = pair_activities(gold.activities, got.activities)
    for i, j in pairs:
        compare_activities(score, gold.activities[i], got.activities[j])
    for i in missed:
        compare_activities(score, gold.activities[i], None)
    for j in spurious:
        compare_activities(score, None, got.activities[j])
        score.spurious.append(got.activities[j].name)
    contact_pairs, lost, extra = _pair(gold.contacts, got.contacts, same_contact)
    for i, j in contact_pairs:
        compare_contacts(score, gold.contacts[i], got.contacts[j])
    for i in lost:
        compare_contacts(score, gold.contacts[i], None)
    for j in extra:
        compare_contacts(score, None, got.contacts[j])
    return score


# -- extractors -----------------------------------------------------------------------------

Extractor = Callable[[Path, Path], NoticeRecord]


def loader_extractor(notice: Path, _gold: Path) -> NoticeRecord:
    from services.ingest.loader import read_and_extract  # imported late: the rules load only when used

    record = read_and_extract(notice)[1]
    if not isinstance(record, NoticeRecord):
        raise TypeError(f"read_and_extract returned {type(record).__name__}, not a NoticeRecord")
    return record


EXTRACTORS: dict[str, Extractor] = {
    "loader": loader_extractor,
    "gold": lambda _notice, gold: gold_record(load_gold(gold)),
    "empty": lambda _notice, _gold: NoticeRecord(title="", issuer=None, issued_on=None,
                                                  kind=NoticeKind.ANNOUNCEMENT),
}


# -- a set ------------------------------------------------------------------------------------

@dataclass
class SetScore:
    name: str
    notices: list[NoticeScore]

    def counts(self) -> dict[str, Counts]:
        totals: dict[str, Counts] = {name: Counts() for name in ALL_FIELDS}
        for notice in self.notices:
            for name, counts in notice.counts.items():
                totals[name].add(counts)
        return totals

    def total(self) -> Counts:
        total = Counts()
        for counts in self.counts().values():
            total.add(counts)
        return total


def score_set(folder: Path, extractor: Extractor) -> SetScore:
    scores = []
    for notice, gold_path in notice_files(folder):
        gold = gold_record(load_gold(gold_path))
        try:
            got = extractor(notice, gold_path)
        except Exception as error:  # noqa: BLE001 - one notice failing is a finding, not the end of the run
            got = EXTRACTORS["empty"](notice, gold_path)
            failed = score_notice(notice.name, gold, got)
            failed.error = f"{type(error).__name__}: {error}"
            scores.append(failed)
            continue
        scores.append(score_notice(notice.name, gold, got))
    return SetScore(folder.name, scores)


# -- the report -------------------------------------------------------------------------------

def _rate(value: float | None) -> str:
    return "    —" if value is None else f"{value:6.1%}"


def _figure(rate: float | None, part: int, whole: int) -> str:
    return f"{_rate(rate)} {part:3d}/{whole:<4d}"


def report_lines(result: SetScore, verbose: bool = False) -> list[str]:
    lines = [f"{result.name}: {len(result.notices)} notices",
             f"  {'field':18} {'precision':>16} {'recall':>16}"]
    for name, counts in [*result.counts().items(), ("all fields", result.total())]:
        lines.append(f"  {name:18} {_figure(counts.precision, counts.tp, counts.tp + counts.fp)}"
                     f" {_figure(counts.recall, counts.tp, counts.tp + counts.fn)}")
    spurious = [(n.notice, name) for n in result.notices for name in n.spurious]
    lines.append(f"  spurious activities: {len(spurious)}")
    lines += [f"    {Path(notice).stem}: {name}" for notice, name in spurious]
    lines.append("  per notice (recall / precision over all fields):")
    for notice in result.notices:
        total = notice.total()
        line = f"    {Path(notice.notice).stem:36} R {_rate(total.recall)} P {_rate(total.precision)}"
        # A notice the extractor failed on is all misses: the error says more than the list would.
        lines.append(line + (f"  ERROR {notice.error}" if notice.error
                             else "".join(f"  {part}" for part in _summary(notice))))
        if verbose:
            lines += [f"        {f.kind:6} {f.label()}: gold {f.gold!r} / got {f.got!r}" for f in notice.findings]
    return lines


def _summary(notice: NoticeScore) -> list[str]:
    """What a notice's extraction got wrong, shortly: activities and contacts not found as one
    item each (not as every field of theirs), the rest as fields grouped by activity or contact."""
    lost = list(dict.fromkeys(f.where for f in notice.findings
                              if f.kind == "missed" and f.field in ("name", "contact")))
    spurious = list(dict.fromkeys(f.where for f in notice.findings
                                  if f.kind == "extra" and f.field in ("name", "contact")))
    parts = []
    if lost:
        parts.append("not found: " + "; ".join(lost))
    extra_contacts = [w for w in spurious if w.startswith("contact ")]
    if extra_contacts:
        parts.append("extra: " + "; ".join(extra_contacts))  # spurious activities are listed above
    for kind in ("missed", "wrong", "extra"):
        groups: dict[str, list[str]] = {}
        for f in notice.findings:
            if f.kind == kind and f.where not in lost + spurious:
                groups.setdefault(f.where, []).append(f.field)
        if groups:
            parts.append(f"{kind}: " + "; ".join(f"{where + ' ' if where else ''}{' '.join(fields)}"
                                                 for where, fields in groups.items()))
    return parts


def as_json(result: SetScore) -> dict[str, Any]:
    def figures(counts: Counts) -> dict[str, Any]:
        return {"tp": counts.tp, "fp": counts.fp, "fn": counts.fn,
                "precision": counts.precision, "recall": counts.recall}

    return {
        "fields": {name: figures(counts) for name, counts in result.counts().items()},
        "all_fields": figures(result.total()),
        "notices": [{"notice": n.notice, "error": n.error, **figures(n.total()), "spurious": n.spurious,
                     "findings": [vars(f) for f in n.findings]} for n in result.notices],
    }


def evaluate(folders: Iterable[Path], extractor: Extractor) -> list[SetScore]:
    return [score_set(folder, extractor) for folder in folders]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", help="set folders under evaluation/notices/ (default: all, dev first)")
    parser.add_argument("--json", type=Path, default=RESULTS)
    parser.add_argument("--verbose", action="store_true", help="print gold and extracted values of every finding")
    parser.add_argument("--extractor", choices=sorted(EXTRACTORS), default="loader",
                        help="gold / empty: checks of the scorer itself")
    args = parser.parse_args(argv)
    folders = set_folders(args.sets)
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        parser.error(f"no such set: {', '.join(missing)}")
    results = evaluate(folders, EXTRACTORS[args.extractor])
    print(f"Notice extraction against the gold files (extractor: {args.extractor}):")
    for result in results:
        print("\n".join(report_lines(result, args.verbose)))
    write_details(args.json, {r.name: as_json(r) for r in results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
