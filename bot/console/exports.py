"""Sign-up lists as CSV (UTF-8 with a BOM, so Excel reads the Chinese) and .xlsx.

What members typed is written as text, never as a formula: a cell starting with
= + - @ would otherwise run in the spreadsheet of whoever opens the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from bot.console.formatting import shanghai_text
from services.signup_lists import SignupLine

HEADER = ("报名编号", "姓名", "手机", "单位", "状态", "报名时间", "取消时间", "渠道")
STATUS = {"active": "有效", "cancelled": "已取消"}
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def _cells(line: SignupLine) -> list[str]:
    return [line.reference, line.name, line.mobile, line.company, STATUS.get(line.status, line.status),
            shanghai_text(line.created_at), shanghai_text(line.cancelled_at), line.channel]


def _inert(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_LEADS) else value


def signups_csv(lines: Sequence[SignupLine]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for line in lines:
        writer.writerow([_inert(cell) for cell in _cells(line)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def signups_xlsx(title: str, lines: Sequence[SignupLine]) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # the one a new workbook has
    sheet.title = "报名名单"
    sheet.append(list(HEADER))
    for row_number, line in enumerate(lines, start=2):
        for column, value in enumerate(_cells(line), start=1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            cell.data_type = "s"  # text, even when it starts with "=" (openpyxl would make it a formula)
    for letter, width in zip("ABCDEFGH", (16, 10, 14, 30, 8, 18, 18, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
