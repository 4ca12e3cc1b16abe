"""The board: open deals per pipeline stage, their value, weighted value and what is stuck.

Days in stage = now - stage_entered_at. A deal is stuck when that exceeds the stage's target
(strictly: exactly on target is not stuck); its overdue days = days in stage - target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, false, func, literal, select
from sqlalchemy.orm import Session

from assistant.analytics._sql import epoch_seconds, whole_seconds
from assistant.analytics.stages import pipeline_stages, workspace_facts
from assistant.domain.stages import DealStatus, StageDef, StageSet
from assistant.storage.models import Deal
from assistant.storage.types import UTCDateTime

ZERO = Decimal(0)
DAY_SECONDS = 86400


def stuck_condition(stages: StageSet, now: datetime) -> ColumnElement[bool]:
    """True for an (open) deal past its stage's target, compared exactly as datetimes."""
    limits = {
        s.key: literal(now - timedelta(days=s.target_days), UTCDateTime())
        for s in stages.by_key.values()
        if s.target_days is not None
    }
    if not limits:
        return false()
    return Deal.stage_entered_at < case(limits, value=Deal.stage_key, else_=None)


def matched_summary(
    session: Session, where: list, stages: StageSet, now: datetime
) -> tuple[int, Decimal, int]:
    """How many deals meet `where`, their value, and how many of them are open and stuck (by
    `stuck_condition`), in one statement: what a list says of deals it does not all show."""
    stuck = and_(Deal.status == DealStatus.OPEN.value, stuck_condition(stages, now))
    count, value, stuck_count = session.execute(
        select(func.count(), func.sum(Deal.amount), func.count(case((stuck, 1)))).where(*where)
    ).one()
    return count, value or ZERO, stuck_count


@dataclass(frozen=True)
class StageLoad:
    """What sits in one stage now (open deals only)."""

    open_count: int
    open_value: Decimal
    stuck_count: int
    stuck_value: Decimal
    overdue_seconds: int


def stage_loads(
    session: Session, workspace_id: int, stages: StageSet, now: datetime
) -> dict[str, StageLoad]:
    stuck = stuck_condition(stages, now)
    rows = session.execute(
        select(
            Deal.stage_key,
            func.count(),
            func.sum(Deal.amount),
            func.count(case((stuck, 1))),
            func.sum(case((stuck, Deal.amount))),
            func.sum(case((stuck, epoch_seconds(Deal.stage_entered_at)))),
        )
        .where(Deal.workspace_id == workspace_id, Deal.status == DealStatus.OPEN.value)
        .group_by(Deal.stage_key)
    ).all()
    now_s = whole_seconds(now)
    loads = {}
    for key, count, value, stuck_count, stuck_value, entered_sum in rows:
        # Sum over stuck deals of (now - entered - target) = n x (now - target) - sum(entered).
        target = stages.get(key).target_days or 0
        overdue = stuck_count * (now_s - target * DAY_SECONDS) - int(entered_sum or 0)
        loads[key] = StageLoad(
            count, value or ZERO, stuck_count, stuck_value or ZERO, max(overdue, 0)
        )
    return loads


EMPTY = StageLoad(0, ZERO, 0, ZERO, 0)


@dataclass(frozen=True)
class BoardRow:
    key: str
    label: str
    position: int
    probability: Decimal  # 0..1
    target_days: int | None
    open_count: int
    open_value: Decimal
    weighted_value: Decimal  # open_value x probability, exact
    stuck_count: int
    stuck_value: Decimal
    overdue_days: float  # summed over the stage's stuck deals

    @property
    def on_track_value(self) -> Decimal:
        return self.open_value - self.stuck_value


@dataclass(frozen=True)
class BoardTotals:
    open_count: int
    open_value: Decimal
    weighted_value: Decimal
    stuck_count: int
    stuck_value: Decimal
    overdue_days: float


@dataclass(frozen=True)
class Board:
    now: datetime
    currency: str
    rows: tuple[BoardRow, ...]
    totals: BoardTotals


def board_row(stage: StageDef, load: StageLoad) -> BoardRow:
    return BoardRow(
        key=stage.key,
        label=stage.label,
        position=stage.position,
        probability=stage.probability,
        target_days=stage.target_days,
        open_count=load.open_count,
        open_value=load.open_value,
        # Sum first, then weigh: one exact multiplication per stage, no per-deal rounding.
        weighted_value=load.open_value * stage.probability,
        stuck_count=load.stuck_count,
        stuck_value=load.stuck_value,
        overdue_days=load.overdue_seconds / DAY_SECONDS,
    )


@dataclass(frozen=True)
class OpenPipeline:
    """The pipeline's stages and what sits in each of them at `now`.

    Read once and handed to both the board and the bottleneck report of one digest, so the
    two show figures of the same query instead of each running it.
    """

    now: datetime
    currency: str
    stages: StageSet
    loads: dict[str, StageLoad]


def open_pipeline(session: Session, workspace_id: int, now: datetime) -> OpenPipeline:
    stages = pipeline_stages(session, workspace_id)
    return OpenPipeline(
        now=now,
        currency=workspace_facts(session, workspace_id).currency,
        stages=stages,
        loads=stage_loads(session, workspace_id, stages, now),
    )


def board(
    session: Session, workspace_id: int, now: datetime, pipeline: OpenPipeline | None = None
) -> Board:
    """Per active stage in order (plus any hidden stage still holding open deals); totals.

    `pipeline`, when given, is the one already read at `now` (see `OpenPipeline`).
    """
    pipeline = checked(pipeline, now) or open_pipeline(session, workspace_id, now)
    stages, loads = pipeline.stages, pipeline.loads
    rows = tuple(board_row(s, loads.get(s.key, EMPTY)) for s in stages.laid_out(loads))
    totals = BoardTotals(
        open_count=sum(r.open_count for r in rows),
        open_value=sum((r.open_value for r in rows), ZERO),
        weighted_value=sum((r.weighted_value for r in rows), ZERO),
        stuck_count=sum(r.stuck_count for r in rows),
        stuck_value=sum((r.stuck_value for r in rows), ZERO),
        overdue_days=sum(load.overdue_seconds for load in loads.values()) / DAY_SECONDS,
    )
    return Board(now, pipeline.currency, rows, totals)


def checked(pipeline: OpenPipeline | None, now: datetime) -> OpenPipeline | None:
    """`pipeline`, refusing one read at another instant than the figure is asked for."""
    if pipeline is not None and pipeline.now != now:
        raise ValueError(f"the open pipeline was read at {pipeline.now}, not at {now}")
    return pipeline
