"""Results for any period and segment: what closed, how fast, and what drove velocity.

For the deals **closed in the period** (their `closed_at` in it), per segment and in total:
- won count and value, lost count; **win rate** = won / (won + lost), with a 90 % Wilson
  interval when fewer than `INTERVAL_BELOW` deals closed (a rate of 3 of 4 says little);
- **average won amount** (deals won with an amount); **sales cycle** = days from creation to
  won, its median and 90th percentile, and its mean (which velocity uses);
- **open deals** at the end of the period: created before it ended and not closed by then;
- **sales velocity** = open deals × win rate × average won amount ÷ mean cycle, value per day,
  worked out exactly (fractions of the stored amounts and whole microseconds) and rounded once.
Each against the previous period of equal length. Velocity is a product, so the log of its
change is the sum of its factors' log changes (`VelocityChange`): that is how a reply can say
which factor moved it, and by how much.

These are the only definitions of these figures: `closed_in` gives them to the digests'
outcomes, to targets (attainment, the win rate coverage needs) and to the forecast.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

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
MICROS_PER_DAY = 86_400_000_000
WON, LOST = DealStatus.WON.value, DealStatus.LOST.value
INTERVAL_BELOW = 100  # closed deals under which a win rate comes with its 90 % interval
SMALL_SAMPLE = 10  # closed deals under which a segment's row is marked as a small sample
NO_SEGMENT = "(none)"
FACTORS = ("open deals", "win rate", "average won", "cycle")
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
        return _to_cent(Fraction(self.won_value) / self.priced_won)

    @property
    def median_cycle_days(self) -> float | None:
        return median(days_of(c) for c in self.cycles)

    @property
    def p90_cycle_days(self) -> float | None:
        return percentile((days_of(c) for c in self.cycles), 0.9)

    @property
    def mean_cycle_days(self) -> float | None:
        return mean(days_of(c) for c in self.cycles)

    def velocity_factors(self) -> tuple[Fraction, Fraction, Fraction, Fraction] | None:
        """Velocity's four factors exactly: open deals, win rate, average won amount (not
        rounded to the cent) and mean cycle in days; None when one is missing."""
        if not (self.closed_count and self.priced_won and self.cycles):
            return None
        return (
            Fraction(self.open_count),
            Fraction(self.won_count, self.closed_count),
            Fraction(self.won_value) / self.priced_won,
            Fraction(sum(self.cycles), len(self.cycles) * MICROS_PER_DAY),
        )

    @property
    def velocity(self) -> Decimal | None:
        """Value per day, rounded half up to the cent once, from the exact factors; None when a
        factor is missing or the mean cycle is zero."""
        factors = self.velocity_factors()
        if factors is None or not factors[3]:
            return None
        open_count, rate, average, cycle = factors
        return _to_cent(open_count * rate * average / cycle)


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


def closed_in(
    session: Session,
    workspace_id: int,
    period: Period,
    owner_id: str | None = None,
    *,
    cycles: bool = True,
    open_deals: bool = True,
) -> dict[int, Figures]:
    """{CURRENT: Figures, PREVIOUS: Figures}: the deals of the workspace (or of one owner)
    closed in the period and in the one of equal length before it.

    Callers that need less say so: without `cycles` no cycle is read per won deal (no cycle
    figures, no velocity); without `open_deals` the deals open at the periods' ends are not
    counted (every deal is scanned for that), and `open_count` stays 0."""
    scope = _scope(workspace_id, owner_id)
    found = _figures(session, scope, period, None, cycles=cycles, open_deals=open_deals)
    now, before = _sum_segments(found)
    return {CURRENT: now, PREVIOUS: before}


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
    per_segment = _figures(session, _scope(workspace_id, owner_id), period, column)
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
    current, previous = now.velocity_factors(), before.velocity_factors()
    if current is None or previous is None:
        return None
    factors = []
    for name, sign, a, b in zip(FACTORS, (1, 1, 1, -1), current, previous, strict=True):
        if not a or not b:  # a factor zero: velocity is zero or undefined, no ratio
            return None
        ratio = float(a / b)  # exact ratio, one rounding
        factors.append(Factor(name, ratio, sign * math.log(ratio)))
    return VelocityChange(math.exp(sum(f.effect for f in factors)), tuple(factors))


def _scope(workspace_id: int, owner_id: str | None) -> tuple:
    if owner_id is None:
        return (Deal.workspace_id == workspace_id,)
    return (Deal.workspace_id == workspace_id, Deal.owner_id == owner_id)


def _to_cent(value: Fraction) -> Decimal:
    """Half up (away from zero), the one rounding of an exact value."""
    cents, rest = divmod(abs(value) * 100, 1)
    cents = int(cents) + (rest >= Fraction(1, 2))
    return (Decimal(cents if value >= 0 else -cents) / 100).quantize(CENT)


def _figures(session: Session, scope: tuple, period: Period, column, cycles=True, open_deals=True):
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
    durations: dict = defaultdict(list)
    if cycles:
        cycle = epoch_micros(Deal.closed_at) - epoch_micros(Deal.created_at)
        for b, k, micros in session.execute(
            select(which, key, cycle).where(*closed, Deal.status == WON)
        ):
            durations[(k, b)].append(max(micros, 0))
    opens = _open_at_ends(session, scope, key, period.end, previous.end) if open_deals else {}
    found = {}
    for name in set(counts) | set(opens):
        found[name] = tuple(
            _one(counts[name], durations[(name, b)], opens.get(name, (0, 0))[i], b)
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
