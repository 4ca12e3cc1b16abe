"""Win rate, sales cycle, sales velocity and the forecast, worked out by hand (PRODUCT.md §4).

The digest's outcomes and `/pipeline results` read one definition (`results.closed_in`):
the same deals give the same figures through both."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from assistant.domain.periods import Period, parse_period
from assistant.services import deals, reports, settings
from assistant.services.deals import NewDeal

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def new(services, actor, name, amount=None, **fields):
    value = Decimal(amount) if amount is not None else None
    return deals.create_deal(services, actor, NewDeal(name=name, amount=value, **fields))


@pytest.fixture
def closed(services, rep, clock):
    """Deals closed before T0 (the previous period) and in [T0, T0+12d)."""
    clock.set(day(-10))
    new(services, rep, "Past win", "500")  # 1: won at T0-6d, cycle 4 days
    new(services, rep, "Past loss", "800")  # 2: lost at T0-2d
    clock.set(day(-6))
    deals.win_deal(services, rep, "#1")
    clock.set(day(-2))
    deals.lose_deal(services, rep, "#2")
    clock.set(day(0))
    new(services, rep, "W1", "10000")  # 3: won T0+10d, cycle 10
    new(services, rep, "L1", "3000")  # 4: lost T0+5d
    new(services, rep, "O1", "1")  # 5: open
    new(services, rep, "O2")  # 6: open
    new(services, rep, "X", "50000")  # 7: won T0+3d, reopened T0+4d: open again
    clock.set(day(1))
    new(services, rep, "W3")  # 8: no amount, won T0+8d, cycle 7
    clock.set(day(2))
    new(services, rep, "W2", "20000")  # 9: won T0+6d, cycle 4
    for when, action, ref in (
        (3, deals.win_deal, "#7"),
        (4, deals.reopen_deal, "#7"),
        (5, deals.lose_deal, "#4"),
        (6, deals.win_deal, "#9"),
        (8, deals.win_deal, "#8"),
        (10, deals.win_deal, "#3"),
    ):
        clock.set(day(when))
        action(services, rep, ref)
    clock.set(day(12))
    return Period(day(0), day(12), "12 days")


def test_win_rate_cycle_and_velocity(services, rep, closed):
    out = reports.outcomes(services, rep, closed)
    # Closed in [T0, T0+12d): won #3, #8, #9; lost #4. #7 was won but is open again.
    # Win rate 3 / (3 + 1) = 0.75.
    assert (out.won_count.current, out.lost_count.current) == (3, 1)
    assert out.win_rate.current == pytest.approx(0.75)
    # Won value 10,000 + 20,000 (+ #8 without amount) = 30,000.
    assert out.won_value.current == Decimal("30000")
    # Cycles: #3 10 d, #8 7 d, #9 4 d -> median 7; mean (10 + 7 + 4) / 3 = 7.
    assert out.sales_cycle_days.current == pytest.approx(7)
    # Velocity is `/pipeline results`' figure, over the same closed deals as the digest's.
    total = reports.results(services, rep, closed).results.total.current
    assert (total.won_count, total.lost_count, total.won_value) == (3, 1, Decimal("30000"))
    assert total.mean_cycle_days == pytest.approx(7)
    # Average won amount over the two priced wins: 30,000 / 2 = 15,000.
    assert total.average_won == Decimal("15000")
    # Open at the period's end (now): #5, #6, #7 = 3.
    # Velocity 3 x 15,000 x 0.75 / 7 = 33,750 / 7 = 4,821.428..
    assert total.open_count == 3
    assert total.velocity == Decimal("4821.43")
    # Previous period [T0-12d, T0): #1 won (cycle 4 d), #2 lost -> 1 / 2 = 0.5.
    assert (out.won_count.previous, out.lost_count.previous) == (1, 1)
    assert out.win_rate.previous == pytest.approx(0.5)
    assert out.win_rate.change == pytest.approx(0.25)
    assert out.won_value.previous == Decimal("500")
    assert out.won_value.change == Decimal("29500")
    assert out.sales_cycle_days.previous == pytest.approx(4)
    assert out.previous_period.start == day(-12)


def test_outcomes_with_nothing_closed(services, rep, clock):
    clock.set(day(-1))
    new(services, rep, "Open", "100")  # open at the period's end
    clock.set(T0)
    out = reports.outcomes(services, rep, Period(day(-30), day(0), "30 days"))
    assert out.win_rate.current is None and out.win_rate.previous is None
    assert out.win_rate.change is None
    assert out.sales_cycle_days.current is None
    assert (out.won_count.current, out.won_value.current) == (0, Decimal(0))
    total = reports.results(services, rep, Period(day(-30), day(0), "30 days")).results.total
    assert total.current.open_count == 1
    assert total.current.velocity is None
    assert total.current.average_won is None


def test_only_losses_give_a_zero_win_rate_and_no_velocity(services, rep, clock):
    clock.set(T0)
    new(services, rep, "Lost", "100")
    new(services, rep, "Open", "100")
    clock.set(day(1))
    deals.lose_deal(services, rep, "#1")
    two_days = Period(day(0), day(2), "2 days")
    assert reports.outcomes(services, rep, two_days).win_rate.current == 0.0
    total = reports.results(services, rep, two_days).results.total.current
    assert total.win_rate == 0.0
    assert total.velocity is None  # no won amount to average


def test_one_deal(services, rep, clock):
    clock.set(T0)
    new(services, rep, "Solo", "1200")
    new(services, rep, "Open", "5")
    clock.set(day(3))
    deals.win_deal(services, rep, "#1")
    four_days = Period(day(0), day(4), "4 days")
    out = reports.outcomes(services, rep, four_days)
    # 1 won of 1 closed; cycle 3 days; velocity 1 open x 1,200 x 1.0 / 3 = 400 a day.
    assert out.win_rate.current == 1.0
    assert out.sales_cycle_days.current == pytest.approx(3)
    assert reports.results(services, rep, four_days).results.total.current.velocity == Decimal(
        "400.00"
    )


def test_win_rate_at_a_local_midnight(services, rep, admin, clock):
    """Periods are local: New York is UTC-5 in early March 2026 (DST starts on the 8th)."""
    settings.update_settings(services, admin, timezone="America/New_York")
    ny = ZoneInfo("America/New_York")
    clock.set(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    for name in ("A", "B", "C", "D"):
        new(services, rep, name, "100")
    for when, action, ref in (
        (datetime(2026, 3, 5, 4, 59, 59, tzinfo=UTC), deals.win_deal, "#1"),  # Mar 4 23:59:59
        (datetime(2026, 3, 5, 5, 0, 0, tzinfo=UTC), deals.win_deal, "#2"),  # Mar 5 00:00
        (datetime(2026, 3, 6, 4, 59, 59, tzinfo=UTC), deals.lose_deal, "#3"),  # Mar 5 23:59:59
        (datetime(2026, 3, 6, 5, 0, 0, tzinfo=UTC), deals.lose_deal, "#4"),  # Mar 6 00:00
    ):
        clock.set(when)
        action(services, rep, ref)
    assert reports.workspace_timezone(services, rep) == ny
    period = parse_period("2026-03-05..2026-03-05", ny, clock.now)
    out = reports.outcomes(services, rep, period)
    # In Mar 5 (local): #2 won, #3 lost -> 0.5. The day before (Mar 4 local): #1 won -> 1.0.
    assert (out.won_count.current, out.lost_count.current) == (1, 1)
    assert out.win_rate.current == pytest.approx(0.5)
    assert (out.won_count.previous, out.lost_count.previous) == (1, 0)
    assert out.win_rate.previous == pytest.approx(1.0)


@pytest.fixture
def forecastable(services, rep, clock):
    clock.set(datetime(2026, 2, 20, 9, 0, tzinfo=UTC))
    for name in ("H1", "H2", "H3"):  # closed on Feb 21: the previous period of March
        new(services, rep, name, "1")
    clock.set(datetime(2026, 2, 21, 9, 0, tzinfo=UTC))
    deals.win_deal(services, rep, "#1")
    deals.win_deal(services, rep, "#2")
    deals.lose_deal(services, rep, "#3")
    clock.set(T0)
    new(services, rep, "F1", "10000", close_date=date(2026, 3, 10))  # prospecting 5 %
    new(services, rep, "F2", "20000", stage="proposal", close_date=date(2026, 3, 31))  # 60 %
    new(services, rep, "F3", stage="qualification", close_date=date(2026, 3, 15))  # no amount
    new(services, rep, "F4", "5000", stage="closing", close_date=date(2026, 4, 1))  # April
    new(services, rep, "F5", "8000")  # no close date
    new(services, rep, "F6", "9000", close_date=date(2026, 3, 20))  # lost below
    new(services, rep, "F7", "700", close_date=date(2026, 2, 28))  # February
    deals.lose_deal(services, rep, "#9")


def test_forecast(services, rep, forecastable):
    march = Period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC), "2026-03")
    f = reports.forecast(services, rep, march)
    # Open with a March close date: F1, F2, F3 -> 3 deals worth 10,000 + 20,000 = 30,000;
    # weighted 10,000 x 5 % + 20,000 x 60 % = 500 + 12,000 = 12,500. F3 has no amount.
    assert (f.first_day, f.last_day) == (date(2026, 3, 1), date(2026, 3, 31))
    assert (f.count, f.value, f.weighted_value) == (3, Decimal("30000"), Decimal("12500"))
    assert f.unpriced_count == 1
    # Open deals with no close date: F5 only.
    assert f.no_close_date_count == 1
    # The 31 days before March: Feb 21 closes, 2 won of 3 -> 2/3.
    assert f.win_rate == pytest.approx(2 / 3)
    assert f.win_rate_period.end == march.start


def test_forecast_of_an_empty_workspace(services, rep):
    f = reports.forecast(services, rep, Period(T0, day(30), "x"))
    assert (f.count, f.value, f.weighted_value, f.no_close_date_count) == (0, 0, 0, 0)
    assert f.win_rate is None


def test_forecast_close_dates_are_local_days(services, rep, admin, clock):
    settings.update_settings(services, admin, timezone="America/New_York")
    ny = ZoneInfo("America/New_York")
    clock.set(T0)
    new(services, rep, "Before", "1", close_date=date(2026, 3, 9))
    new(services, rep, "On", "10", close_date=date(2026, 3, 10))
    new(services, rep, "After", "100", close_date=date(2026, 3, 11))
    # The local day Mar 10 runs 04:00Z to 04:00Z on the 11th (EDT since the 8th): it touches
    # two UTC dates, but only the deal closing on Mar 10 is in it.
    f = reports.forecast(services, rep, parse_period("2026-03-10..2026-03-10", ny, clock.now))
    assert (f.count, f.value, f.first_day, f.last_day) == (
        1,
        Decimal("10"),
        date(2026, 3, 10),
        date(2026, 3, 10),
    )
    # A period starting and ending mid-day takes every local day it touches: Mar 9 15:00 to
    # Mar 11 01:00 New York time -> Mar 9, 10 and 11.
    span = Period(
        datetime(2026, 3, 9, 15, 0, tzinfo=ny), datetime(2026, 3, 11, 1, 0, tzinfo=ny), "x"
    )
    f = reports.forecast(services, rep, span)
    assert (f.count, f.value) == (3, Decimal("111"))
    # A period ending exactly at local midnight does not take the day that starts there.
    span = Period(
        datetime(2026, 3, 9, 0, 0, tzinfo=ny), datetime(2026, 3, 11, 0, 0, tzinfo=ny), "x"
    )
    assert reports.forecast(services, rep, span).value == Decimal("11")
