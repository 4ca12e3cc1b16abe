"""The pure rules of nudges: times, days, budgets, reasons, worse-since, adapting budgets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from assistant.domain.errors import InvalidInput
from assistant.domain.nudging import (
    CLOSE_PASSED,
    QUIET,
    STUCK,
    DealState,
    Prefs,
    adapt_budget,
    assess,
    describe_days,
    got_worse,
    parse_budget,
    parse_days,
    parse_time,
    snooze_until,
    working_days_between,
)

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("08:30", "08:30"), ("8:30", "08:30"), ("8am", "08:00"), ("7pm", "19:00"), ("9", "09:00")],
)
def test_times(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "9:75", "noon", "13pm", "0am", ""])
def test_bad_times(text):
    with pytest.raises(InvalidInput, match="not a time of day"):
        parse_time(text)


@pytest.mark.parametrize("text", ["20:00", "23:30", "6:59", "5am"])
def test_quiet_hours_are_refused(text):
    with pytest.raises(InvalidInput, match="quiet hours"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "days", "described"),
    [
        ("mon-thu", (0, 1, 2, 3), "Mon–Thu"),
        ("mon,wed,fri", (0, 2, 4), "Mon, Wed, Fri"),
        ("Monday-Friday", (0, 1, 2, 3, 4), "Mon–Fri"),
        ("weekdays", (0, 1, 2, 3, 4), "Mon–Fri"),
        ("every day", tuple(range(7)), "every day"),
        ("sat", (5,), "Sat"),
    ],
)
def test_days(text, days, described):
    assert parse_days(text) == days
    assert describe_days(days) == described


@pytest.mark.parametrize("text", ["funday", "mon-", "fri-mon", "mon-tue-wed", ",,"])
def test_bad_days(text):
    with pytest.raises(InvalidInput):
        parse_days(text)


@pytest.mark.parametrize(
    ("text", "ok"),
    [("1", True), ("20", True), ("0", False), ("21", False), ("1000", False), ("-3", False)],
)
def test_budgets(text, ok):
    if ok:
        assert parse_budget(text) == int(text)
    else:
        with pytest.raises(InvalidInput, match="1 to 20 deals"):
            parse_budget(text)


def test_due_at_in_the_persons_zone_and_days():
    prefs = Prefs(at_time="08:30", days=(0, 1, 2, 3))
    assert prefs.due_at(date(2026, 3, 2), BERLIN) == datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    assert prefs.due_at(date(2026, 3, 6), BERLIN) is None  # a Friday
    assert Prefs(enabled=False).due_at(date(2026, 3, 2), BERLIN) is None
    # Summer time: 08:30 in Berlin is 06:30 UTC.
    assert prefs.due_at(date(2026, 7, 6), BERLIN) == datetime(2026, 7, 6, 6, 30, tzinfo=UTC)


def _deal(**kw) -> DealState:
    values = {"amount": Decimal(10000), "probability": Decimal("0.5"), "target_days": 10,
              "stage_entered_at": NOW - timedelta(days=5), "close_date": None,
              "last_touch": NOW - timedelta(days=1)}  # fmt: skip
    return DealState(**{**values, **kw})


def test_reasons_and_value_at_risk():
    assert assess(_deal(), NOW, NOW.date()) is None
    stuck = assess(_deal(stage_entered_at=NOW - timedelta(days=15)), NOW, NOW.date())
    assert (stuck.reason, stuck.value_at_risk, stuck.overdue_days) == (STUCK, Decimal("7500.00"), 5)
    late = assess(_deal(close_date=date(2026, 2, 2)), NOW, NOW.date())
    assert (late.reason, late.overdue_days) == (CLOSE_PASSED, 30)
    assert late.value_at_risk == Decimal("10000.00")  # 10,000 x 0.5 x (1 + 30/30)
    quiet = assess(_deal(target_days=None, last_touch=NOW - timedelta(days=21)), NOW, NOW.date())
    assert (quiet.reason, quiet.value_at_risk) == (QUIET, Decimal("7500.00"))
    no_amount = assess(_deal(amount=None, close_date=date(2026, 3, 1)), NOW, NOW.date())
    assert no_amount.value_at_risk == 0


def test_got_worse_only_when_a_target_or_close_date_passed_since():
    deal = _deal(stage_entered_at=NOW - timedelta(days=9, hours=12), close_date=date(2026, 3, 5))
    day = timedelta(days=1)
    assert not got_worse(deal, NOW - day, NOW, BERLIN)
    assert got_worse(deal, NOW, NOW + day, BERLIN)  # its 10 days in stage are up
    assert got_worse(_deal(close_date=date(2026, 3, 4)), NOW, NOW + day, BERLIN)
    assert not got_worse(_deal(target_days=None), NOW - 5 * day, NOW, BERLIN)


def test_working_days_and_snoozes():
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 5)) == 3  # Mon -> Thu
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # Fri -> Mon
    assert snooze_until(NOW, BERLIN, "3d") == datetime(2026, 3, 6, 23, 0, tzinfo=UTC)
    assert snooze_until(NOW, BERLIN, "2026-03-20").astimezone(BERLIN).date() == date(2026, 3, 20)
    for bad, phrase in (("2026-03-04", "after today"), ("2026-07-01", "at most 90"),
                        ("someday", "not a date")):  # fmt: skip
        with pytest.raises(InvalidInput, match=phrase):
            snooze_until(NOW, BERLIN, bad)


def test_budget_adapts_only_on_enough_evidence():
    assert adapt_budget(5, 4, 0).size == 5  # too few settled items to judge
    assert adapt_budget(5, 10, 1).size == 3
    assert adapt_budget(1, 10, 0).size == 1
    assert adapt_budget(5, 10, 9).size == 7
    assert adapt_budget(20, 10, 10).size == 20
    assert adapt_budget(5, 10, 5).why == "you acted on 5 of 10 nudged deals in two weeks (50%)"
