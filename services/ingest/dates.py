"""Dates and times as notices write them, read into spans that keep their precision.

Forms read: 2027年3月18日, 3月18日 (the year from the text before it, else the notice's:
a December notice's 2月22日 is next February), 2027.4.7, 2027-05-10, month-only
(2027年6月, 9月中旬, 9月全月), and ranges joined by 至 到 — - ~ whose second end may drop
the year and month (2027年3月9日—10日, 2027.4.7—4.9, 12月—2月). Times of day:
13:30-16:30, 19:00~20:30, 上午 / 下午.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from services.dates import DAY, MONTH, TEN_DAY_STARTS, TEN_DAYS, DatePoint, DateSpan

_SEP = r"\s*(?:—{1,2}|-|~|至|到)\s*"
_WEEKDAY = r"(?:\s*[（(](?:周|星期)[^）)]{1,8}[）)])?"
_NUMERIC = r"(?P<{p}y>\d{{4}})[-./](?P<{p}m>\d{{1,2}})[-./](?P<{p}d>\d{{1,2}})(?!\d)"
_WRITTEN = (r"(?:(?P<{p}y>\d{{4}})\s*年\s*)?(?P<{p}m>\d{{1,2}})\s*月份?(?P<{p}x>上旬|中旬|下旬|中下旬|初|底|末)?"
            r"(?:\s*(?P<{p}d>\d{{1,2}})(?!\d)\s*[日号]?)?")
_END_ONLY = r"(?P<{p}m>\d{{1,2}})\.(?P<{p}d>\d{{1,2}})(?!\d)|(?P<{p}dd>\d{{1,2}})\s*[日号]"
_START = rf"(?<![\d.])(?:{_NUMERIC.format(p='a')}|{_WRITTEN.format(p='b')}){_WEEKDAY}"
_ONE_DATE = re.compile(_START)
# 4月17日（周六）9:00 ~ 4月18日（周日）17:00: the start's clock inside a range of days
_CLOCK = r"(?:\s*(?:上午|下午|晚上)?\s*\d{1,2}[:：]\d{2})?"
_DATE = re.compile(
    rf"{_START}(?:{_CLOCK}{_SEP}(?:{_NUMERIC.format(p='c')}|{_WRITTEN.format(p='e')}|{_END_ONLY.format(p='f')}))?"
)
_TIME_RANGE = re.compile(r"(?<!\d)(\d{1,2})[:：](\d{2})\s*(?:—{1,2}|-|~|至|到)\s*(\d{1,2})[:：](\d{2})")
_TIME = re.compile(r"(?<!\d)(\d{1,2})[:：](\d{2})(?!\d)")
# 13:00开始签到, 6月23日14:00起报到: when to arrive, not when it runs.
_ARRIVAL = re.compile(r"^\s*(?:开始|起)?\s*(?:签到|报到|入场|集合)")
_HALF_DAY = re.compile(r"上午|下午|晚上")
# How far before the notice's date a yearless date may lie and still be in the notice's year.
_LOOK_BACK = dt.timedelta(days=60)


@dataclass(frozen=True)
class FoundDate:
    span: DateSpan
    text: str
    start: int
    end: int


# 上旬, 月初: the month's first ten days; 中下旬 is only the month.
_TEN_DAYS_FIRST = {**TEN_DAY_STARTS, "初": 1, "底": 21, "末": 21}


def _point(year: int, month: int, day: int | None, part: str | None = None) -> DatePoint | None:
    if not 1 <= month <= 12:
        return None
    if day is None and part in _TEN_DAYS_FIRST:
        return DatePoint(dt.date(year, month, _TEN_DAYS_FIRST[part]), TEN_DAYS)
    if day is None:
        return DatePoint(dt.date(year, month, 1), MONTH)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return DatePoint(dt.date(year, month, day), DAY)


def _int(value: str | None) -> int | None:
    return int(value) if value else None


# The date of issue alone on its line, under the signature (2026年11月30日, 二〇二六年十一月三十日).
ISSUE_DATE_LINE = re.compile(r"^\s*(?:(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|"
                             r"([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日)\s*$")
_FULL_DATE = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")


def first_full_date(text: str) -> dt.date | None:
    """The first date the text writes with its year (2027年1月9日)."""
    for match in _FULL_DATE.finditer(text):
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            continue
    return None


class DateReader:
    """Reads dates against the notice they come from (its date settles yearless ones)."""

    def __init__(self, issued_on: dt.date | None, fallback_year: int | None = None,
                 anchor: dt.date | None = None) -> None:
        self._issued_on = issued_on
        self._fallback_year = issued_on.year if issued_on else fallback_year
        # without a date of issue, a date the notice writes in full (the event's): a yearless date
        # is the one nearest to it (1月6日 before 2027年1月9日 is 2027's, 12月20日 is 2026's)
        self._anchor = anchor if issued_on is None else None

    @property
    def issued_on(self) -> dt.date | None:
        return self._issued_on

    def _year_for(self, month: int, day: int | None, stated: int | None) -> int | None:
        if stated is not None:
            return stated
        if self._issued_on is None and self._anchor is not None:
            anchor = self._anchor
            points = [p for p in (_point(y, month, day or 1) for y in range(anchor.year - 1, anchor.year + 2)) if p]
            nearest = min(points, key=lambda p: abs((p.first_day - anchor).days), default=None)
            return nearest.first_day.year if nearest else anchor.year
        if self._issued_on is None:
            return self._fallback_year
        year = self._issued_on.year
        candidate = _point(year, month, day or 1)
        if candidate is not None and candidate.last_day < self._issued_on - _LOOK_BACK:
            return year + 1
        return year

    def find(self, text: str) -> list[FoundDate]:
        """Every date or range in the text, in order."""
        found: list[FoundDate] = []
        last_year: int | None = None
        for match in _DATE.finditer(text):
            g = match.groupdict()
            y1, m1, d1 = (_int(g["ay"]), _int(g["am"]), _int(g["ad"])) if g["am"] else (
                _int(g["by"]), _int(g["bm"]), _int(g["bd"]))
            assert m1 is not None
            year = self._year_for(m1, d1, y1 if y1 is not None else last_year)
            if year is None:
                continue
            start = _point(year, m1, d1, None if g["am"] else g["bx"])
            if start is None:
                continue
            end = self._range_end(g, start)
            finish = match.end()
            if end is None or end.last_day < start.first_day:
                end = start  # 3月5日-8:30 is a day and a time, not a range
                single = _ONE_DATE.match(text, match.start())
                finish = single.end() if single else finish
            last_year = end.first_day.year
            found.append(FoundDate(DateSpan(start, end), text[match.start():finish].strip(),
                                   match.start(), finish))
        return found

    def _range_end(self, g: dict[str, str | None], start: DatePoint) -> DatePoint | None:
        year = start.first_day.year
        if g["cm"]:
            return _point(int(g["cy"] or year), int(g["cm"]), _int(g["cd"]))
        if g["em"]:
            month = int(g["em"])
            stated = _int(g["ey"])
            if stated is None and month < start.first_day.month:
                stated = year + 1  # 12月—2月
            return _point(stated or year, month, _int(g["ed"]), g["ex"])
        if g["fm"]:
            return _point(year, int(g["fm"]), _int(g["fd"]))
        if g["fdd"] and start.precision == DAY:
            return _point(year, start.first_day.month, int(g["fdd"]))
        return None

    def first(self, text: str) -> FoundDate | None:
        found = self.find(text)
        return found[0] if found else None


def time_of_day(text: str) -> str | None:
    """13:30-16:30 as "13:30-16:30"; a start alone as "09:00"; else 上午 / 下午 when said."""
    for match in _TIME_RANGE.finditer(text):
        if _ARRIVAL.match(text[match.end():]):
            continue
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"
    for match in _TIME.finditer(text):
        if _ARRIVAL.match(text[match.end():]):
            continue
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    half = _HALF_DAY.search(text)
    return half.group(0) if half else None


def time_ranges(text: str) -> list[tuple[str, str]]:
    """Every HH:MM-HH:MM of a text (a schedule's rows), as ("09:00", "12:00") pairs."""
    return [(f"{int(a):02d}:{b}", f"{int(c):02d}:{d}") for a, b, c, d in _TIME_RANGE.findall(text)]
