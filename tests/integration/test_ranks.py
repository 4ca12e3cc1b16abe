"""Order statistics taken in SQL (`analytics.ranks`) equal `stats.percentile` over every value.

The bottleneck report's medians and p90s come from the few rows SQL keeps at the ranks they
interpolate between; here they are compared, exactly (==), with the percentiles of the full
lists, read the old way (every stay and open deal, durations from Python datetimes), for many
group sizes, ties and durations below zero, on both databases.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import BigInteger, literal, select

from assistant.analytics._sql import CURRENT, PREVIOUS, span
from assistant.analytics.bottlenecks import bottleneck_report
from assistant.analytics.ranks import MEDIAN, P90, low_rank
from assistant.analytics.stats import median, percentile
from assistant.analytics.stays import stay_ends
from assistant.analytics.stuck import days_between
from assistant.domain.periods import Period
from assistant.domain.stages import DealStatus
from assistant.services import deals
from assistant.services.deals import NewDeal
from assistant.storage.models import Deal, Workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PERIOD = Period(T0 + timedelta(days=30), T0 + timedelta(days=60), "the 30 days")
# Days a stay lasts, drawn with repeats so that groups have ties, then a microsecond or so
# added (also drawn with repeats): equal durations, and ones a microsecond apart.
DURATIONS = (0, 0.5, 1, 1, 2.25, 3, 3, 7, 12, 19.75, 40)
JITTER_MICROS = (0, 0, 1, 2, 999_999)


@pytest.mark.parametrize(
    ("ended_now", "ended_before", "still_new"),
    [(1, 0, 0), (0, 1, 2), (2, 3, 3), (3, 2, 4), (4, 5, 5), (5, 4, 0), (10, 11, 1)]
    + [(11, 10, 10), (6, 6, 11)],
)
def test_report_percentiles_equal_the_full_lists(
    services, rep, db, clock, ended_now, ended_before, still_new
):
    rng = random.Random(ended_now * 100 + ended_before)
    # Stays in `prospecting` that ended in the period (the deals stay open in qualification)...
    for n in range(ended_now):
        _stay(services, rep, clock, PERIOD.start + timedelta(days=1 + n), rng)
    # ...and in the one before (those deals are then won: stays in qualification that ended).
    for n in range(ended_before):
        number = _stay(services, rep, clock, PERIOD.start - timedelta(days=20 - n), rng)
        clock.advance(days=rng.choice(DURATIONS))
        deals.win_deal(services, rep, f"#{number}")
    for n in range(still_new):  # open in prospecting
        clock.set(PERIOD.start + timedelta(days=n, hours=rng.randrange(24)))
        deals.create_deal(services, rep, NewDeal(name=f"new {n}", amount=Decimal(1)))
    # `now` before some entries: their days in stage are clamped to 0.
    _check(db, now=PERIOD.start + timedelta(days=4.5))
    _check(db, now=PERIOD.end)


def test_durations_below_zero_are_clamped_as_in_python(services, rep, db, clock):
    """A stay whose end was written before its start (a clock that went back) counts 0 days."""
    rng = random.Random(7)
    for n in range(6):
        start = PERIOD.start + timedelta(days=10 + n)
        clock.set(start)
        number = deals.create_deal(services, rep, NewDeal(name=f"D{n}")).number
        clock.set(start + timedelta(days=rng.choice((-3, -1, 0.25, 2, 2))))
        deals.move_deal(services, rep, f"#{number}", "qualification")
    _check(db, now=PERIOD.start + timedelta(days=12))


@pytest.mark.parametrize("share", [MEDIAN, P90])
@pytest.mark.parametrize("count", [1, 2, 3, 10, 11, 12, 101, 509_393, 4_291_833, 10**12 + 7])
def test_low_rank_is_the_floor_python_takes(db, share, count):
    """SQL's (n - 1) x 9 / 10 is integer division on both databases, and equals
    math.floor((n - 1) x 0.9), the low rank `stats.interpolated` reads."""
    with db.reading() as session:
        got = session.scalar(select(low_rank(literal(count, BigInteger), share)))
    assert got == math.floor((count - 1) * float(share))


def test_low_rank_floor_agrees_for_every_count_to_a_million():
    for share in (MEDIAN, P90):
        p = float(share)
        bad = [
            k
            for k in range(1_000_000)
            if k * share.numerator // share.denominator != math.floor(k * p)
        ]
        assert bad == []


def _stay(services, rep, clock, ended: datetime, rng: random.Random) -> int:
    """A deal created in prospecting and moved on at `ended`, some days later."""
    jitter = rng.choice(JITTER_MICROS)
    clock.set(ended - timedelta(days=rng.choice(DURATIONS), microseconds=jitter))
    number = deals.create_deal(services, rep, NewDeal(name="D", amount=Decimal(5))).number
    clock.set(ended)
    deals.move_deal(services, rep, f"#{number}", "qualification")
    return number


def _check(db, now: datetime) -> None:
    with db.reading() as session:
        ws = session.scalar(select(Workspace.id))
        report = bottleneck_report(session, ws, PERIOD, now)
        days_now, stays = _full_lists(session, ws, now)
    assert {row.key for row in report.stages} >= set(days_now) | {k for _, k in stays}
    for row in report.stages:
        now_list = stays.get((CURRENT, row.key), [])
        before = stays.get((PREVIOUS, row.key), [])
        assert row.median_days_in_stage == median(days_now.get(row.key, []))
        assert (row.completed_stays.current, row.completed_stays.previous) == (
            len(now_list),
            len(before),
        )
        assert row.stay_median_days.current == median(now_list)
        assert row.stay_median_days.previous == median(before)
        assert row.stay_p90_days.current == percentile(now_list, 0.9)
        assert row.stay_p90_days.previous == percentile(before, 0.9)


def _full_lists(session, ws: int, now: datetime):
    """Every open deal's days in stage and every stay's days, read row by row (the oracle)."""
    days_now: dict[str, list[float]] = defaultdict(list)
    for key, entered in session.execute(
        select(Deal.stage_key, Deal.stage_entered_at).where(
            Deal.workspace_id == ws, Deal.status == DealStatus.OPEN.value
        )
    ):
        days_now[key].append(days_between(entered, now))
    _, start, end = span(PERIOD)
    ends, params = stay_ends(ws, start, end)
    stays: dict[tuple[int, str], list[float]] = defaultdict(list)
    for key, entered, left in session.execute(
        select(ends.c.stage_key, ends.c.entered_at, ends.c.left_at), params
    ):
        which = CURRENT if left >= PERIOD.start else PREVIOUS
        stays[(which, key)].append(days_between(entered, left))
    return days_now, stays
