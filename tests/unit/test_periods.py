"""Periods; every expected boundary is written out by hand, in UTC where DST matters.

2026 daylight-saving changes used below: New York springs forward on Sun 8 March and falls back
on Sun 1 November; Berlin on Sun 29 March and Sun 25 October. 1 January 2026 is a Thursday.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.commands.args import take_period
from assistant.domain.errors import InvalidInput
from assistant.domain.periods import PERIOD_HELP, Period, looks_like_period, parse_period

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def ny(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=NY, fold=fold)  # type: ignore[misc]


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def hours(period: Period) -> float:
    return period.days * 24


# --- the simple forms, in a zone and a season without surprises ---------------------------

NOW = ny(2026, 6, 17, 15, 30)  # a Wednesday in June, EDT (UTC-4)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("today", ny(2026, 6, 17), NOW, "today"),
        ("yesterday", ny(2026, 6, 16), ny(2026, 6, 17), "yesterday"),
        ("this week", ny(2026, 6, 15), NOW, "this week"),
        ("last week", ny(2026, 6, 8), ny(2026, 6, 15), "last week"),
        ("this month", ny(2026, 6, 1), NOW, "this month"),
        ("last month", ny(2026, 5, 1), ny(2026, 6, 1), "last month"),
        ("this quarter", ny(2026, 4, 1), NOW, "this quarter"),
        ("last quarter", ny(2026, 1, 1), ny(2026, 4, 1), "last quarter"),
        ("this year", ny(2026, 1, 1), NOW, "this year"),
        ("last year", ny(2025, 1, 1), ny(2026, 1, 1), "last year"),
        ("2026-Q3", ny(2026, 7, 1), ny(2026, 10, 1), "2026-Q3"),
        ("2026-Q4", ny(2026, 10, 1), ny(2027, 1, 1), "2026-Q4"),
        ("2025-Q2", ny(2025, 4, 1), ny(2025, 7, 1), "2025-Q2"),
        ("2026-01-01..2026-01-31", ny(2026, 1, 1), ny(2026, 2, 1), "2026-01-01..2026-01-31"),
        ("2026-06-17..2026-06-17", ny(2026, 6, 17), ny(2026, 6, 18), "2026-06-17..2026-06-17"),
        ("2026-12-31..2027-01-01", ny(2026, 12, 31), ny(2027, 1, 2), "2026-12-31..2027-01-01"),
        ("2026-1-5..2026-1-9", ny(2026, 1, 5), ny(2026, 1, 10), "2026-01-05..2026-01-09"),
    ],
)
def test_forms(text: str, start: datetime, end: datetime, label: str) -> None:
    period = parse_period(text, NY, NOW)
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize(
    ("text", "days", "label"),
    [
        ("1d", 1, "last 1 day"),
        ("7d", 7, "last 7 days"),
        ("30d", 30, "last 30 days"),
        ("90d", 90, "last 90 days"),
        ("3650d", 3650, "last 3650 days"),
    ],
)
def test_last_n_days_ends_now(text: str, days: int, label: str) -> None:
    period = parse_period(text, NY, NOW)
    assert period.end == NOW
    assert period.start == NOW - timedelta(days=days)  # no DST in between in June
    assert period.days == days
    assert period.label == label


@pytest.mark.parametrize("text", [None, "", "   ", "30d"])
def test_default_is_30_days(text: str | None) -> None:
    period = parse_period(text, NY, NOW)
    assert (period.start, period.end, period.label) == (
        ny(2026, 5, 18, 15, 30),
        NOW,
        "last 30 days",
    )


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("TODAY", "today"),
        ("  Yesterday ", "yesterday"),
        ("LAST WEEK", "last week"),
        ("this   Quarter", "this quarter"),
        ("this\u00a0month", "this month"),  # Slack's non-breaking space
        ("\tlast\nyear ", "last year"),
        ("30D", "last 30 days"),
        ("30 d", "last 30 days"),
        ("30 days", "last 30 days"),
        ("last 30 days", "last 30 days"),  # the label typed back
        ("1 day", "last 1 day"),
        ("2026-q3", "2026-Q3"),
        ("2026Q3", "2026-Q3"),
        ("2026 - Q3", "2026-Q3"),
        ("2026-01-01 .. 2026-01-31", "2026-01-01..2026-01-31"),
        ("2026-01-01…2026-01-31", "2026-01-01..2026-01-31"),  # autocorrected ellipsis
    ],
)
def test_case_and_spaces_are_tolerated(text: str, label: str) -> None:
    assert parse_period(text, NY, NOW).label == label


# --- calendar edges ------------------------------------------------------------------------


def test_this_quarter_on_january_first() -> None:
    now = ny(2026, 1, 1, 8, 30)
    for text in ("this quarter", "this year", "this month"):
        period = parse_period(text, NY, now)
        assert (period.start, period.end) == (ny(2026, 1, 1), now)
    assert parse_period("this week", NY, now).start == ny(2025, 12, 29)  # the Monday before


def test_last_quarter_on_january_first_is_q4_of_last_year() -> None:
    period = parse_period("last quarter", NY, ny(2026, 1, 1, 8, 30))
    assert (period.start, period.end) == (utc(2025, 10, 1, 4), utc(2026, 1, 1, 5))
    assert hours(period) == 92 * 24 + 1  # Oct+Nov+Dec, plus the hour of the November fall-back


def test_last_month_in_january_is_december_of_last_year() -> None:
    period = parse_period("last month", NY, ny(2026, 1, 15, 9))
    assert (period.start, period.end) == (ny(2025, 12, 1), ny(2026, 1, 1))
    assert period.days == 31


@pytest.mark.parametrize(
    ("now", "start", "end"),
    [
        (ny(2026, 2, 10), ny(2025, 10, 1), ny(2026, 1, 1)),
        (ny(2026, 3, 31, 23, 59), ny(2025, 10, 1), ny(2026, 1, 1)),
        (ny(2026, 4, 1), ny(2026, 1, 1), ny(2026, 4, 1)),
        (ny(2026, 5, 20), ny(2026, 1, 1), ny(2026, 4, 1)),
        (ny(2026, 12, 31), ny(2026, 7, 1), ny(2026, 10, 1)),
    ],
)
def test_last_quarter(now: datetime, start: datetime, end: datetime) -> None:
    period = parse_period("last quarter", NY, now)
    assert (period.start, period.end) == (start, end)


def test_last_month_in_a_leap_march_is_29_days() -> None:
    period = parse_period("last month", NY, ny(2024, 3, 10, 12))
    assert (period.start, period.end) == (ny(2024, 2, 1), ny(2024, 3, 1))
    assert period.days == 29


def test_last_year_after_a_leap_year() -> None:
    period = parse_period("last year", BERLIN, berlin(2025, 7, 1))
    assert (period.start, period.end) == (berlin(2024, 1, 1), berlin(2025, 1, 1))
    assert period.days == 366


def test_2024_q1_spans_the_march_change() -> None:
    period = parse_period("2024-Q1", NY, NOW)
    assert (period.start, period.end) == (utc(2024, 1, 1, 5), utc(2024, 4, 1, 4))
    assert hours(period) == 91 * 24 - 1  # 31 + 29 + 31 days, minus the skipped hour
    assert period.label == "2024-Q1"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-02-29..2024-02-29", ny(2024, 2, 29), ny(2024, 3, 1)),
        ("2024-02-01..2024-02-29", ny(2024, 2, 1), ny(2024, 3, 1)),
        ("2024-02-28..2024-03-01", ny(2024, 2, 28), ny(2024, 3, 2)),
    ],
)
def test_february_29(text: str, start: datetime, end: datetime) -> None:
    period = parse_period(text, NY, NOW)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("now", "monday"),
    [
        (ny(2026, 6, 15, 0, 0), ny(2026, 6, 15)),  # Monday midnight: the week has just begun
        (ny(2026, 6, 21, 23, 59), ny(2026, 6, 15)),  # Sunday night is still the same week
        (ny(2026, 6, 22, 0, 0), ny(2026, 6, 22)),
    ],
)
def test_weeks_start_on_monday(now: datetime, monday: datetime) -> None:
    assert parse_period("this week", NY, now).start == monday
    assert parse_period("last week", NY, now).end == monday


def test_this_period_at_its_first_instant_is_empty() -> None:
    now = ny(2026, 6, 1)
    period = parse_period("this month", NY, now)
    assert period.start == period.end == now
    assert period.days == 0


# --- the workspace's zone, not UTC, decides the day -----------------------------------------


def test_new_years_eve_in_new_york_is_still_last_year() -> None:
    now = utc(2026, 1, 1, 4, 30)  # 23:30 on 31 Dec in New York
    period = parse_period("this year", NY, now)
    assert period.start == ny(2025, 1, 1)
    assert period.end == now
    assert period.end.tzinfo == NY  # boundaries come back in the workspace's zone


def test_just_after_midnight_in_berlin_is_the_new_month() -> None:
    now = berlin(2026, 4, 1, 0, 30)  # still 31 March in UTC
    period = parse_period("this month", BERLIN, now)
    assert period.start == utc(2026, 3, 31, 22)
    assert parse_period("last month", BERLIN, now).start == berlin(2026, 3, 1)


def test_today_differs_by_zone_for_one_instant() -> None:
    now = utc(2026, 6, 17, 2)  # 22:00 on the 16th in New York, 04:00 on the 17th in Berlin
    assert parse_period("today", NY, now).start == ny(2026, 6, 16)
    assert parse_period("today", BERLIN, now).start == berlin(2026, 6, 17)


# --- daylight saving -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "now", "start", "end", "length"),
    [
        # the day after the spring change: yesterday had 23 hours
        (NY, ny(2026, 3, 9, 10), utc(2026, 3, 8, 5), utc(2026, 3, 9, 4), 23),
        (BERLIN, berlin(2026, 3, 30, 9), utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), 23),
        # the day after the autumn change: 25 hours
        (NY, ny(2026, 11, 2, 10), utc(2026, 11, 1, 4), utc(2026, 11, 2, 5), 25),
        (BERLIN, berlin(2026, 10, 26, 9), utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), 25),
        # an ordinary day next to them: 24
        (NY, ny(2026, 3, 10, 10), utc(2026, 3, 9, 4), utc(2026, 3, 10, 4), 24),
    ],
)
def test_yesterday_across_dst(
    tz: ZoneInfo, now: datetime, start: datetime, end: datetime, length: int
) -> None:
    period = parse_period("yesterday", tz, now)
    assert (period.start, period.end) == (start, end)
    assert hours(period) == length
    assert period.start.hour == 0 and period.end.hour == 0  # local midnights both


def test_today_on_the_spring_change_day() -> None:
    period = parse_period("today", NY, ny(2026, 3, 8, 12))
    assert period.start == utc(2026, 3, 8, 5)
    assert hours(period) == 11  # 00:00 EST to 12:00 EDT


@pytest.mark.parametrize(
    ("tz", "now", "start", "end", "length"),
    [
        (NY, ny(2026, 3, 11, 12), utc(2026, 3, 2, 5), utc(2026, 3, 9, 4), 167),
        (BERLIN, berlin(2026, 4, 1, 12), utc(2026, 3, 22, 23), utc(2026, 3, 29, 22), 167),
        (NY, ny(2026, 11, 4, 12), utc(2026, 10, 26, 4), utc(2026, 11, 2, 5), 169),
        (BERLIN, berlin(2026, 10, 28, 12), utc(2026, 10, 18, 22), utc(2026, 10, 25, 23), 169),
    ],
)
def test_last_week_spanning_the_change(
    tz: ZoneInfo, now: datetime, start: datetime, end: datetime, length: int
) -> None:
    period = parse_period("last week", tz, now)
    assert (period.start, period.end) == (start, end)
    assert hours(period) == length


def test_this_month_across_the_spring_change() -> None:
    now = ny(2026, 3, 20, 12)
    period = parse_period("this month", NY, now)
    assert period.start == utc(2026, 3, 1, 5)
    assert hours(period) == 19 * 24 + 12 - 1


def test_n_days_are_elapsed_days_across_the_change() -> None:
    now = ny(2026, 3, 10, 12)  # 16:00 UTC, two days after the change
    period = parse_period("7d", NY, now)
    assert period.start == utc(2026, 3, 3, 16)  # 11:00 EST: exactly 168 hours earlier
    assert period.days == 7


def test_month_boundary_in_berlin_across_the_autumn_change() -> None:
    period = parse_period("2026-10-01..2026-10-31", BERLIN, NOW)
    assert (period.start, period.end) == (utc(2026, 9, 30, 22), utc(2026, 10, 31, 23))
    assert hours(period) == 31 * 24 + 1


def test_a_midnight_that_does_not_exist() -> None:
    # Santiago jumps from 00:00 to 01:00 on 6 September 2026: that day starts at 01:00.
    santiago = ZoneInfo("America/Santiago")
    period = parse_period("yesterday", santiago, datetime(2026, 9, 7, 12, tzinfo=santiago))
    assert (period.start, period.end) == (utc(2026, 9, 6, 4), utc(2026, 9, 7, 3))
    assert (period.start.hour, period.start.minute) == (1, 0)
    assert hours(period) == 23


def test_a_midnight_that_happens_twice() -> None:
    # Havana goes back from 01:00 to 00:00 on 1 November 2026: the day starts at the first one.
    havana = ZoneInfo("America/Havana")
    period = parse_period("yesterday", havana, datetime(2026, 11, 2, 12, tzinfo=havana))
    # Compared in UTC: Python's `==` between zones is always False for an ambiguous wall time.
    assert period.start.astimezone(UTC) == utc(2026, 11, 1, 4)
    assert period.end.astimezone(UTC) == utc(2026, 11, 2, 5)
    assert hours(period) == 25


# --- Period methods --------------------------------------------------------------------------


def test_previous_of_last_n_days() -> None:
    period = parse_period("30d", NY, NOW)
    previous = period.previous()
    assert previous.end == period.start
    assert previous.start == ny(2026, 4, 18, 15, 30)
    assert previous.days == 30


def test_previous_of_last_month_has_equal_length() -> None:
    previous = parse_period("last month", NY, ny(2026, 3, 15)).previous()  # February: 28 days
    assert (previous.start, previous.end) == (ny(2026, 1, 4), ny(2026, 2, 1))
    assert previous.days == 28


def test_previous_of_a_23_hour_day_is_23_hours() -> None:
    period = parse_period("yesterday", NY, ny(2026, 3, 9, 10))
    previous = period.previous()
    assert (previous.start, previous.end) == (utc(2026, 3, 7, 6), utc(2026, 3, 8, 5))
    assert hours(previous) == 23
    assert previous.label != period.label


def test_previous_across_the_change_keeps_elapsed_length() -> None:
    period = parse_period("2026-03-09..2026-03-15", NY, NOW)  # the week after the change
    previous = period.previous()
    assert previous.start == utc(2026, 3, 2, 4)  # 23:00 EST on 1 March: 168 hours earlier
    assert previous.days == period.days == 7


def test_contains_is_half_open() -> None:
    period = parse_period("yesterday", NY, NOW)
    assert period.contains(period.start)
    assert period.contains(ny(2026, 6, 16, 23, 59, 59))
    assert not period.contains(period.end)
    assert not period.contains(period.start - timedelta(microseconds=1))


def test_contains_compares_instants_not_wall_times() -> None:
    period = parse_period("yesterday", NY, NOW)  # 16 June, 04:00 UTC to 17 June, 04:00 UTC
    assert period.contains(utc(2026, 6, 17, 3, 59))
    assert not period.contains(utc(2026, 6, 16, 3, 59))
    assert period.contains(berlin(2026, 6, 17, 5, 0))


def test_contains_handles_the_repeated_hour() -> None:
    period = Period(ny(2026, 11, 1), ny(2026, 11, 1, 1, 30), "night")  # ends at 05:30 UTC
    assert period.contains(ny(2026, 11, 1, 1, 15))  # first 01:15, EDT: 05:15 UTC
    assert not period.contains(ny(2026, 11, 1, 1, 15, fold=1))  # second 01:15, EST: 06:15 UTC


def test_naive_datetimes_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_period("today", NY, datetime(2026, 6, 17, 12))
    with pytest.raises(ValueError):
        parse_period("today", NY, NOW).contains(datetime(2026, 6, 17, 12))


def test_period_is_frozen() -> None:
    period = parse_period("today", NY, NOW)
    with pytest.raises(AttributeError):
        period.label = "x"  # type: ignore[misc]


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0d",
        "3651d",
        "-5d",
        "1.5d",
        "d",
        "last",
        "this",
        "next year",
        "next 2 weeks",
        "last fortnight",
        "this decade",
        "2026-Q5",
        "2026-Q0",
        "2026-Q",
        "Q3",
        "2026-13-01..2026-13-31",
        "2026-00-01..2026-01-31",
        "2026-02-30..2026-03-01",
        "2025-02-29..2025-03-01",
        "2026-03-02..2026-03-01",
        "2026-01-01..",
        "..2026-01-31",
        "2026-01-01..2026-01-31..2026-02-28",
        "9999-12-31..9999-12-31",
        "9999-Q4",
        "mine",
        "stuck",
        "30dd",
        "३०d",  # Devanagari digits
    ],
)
def test_rejected(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_period(text, NY, NOW)
    message = str(err.value)
    assert "YYYY-Qn" in message  # lists the accepted forms
    assert f"`{text}`" in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0d", "1 to 3650"),
        ("2026-Q5", "Q1 to Q4"),
        ("2026-03-02..2026-03-01", "start date is after the end date"),
        ("2026-13-01..2026-13-31", "no such date"),
    ],
)
def test_rejection_says_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_period(text, NY, NOW)


@pytest.mark.parametrize(
    "text",
    [
        "today",
        "Yesterday",
        "30d",
        "0d",  # the shape of a period, so parse_period gets to explain what is wrong
        "this week",
        "LAST  quarter",
        "last 7 days",
        "2026-Q3",
        "2026-Q5",
        "2026-01-01..2026-01-31",
        "2026-13-01..2026-13-31",
    ],
)
def test_looks_like_period(text: str) -> None:
    assert looks_like_period(text)


@pytest.mark.parametrize(
    "text",
    [None, "", "mine", "stuck", "won", "12k", "#12", "<@U1>", "last", "this", "week", "next year"],
)
def test_does_not_look_like_period(text: str | None) -> None:
    assert not looks_like_period(text)


def test_help_lists_every_form() -> None:
    forms = ("today", "yesterday", "<N>d", "this week", "last week", "YYYY-MM-DD..", "YYYY-Qn")
    for form in (*forms, "next week|month|quarter", "last N days|weeks|months", "`YYYY-MM`"):
        assert form in PERIOD_HELP


# === the forms people type besides those above (issue #15) ====================================
# `next month` is the whole coming unit; `last 2 weeks` is elapsed days like `14d`; `last 3
# months` starts at the same wall-clock time three calendar months ago; `2026-10` is a month;
# a single day and `/` separators are accepted.


# --- next week|month|quarter: the whole coming unit -----------------------------------------


@pytest.mark.parametrize(
    ("text", "now", "start", "end"),
    [
        ("next week", NOW, ny(2026, 6, 22), ny(2026, 6, 29)),
        ("next month", NOW, ny(2026, 7, 1), ny(2026, 8, 1)),
        ("next quarter", NOW, ny(2026, 7, 1), ny(2026, 10, 1)),
        ("NEXT  Month", NOW, ny(2026, 7, 1), ny(2026, 8, 1)),
        # across the year end
        ("next week", ny(2026, 12, 28, 9), ny(2027, 1, 4), ny(2027, 1, 11)),
        ("next week", ny(2026, 12, 24, 9), ny(2026, 12, 28), ny(2027, 1, 4)),
        ("next month", ny(2026, 12, 15), ny(2027, 1, 1), ny(2027, 2, 1)),
        ("next quarter", ny(2026, 11, 30), ny(2027, 1, 1), ny(2027, 4, 1)),
        # a Sunday night is still in this week; a Monday midnight starts one
        ("next week", ny(2026, 6, 21, 23, 59), ny(2026, 6, 22), ny(2026, 6, 29)),
        ("next week", ny(2026, 6, 22), ny(2026, 6, 29), ny(2026, 7, 6)),
        # a leap February
        ("next month", ny(2028, 1, 31, 12), ny(2028, 2, 1), ny(2028, 3, 1)),
    ],
)
def test_next_unit(text: str, now: datetime, start: datetime, end: datetime) -> None:
    period = parse_period(text, NY, now)
    assert (period.start, period.end) == (start, end)
    assert period.label == " ".join(text.casefold().split())


def test_next_month_in_a_leap_year_has_29_days() -> None:
    assert parse_period("next month", NY, ny(2028, 1, 10)).days == 29


@pytest.mark.parametrize(
    ("tz", "now", "text", "start", "end", "length"),
    [
        (NY, ny(2026, 2, 25, 12), "next week", utc(2026, 3, 2, 5), utc(2026, 3, 9, 4), 167),
        (BERLIN, berlin(2026, 10, 14, 12), "next week", utc(2026, 10, 18, 22),
         utc(2026, 10, 25, 23), 169),
        (BERLIN, berlin(2026, 9, 3), "next month", utc(2026, 9, 30, 22), utc(2026, 10, 31, 23),
         31 * 24 + 1),
        (NY, ny(2026, 2, 3), "next month", utc(2026, 3, 1, 5), utc(2026, 4, 1, 4), 31 * 24 - 1),
        (BERLIN, berlin(2026, 2, 1), "next quarter", utc(2026, 3, 31, 22), utc(2026, 6, 30, 22),
         91 * 24),
        (BERLIN, berlin(2026, 12, 31, 23, 30), "next quarter", utc(2026, 12, 31, 23),
         utc(2027, 3, 31, 22), 90 * 24 - 1),
    ],
)  # fmt: skip
def test_next_unit_across_dst(
    tz: ZoneInfo, now: datetime, text: str, start: datetime, end: datetime, length: int
) -> None:
    period = parse_period(text, tz, now)
    assert (period.start, period.end) == (start, end)
    assert hours(period) == length
    assert period.start.hour == 0 and period.end.hour == 0  # local midnights both


# --- last N days|weeks|months: up to now ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "same_as", "label"),
    [
        ("last 2 weeks", "14d", "last 2 weeks"),
        ("last 1 week", "7d", "last 1 week"),
        ("Last 3 Weeks", "21d", "last 3 weeks"),
        ("2 weeks", "14d", "last 2 weeks"),
        ("last 10 days", "10d", "last 10 days"),
    ],
)
def test_last_n_weeks_are_elapsed_days(text: str, same_as: str, label: str) -> None:
    period, days = parse_period(text, NY, NOW), parse_period(same_as, NY, NOW)
    assert (period.start, period.end) == (days.start, days.end)
    assert period.label == label


def test_last_2_weeks_across_the_spring_change_is_336_hours() -> None:
    period = parse_period("last 2 weeks", NY, ny(2026, 3, 10, 12))  # 16:00 UTC
    assert period.start == utc(2026, 2, 24, 16)  # 11:00 EST
    assert hours(period) == 14 * 24


@pytest.mark.parametrize(
    ("tz", "now", "text", "start"),
    [
        (NY, NOW, "last 3 months", ny(2026, 3, 17, 15, 30)),
        (NY, NOW, "last 1 month", ny(2026, 5, 17, 15, 30)),
        (NY, NOW, "3 months", ny(2026, 3, 17, 15, 30)),
        (NY, NOW, "last 12 months", ny(2025, 6, 17, 15, 30)),
        # the day is clipped to the end of a shorter month; leap years give the 29th
        (NY, ny(2026, 5, 31, 15, 30), "last 3 months", ny(2026, 2, 28, 15, 30)),
        (NY, ny(2024, 5, 31, 15, 30), "last 3 months", ny(2024, 2, 29, 15, 30)),
        (NY, ny(2026, 3, 31, 8), "last 1 month", ny(2026, 2, 28, 8)),
        (NY, ny(2025, 2, 28, 8), "last 12 months", ny(2024, 2, 28, 8)),
        # back across the year end
        (BERLIN, berlin(2026, 1, 15, 10), "last 2 months", berlin(2025, 11, 15, 10)),
        (BERLIN, berlin(2026, 2, 28, 10), "last 14 months", berlin(2024, 12, 28, 10)),
        # the same wall-clock time on both sides of a change: 1 hour less than 31 days
        (BERLIN, berlin(2026, 4, 15, 12), "last 1 month", utc(2026, 3, 15, 11)),
        # a wall time the spring change skips (02:30 on 8 March in New York) moves an hour on
        (NY, ny(2026, 4, 8, 2, 30), "last 1 month", utc(2026, 3, 8, 7, 30)),
    ],
)
def test_last_n_months_are_calendar_months(
    tz: ZoneInfo, now: datetime, text: str, start: datetime
) -> None:
    period = parse_period(text, tz, now)
    assert (period.start, period.end) == (start, now)
    count = int(text.split()[-2])
    assert period.label == f"last {count} month{'s' if count != 1 else ''}"


def test_last_month_across_the_spring_change_is_an_hour_short() -> None:
    period = parse_period("last 1 month", BERLIN, berlin(2026, 4, 15, 12))
    assert hours(period) == 31 * 24 - 1
    assert period.start.astimezone(BERLIN).hour == 12


def test_last_n_months_previous_has_equal_length() -> None:
    period = parse_period("last 3 months", NY, NOW)
    assert period.previous().duration == period.duration
    assert period.previous().end == period.start


# --- YYYY-MM, single days, slashes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026-10", berlin(2026, 10, 1), berlin(2026, 11, 1), "2026-10"),
        ("2026/10", berlin(2026, 10, 1), berlin(2026, 11, 1), "2026-10"),
        ("2026-3", berlin(2026, 3, 1), berlin(2026, 4, 1), "2026-03"),
        ("2026-12", berlin(2026, 12, 1), berlin(2027, 1, 1), "2026-12"),
        ("2024-02", berlin(2024, 2, 1), berlin(2024, 3, 1), "2024-02"),
        ("2026-10-05", berlin(2026, 10, 5), berlin(2026, 10, 6), "2026-10-05"),
        ("2026/10/05", berlin(2026, 10, 5), berlin(2026, 10, 6), "2026-10-05"),
        ("2026/1/5", berlin(2026, 1, 5), berlin(2026, 1, 6), "2026-01-05"),
        ("2024-02-29", berlin(2024, 2, 29), berlin(2024, 3, 1), "2024-02-29"),
        ("2026-12-31", berlin(2026, 12, 31), berlin(2027, 1, 1), "2026-12-31"),
        ("2026/10/01..2026/10/31", berlin(2026, 10, 1), berlin(2026, 11, 1),
         "2026-10-01..2026-10-31"),
        ("2026/10/01 .. 2026-10-31", berlin(2026, 10, 1), berlin(2026, 11, 1),
         "2026-10-01..2026-10-31"),
        ("2026/12/30..2027/1/2", berlin(2026, 12, 30), berlin(2027, 1, 3),
         "2026-12-30..2027-01-02"),
    ],
)  # fmt: skip
def test_calendar_forms(text: str, start: datetime, end: datetime, label: str) -> None:
    period = parse_period(text, BERLIN, NOW)
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize(
    ("tz", "text", "start", "end", "length"),
    [
        (BERLIN, "2026-10", utc(2026, 9, 30, 22), utc(2026, 10, 31, 23), 31 * 24 + 1),
        (BERLIN, "2026-03", utc(2026, 2, 28, 23), utc(2026, 3, 31, 22), 31 * 24 - 1),
        (NY, "2026-11", utc(2026, 11, 1, 4), utc(2026, 12, 1, 5), 30 * 24 + 1),
        (BERLIN, "2026-10-25", utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), 25),
        (BERLIN, "2026/03/29", utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), 23),
        (NY, "2026-03-08", utc(2026, 3, 8, 5), utc(2026, 3, 9, 4), 23),
        (NY, "2026/11/01", utc(2026, 11, 1, 4), utc(2026, 11, 2, 5), 25),
    ],
)
def test_calendar_forms_across_dst(
    tz: ZoneInfo, text: str, start: datetime, end: datetime, length: int
) -> None:
    period = parse_period(text, tz, NOW)
    assert (period.start, period.end) == (start, end)
    assert hours(period) == length


# --- invalid ones are periods that are wrong, not something else ------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-30", "no such date"),
        ("2025-02-29", "no such date"),
        ("2026/02/30", "no such date"),
        ("2026-13", "no such date"),
        ("2026-00", "no such date"),
        ("2026/13", "no such date"),
        ("2026-04-31", "no such date"),
        ("2026/02/30..2026/03/02", "no such date"),
        ("9999-12", "no such date"),
        ("9999-12-31", "no such date"),
        ("last 0 weeks", "the number of weeks must be 1 to 521"),
        ("last 522 weeks", "the number of weeks must be 1 to 521"),
        ("last 0 months", "the number of months must be 1 to 120"),
        ("last 121 months", "the number of months must be 1 to 120"),
        ("9" * 5000 + "d", "the number of days must be 1 to 3650"),
        ("last " + "9" * 5000 + " weeks", "the number of weeks must be 1 to 521"),
        ("2026/10/05..2026/10/01", "the start date is after the end date"),
    ],
)
def test_invalid_forms_say_why(text: str, reason: str) -> None:
    assert looks_like_period(text)  # routed to parse_period, not read as a stage or a name
    with pytest.raises(InvalidInput, match=reason) as err:
        parse_period(text, NY, NOW)
    assert f"`{text[:37]}" in str(err.value) and "isn't a period I know" in str(err.value)


@pytest.mark.parametrize(
    "text",
    [
        "next year",
        "next 2 weeks",
        "next",
        "2026-10/05",
        "2026/10-05",
        "26-10",
        "10/05",
        "2 fortnights",
    ],
)
def test_not_periods(text: str) -> None:
    assert not looks_like_period(text)
    with pytest.raises(InvalidInput, match="isn't a period I know"):
        parse_period(text, NY, NOW)


@pytest.mark.parametrize(
    "text",
    ["next week", "next quarter", "last 2 weeks", "3 months", "2026-10", "2026/10/05",
     "2026-10-05", "2026/10/01..2026/10/31"],
)  # fmt: skip
def test_new_forms_look_like_periods(text: str) -> None:
    assert looks_like_period(text)


# --- commands find them among other words ---------------------------------------------------


@pytest.mark.parametrize(
    ("tokens", "label", "rest"),
    [
        (["mine", "last", "2", "weeks"], "last 2 weeks", ["mine"]),
        (["last", "3", "months", "proposal"], "last 3 months", ["proposal"]),
        (["stuck", "next", "quarter"], "next quarter", ["stuck"]),
        (["2026-10", "source:webinar"], "2026-10", ["source:webinar"]),
        (["2026/10/01", "..", "2026/10/31"], "2026-10-01..2026-10-31", []),
        (["won", "2026-10-05"], "2026-10-05", ["won"]),
    ],
)
def test_take_period_finds_them(tokens: list[str], label: str, rest: list[str]) -> None:
    period, left = take_period(tokens, NY, NOW, default=None)
    assert period is not None and period.label == label
    assert left == rest


def test_take_period_reports_an_impossible_date() -> None:
    with pytest.raises(InvalidInput, match="no such date"):
        take_period(["mine", "2026-02-30"], NY, NOW)


def test_n_days_unchanged_by_the_new_forms() -> None:
    period = parse_period("last 30 days", NY, NOW)
    assert (period.start, period.end, period.label) == (
        NOW - timedelta(days=30),
        NOW,
        "last 30 days",
    )
