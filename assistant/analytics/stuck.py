"""Stuck deals, most overdue first: for the bottleneck report, lists and the App Home.

Stuck and overdue are the board's definitions (`pipeline`): days in stage past the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, case, literal, select
from sqlalchemy.orm import Session

from assistant.analytics._sql import MICROSECOND, epoch_seconds
from assistant.analytics.pipeline import DAY_SECONDS, stuck_condition
from assistant.analytics.stages import StageSet
from assistant.domain.stages import DealStatus
from assistant.storage.models import Deal

TOP_STUCK = 10


def days_between(start: datetime, end: datetime) -> float:
    return days_of((end - start) // MICROSECOND)


def days_of(micros: int) -> float:
    """A duration in whole microseconds as days, never negative.

    The one definition of "days" for durations: `timedelta.total_seconds()` is microseconds
    / 10**6 correctly rounded, so durations read as integers from SQL (`epoch_micros`) give
    the very same floats as the timedeltas of the two instants.
    """
    return max(0.0, micros / 1_000_000 / DAY_SECONDS)


@dataclass(frozen=True)
class StuckDeal:
    number: int
    name: str
    owner_id: str
    stage_key: str
    stage_label: str
    amount: Decimal | None
    days_in_stage: float
    overdue_days: float


def target_seconds(stages: StageSet) -> ColumnElement[int]:
    """The stage's target in seconds, per deal row (NULL without a target)."""
    targets = {
        s.key: s.target_days * DAY_SECONDS
        for s in stages.by_key.values()
        if s.target_days is not None
    }
    if not targets:
        return literal(None)
    return case(targets, value=Deal.stage_key, else_=None)


def top_stuck_deals(
    session: Session, workspace_id: int, stages: StageSet, now: datetime, top: int = TOP_STUCK
) -> tuple[StuckDeal, ...]:
    # The earlier a deal went past its target, the more overdue it is now.
    stuck_since = epoch_seconds(Deal.stage_entered_at) + target_seconds(stages)
    rows = session.execute(
        select(
            Deal.number,
            Deal.name,
            Deal.owner_id,
            Deal.stage_key,
            Deal.amount,
            Deal.stage_entered_at,
        )
        .where(
            Deal.workspace_id == workspace_id,
            Deal.status == DealStatus.OPEN.value,
            stuck_condition(stages, now),
        )
        .order_by(stuck_since, Deal.number)
        .limit(top)
    )
    deals = []
    for number, name, owner, key, amount, entered in rows:
        stage = stages.get(key)
        days = days_between(entered, now)
        overdue = max(0.0, days - (stage.target_days or 0))
        deals.append(StuckDeal(number, name, owner, key, stage.label, amount, days, overdue))
    return tuple(deals)
