"""`python bot.py forecast backtest` on a history made through the services (both databases):
the cuts, the scores against what was won, and the clear words when there is nothing to do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

import bot as cli
from assistant.domain.errors import InvalidInput
from assistant.services import deals
from assistant.services.deals import NewDeal
from assistant.services.forecasts import backtest


def seasons(services, clock, rep) -> None:
    """From March to August 2025, every week: four deals enter Proposal; two weeks later
    three are won ($1,000 each) and one is lost."""
    clock.now = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    pending: list[tuple[datetime, str, bool]] = []
    while clock.now < datetime(2025, 9, 1, tzinfo=UTC):
        for i in range(4):
            new = NewDeal(name=f"D{clock.now:%m%d}-{i}", amount=Decimal(1000), stage="proposal")
            number = deals.create_deal(services, rep, new).number
            pending.append((clock.now + timedelta(days=14), f"#{number}", i < 3))
        due = [p for p in pending if p[0] <= clock.now]
        for _, ref, won in due:
            (deals.win_deal if won else deals.lose_deal)(services, rep, ref)
        pending = [p for p in pending if p[0] > clock.now]
        clock.now += timedelta(days=7)


def test_monthly_backtest_of_a_steady_team(services, clock, rep):
    seasons(services, clock, rep)
    # By default cuts start 90 days into the history (1 June, 09:00: from July) and periods
    # end by the day of the last close (25 August: not August).
    default = backtest(services, None, every="month")
    assert [c.start.date() for c in default.cuts] == [date(2025, 7, 1)]
    report = backtest(services, None, date(2025, 5, 1), every="month")
    assert [c.start.date() for c in report.cuts] == [date(2025, 5, 1), date(2025, 6, 1),
                                                     date(2025, 7, 1)]  # fmt: skip
    for cut in report.cuts:
        s = cut.score
        # 3 wins a week: 12 or 15 a month, $1,000 each.
        assert s.actual in (12_000, 13_000, 15_000) and s.p10 <= s.p50 <= s.p90
        assert s.brier_learned < s.brier_configured  # 75 % won, 60 % configured
    assert report.totals.cuts == 3 and report.totals.scored_deals > 0
    weekly = backtest(services, None, date(2025, 6, 1), date(2025, 8, 4), every="week")
    assert [c.start.date() for c in weekly.cuts][:2] == [date(2025, 6, 2), date(2025, 6, 9)]
    assert weekly.cuts[-1].end.date() == date(2025, 8, 4)


def test_nothing_to_replay_says_why(services, clock, rep):
    assert "no workspace yet" in _refusal(services)
    deals.create_deal(services, rep, NewDeal(name="Lonely"))
    assert backtest(services, None).note == (
        "This workspace has no closed deals to score a forecast on."
    )
    seasons(services, clock, rep)
    empty = backtest(services, None, date(2020, 1, 1), date(2020, 6, 1))
    assert empty.cuts == () and "No whole month with known results between 2020-01-01" in (
        empty.note
    )
    with pytest.raises(InvalidInput):
        backtest(services, None, date(2025, 6, 1), date(2025, 5, 1))


def _refusal(services) -> str:
    from assistant.domain.errors import NotFound

    with pytest.raises(NotFound) as err:
        backtest(services, None)
    return err.value.message


def test_the_command_line_prints_cuts_and_totals(services, clock, rep, database_url, monkeypatch,
                                                 capsys):  # fmt: skip
    seasons(services, clock, rep)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert cli.main(["forecast", "backtest", "--every", "month"]) == 0
    out = capsys.readouterr().out
    assert "2025-07-01" in out and "Coverage (actual inside P10–P90)" in out
    assert "Brier score of the win chances" in out
    assert cli.main(["forecast", "backtest", "--from", "2025-06-01", "--to", "2025-05-01"]) == 2
    assert "--to must be after --from" in capsys.readouterr().err
