"""The bottleneck report: where deals pile up now, and how long stays took over a period.

Bottleneck = the stage whose stuck deals have the most overdue days in total; ties go to more
stuck value, then to the earlier stage. No stuck deal, no bottleneck (None).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.analytics._sql import CURRENT, PREVIOUS, bucket, epoch_micros, span, whole_micros
from assistant.analytics.comparison import Delta
from assistant.analytics.pipeline import (
    DAY_SECONDS,
    EMPTY,
    OpenPipeline,
    StageLoad,
    checked,
    open_pipeline,
)
from assistant.analytics.ranks import MEDIAN, NONE, P90, Ranked, ranked
from assistant.analytics.stays import stay_ends
from assistant.analytics.stuck import TOP_STUCK, StuckDeal, days_of, top_stuck_deals
from assistant.domain.periods import Period
from assistant.domain.stages import DealStatus, StageDef
from assistant.storage.models import Deal


@dataclass(frozen=True)
class BottleneckStage:
    key: str
    label: str
    position: int
    target_days: int | None
    # Now (open deals):
    open_count: int
    open_value: Decimal
    median_days_in_stage: float | None
    stuck_count: int
    stuck_value: Decimal
    overdue_days: float
    # Completed stays that ended in the period, vs the previous period of equal length:
    completed_stays: Delta[int]
    stay_median_days: Delta[float]
    stay_p90_days: Delta[float]


@dataclass(frozen=True)
class BottleneckReport:
    period: Period
    previous_period: Period
    now: datetime
    currency: str
    bottleneck: BottleneckStage | None
    stages: tuple[BottleneckStage, ...]
    top_stuck: tuple[StuckDeal, ...]  # most overdue first
    stuck_total: int  # all stuck deals; `more_stuck` are not listed

    @property
    def more_stuck(self) -> int:
        return self.stuck_total - len(self.top_stuck)


def bottleneck_report(
    session: Session,
    workspace_id: int,
    period: Period,
    now: datetime,
    top: int = TOP_STUCK,
    pipeline: OpenPipeline | None = None,
) -> BottleneckReport:
    """`pipeline`, when given, is the one already read at `now` (a digest's board's)."""
    pipeline = checked(pipeline, now) or open_pipeline(session, workspace_id, now)
    stages, loads = pipeline.stages, pipeline.loads
    days_now = _days_in_stage_now(session, workspace_id, now)
    previous, start, end = span(period)
    stays = _stay_days(session, workspace_id, period, start, end)
    laid_out = stages.laid_out([*loads, *(key for _, key in stays)])
    rows = tuple(
        _row(s, loads.get(s.key, EMPTY), days_now.get(s.key, NONE), stays) for s in laid_out
    )
    return BottleneckReport(
        period=period,
        previous_period=previous,
        now=now,
        currency=pipeline.currency,
        bottleneck=_bottleneck(rows, loads),
        stages=rows,
        top_stuck=top_stuck_deals(session, workspace_id, stages, now, top),
        stuck_total=sum(load.stuck_count for load in loads.values()),
    )


def _bottleneck(rows, loads: dict[str, StageLoad]) -> BottleneckStage | None:
    stuck = [(index, row) for index, row in enumerate(rows) if row.stuck_count]
    if not stuck:
        return None
    # Overdue compared in whole seconds, so equal totals tie exactly; then stuck value; then
    # the earlier stage (the lower index).
    _, worst = max(
        stuck, key=lambda item: (loads[item[1].key].overdue_seconds, item[1].stuck_value, -item[0])
    )
    return worst


def _row(stage: StageDef, load: StageLoad, days_now: Ranked, stays) -> BottleneckStage:
    current = stays.get((CURRENT, stage.key), NONE)
    before = stays.get((PREVIOUS, stage.key), NONE)
    return BottleneckStage(
        key=stage.key,
        label=stage.label,
        position=stage.position,
        target_days=stage.target_days,
        open_count=load.open_count,
        open_value=load.open_value,
        median_days_in_stage=days_now.percentile(MEDIAN),
        stuck_count=load.stuck_count,
        stuck_value=load.stuck_value,
        overdue_days=load.overdue_seconds / DAY_SECONDS,
        completed_stays=Delta(current.count, before.count),
        stay_median_days=Delta(current.percentile(MEDIAN), before.percentile(MEDIAN)),
        stay_p90_days=Delta(current.percentile(P90), before.percentile(P90)),
    )


def _days_in_stage_now(session: Session, workspace_id: int, now: datetime) -> dict[str, Ranked]:
    """Days in stage of the open deals, by stage: the count and the median's rows only.

    Taken in SQL as integer microseconds from entry to `now` (`epoch_micros`: exact, and the
    order of the days, which `days_of` clamps at 0 for an entry after `now`); ranked there
    (`analytics.ranks`): at 1M deals, reading the ~79k open deals' rows took 0.19 s, before
    sorting them.
    """
    in_stage = whole_micros(now) - epoch_micros(Deal.stage_entered_at)
    values = select(Deal.stage_key, in_stage).where(
        Deal.workspace_id == workspace_id, Deal.status == DealStatus.OPEN.value
    )
    found = ranked(session.connection(), values, (MEDIAN,), days_of)
    return {key: stage for (key,), stage in found.items()}


def _stay_days(session: Session, workspace_id: int, period: Period, start, end):
    """Stays that ended in the period or the one before, by (bucket, stage): how many, and
    the durations their median and p90 read.

    Each duration is subtracted in SQL as integer microseconds and ranked there
    (`analytics.ranks`): at 1M deals the ~509k stays of the 60 days, fetched to be sorted in
    Python, were most of the digest's 1.6 s (bench/RESULTS.md, `--huge`).
    """
    ends, params = stay_ends(workspace_id, start, end)
    duration = epoch_micros(ends.c.left_at) - epoch_micros(ends.c.entered_at)
    values = select(bucket(ends.c.left_at, period), ends.c.stage_key, duration)
    return ranked(session.connection(), values, (MEDIAN, P90), days_of, params)
