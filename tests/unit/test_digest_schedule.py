"""Digest schedules: calendars, time zones and daylight saving, expected instants by hand.

2026 transitions: New York springs forward on Sunday 8 March and falls back on Sunday
1 November; Berlin on Sunday 29 March and Sunday 25 October. So 09:00 in New York is 14:00 UTC
in winter and 13:00 UTC in summer; 09:00 in Berlin is 08:00 UTC in winter, 07:00 UTC in summer.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.domain.errors import InvalidInput
from assistant.domain.schedule import (
    Schedule,
    latest_due,
    next_occurrence,
    occurrences_between,
    previous_occurrence,
)

NY = "America/New_York"
BERLIN = "Europe/Berlin"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def daily(zone: str, at: str = "09:00") -> Schedule:
    return Schedule(frequency="daily", at_time=at, timezone=zone)


def test_new_york_daily_across_spring_forward():
    found = occurrences_between(daily(NY), utc(2026, 3, 6), utc(2026, 3, 10))
    assert found == [
        utc(2026, 3, 6, 14), utc(2026, 3, 7, 14), utc(2026, 3, 8, 13), utc(2026, 3, 9, 13),
    ]  # fmt: skip


def test_new_york_daily_across_fall_back():
    found = occurrences_between(daily(NY), utc(2026, 10, 30), utc(2026, 11, 3))
    assert found == [
        utc(2026, 10, 30, 13), utc(2026, 10, 31, 13), utc(2026, 11, 1, 14), utc(2026, 11, 2, 14),
    ]  # fmt: skip


def test_berlin_daily_across_spring_forward():
    found = occurrences_between(daily(BERLIN), utc(2026, 3, 27, 12), utc(2026, 3, 31))
    assert found == [utc(2026, 3, 28, 8), utc(2026, 3, 29, 7), utc(2026, 3, 30, 7)]


def test_berlin_daily_across_fall_back():
    found = occurrences_between(daily(BERLIN), utc(2026, 10, 23, 12), utc(2026, 10, 27))
    assert found == [utc(2026, 10, 24, 7), utc(2026, 10, 25, 8), utc(2026, 10, 26, 8)]


def test_between_the_two_transitions_the_offsets_differ():
    # 10 March: New York is on summer time already, Berlin not yet.
    assert occurrences_between(daily(NY), utc(2026, 3, 10), utc(2026, 3, 11)) == [
        utc(2026, 3, 10, 13)
    ]
    assert occurrences_between(daily(BERLIN), utc(2026, 3, 10), utc(2026, 3, 11)) == [
        utc(2026, 3, 10, 8)
    ]


def test_nonexistent_local_time_moves_forward_by_the_gap():
    # 02:30 does not exist on spring-forward day; it becomes 03:30 local.
    ny = occurrences_between(daily(NY, "02:30"), utc(2026, 3, 7), utc(2026, 3, 10))
    assert ny == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30)]
    berlin = occurrences_between(daily(BERLIN, "02:30"), utc(2026, 3, 28), utc(2026, 3, 31))
    assert berlin == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]


def test_ambiguous_local_time_is_due_once_at_its_first_occurrence():
    ny = occurrences_between(daily(NY, "01:30"), utc(2026, 10, 31), utc(2026, 11, 3))
    assert ny == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]
    berlin = occurrences_between(daily(BERLIN, "02:30"), utc(2026, 10, 24), utc(2026, 10, 27))
    assert berlin == [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


def test_weekdays_skip_the_weekend_in_local_time():
    schedule = Schedule(frequency="weekdays", at_time="09:00", timezone=NY)
    found = occurrences_between(schedule, utc(2026, 3, 6), utc(2026, 3, 11))
    # Fri 6, (Sat 7, Sun 8 skipped), Mon 9, Tue 10
    assert found == [utc(2026, 3, 6, 14), utc(2026, 3, 9, 13), utc(2026, 3, 10, 13)]


def test_weekdays_follow_the_local_date_not_the_utc_date():
    # 23:30 Friday in New York is already Saturday in UTC; it is still a weekday digest.
    schedule = Schedule(frequency="weekdays", at_time="23:30", timezone=NY)
    found = occurrences_between(schedule, utc(2026, 3, 13, 12), utc(2026, 3, 17, 4))
    assert found == [utc(2026, 3, 14, 3, 30), utc(2026, 3, 17, 3, 30)]  # Fri 13, Mon 16


def test_weekly_on_monday_across_berlin_spring_forward():
    schedule = Schedule(frequency="weekly", weekday=0, at_time="09:00", timezone=BERLIN)
    found = occurrences_between(schedule, utc(2026, 3, 20), utc(2026, 4, 7))
    assert found == [utc(2026, 3, 23, 8), utc(2026, 3, 30, 7), utc(2026, 4, 6, 7)]


def test_monthly_is_the_first_of_each_month():
    schedule = Schedule(frequency="monthly", at_time="09:00", timezone=NY)
    found = occurrences_between(schedule, utc(2026, 1, 15), utc(2026, 12, 2))
    assert found == [
        utc(2026, 2, 1, 14), utc(2026, 3, 1, 14), utc(2026, 4, 1, 13), utc(2026, 5, 1, 13),
        utc(2026, 6, 1, 13), utc(2026, 7, 1, 13), utc(2026, 8, 1, 13), utc(2026, 9, 1, 13),
        utc(2026, 10, 1, 13), utc(2026, 11, 1, 14), utc(2026, 12, 1, 14),
    ]  # fmt: skip


def test_range_is_start_exclusive_end_inclusive():
    schedule = daily("UTC")
    assert occurrences_between(schedule, utc(2026, 3, 2, 9), utc(2026, 3, 3, 9)) == [
        utc(2026, 3, 3, 9)
    ]
    assert occurrences_between(schedule, utc(2026, 3, 3, 9), utc(2026, 3, 2, 9)) == []


def test_latest_due_previous_and_next():
    schedule = Schedule(frequency="weekdays", at_time="09:00", timezone=NY)
    assert latest_due(schedule, utc(2026, 3, 9, 12, 59)) == utc(2026, 3, 6, 14)
    assert latest_due(schedule, utc(2026, 3, 9, 13)) == utc(2026, 3, 9, 13)
    assert previous_occurrence(schedule, utc(2026, 3, 9, 13)) == utc(2026, 3, 6, 14)
    assert next_occurrence(schedule, utc(2026, 3, 6, 14)) == utc(2026, 3, 9, 13)
    monthly = Schedule(frequency="monthly", at_time="09:00", timezone="UTC")
    assert latest_due(monthly, utc(2026, 3, 31)) == utc(2026, 3, 1, 9)


def test_times_are_normalised():
    assert daily("UTC", "9:05").at_time == "09:05"
    assert Schedule(frequency=" Weekly ", weekday=4, at_time="17:00", timezone=NY).frequency == (
        "weekly"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"frequency": "hourly", "at_time": "09:00", "timezone": "UTC"}, "frequency"),
        ({"frequency": "daily", "at_time": "25:00", "timezone": "UTC"}, "time of day"),
        ({"frequency": "daily", "at_time": "9am", "timezone": "UTC"}, "time of day"),
        ({"frequency": "daily", "at_time": "09:60", "timezone": "UTC"}, "time of day"),
        ({"frequency": "daily", "at_time": "09:00", "timezone": "Mars/Base"}, "time zone"),
        ({"frequency": "daily", "at_time": "09:00", "timezone": ""}, "time zone"),
        ({"frequency": "weekly", "at_time": "09:00", "timezone": "UTC"}, "needs a day"),
        ({"frequency": "weekly", "weekday": 7, "at_time": "09:00", "timezone": "UTC"}, "day"),
        ({"frequency": "daily", "weekday": 1, "at_time": "09:00", "timezone": "UTC"}, "Only"),
    ],
)
def test_invalid_schedules_are_refused_with_a_reason(fields, message):
    with pytest.raises(InvalidInput, match=message):
        Schedule(**fields)


def test_naive_datetimes_are_a_programming_error():
    with pytest.raises(ValueError):
        occurrences_between(daily("UTC"), datetime(2026, 3, 1), utc(2026, 3, 2))


def test_describe():
    weekly = Schedule(frequency="weekly", weekday=0, at_time="09:00", timezone=BERLIN)
    assert weekly.describe() == "weekly on Monday at 09:00 (Europe/Berlin)"
    monthly = Schedule(frequency="monthly", at_time="08:30", timezone="UTC")
    assert monthly.describe() == "monthly on the 1st at 08:30 (UTC)"
