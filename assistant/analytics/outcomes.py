"""What the pipeline digest says of the deals closed in its period: won and lost counts, won
value, win rate and median sales cycle, each against the period before.

Nothing is defined here: the figures are `results.closed_in`'s (README "How the figures are
defined"), so the digest and `/pipeline results` of the same period always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from assistant.analytics._sql import CURRENT, PREVIOUS
from assistant.analytics.comparison import Delta
from assistant.analytics.results import closed_in
from assistant.domain.periods import Period


@dataclass(frozen=True)
class Outcomes:
    period: Period
    previous_period: Period
    won_count: Delta[int]
    won_value: Delta[Decimal]
    lost_count: Delta[int]
    win_rate: Delta[float]
    sales_cycle_days: Delta[float]  # median


def outcomes(session: Session, workspace_id: int, period: Period) -> Outcomes:
    closed = closed_in(session, workspace_id, period, open_deals=False)  # not shown
    now, before = closed[CURRENT], closed[PREVIOUS]
    return Outcomes(
        period=period,
        previous_period=period.previous(),
        won_count=Delta(now.won_count, before.won_count),
        won_value=Delta(now.won_value, before.won_value),
        lost_count=Delta(now.lost_count, before.lost_count),
        win_rate=Delta(now.win_rate, before.win_rate),
        sales_cycle_days=Delta(now.median_cycle_days, before.median_cycle_days),
    )
