"""Closed deals over a period: win rate, sales cycle and sales velocity.

- Win rate = won / (won + lost) among deals whose `closed_at` is in the period; None when none
  closed. A reopened deal is open again and counts nowhere until it closes again.
- Sales cycle = the median days from `created_at` to `closed_at` of the deals won in the period.
- Sales velocity = open deals now x average won amount x win rate / average sales cycle days,
  in value per day. The won amounts, win rate and (mean) cycle are those of the period; deals
  won without an amount are left out of the average amount. None when any factor is missing
  or the average cycle is zero. It is a now-figure (open deals now), so it has no "previous".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.analytics._sql import CURRENT, PREVIOUS, bucket, epoch_micros, span, within
from assistant.analytics.comparison import Delta
from assistant.analytics.stats import median, share
from assistant.analytics.stuck import days_of
from assistant.domain.periods import Period
from assistant.domain.stages import DealStatus
from assistant.storage.models import Deal

CENT = Decimal("0.01")
ZERO = Decimal(0)
MICROS_PER_DAY = Decimal(86_400_000_000)
WON, LOST = DealStatus.WON.value, DealStatus.LOST.value


@dataclass(frozen=True)
class Closed:
    """Deals closed in one period."""

    won_count: int = 0
    won_value: Decimal = ZERO
    priced_won: int = 0  # won deals that have an amount
    lost_count: int = 0
    # Creation to close of the won deals, in whole microseconds (never negative).
    cycles: tuple[int, ...] = ()

    @property
    def win_rate(self) -> float | None:
        return share(self.won_count, self.won_count + self.lost_count)

    @property
    def median_cycle_days(self) -> float | None:
        return median(days_of(c) for c in self.cycles)


def closed_deals(session: Session, workspace_id: int, period: Period) -> dict[int, Closed]:
    """{CURRENT: Closed, PREVIOUS: Closed} for the period and the one before it."""
    _, start, end = span(period)
    which = bucket(Deal.closed_at, period)
    in_span = (
        Deal.workspace_id == workspace_id,
        Deal.status.in_((WON, LOST)),
        within(Deal.closed_at, start, end),
    )
    totals = session.execute(
        select(which, Deal.status, func.count(), func.sum(Deal.amount), func.count(Deal.amount))
        .where(*in_span)
        .group_by(which, Deal.status)
    ).all()
    # Durations subtracted in SQL (`epoch_micros`): one int per won deal, not two timestamps.
    cycle = epoch_micros(Deal.closed_at) - epoch_micros(Deal.created_at)
    cycles: dict[int, list[int]] = defaultdict(list)
    for b, micros in session.execute(select(which, cycle).where(*in_span, Deal.status == WON)):
        cycles[b].append(max(micros, 0))
    found = {}
    for b in (CURRENT, PREVIOUS):
        won = next((r for r in totals if r[0] == b and r[1] == WON), None)
        lost = next((r for r in totals if r[0] == b and r[1] == LOST), None)
        found[b] = Closed(
            won_count=won[2] if won else 0,
            won_value=(won[3] or ZERO) if won else ZERO,
            priced_won=won[4] if won else 0,
            lost_count=lost[2] if lost else 0,
            cycles=tuple(cycles[b]),
        )
    return found


def win_rate(session: Session, workspace_id: int, period: Period) -> float | None:
    return closed_deals(session, workspace_id, period)[CURRENT].win_rate


@dataclass(frozen=True)
class Outcomes:
    period: Period
    previous_period: Period
    won_count: Delta[int]
    won_value: Delta[Decimal]
    lost_count: Delta[int]
    win_rate: Delta[float]
    sales_cycle_days: Delta[float]  # median
    # Velocity and its factors, for the period only:
    open_count: int
    average_won_amount: Decimal | None
    average_cycle_days: float | None
    velocity: Decimal | None  # value per day, to the cent


def outcomes(session: Session, workspace_id: int, period: Period) -> Outcomes:
    closed = closed_deals(session, workspace_id, period)
    now, before = closed[CURRENT], closed[PREVIOUS]
    open_count = session.scalar(
        select(func.count()).where(
            Deal.workspace_id == workspace_id, Deal.status == DealStatus.OPEN.value
        )
    )
    average_won = (now.won_value / now.priced_won).quantize(CENT) if now.priced_won else None
    average_cycle = _mean_days(now.cycles)
    return Outcomes(
        period=period,
        previous_period=period.previous(),
        won_count=Delta(now.won_count, before.won_count),
        won_value=Delta(now.won_value, before.won_value),
        lost_count=Delta(now.lost_count, before.lost_count),
        win_rate=Delta(now.win_rate, before.win_rate),
        sales_cycle_days=Delta(now.median_cycle_days, before.median_cycle_days),
        open_count=open_count,
        average_won_amount=average_won,
        average_cycle_days=float(average_cycle) if average_cycle is not None else None,
        velocity=_velocity(open_count, now, average_cycle),
    )


def _mean_days(cycles: tuple[int, ...]) -> Decimal | None:
    # Whole microseconds keep the mean exact, so velocity is exact up to its final rounding.
    if not cycles:
        return None
    return Decimal(sum(cycles)) / len(cycles) / MICROS_PER_DAY


def _velocity(open_count: int, closed: Closed, average_cycle: Decimal | None) -> Decimal | None:
    decided = closed.won_count + closed.lost_count
    if not (closed.priced_won and decided and average_cycle):
        return None
    average_won = closed.won_value / closed.priced_won
    value = open_count * average_won * closed.won_count / decided / average_cycle
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
