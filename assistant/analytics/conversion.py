"""Stage conversion: of the deals that left stage S in a period, the share that went forward.

Forward = to a later stage (by position) or won; the rest went back to an earlier stage or were
lost. Counted per departure: a deal that left S twice in the period counts twice, once for
each way it went, so the share reads as "how often leaving S meant progress".
"Later" uses the stages' positions as they are now: after the pipeline is reordered, or for a
stage since removed from it (hidden stages sort after the active ones), old moves are judged
by today's order, since the history does not keep the order each move was made in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from assistant.analytics._sql import CURRENT, PREVIOUS, bucket, span
from assistant.analytics.comparison import Delta
from assistant.analytics.stages import pipeline_stages
from assistant.analytics.stats import share
from assistant.analytics.stays import stay_ends
from assistant.domain.periods import Period
from assistant.domain.stages import DealStatus, StageKind
from assistant.storage.models import Deal, Stage

ZERO = Decimal(0)


@dataclass(frozen=True)
class StageConversion:
    key: str
    label: str
    position: int
    left: Delta[int]
    forward: Delta[int]  # later stage or won
    share: Delta[float]  # forward / left; None when no deal left
    # How the current period's departures went, in detail (forward = advanced + won).
    advanced: int
    won: int
    back: int
    lost: int


@dataclass(frozen=True)
class ConversionReport:
    period: Period
    previous_period: Period
    stages: tuple[StageConversion, ...]


@dataclass(frozen=True)
class _Counts:
    left: int = 0
    advanced: int = 0
    won: int = 0
    back: int = 0
    lost: int = 0
    won_value: Decimal = ZERO  # the won deals' amounts now; only when asked for (movement)

    @property
    def forward(self) -> int:
        return self.advanced + self.won


def departures(
    session: Session, workspace_id: int, period: Period, start, end, with_won_value: bool = False
):
    """{(bucket, stage_key): _Counts} for stays that ended in [start, end).

    With `with_won_value`, each count also sums the won deals' amounts (movement's won value, from
    the same pass over the stays); stays whose stage is unknown (closed without any stage row,
    not expected) then come back too, under the key None, since their value still counts.
    """
    ends, params = stay_ends(workspace_id, start, end)
    source = aliased(Stage, name="source")
    target = aliased(Stage, name="target")

    def stage_of(alias, key):
        return and_(
            alias.workspace_id == workspace_id,
            alias.kind == StageKind.PIPELINE.value,
            alias.key == key,
        )

    which = bucket(ends.c.left_at, period)
    # A stage with no row (never expected) counts as neither ahead nor behind.
    advanced = target.position > source.position
    back = target.position < source.position
    won = ends.c.outcome == DealStatus.WON.value
    query = (
        select(
            which,
            ends.c.stage_key,
            func.count(),
            func.count(case((advanced, 1))),
            func.count(case((won, 1))),
            func.count(case((back, 1))),
            func.count(case((ends.c.outcome == DealStatus.LOST.value, 1))),
        )
        .select_from(ends)
        .outerjoin(source, stage_of(source, ends.c.stage_key))
        .outerjoin(target, stage_of(target, ends.c.to_stage))
        .group_by(which, ends.c.stage_key)
    )
    if with_won_value:
        query = query.add_columns(func.sum(case((won, Deal.amount)))).outerjoin(
            Deal, Deal.id == ends.c.deal_id
        )
    else:
        query = query.where(ends.c.stage_key.is_not(None))
    found = {}
    for b, key, *counts in session.execute(query, params):
        value = (counts.pop() or ZERO) if with_won_value else ZERO
        found[(b, key)] = _Counts(*counts, won_value=value)
    return found


def stage_conversion(session: Session, workspace_id: int, period: Period) -> ConversionReport:
    stages = pipeline_stages(session, workspace_id)
    previous, start, end = span(period)
    counts = departures(session, workspace_id, period, start, end)
    rows = []
    for stage in stages.laid_out(key for _, key in counts):
        now = counts.get((CURRENT, stage.key), _Counts())
        before = counts.get((PREVIOUS, stage.key), _Counts())
        rows.append(
            StageConversion(
                key=stage.key,
                label=stage.label,
                position=stage.position,
                left=Delta(now.left, before.left),
                forward=Delta(now.forward, before.forward),
                share=Delta(share(now.forward, now.left), share(before.forward, before.left)),
                advanced=now.advanced,
                won=now.won,
                back=now.back,
                lost=now.lost,
            )
        )
    return ConversionReport(period, previous, tuple(rows))
