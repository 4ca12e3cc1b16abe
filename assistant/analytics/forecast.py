"""The weighted forecast: open deals expected to close in a period.

A deal's `close_date` is a calendar date in the workspace's time zone. It falls in the period
when any part of that local day does: from the local date of `period.start` to the local date
of the last instant before `period.end` (so a period of whole days takes exactly those days,
and `30d` ending now takes today too). Weighted value = per stage, the stage's probability x
the sum of amounts, then summed. The win rate shown beside it is the one of
`period.previous()` (the period of equal length just before), as a guide to what the weights
may turn into; for a period that ends now that is the span before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.analytics._sql import CURRENT
from assistant.analytics.results import closed_in
from assistant.analytics.stages import pipeline_stages, workspace_facts
from assistant.domain.periods import Period
from assistant.domain.stages import DealStatus
from assistant.storage.models import Deal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Forecast:
    period: Period
    first_day: date  # close dates counted: first_day..last_day, both included
    last_day: date
    currency: str
    count: int
    value: Decimal
    weighted_value: Decimal
    unpriced_count: int  # of `count`, deals without an amount
    no_close_date_count: int  # open deals with no close date at all (not in `count`)
    win_rate: float | None
    win_rate_period: Period


def forecast(session: Session, workspace_id: int, period: Period) -> Forecast:
    facts = workspace_facts(session, workspace_id)
    first = period.start.astimezone(facts.zone).date()
    last = (period.end - timedelta(microseconds=1)).astimezone(facts.zone).date()
    stages = pipeline_stages(session, workspace_id)
    is_open = (Deal.workspace_id == workspace_id, Deal.status == DealStatus.OPEN.value)
    rows = session.execute(
        select(Deal.stage_key, func.count(), func.count(Deal.amount), func.sum(Deal.amount))
        .where(*is_open, Deal.close_date >= first, Deal.close_date <= last)
        .group_by(Deal.stage_key)
    ).all()
    undated = session.scalar(select(func.count()).where(*is_open, Deal.close_date.is_(None)))
    basis = period.previous()
    closed = closed_in(session, workspace_id, basis, cycles=False, open_deals=False)
    return Forecast(
        period=period,
        first_day=first,
        last_day=last,
        currency=facts.currency,
        count=sum(r[1] for r in rows),
        value=sum((r[3] or ZERO for r in rows), ZERO),
        weighted_value=sum(((r[3] or ZERO) * stages.get(r[0]).probability for r in rows), ZERO),
        unpriced_count=sum(r[1] - r[2] for r in rows),
        no_close_date_count=undated,
        win_rate=closed[CURRENT].win_rate,
        win_rate_period=basis,
    )
