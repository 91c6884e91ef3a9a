"""Sign-up lists as CSV (UTF-8 with a BOM, so Excel reads the Chinese) and .xlsx.

Each file is named by its activity, the activity's date and the time of the export
(`2026年质量大讲堂（冬季）_2026-12-10_报名名单_导出20261207-1800.xlsx`), and its first row
says what it is (the activity, when and where, how many, when exported), so a list
forwarded to a colleague or printed still says which event it is.

What members typed is written as text, never as a formula: a cell starting with
= + - @ would otherwise run in the spreadsheet of whoever opens the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.console.formatting import channel_name, shanghai_text, signup_status
from services.signup_lists import ActivityCount, SignupLine

HEADER = ("报名编号", "姓名", "手机", "单位", "状态", "报名时间", "取消时间", "渠道")
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
# Characters no file system or browser keeps in a file name, and runs of spaces.
_NOT_IN_NAMES = re.compile(r'[\x00-\x1f\x7f\\/:*?"<>|]+|\s+')
MAX_NAME_CHARS = 60


def _cells(line: SignupLine) -> list[str]:
    return [line.reference, line.name, line.mobile, line.company, signup_status(line.status),
            shanghai_text(line.created_at), shanghai_text(line.cancelled_at), channel_name(line.channel)]


def _inert(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_LEADS) else value


def title_row(activity: ActivityCount, lines: Sequence[SignupLine], exported_at: dt.datetime) -> str:
    """The file's first row: 2026年质量大讲堂（冬季） 报名名单　活动时间：2026年12月10日 13:30-16:30
    地点：…　有效报名 2 人（名额 2）　导出时间：2026-12-07 18:00"""
    active = sum(line.status == "active" for line in lines)
    seats = f"（名额 {activity.capacity}）" if activity.capacity is not None else "（名额不限）"
    parts = [f"{activity.name} 报名名单", f"活动时间：{activity.when or '未定'}",
             f"地点：{activity.location or '未定'}", f"有效报名 {active} 人{seats}"]
    if len(lines) > active:
        parts.append(f"含已取消 {len(lines) - active} 条")
    parts.append(f"导出时间：{shanghai_text(exported_at, '%Y-%m-%d %H:%M')}")
    return "　".join(parts)


def export_filename(activity: ActivityCount, fmt: str, exported_at: dt.datetime) -> str:
    """The activity's name, its first day (else its year) and when the list was exported."""
    name = _NOT_IN_NAMES.sub("_", activity.name).strip("._")[:MAX_NAME_CHARS] or f"活动{activity.id}"
    day = activity.held.start.iso() if activity.held else (str(activity.year) if activity.year else "")
    stamp = shanghai_text(exported_at, "%Y%m%d-%H%M")
    return "_".join(part for part in (name, day, "报名名单", f"导出{stamp}") if part) + f".{fmt}"


def content_disposition(filename: str, fallback: str) -> str:
    """RFC 6266: the Chinese name as `filename*` (every current browser), an ASCII one beside it."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def signups_csv(title: str, lines: Sequence[SignupLine]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_inert(title)])
    writer.writerow(HEADER)
    for line in lines:
        writer.writerow([_inert(cell) for cell in _cells(line)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def signups_xlsx(title: str, lines: Sequence[SignupLine], document_title: str = "") -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # the one a new workbook has
    sheet.title = "报名名单"
    sheet.append([title])
    sheet["A1"].data_type = "s"
    sheet["A1"].font = Font(bold=True)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(list(HEADER))
    for row_number, line in enumerate(lines, start=3):
        for column, value in enumerate(_cells(line), start=1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            cell.data_type = "s"  # text, even when it starts with "=" (openpyxl would make it a formula)
    for letter, width in zip("ABCDEFGH", (16, 10, 14, 30, 8, 18, 18, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    workbook.properties.title = document_title or title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
