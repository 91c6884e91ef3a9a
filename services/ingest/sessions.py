"""A course held in several sessions, each signed up for apart: one activity a session.

    期次    日期          地点                    名额   报名截止
    第一期  2月23日—25日  市质协培训中心（…）     40人   2月12日
    第二期  4月13日—15日  松江开元名庭酒店（…）   35人   3月31日

The reader first takes such sessions (第一期, 第二场, 第三班) as the stages of one activity.
Where each session has a deadline or a number of places of its own — in a table's columns,
under its own heading (（一）第一期 / 1. 培训时间：…), or on a line of its own (第一期报名截止：
12月9日) — members choose one and sign up for it: each is an activity, with what the notice says
of all of them (audience, fee, how to sign up) and its own dates, place, places and deadline.
Sessions sharing one deadline and no capacity of their own (宣贯会 held in three districts on
three days) stay the stages of one activity.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence

from services.dates import chinese_number
from services.ingest.records import ActivityRecord, Phase
from services.ingest.structure import Layout, Line, read_line
from services.ingest.tables import Table, read_tables

SESSION = re.compile(r"^第(?P<n>[一二三四五六七八九十\d]{1,3})(?P<unit>[期场班批])$")
# A table's column naming the session (期次, 场次, 班次, 批次, 期别)
_SESSION_COLUMN = re.compile(r"^(?:期次|场次|班次|批次|期别|班级|期数)$")
# A session's line of its own: 第一期报名截止：12月9日, 第二期：地点…
_SESSION_LINE = re.compile(r"^第(?P<n>[一二三四五六七八九十\d]{1,3})(?P<unit>[期场班批])\s*"
                           r"(?![、，,和及与至—-])(?P<rest>[^：:]{0,8}[：:].+)$")
# 第一期、第二期（面授）：… — the sessions a clause of the fee names
_NAMED_SESSIONS = re.compile(r"第([一二三四五六七八九十\d]{1,3})[期场班批]")
_CLAUSE = re.compile(r"(?<=[；;\n])")
_OWN_SIGNUP = ("signup_deadline", "capacity")
_OWN_FIELDS = ("place", "time_of_day", "capacity", "signup_deadline", "fee", "signup_method", "audience")

ReadActivity = Callable[[str, list[Line]], ActivityRecord]


def _session_number(name: str) -> int | None:
    match = SESSION.match(name)
    return chinese_number(match.group("n")) if match else None


def split_sessions(activity: ActivityRecord, layout: Layout, read: ReadActivity) -> list[ActivityRecord]:
    """The activity's sessions as activities of their own when each is signed up for apart; else
    the activity as it is. `read` reads an activity's fields from a few lines."""
    staged = [p for p in activity.phases if p.span is not None and _session_number(p.name) is not None]
    if staged and len(staged) == len(activity.phases):
        names = [p.name for p in staged]
    else:  # 第一期 on a line of its own, its 时间：… 地点：… lines under it
        names = [line.text for line in layout.body if SESSION.match(line.text) and not line.level]
    if len(names) < 2 or len(set(names)) != len(names):
        return [activity]
    lines_of = _session_lines(layout, names)
    own = [read(name, lines_of.get(name, [])) for name in names]
    spans = {p.name: p for p in staged}
    sessions = [spans.get(name) or (Phase(name, o.span, o.source_of("start") or "") if o.span else None)
                for name, o in zip(names, own, strict=True)]
    signed_up_apart = sum(1 for o in own if any(getattr(o, name) is not None for name in _OWN_SIGNUP))
    deadlines = {o.signup_deadline for o in own if o.signup_deadline is not None}
    if any(s is None for s in sessions) or (signed_up_apart < len(names) and len(deadlines) < 2):
        return [activity]
    return [_session_activity(activity, phase, found) for phase, found in zip(sessions, own, strict=True)
            if phase is not None]


def _session_activity(course: ActivityRecord, phase: Phase, own: ActivityRecord) -> ActivityRecord:
    session = copy.deepcopy(course)
    number = _session_number(phase.name)
    session.name = course.name if phase.name in course.name else f"{course.name}（{phase.name}）"
    session.aliases = [f"{alias}{phase.name}" for alias in course.aliases] + course.aliases
    session.span, session.phases = phase.span, []
    session.evidence = [e for e in course.evidence if e.field not in ("start", *_OWN_FIELDS)]
    session.cite("start", f"{phase.name}：{phase.text}")
    for name in _OWN_FIELDS:
        value = getattr(own, name)
        if value is not None and value != "":
            setattr(session, name, value)
            session.cite(name, own.source_of(name) or str(value))
    if own.fee is None and course.fee and number is not None:
        session.fee = _fee_of(course.fee, number)
    for name in _OWN_FIELDS:
        if getattr(session, name) is not None:
            session.cite(name, course.source_of(name) or "")
    return session


def _fee_of(fee: str, number: int) -> str:
    """The clauses of a fee said for several sessions that apply to this one: those naming it, and
    those naming no session (第一期、第二期（面授）：1800元/人；第三期（线上）：1500元/人；团报九折)."""
    clauses = [c for c in _CLAUSE.split(fee) if c.strip()]
    kept = [c for c in clauses
            if not _NAMED_SESSIONS.search(c) or number in {chinese_number(n) for n in _NAMED_SESSIONS.findall(c)}]
    return "".join(kept).rstrip("；;\n") if kept and len(kept) < len(clauses) else fee


def _session_lines(layout: Layout, names: Sequence[str]) -> dict[str, list[Line]]:
    """Each session's own lines: its table row written as labelled lines, the lines under its
    heading, and the lines that begin with its name (第一期报名截止：…, without the name)."""
    found: dict[str, list[Line]] = {name: [] for name in names}
    numbers = {_session_number(name): name for name in names}
    body = layout.body
    for table in read_tables([line.raw or line.text for line in body]):
        _table_rows(table, [body[table.first_line + 1 + i].index for i in range(len(table.rows))], numbers, found)
    for level in layout.levels():
        for section in layout.sections_at(level):
            heading = re.split(r"[：:。；\s]", section.heading.text)[0]
            if heading in found:
                found[heading] += section.lines[1:]
    under: str | None = None  # the session whose bare heading (第一期) the labelled lines are under
    for line in layout.body:
        if SESSION.match(line.text) and line.text in found:
            under = line.text
            continue
        if under is not None and line.label is not None and not line.level:
            found[under].append(line)
            continue
        under = None
        match = _SESSION_LINE.match(line.text)
        name = numbers.get(chinese_number(match.group("n"))) if match else None
        if match and name is not None:
            rest = match.group("rest").lstrip("的")
            # 第一期：2026年12月14日—16日 is the session's time
            text = rest if not re.match(r"^[：:]", rest) else f"时间{rest}"
            found[name].append(read_line(line.index, text))
    return found


def _table_rows(table: Table, indexes: list[int], numbers: dict[int | None, str],
                found: dict[str, list[Line]]) -> None:
    at = table.column(_SESSION_COLUMN)
    if at is None:
        return
    for index, row in enumerate(table.rows):
        match = SESSION.match(row[at])
        name = numbers.get(chinese_number(match.group("n"))) if match else None
        if name is None:
            continue
        labelled = [f"{_label(label)}：{cell}" for label, cell in zip(table.header, row, strict=True)
                    if label != table.header[at]]
        found[name] += [read_line(indexes[index], text) for text in labelled]


def _label(header: str) -> str:
    """A column's label as a field's: 日期 → 时间, 名额 stays, 报名截止 → 报名截止时间."""
    if re.fullmatch(r"日期|时间|培训时间|举办时间|上课时间", header):
        return "时间"
    if re.fullmatch(r"报名截止|截止|截止日期|报名截止日", header):
        return "报名截止时间"
    return header
