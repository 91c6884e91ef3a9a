import datetime as dt

from services.dates import DatePoint, DateSpan, Timing, parse_month, parse_year, relative_year_in

TODAY = dt.date(2026, 11, 21)


def span(start: str, end: str) -> DateSpan:
    return DateSpan(DatePoint.parse(start), DatePoint.parse(end))


def test_spans_are_written_with_the_precision_the_notice_gave():
    assert span("2019-12-05", "2019-12-06").describe() == "2019年12月5日至6日"
    assert span("2018-08", "2018-09").describe() == "2018年8月至9月"
    assert span("2018-12", "2019-02").describe() == "2018年12月至2019年2月"
    assert span("2021-09", "2021-09").describe() == "2021年9月"
    assert span("2019", "2019").describe() == "2019年"


def test_timing_against_today():
    assert span("2019-12-05", "2019-12-06").timing(TODAY) is Timing.PAST
    assert span("2026-11", "2026-12").timing(TODAY) is Timing.ONGOING
    assert span("2027-01", "2027-01").timing(TODAY) is Timing.UPCOMING
    # A month-precise end lasts to the month's last day.
    assert span("2026-11", "2026-11").timing(dt.date(2026, 11, 30)) is Timing.ONGOING


def test_years_as_members_write_them():
    assert parse_year("2019年", TODAY) == 2019
    assert parse_year("19年", TODAY) == 2019
    assert parse_year("二〇二一年", TODAY) == 2021
    assert parse_year("今年", TODAY) == 2026
    assert parse_year("去年的", TODAY) == 2025
    assert parse_year("明年", TODAY) == 2027
    assert parse_year("青年", TODAY) is None
    assert parse_year(None, TODAY) is None


def test_months_as_members_write_them():
    assert parse_month("9月", TODAY) == (2026, 9)
    assert parse_month("十二月份", TODAY) == (2026, 12)
    assert parse_month("下个月", TODAY) == (2026, 12)
    assert parse_month("2021年9月", TODAY) == (2021, 9)
    assert parse_month("十三月", TODAY) is None


def test_a_year_said_relative_to_today_among_a_questions_words():
    today = dt.date(2026, 12, 2)
    assert relative_year_in("今年质量月主题是啥", today) == 2026
    assert relative_year_in("去年的大讲堂在哪", today) == 2025
    assert relative_year_in("质量月主题是啥", today) is None
