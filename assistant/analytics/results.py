"""Results for any period and segment: what closed, how fast, and what drove velocity.

For the deals **closed in the period** (their `closed_at` in it), per segment and in total:
- won count and value, lost count; **win rate** = won / (won + lost), with a 90 % Wilson
  interval when fewer than `INTERVAL_BELOW` deals closed (a rate of 3 of 4 says little);
- **average won amount** (deals won with an amount); **sales cycle** = days from creation to
  won, its median and 90th percentile, and its mean (which velocity uses);
- **open deals** at the end of the period: created before it ended and not closed by then;
- **sales velocity** = open deals × win rate × average won amount ÷ mean cycle, value per day.
Each against the previous period of equal length. Velocity is a product, so the log of its
change is the sum of its factors' log changes (`VelocityChange`): that is how a reply can say
which factor moved it, and by how much.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session

from assistant.analytics._sql import CURRENT, PREVIOUS, bucket, epoch_micros, span, within
from assistant.analytics.stats import mean, median, percentile, share, wilson_interval
from assistant.analytics.stuck import days_of
from assistant.domain.periods import Period
from assistant.domain.stages import DealStatus
from assistant.storage.models import Deal

CENT = Decimal("0.01")
ZERO = Decimal(0)
WON, LOST = DealStatus.WON.value, DealStatus.LOST.value
INTERVAL_BELOW = 100  # closed deals under which a win rate comes with its 90 % interval
SMALL_SAMPLE = 10  # closed deals under which a segment's row is marked as a small sample
NO_SEGMENT = "(none)"
SEGMENTS = {
    "owner": Deal.owner_id,
    "source": Deal.source,
    "campaign": Deal.campaign,
    "company": Deal.company,
    "stage": Deal.stage_key,  # for closed deals: the stage they were won or lost from
}


@dataclass(frozen=True)
class Figures:
    """One segment's results over one period."""

    won_count: int = 0
    won_value: Decimal = ZERO
    priced_won: int = 0  # won deals with an amount
    lost_count: int = 0
    cycles: tuple[int, ...] = ()  # creation to won of each won deal, whole microseconds
    open_count: int = 0  # at the end of the period

    @property
    def closed_count(self) -> int:
        return self.won_count + self.lost_count

    @property
    def win_rate(self) -> float | None:
        return share(self.won_count, self.closed_count)

    @property
    def win_rate_interval(self) -> tuple[float, float] | None:
        """90 % Wilson interval of the win rate, when few deals closed (else None)."""
        if not self.closed_count or self.closed_count >= INTERVAL_BELOW:
            return None
        return wilson_interval(self.won_count, self.closed_count, 0.90)

    @property
    def average_won(self) -> Decimal | None:
        if not self.priced_won:
            return None
        return (self.won_value / self.priced_won).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def median_cycle_days(self) -> float | None:
        return median(days_of(c) for c in self.cycles)

    @property
    def p90_cycle_days(self) -> float | None:
        return percentile((days_of(c) for c in self.cycles), 0.9)

    @property
    def mean_cycle_days(self) -> float | None:
        return mean(days_of(c) for c in self.cycles)

    @property
    def velocity(self) -> Decimal | None:
        """Value per day; None when a factor is missing or the mean cycle is zero."""
        average, rate, cycle = self.average_won, self.win_rate, self.mean_cycle_days
        if average is None or rate is None or not cycle:
            return None
        value = self.open_count * average * Decimal(repr(rate)) / Decimal(repr(cycle))
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Segment:
    """A segment's figures now and in the period before; `key` None is the total."""

    key: str | None
    current: Figures
    previous: Figures

    @property
    def small_sample(self) -> bool:
        return self.current.closed_count < SMALL_SAMPLE


@dataclass(frozen=True)
class Factor:
    name: str  # open deals | win rate | average won | cycle
    ratio: float  # now / before
    effect: float  # its part of log(velocity now / before); a longer cycle is negative


@dataclass(frozen=True)
class VelocityChange:
    """velocity now / before - 1, and each factor's part of it (the effects sum to
    log(ratio) exactly)."""

    ratio: float
    factors: tuple[Factor, ...]

    @property
    def relative(self) -> float:
        return self.ratio - 1


@dataclass(frozen=True)
class Results:
    period: Period
    previous_period: Period
    by: str | None
    total: Segment
    segments: tuple[Segment, ...] = field(default_factory=tuple)  # by won value, largest first
    velocity_change: VelocityChange | None = None


def results(
    session: Session,
    workspace_id: int,
    period: Period,
    by: str | None = None,
    owner_id: str | None = None,
) -> Results:
    """The results of the workspace, or of one owner's deals (`owner_id`)."""
    if by is not None and by not in SEGMENTS:
        raise ValueError(f"unknown segment {by!r}")
    column = SEGMENTS[by] if by else None
    scope = (Deal.workspace_id == workspace_id,)
    if owner_id is not None:
        scope += (Deal.owner_id == owner_id,)
    per_segment = _figures(session, scope, period, column)
    total = _sum_segments(per_segment)
    segments = tuple(
        sorted(
            (Segment(key, now, before) for key, (now, before) in per_segment.items()),
            key=lambda s: (-s.current.won_value, -s.current.closed_count, str(s.key)),
        )
    ) if by else ()  # fmt: skip
    total_segment = Segment(None, *total)
    return Results(period, period.previous(), by, total_segment, segments, velocity_change(*total))


def velocity_change(now: Figures, before: Figures) -> VelocityChange | None:
    """Why velocity changed: its four factors' ratios, and each one's share of the log."""
    pairs = (
        ("open deals", now.open_count, before.open_count, 1),
        ("win rate", now.win_rate, before.win_rate, 1),
        ("average won", now.average_won, before.average_won, 1),
        ("cycle", now.mean_cycle_days, before.mean_cycle_days, -1),
    )
    factors = []
    for name, current, previous, sign in pairs:
        if not current or not previous:  # a factor missing or zero: velocity is undefined
            return None
        ratio = float(current) / float(previous)
        factors.append(Factor(name, ratio, sign * math.log(ratio)))
    return VelocityChange(math.exp(sum(f.effect for f in factors)), tuple(factors))


def _figures(session: Session, scope: tuple, period: Period, column):
    """{segment key: (Figures now, Figures before)}; one key, None, without a segment."""
    previous, start, end = span(period)
    # Deals without a value for the segment are one segment of their own, "(none)".
    key = func.coalesce(column, NO_SEGMENT) if column is not None else literal(NO_SEGMENT)
    key = key.label("key")
    which = bucket(Deal.closed_at, period)
    closed = (
        *scope,
        Deal.status.in_((WON, LOST)),
        within(Deal.closed_at, start, end),
    )
    counts: dict = defaultdict(dict)
    tallies = (func.count(), func.sum(Deal.amount), func.count(Deal.amount))
    rows = session.execute(
        select(which, key, Deal.status, *tallies).where(*closed).group_by(which, key, Deal.status)
    )
    for b, k, status, n, value, priced in rows:
        counts[k][(b, status)] = (n, value or ZERO, priced)
    cycles: dict = defaultdict(list)
    cycle = epoch_micros(Deal.closed_at) - epoch_micros(Deal.created_at)
    for b, k, micros in session.execute(
        select(which, key, cycle).where(*closed, Deal.status == WON)
    ):
        cycles[(k, b)].append(max(micros, 0))
    opens = _open_at_ends(session, scope, key, period.end, previous.end)
    found = {}
    for name in set(counts) | set(opens):
        found[name] = tuple(
            _one(counts[name], cycles[(name, b)], opens.get(name, (0, 0))[i], b)
            for i, b in ((0, CURRENT), (1, PREVIOUS))
        )
    return found or {NO_SEGMENT: (Figures(), Figures())}


def _one(counts: dict, cycles: list[int], open_count: int, b: int) -> Figures:
    won = counts.get((b, WON), (0, ZERO, 0))
    lost = counts.get((b, LOST), (0, ZERO, 0))
    return Figures(won[0], won[1], won[2], lost[0], tuple(cycles), open_count)


def _open_at_ends(session, scope: tuple, key, *ends) -> dict:
    """{segment: (open at the first end, open at the second)}: created before the end and
    not closed by then (a reopened deal counts as open since it was first created)."""

    def open_at(end):
        still = or_(Deal.closed_at.is_(None), Deal.closed_at >= end)
        return func.sum(case(((Deal.created_at < end) & still, 1), else_=0))

    rows = session.execute(select(key, *(open_at(end) for end in ends)).where(*scope).group_by(key))
    return {k: tuple(int(n or 0) for n in counts) for k, *counts in rows}


def _sum_segments(per_segment: dict) -> tuple[Figures, Figures]:
    """The total is the sum of the segments: every deal is in exactly one."""

    def add(parts: list[Figures]) -> Figures:
        return Figures(
            sum(p.won_count for p in parts),
            sum((p.won_value for p in parts), ZERO),
            sum(p.priced_won for p in parts),
            sum(p.lost_count for p in parts),
            tuple(c for p in parts for c in p.cycles),
            sum(p.open_count for p in parts),
        )

    pairs = list(per_segment.values())
    return add([p[0] for p in pairs]), add([p[1] for p in pairs])
