"""Text tables: a header row and the rows under it, columns set apart by runs of spaces.

Notices set their schedules and year plans as text tables (序号  活动名称  时间  负责单位), and
the readers turn Word and Markdown tables into the same form (`cleaning.COLUMN_GAP`). A table is
a header of short labels followed by at least two rows of as many cells.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_CELL_GAP = re.compile(r"\s{2,}|\t")
_LABEL = re.compile(r"^[\u4e00-\u9fff（）()/、]{1,8}$")
_MIN_ROWS = 2


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    first_line: int  # the header's index among the lines read
    last_line: int

    def column(self, pattern: re.Pattern[str]) -> int | None:
        """The first column whose label the pattern matches."""
        return next((i for i, label in enumerate(self.header) if pattern.search(label)), None)


def cells(line: str) -> tuple[str, ...]:
    return tuple(cell.strip() for cell in _CELL_GAP.split(line.strip()) if cell.strip())


def _row(line: str, width: int) -> tuple[str, ...] | None:
    """A row of as many cells as the header has labels; a row set one space apart
    (第一期　2月23日—25日　市质协培训中心　　40人) when that gives as many."""
    found = cells(line)
    if len(found) != width:
        found = tuple(line.split())
    return found if len(found) == width else None


def read_tables(lines: Sequence[str]) -> list[Table]:
    """Every table among the lines: a header of labels (序号, 活动名称, 时间) and the rows after it
    with as many cells."""
    tables: list[Table] = []
    index = 0
    while index < len(lines):
        # labels a single (full-width) space apart are columns too: 序号　活动名称　　计划时间
        header = tuple(label for cell in cells(lines[index]) for label in cell.split())
        if len(header) < 3 or not all(_LABEL.match(label) for label in header):
            index += 1
            continue
        rows: list[tuple[str, ...]] = []
        end = index + 1
        while end < len(lines) and (row := _row(lines[end], len(header))) is not None:
            rows.append(row)
            end += 1
        if len(rows) >= _MIN_ROWS:
            tables.append(Table(header, tuple(rows), index, end - 1))
            index = end
        else:
            index += 1
    return tables
