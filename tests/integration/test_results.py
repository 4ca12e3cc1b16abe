"""`/pipeline results` figures against an independent computation over the same rows (issue
#16): the deals are read back as plain rows and every figure is worked out here with the
standard library, never with the product's own functions."""

from __future__ import annotations

import math
import random
import statistics
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select

from assistant.analytics.results import SEGMENTS, results
from assistant.domain.periods import Period
from assistant.services import deals
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from assistant.storage.models import Deal

START = datetime(2026, 1, 1, tzinfo=UTC)
PERIOD = Period(datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC), "2026-Q2")
OWNERS = ("UANA", "UBEN", "UCHLOE")
SOURCES = ("webinar", "ads", None)


@pytest.fixture
def history(services, clock):
    """~150 deals over seven months: created, then won, lost or left open, at random times."""
    rng = random.Random(16)
    plans = []
    for i in range(150):
        created = START + timedelta(hours=rng.randrange(0, 24 * 200))
        outcome = rng.choice(("won", "won", "lost", "open"))
        closes = created + timedelta(hours=rng.randrange(1, 24 * 60))
        amount = Decimal(rng.choice((0, 1000, 2500, 12000, 40000))) if i % 7 else None
        plans.append((created, "create", i, amount))
        if outcome != "open":
            plans.append((closes, outcome, i, None))
    numbers = {}
    for when, what, i, amount in sorted(plans, key=lambda p: p[0]):
        clock.set(when)
        owner = OWNERS[i % 3]
        actor = Actor("T_TEST", owner)
        if what == "create":
            new = NewDeal(name=f"Deal {i}", amount=amount, source=SOURCES[i % 3])
            numbers[i] = deals.create_deal(services, actor, new).number
        elif what == "won":
            deals.win_deal(services, actor, f"#{numbers[i]}")
        else:
            deals.lose_deal(services, actor, f"#{numbers[i]}", "price")
    clock.set(datetime(2026, 8, 1, tzinfo=UTC))
    with services.db.reading() as session:
        return [
            {c.key: getattr(d, c.key) for c in Deal.__table__.c}
            for d in session.scalars(select(Deal))
        ]


def expected(rows, period: Period, key=None, value=None):
    """Every figure, by hand, from the rows."""
    mine = [r for r in rows if key is None or (r[key] or "(none)") == value]
    closed = [r for r in mine if r["closed_at"] and period.start <= r["closed_at"] < period.end]
    won = [r for r in closed if r["status"] == "won"]
    lost = [r for r in closed if r["status"] == "lost"]
    priced = [r["amount"] for r in won if r["amount"] is not None]
    cycles = [(r["closed_at"] - r["created_at"]).total_seconds() / 86400 for r in won]
    open_at_end = sum(
        1
        for r in mine
        if r["created_at"] < period.end and (r["closed_at"] is None or r["closed_at"] >= period.end)
    )
    figures = {
        "won_count": len(won),
        "won_value": sum((r["amount"] or Decimal(0) for r in won), Decimal(0)),
        "lost_count": len(lost),
        "win_rate": len(won) / len(closed) if closed else None,
        "average_won": (sum(priced) / len(priced)).quantize(Decimal("0.01")) if priced else None,
        "median": statistics.median(cycles) if cycles else None,
        "p90": statistics.quantiles(cycles, n=10, method="inclusive")[-1]
        if len(cycles) > 1
        else (cycles[0] if cycles else None),
        "mean": statistics.fmean(cycles) if cycles else None,
        "open": open_at_end,
    }
    # Velocity exactly: the unrounded average won amount, cycles as exact timedeltas, and
    # one rounding (half up) to the cent at the end.
    v = None
    if priced and closed and cycles and any(cycles):
        durations = [r["closed_at"] - r["created_at"] for r in won]
        mean_days = Fraction(sum(durations, timedelta()) / timedelta(microseconds=1)) / (
            len(durations) * 86_400_000_000
        )
        average = Fraction(sum(priced)) / len(priced)
        exact = open_at_end * average * Fraction(len(won), len(closed)) / mean_days
        v = Decimal(math.floor(exact * 100 + Fraction(1, 2))) / 100
    figures["velocity"] = v
    return figures


def check(figures, want) -> None:
    assert figures.won_count == want["won_count"]
    assert figures.won_value == want["won_value"]
    assert figures.lost_count == want["lost_count"]
    assert figures.win_rate == pytest.approx(want["win_rate"])
    assert figures.average_won == want["average_won"]
    assert figures.median_cycle_days == pytest.approx(want["median"], abs=1e-6)
    assert figures.p90_cycle_days == pytest.approx(want["p90"], abs=1e-6)
    assert figures.mean_cycle_days == pytest.approx(want["mean"], abs=1e-6)
    assert figures.open_count == want["open"]
    if want["velocity"] is None:
        assert figures.velocity is None
    else:
        assert figures.velocity == want["velocity"]


def test_totals_match_a_computation_by_hand(db, history):
    with db.reading() as session:
        found = results(session, 1, PERIOD)
    check(found.total.current, expected(history, PERIOD))
    check(found.total.previous, expected(history, PERIOD.previous()))


@pytest.mark.parametrize("by", ["owner", "source"])
def test_segments_match_and_sum_to_the_total(db, history, by):
    column = SEGMENTS[by].key
    with db.reading() as session:
        found = results(session, 1, PERIOD, by)
    assert found.segments, "the history has closed deals in the period"
    for segment in found.segments:
        check(segment.current, expected(history, PERIOD, column, segment.key))
    total = found.total.current
    assert sum(s.current.won_count for s in found.segments) == total.won_count
    assert sum(s.current.won_value for s in found.segments) == total.won_value
    assert sum(s.current.lost_count for s in found.segments) == total.lost_count
    assert sum(s.current.open_count for s in found.segments) == total.open_count
    values = [s.current.won_value for s in found.segments]
    assert values == sorted(values, reverse=True)


def test_the_velocity_change_is_its_factors_changes(db, history):
    with db.reading() as session:
        found = results(session, 1, PERIOD)
    now, before = expected(history, PERIOD), expected(history, PERIOD.previous())
    change = found.velocity_change
    assert change is not None
    assert change.ratio == pytest.approx(float(now["velocity"] / before["velocity"]), rel=1e-6)
    assert math.fsum(f.effect for f in change.factors) == pytest.approx(math.log(change.ratio))
    ratios = {f.name: f.ratio for f in change.factors}
    assert ratios["open deals"] == pytest.approx(now["open"] / before["open"])
    assert ratios["cycle"] == pytest.approx(now["mean"] / before["mean"])


def test_a_win_rate_of_few_deals_comes_with_its_interval(db, history):
    """Wilson's interval at 90 %, worked out from its formula."""
    with db.reading() as session:
        total = results(session, 1, PERIOD).total.current
    n, k = total.closed_count, total.won_count
    assert n < 100
    z = statistics.NormalDist().inv_cdf(0.95)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = total.win_rate_interval
    assert (low, high) == pytest.approx((centre - half, centre + half))
