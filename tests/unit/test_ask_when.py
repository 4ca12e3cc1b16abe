"""Periods as people say them, written in the product's period grammar.

Today is Friday 4 December 2026 unless a test says otherwise. `past` is how a report reads the
words, `ahead` how a forecast does ("in March" is the last March for one, the next for the
other); every text produced must be a period `parse_period` accepts.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.ask.clean import clean
from assistant.ask.when import take_when
from assistant.ask.words import Words
from assistant.domain.periods import looks_like_period, parse_period

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 4, 10, tzinfo=TZ)
TODAY = NOW.date()


def when(text: str, today: date = TODAY) -> tuple[str, str] | None:
    found = take_when(Words(clean(text).words), today)
    return (found.past, found.ahead) if found else None


@pytest.mark.parametrize(
    ("text", "past", "ahead"),
    [
        ("last quarter", "last quarter", "last quarter"),
        ("previous month", "last month", "last month"),
        ("this quarter", "this quarter", "this quarter"),
        ("next quarter", "next quarter", "next quarter"),
        ("the coming month", "next month", "next month"),
        ("next year", "2027-01-01..2027-12-31", "2027-01-01..2027-12-31"),
        ("in March", "2026-03", "2027-03"),
        ("in december", "2026-12", "2026-12"),  # the current month counts both ways
        ("during Jan", "2026-01", "2027-01"),
        ("october 2025", "2025-10", "2025-10"),
        ("since Monday", "2026-11-30..2026-12-04", "2026-11-30..2026-12-04"),
        ("since friday", "2026-11-27..2026-12-04", "2026-11-27..2026-12-04"),  # a week ago
        ("since October", "2026-10-01..2026-12-04", "2026-10-01..2026-12-04"),
        ("since 1 october", "2026-10-01..2026-12-04", "2026-10-01..2026-12-04"),
        ("since last week", "2026-11-23..2026-12-04", "2026-11-23..2026-12-04"),
        ("since the start of the quarter", "this quarter", "this quarter"),
        ("Q3 2026", "2026-Q3", "2026-Q3"),
        ("2025 q2", "2025-Q2", "2025-Q2"),
        ("q3", "2026-Q3", "2027-Q3"),
        ("q4", "2026-Q4", "2026-Q4"),
        ("Q3 '25", "2025-Q3", "2025-Q3"),
        ("the third quarter", "2026-Q3", "2027-Q3"),
        ("this year so far", "this year", "this year"),
        ("ytd", "this year", "this year"),
        ("quarter to date", "this quarter", "this quarter"),
        ("the last 2 weeks", "last 2 weeks", "last 2 weeks"),
        ("past two weeks", "last 2 weeks", "last 2 weeks"),
        ("over the last 3 months", "last 3 months", "last 3 months"),
        ("last 2 quarters", "last 6 months", "last 6 months"),
        ("past week", "7d", "7d"),
        ("past month", "30d", "30d"),
        ("last 30 days", "30d", "30d"),
        ("30 days", "30d", "30d"),
        ("last 24 hours", "1d", "1d"),
        ("next 2 weeks", "14d", "14d"),  # a forecast reads `14d` forwards
        ("yesterday", "yesterday", "yesterday"),
        ("today", "today", "today"),
        ("on monday", "2026-11-30..2026-11-30", "2026-11-30..2026-11-30"),
        ("in 2025", "2025-01-01..2025-12-31", "2025-01-01..2025-12-31"),
        ("H1", "2026-01-01..2026-06-30", "2026-01-01..2026-06-30"),
        ("second half of 2025", "2025-07-01..2025-12-31", "2025-07-01..2025-12-31"),
        ("between oct 1 and oct 15", "2026-10-01..2026-10-15", "2026-10-01..2026-10-15"),
        ("from dec 20 to jan 5", "2025-12-20..2026-01-05", "2025-12-20..2026-01-05"),
        ("2026-10-01 .. 2026-10-31", "2026-10-01..2026-10-31", "2026-10-01..2026-10-31"),
        ("2026/10/05", "2026-10-05..2026-10-05", "2026-10-05..2026-10-05"),
        ("2026-10", "2026-10", "2026-10"),
        ("2026-q3", "2026-Q3", "2026-Q3"),
        ("90d", "90d", "90d"),
    ],
)
def test_spoken_periods(text: str, past: str, ahead: str) -> None:
    assert when(text) == (past, ahead)
    for period in (past, ahead):
        assert looks_like_period(period)
        parse_period(period, TZ, NOW)  # accepted as written


@pytest.mark.parametrize(
    ("text", "today", "past"),
    [
        # the first days of a year look back into the last one
        ("in December", date(2027, 1, 2), "2026-12"),
        ("q4", date(2027, 1, 2), "2026-Q4"),
        ("since Monday", date(2027, 1, 2), "2026-12-28..2027-01-02"),
        ("since December", date(2027, 1, 2), "2026-12-01..2027-01-02"),
        ("since dec 24", date(2027, 1, 2), "2026-12-24..2027-01-02"),
        # leap days are real days in leap years only
        ("since feb 29", date(2028, 3, 1), "2028-02-29..2028-03-01"),
        ("in February", date(2028, 3, 1), "2028-02"),
    ],
)
def test_around_year_ends_and_leap_days(text: str, today: date, past: str) -> None:
    found = when(text, today)
    assert found is not None and found[0] == past


@pytest.mark.parametrize(
    "text", ["since feb 29", "between feb 30 and mar 2", "since 31st of april", "since 2027-01-10"]
)
def test_days_that_do_not_exist_are_said_to_be_impossible(text: str) -> None:
    found = take_when(Words(clean(text).words), date(2027, 1, 2))
    assert found is not None and found.problem  # not read as some other period


def test_an_impossible_date_is_kept_for_the_command_to_explain() -> None:
    # The command then answers "isn't a period I know (no such date)", as if it was typed.
    assert when("2026-02-30") == ("2026-02-30", "2026-02-30")
    assert when("2026-13") == ("2026-13", "2026-13")


@pytest.mark.parametrize("text", ["may I see the pipeline", "show me the board", "30k deals"])
def test_words_that_are_not_periods(text: str) -> None:
    assert when(text) is None


def test_may_is_a_month_with_a_preposition_or_a_year() -> None:
    assert when("in may") == ("2026-05", "2027-05")
    assert when("may 2025") == ("2025-05", "2025-05")


def test_the_period_words_are_taken() -> None:
    words = Words(clean("win rate by rep last quarter").words)
    take_when(words, TODAY)
    assert words.outline() == "win rate by rep ~when"
