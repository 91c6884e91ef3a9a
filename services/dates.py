"""Dates as notices state them: a day, a month or a year, alone or as a range.

Answers must never claim more precision than the notice gave, so each end of
a span keeps its precision and is written back in the same form.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

DAY, MONTH, YEAR = "day", "month", "year"
# A third of a month, as notices write it (5月中旬): the first day is the 1st, 11th or 21st.
TEN_DAYS = "xun"
TEN_DAY_NAMES = {1: "上旬", 11: "中旬", 21: "下旬"}
TEN_DAY_STARTS = {name: day for day, name in TEN_DAY_NAMES.items()}


class Timing(str, Enum):
    PAST = "past"
    ONGOING = "ongoing"
    UPCOMING = "upcoming"


def ten_days_of(day: int) -> str:
    """上旬, 中旬 or 下旬: the third of the month a day falls in."""
    return TEN_DAY_NAMES[1 if day <= 10 else 11 if day <= 20 else 21]


@dataclass(frozen=True)
class DatePoint:
    """A date known to a day, a third of a month (上旬, 中旬, 下旬), a month or a year."""

    first_day: dt.date
    precision: str

    @classmethod
    def parse(cls, value: str | int | dt.date) -> DatePoint:
        """Parse `YYYY`, `YYYY-MM`, `YYYY-MM中旬` or `YYYY-MM-DD` (as the knowledge files write them)."""
        if isinstance(value, dt.date):
            return cls(value, DAY)
        text = str(value).strip()
        if re.fullmatch(r"\d{4}", text):
            return cls(dt.date(int(text), 1, 1), YEAR)
        ten_days = re.fullmatch(r"(\d{4})-(\d{1,2})(上旬|中旬|下旬)", text)
        if ten_days:
            year, month, part = ten_days.groups()
            return cls(dt.date(int(year), int(month), TEN_DAY_STARTS[part]), TEN_DAYS)
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            year, month = map(int, text.split("-"))
            return cls(dt.date(year, month, 1), MONTH)
        return cls(dt.date.fromisoformat(text), DAY)

    @property
    def last_day(self) -> dt.date:
        if self.precision == YEAR:
            return dt.date(self.first_day.year, 12, 31)
        if self.precision == MONTH or (self.precision == TEN_DAYS and self.first_day.day > 20):
            year, month = self.first_day.year, self.first_day.month
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        if self.precision == TEN_DAYS:
            return self.first_day + dt.timedelta(days=9)
        return self.first_day

    def iso(self) -> str:
        if self.precision == YEAR:
            return f"{self.first_day.year:04d}"
        if self.precision == MONTH:
            return f"{self.first_day.year:04d}-{self.first_day.month:02d}"
        if self.precision == TEN_DAYS:
            return f"{self.first_day.year:04d}-{self.first_day.month:02d}{TEN_DAY_NAMES[self.first_day.day]}"
        return self.first_day.isoformat()


@dataclass(frozen=True)
class DateSpan:
    start: DatePoint
    end: DatePoint

    @classmethod
    def single(cls, point: DatePoint) -> DateSpan:
        return cls(point, point)

    @property
    def days(self) -> int | None:
        """How many days it lasts, when both ends are known to the day."""
        if self.start.precision != DAY or self.end.precision != DAY:
            return None
        return (self.end.first_day - self.start.first_day).days + 1

    def timing(self, today: dt.date) -> Timing:
        if self.end.last_day < today:
            return Timing.PAST
        if self.start.first_day > today:
            return Timing.UPCOMING
        return Timing.ONGOING

    def describe(self) -> str:
        """Write the span in full Chinese: 2019年12月5日至6日, 2018年8月至9月."""
        start, end = self.start, self.end
        first = format_point(start)
        if start == end:
            return first
        same_year = start.first_day.year == end.first_day.year
        if same_year and start.precision == end.precision == DAY:
            if start.first_day.month == end.first_day.month:
                return f"{first}至{end.first_day.day}日"
            return f"{first}至{end.first_day.month}月{end.first_day.day}日"
        if same_year and start.precision in (MONTH, TEN_DAYS) and end.precision in (MONTH, TEN_DAYS):
            return f"{first}至{format_point(end)[5:]}"  # 2027年5月中旬至6月下旬
        return f"{first}至{format_point(end)}"


def format_point(point: DatePoint) -> str:
    day = point.first_day
    if point.precision == YEAR:
        return f"{day.year}年"
    if point.precision == MONTH:
        return f"{day.year}年{day.month}月"
    if point.precision == TEN_DAYS:
        return f"{day.year}年{day.month}月{TEN_DAY_NAMES[day.day]}"
    return f"{day.year}年{day.month}月{day.day}日"


def format_date(day: dt.date) -> str:
    return format_point(DatePoint(day, DAY))


_CHINESE_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                   "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int | None:
    """Read 十二, 二十, 九 (months) and 二〇二一 (years, digit by digit)."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        tens_value = _CHINESE_DIGITS.get(tens) if tens else 1
        units_value = _CHINESE_DIGITS.get(units) if units else 0
        if tens_value is None or units_value is None:
            return None
        return tens_value * 10 + units_value
    digits = [_CHINESE_DIGITS.get(ch) for ch in text]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


_RELATIVE_YEARS = {"今年": 0, "本年": 0, "本年度": 0, "去年": -1, "前年": -2, "明年": 1, "后年": 2}
_RELATIVE_MONTHS = {"这个月": 0, "本月": 0, "这月": 0, "上个月": -1, "上月": -1, "下个月": 1, "下月": 1}


def relative_year_in(words: str, today: dt.date) -> int | None:
    """The year a question means by 今年, 去年, 明年 … among its words; None when it says none."""
    said = next((word for word in sorted(_RELATIVE_YEARS, key=len, reverse=True) if word in words), None)
    return today.year + _RELATIVE_YEARS[said] if said else None


def parse_year(text: str | None, today: dt.date) -> int | None:
    """Turn what a member typed (2019年, 19年, 今年, 二〇二一年) into a year."""
    if not text:
        return None
    text = text.strip().removesuffix("的")
    if text in _RELATIVE_YEARS:
        return today.year + _RELATIVE_YEARS[text]
    text = text.removesuffix("年度").removesuffix("年")
    number = chinese_number(text)
    if number is None:
        return None
    if number < 100:
        number += 2000
    return number if 1982 <= number <= today.year + 10 else None


def parse_month(text: str | None, today: dt.date) -> tuple[int, int] | None:
    """Turn 9月, 九月份, 下个月 into (year, month); a bare month means this year."""
    if not text:
        return None
    text = text.strip()
    for word, offset in _RELATIVE_MONTHS.items():
        if text.startswith(word):
            index = today.year * 12 + today.month - 1 + offset
            return index // 12, index % 12 + 1
    match = re.fullmatch(r"(?:(\d{2,4}|[〇零一二三四五六七八九]{2,4})年)?([0-9一二三四五六七八九十]{1,3})月份?", text)
    if not match:
        return None
    month = chinese_number(match.group(2))
    if month is None or not 1 <= month <= 12:
        return None
    year = parse_year(match.group(1), today) if match.group(1) else today.year
    return (year or today.year), month
