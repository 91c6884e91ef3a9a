"""A year's plan set as a table: each row an activity with its month and the units in charge.

    序号  活动名称                      时间          负责单位
    1     “3·15”消费品质量安全宣传周   3月15日—21日  区市场监管局、区消保委

A row names an activity, when (often the month only) and who runs it; its notice comes later
(具体方案另行通知), so nothing else is read from it. The plan's year (its title's 2027年, or the
table's note 上表所列时间均为2027年) settles the rows' yearless dates, not the date of issue.
"""

from __future__ import annotations

import re

from services.ingest.activities import aliases_of
from services.ingest.dates import DateReader
from services.ingest.records import ActivityRecord
from services.ingest.structure import Layout
from services.ingest.tables import Table, read_tables

# The column that names the activity: 活动名称, 项目名称, 活动; not 议程 or 环节, whose rows are talks
_NAME_COLUMN = re.compile(r"^(?:活动|项目|赛事|会议)?名称$|^活动(?:项目|内容)?$|^重点活动$|^项目$")
_WHEN_COLUMN = re.compile(r"时间|日期|月份")
_UNITS_COLUMN = re.compile(r"负责|牵头|承办|主办|责任|实施")
_PLACE_COLUMN = re.compile(r"地点")
_CLOCK = re.compile(r"\d{1,2}[:：]\d{2}")
_YEAR = re.compile(r"(20\d{2})\s*年")
_UNIT_SPLIT = re.compile(r"[、，,；;\s]+")


def planned_activities(layout: Layout) -> list[ActivityRecord]:
    """The activities of the plan tables in the notice's body; none when it has no such table."""
    lines = [line.raw or line.text for line in layout.body]
    for table in read_tables(lines):
        name_at, when_at = table.column(_NAME_COLUMN), table.column(_WHEN_COLUMN)
        if name_at is None or when_at is None or any(_CLOCK.search(row[when_at]) for row in table.rows):
            continue  # an agenda (09:00  开幕致辞) names talks, not activities
        year = _plan_year(layout, lines, table)
        dates = DateReader(None, fallback_year=year)
        activities = [_row_activity(table, row, name_at, when_at, dates) for row in table.rows]
        if sum(1 for a in activities if a.span is not None) >= 2:
            return activities
    return []


def _plan_year(layout: Layout, lines: list[str], table: Table) -> int | None:
    """The year the plan is for: a note by the table, else the title's, else the one after the
    issue's (a plan issued in December is for the coming year)."""
    near = "\n".join(lines[max(0, table.first_line - 2):table.last_line + 3])
    for text in (near, layout.title):
        years = {int(y) for y in _YEAR.findall(text)}
        if len(years) == 1:
            return years.pop()
    if layout.issued_on is not None:
        return layout.issued_on.year + (1 if layout.issued_on.month >= 10 else 0)
    return None


def _row_activity(table: Table, row: tuple[str, ...], name_at: int, when_at: int,
                  dates: DateReader) -> ActivityRecord:
    sentence = "  ".join(row)
    activity = ActivityRecord(name=row[name_at], aliases=aliases_of(row[name_at]))
    found = dates.first(row[when_at])
    if found is not None:
        activity.span = found.span
        activity.cite("start", sentence)
    units_at = table.column(_UNITS_COLUMN)
    if units_at is not None:
        activity.responsible_units = [unit for unit in _UNIT_SPLIT.split(row[units_at]) if unit]
        activity.cite("responsible_units", sentence)
    place_at = table.column(_PLACE_COLUMN)
    if place_at is not None and row[place_at] not in ("／", "/", "-", "—"):
        activity.place = row[place_at]
        activity.cite("place", sentence)
    return activity
