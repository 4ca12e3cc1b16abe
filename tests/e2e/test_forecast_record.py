"""The forecast's track record (issue #19): the scheduler's daily housekeeping keeps this
month's and quarter's forecast at their start and weekly, scores them when the period ends;
`/pipeline forecast accuracy` and the weekly digest report them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from assistant.server import housekeeping
from assistant.services import deals
from assistant.services.context import Actor
from assistant.storage.models import Forecast
from tests.e2e.test_pipeline_forecast import history

REP = Actor("T_TEST", "UREP")


def kept(bot) -> list[SimpleNamespace]:
    """The kept forecasts, oldest first, as plain values."""
    columns = [c.key for c in Forecast.__table__.columns]
    with bot.services.db.reading() as session:
        rows = session.scalars(select(Forecast).order_by(Forecast.made_at, Forecast.ends_at))
        return [SimpleNamespace(**{c: getattr(row, c) for c in columns}) for row in rows]


def test_forecasts_are_kept_scored_and_reported(bot):
    history(bot)  # 1 February 2026, 10:00: Mid $10k, Big $20k, Small $5k open, 70 % each
    clock = bot.services.clock
    empty = bot.command("/pipeline", "forecast accuracy").text
    assert "No forecast has been kept yet" in empty
    housekeeping(bot.settings, bot.services)
    assert [(f.label, f.made_at) for f in kept(bot)] == [
        ("2026-02", clock.now), ("2026-Q1", clock.now)
    ]  # fmt: skip
    housekeeping(bot.settings, bot.services)  # the same day: nothing new
    assert len(kept(bot)) == 2
    clock.set(datetime(2026, 2, 5, 9, 0, tzinfo=UTC))
    deals.win_deal(bot.services, REP, "#42")  # Big
    deals.win_deal(bot.services, REP, "#41")  # Mid
    clock.set(datetime(2026, 2, 8, 10, 0, tzinfo=UTC))
    housekeeping(bot.settings, bot.services)  # a week on: kept again
    assert len(kept(bot)) == 4 and all(f.scored_at is None for f in kept(bot))
    weekly = next(f for f in kept(bot) if f.label == "2026-02" and f.made_at == clock.now)
    assert weekly.won_before == 30_000 and weekly.p10 >= 30_000  # what is won stays won

    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # a Monday; February is over
    housekeeping(bot.settings, bot.services)
    february = [f for f in kept(bot) if f.label == "2026-02"]
    assert len(february) == 2 and all(f.scored_at == clock.now for f in february)
    first = february[0]
    assert first.actual == 30_000 and first.p10 <= 30_000 <= first.p90 and first.inside
    assert first.error == pytest.approx(float((first.p50 - 30_000) / 30_000))
    # Big and Mid closed (won) of the three open then: learned 70 %, configured 60 %.
    assert first.brier_learned == pytest.approx(0.3**2)
    assert first.brier_configured == pytest.approx(0.4**2)
    assert february[1].brier_learned is None  # only Small was open then, and it still is
    quarter = [f for f in kept(bot) if f.label == "2026-Q1"]
    assert len(quarter) == 3 and all(f.scored_at is None for f in quarter)  # not over yet

    record = bot.command("/pipeline", "forecast accuracy")
    assert record.status == 200 and record.ephemeral
    text = record.text
    assert "2 scored: actual inside P10–P90 in *100%*" in text
    assert "0.090 learned vs 0.160 configured" in text
    line = re.search(r"2026-02 \(made 2026-02-01\): \*\$[\d,]+\* likely, \$[\d,]+ to \$[\d,]+; "
                     r"won \*\$30,000\*, inside the range, P50 off by [+-]\d+%", text)  # fmt: skip
    assert line, text
    assert "2026-Q1 (made 2026-03-02)" in text and "not over yet" in text
    # A past period's forecast is what was forecast for it.
    past = bot.command("/pipeline", "forecast 2026-02").text
    assert "That period is over: $30,000 won (2 deals)" in past
    assert "*What was forecast for it*" in past and "2026-02 (made 2026-02-08)" in past
    assert (
        "No forecast was kept for that period." in bot.command("/pipeline", "forecast 2025-11").text
    )

    bot.command("/digest", "subscribe <#C0SALES|sales> pipeline weekly mon at 10:00", user="UADMIN")
    scheduler = bot.scheduler()
    clock.advance(hours=1, minutes=5)
    assert scheduler.tick()["posted"] == 1
    [post] = bot.fake.calls_to("chat.postMessage")
    assert re.search(
        r"\*Forecast vs actual, 2026-02\* \(made 2026-02-01\): \$[\d,]+ likely "
        r"\(\$[\d,]+ to \$[\d,]+\); won \*\$30,000\*, inside the range", post.args["text"]
    )  # fmt: skip


def test_housekeeping_keeps_nothing_for_an_empty_workspace_and_never_fails(bot):
    bot.command("/pipeline", "stages")  # the workspace exists, without a deal
    housekeeping(bot.settings, bot.services)
    rows = kept(bot)
    assert len(rows) == 2 and all(r.p90 == 0 and r.deals == "{}" for r in rows)
