"""`/pipeline bottlenecks` and `/pipeline forecast` end to end, with figures worked by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from assistant.services import deals
from assistant.services.context import Actor
from assistant.services.deals import NewDeal

REP = Actor("T_TEST", "UREP")
FORECAST_USAGE = "/pipeline forecast [period|accuracy]"
ANA = Actor("T_TEST", "U0ANA")


def _deal(bot, name, amount, stage=None, owner=REP, close=None) -> str:
    value = Decimal(amount) if amount else None
    new = NewDeal(name=name, amount=value, stage=stage, close_date=close)
    return f"#{deals.create_deal(bot.services, owner, new).number}"


def _table(result) -> list[str]:
    return result.body["blocks"][1]["text"]["text"].splitlines()


def _row(result, label: str) -> list[str]:
    line = next(row for row in _table(result) if row.startswith(label))
    return line[len(label) :].split()


def test_bottleneck_report_by_hand(bot):
    clock = bot.services.clock  # t0 = 2026-03-02 09:00 UTC
    _deal(bot, "Old prospect", "30000")  # #1 prospecting (target 7 days), from t0
    _deal(bot, "Slow assessment", "50000", "assessment", owner=ANA)  # #2 (target 14), from t0
    clock.advance(days=10)
    quick = _deal(bot, "Quick", "5000")  # #3 prospecting from t0+10
    clock.advance(days=2)
    steady = _deal(bot, "Steady", "5000")  # #4 prospecting from t0+12
    clock.advance(days=2)
    deals.move_deal(bot.services, REP, quick, "next")  # t0+14: a 4-day stay in prospecting
    clock.advance(days=1)
    _deal(bot, "Proposal", "20000", "proposal")  # #5 from t0+15
    clock.advance(days=2)
    deals.move_deal(bot.services, REP, steady, "next")  # t0+17: a 5-day stay in prospecting
    clock.advance(days=1)
    _deal(bot, "Fresh", "10000")  # #6 prospecting from t0+18
    clock.advance(days=2)  # now = t0+20

    result = bot.command("/pipeline", "bottlenecks")
    assert result.status == 200 and result.ephemeral
    # Stuck: #1 20 days in prospecting, 13 over its 7; #2 20 days in assessment, 6 over 14.
    # Prospecting has the most overdue days (13 > 6): it is the bottleneck.
    assert (
        "*Bottleneck: Lead generation* — 1 stuck deal worth $30,000, 13 days overdue in total."
        in result.text
    )
    # Prospecting now: #1 (20 days) and #6 (2 days) -> median 11.0; 30,000 + 10,000 = 40,000.
    # Completed stays in the last 30 days: 4 and 5 days -> median 4.5, p90 4 + 0.9 x 1 = 4.9;
    # the 30 days before had none, so no change is shown.
    assert _row(result, "Lead generation") == ["2", "$40,000", "11.0d", "1", "2", "4.5d", "4.9d"]
    # Qualification: #3 since t0+14 (6 days), #4 since t0+17 (3 days): median 4.5, not stuck.
    assert _row(result, "Qualification") == ["2", "$10,000", "4.5d", "0", "0", "—", "—"]
    assert _row(result, "Assessment") == ["1", "$50,000", "20.0d", "1", "0", "—", "—"]
    # #5: 5 days of its 10 in proposal.
    assert _row(result, "Proposal / price negotiation") == [
        "1", "$20,000", "5.0d", "0", "0", "—", "—",
    ]  # fmt: skip
    # Most overdue first, with the owners mentioned.
    first = "#1 Old prospect — Lead generation, 20 days (13 days over target), $30,000, <@UREP>"
    second = "#2 Slow assessment — Assessment, 20 days (6 days over target), $50,000, <@U0ANA>"
    assert first in result.text and second in result.text
    assert result.text.index(first) < result.text.index(second)


def test_no_stuck_deal_no_bottleneck(bot):
    _deal(bot, "Fresh", "10000")
    result = bot.command("/pipeline", "bottlenecks 7d share")
    assert not result.ephemeral and "No deal is stuck — no bottleneck." in result.text
    assert "Stays = stays completed in last 7 days" in result.text


def _forecast_data(bot) -> None:
    clock = bot.services.clock
    clock.set(datetime(2026, 2, 10, 9, 0, tzinfo=UTC))
    for name in ("Won A", "Won B", "Lost C"):
        _deal(bot, name, "1000")
    deals.win_deal(bot.services, REP, "Won A")
    deals.win_deal(bot.services, REP, "Won B")
    deals.lose_deal(bot.services, REP, "Lost C")  # win rate in February: 2 / 3 = 67 %
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    _deal(bot, "Prospect", "30000", close=date(2026, 3, 20))  # 5 %
    _deal(bot, "Proposal", "20000", "proposal", close=date(2026, 3, 31))  # 60 %
    _deal(bot, "Closing", "10000", "closing", close=date(2026, 5, 15))  # 80 %
    _deal(bot, "Unpriced", None, "qualification", close=date(2026, 3, 10))
    _deal(bot, "Undated", "7000")


def test_forecast_this_month_by_hand(bot):
    _forecast_data(bot)
    result = bot.command("/pipeline", "forecast this month")
    assert result.status == 200 and result.ephemeral
    # The whole of March, not only up to today: Prospect, Proposal and Unpriced close in it.
    assert "close dates 2026-03-01 to 2026-03-31" in result.text
    # 30,000 + 20,000 + nothing = 50,000; weighted 30,000 x 5 % + 20,000 x 60 % = 13,500
    assert "3 deals worth $50,000" in result.text and "*$13,500*" in result.text
    # The 31 days before March: 2026-01-29 to 2026-02-28, with 2 won of 3 closed.
    assert "closed 2026-01-29 to 2026-02-28: 67%" in result.text
    assert "1 deal of these without an amount" in result.text
    assert "1 open deal without a close date" in result.text


def test_forecast_looks_ahead(bot):
    _forecast_data(bot)
    ahead = bot.command("/pipeline", "forecast")  # default 30d: the next 30 days
    assert "Forecast, next 30 days* (close dates 2026-03-02 to 2026-04-01)" in ahead.text
    assert "3 deals worth $50,000" in ahead.text and "*$13,500*" in ahead.text
    today = bot.command("/pipeline", "forecast today")
    assert "close dates 2026-03-02 to 2026-03-02" in today.text and "0 deals" in today.text
    quarter = bot.command("/pipeline", "forecast 2026-Q2")
    # Only Closing: 10,000 x 80 % = 8,000
    assert "1 deal worth $10,000" in quarter.text and "*$8,000*" in quarter.text
    assert "close dates 2026-04-01 to 2026-06-30" in quarter.text
    weeks = bot.command("/pipeline", "forecast last 2 weeks")  # as far ahead as it reaches back
    assert "Forecast, next 2 weeks* (close dates 2026-03-02 to 2026-03-16)" in weeks.text
    coming = bot.command("/pipeline", "forecast next month")
    assert "Forecast, next month* (close dates 2026-04-01 to 2026-04-30)" in coming.text


@pytest.mark.parametrize(
    ("text", "phrase", "usage"),
    [
        ("bottlenecks 2026-Q5", "quarters are Q1 to Q4", "/pipeline bottlenecks [period]"),
        ("bottlenecks 7d proposal", "I don't know what to do with `proposal`",
         "/pipeline bottlenecks [period]"),
        ("forecast next year", "I don't know what to do with `next year`",
         FORECAST_USAGE),
        ("forecast 0d", "the number of days must be 1 to 3650", FORECAST_USAGE),
        ("forecast " + "x" * 4000, "I don't know what to do with", FORECAST_USAGE),
    ],
)  # fmt: skip
def test_bad_periods(bot, text, phrase, usage):
    result = bot.command("/pipeline", text)
    assert result.status == 200 and result.ephemeral
    assert phrase in result.text and f"Usage: `{usage}`" in result.text


def test_forecast_periods_in_the_workspace_zone(bot):
    bot.command("/sales", "settings tz:America/New_York", user="UADMIN")
    # 2026-03-02 09:00 UTC is 04:00 on Monday in New York; clocks spring forward on Sunday 8th.
    week = bot.command("/pipeline", "forecast this week")
    assert "Forecast, this week* (close dates 2026-03-02 to 2026-03-08)" in week.text
    month = bot.command("/pipeline", "forecast this month")
    assert "(close dates 2026-03-01 to 2026-03-31)" in month.text
    past = bot.command("/pipeline", "forecast last month")
    assert "(close dates 2026-02-01 to 2026-02-28)" in past.text
