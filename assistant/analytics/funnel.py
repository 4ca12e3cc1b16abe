"""The funnel over a period: a cohort of leads and how far they got.

Cohort = the leads created in the period (optionally of one source / campaign, matched
case-insensitively). reached(S) = cohort leads whose furthest funnel stage is S or later (by
position); a dropped lead keeps its furthest stage. Step conversion = reached(S) /
reached(the stage before S), None for the first stage; overall = reached(last stage, i.e.
`action`) / cohort. Median days to action: from `created_at` to `action_at` of the cohort leads
that reached it. Each figure carries the previous period of equal length.
By source / campaign: groups are case-insensitive (`Google` and `google` are one group, shown
with one of its spellings); leads without one are grouped as "(none)". Both periods and every
group come from one GROUP BY query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, null, select
from sqlalchemy.orm import Session, aliased

from assistant.analytics._sql import CURRENT, PREVIOUS, bucket, span, within
from assistant.analytics.comparison import Delta
from assistant.analytics.stages import StageSet, funnel_stages
from assistant.analytics.stats import median, share
from assistant.domain.periods import Period
from assistant.domain.stages import StageKind
from assistant.storage.models import Lead, Stage

NO_GROUP = "(none)"
GROUP_COLUMNS = {"source": Lead.source, "campaign": Lead.campaign}


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    position: int
    reached: Delta[int]
    step_conversion: Delta[float]  # reached / reached of the stage before; None for the first


@dataclass(frozen=True)
class Funnel:
    period: Period
    previous_period: Period
    cohort: Delta[int]
    steps: tuple[FunnelStep, ...]
    overall: Delta[float]  # reached(last stage) / cohort
    median_days_to_action: Delta[float]
    source: str | None = None  # the filters asked for
    campaign: str | None = None
    group: str | None = None  # the source or campaign this funnel is, in a FunnelGroups


@dataclass
class _Tally:
    """One cohort in one period: how many leads got no further than each position."""

    furthest: dict[int | None, int]
    days_to_action: list[float]

    @property
    def size(self) -> int:
        return sum(self.furthest.values())

    def reached(self, position: int) -> int:
        return sum(n for p, n in self.furthest.items() if p is not None and p >= position)


def empty_tally() -> _Tally:
    return _Tally(defaultdict(int), [])


def cohort_tallies(session: Session, workspace_id: int, period: Period, filters=(), by=None):
    """{(bucket, group key): _Tally} for the period and the one before, and the group names.

    Without `by` there is one group, keyed None.
    """
    _, start, end = span(period)
    which = bucket(Lead.created_at, period)
    grouping = [func.lower(by), func.min(by)] if by is not None else [null(), null()]
    stage = aliased(Stage, name="furthest")
    scope = (Lead.workspace_id == workspace_id, within(Lead.created_at, start, end), *filters)
    rows = session.execute(
        select(which, *grouping, stage.position, func.count())
        .select_from(Lead)
        .outerjoin(
            stage,
            and_(
                stage.workspace_id == workspace_id,
                stage.kind == StageKind.FUNNEL.value,
                stage.key == Lead.furthest_stage_key,
            ),
        )
        .where(*scope)
        .group_by(which, *grouping[:1] if by is not None else (), stage.position)
    )
    tallies: dict[tuple[int, str | None], _Tally] = defaultdict(empty_tally)
    names: dict[str | None, str] = {}
    for b, key, name, position, count in rows:
        tallies[(b, key)].furthest[position] += count
        names[key] = min(names.get(key, name or NO_GROUP), name or NO_GROUP)
    action_rows = session.execute(
        select(which, grouping[0], Lead.created_at, Lead.action_at).where(
            *scope, Lead.action_at.is_not(None)
        )
    )
    for b, key, created, acted in action_rows:
        days = max(0.0, (acted - created).total_seconds() / 86400)
        tallies[(b, key)].days_to_action.append(days)
    return tallies, names


def build_funnel(stages: StageSet, period: Period, now: _Tally, before: _Tally, **labels) -> Funnel:
    steps = []
    for index, stage in enumerate(stages.active):
        conversion: Delta[float] = Delta(None, None)
        if index:
            prior = stages.active[index - 1].position
            conversion = Delta(
                share(now.reached(stage.position), now.reached(prior)),
                share(before.reached(stage.position), before.reached(prior)),
            )
        reached = Delta(now.reached(stage.position), before.reached(stage.position))
        steps.append(FunnelStep(stage.key, stage.label, stage.position, reached, conversion))
    last = stages.active[-1].position if stages.active else None
    overall = Delta(
        share(now.reached(last), now.size) if last is not None else None,
        share(before.reached(last), before.size) if last is not None else None,
    )
    return Funnel(
        period=period,
        previous_period=period.previous(),
        cohort=Delta(now.size, before.size),
        steps=tuple(steps),
        overall=overall,
        median_days_to_action=Delta(median(now.days_to_action), median(before.days_to_action)),
        **labels,
    )


def funnel(
    session: Session,
    workspace_id: int,
    period: Period,
    source: str | None = None,
    campaign: str | None = None,
) -> Funnel:
    filters = []
    if source:
        filters.append(func.lower(Lead.source) == source.strip().lower())
    if campaign:
        filters.append(func.lower(Lead.campaign) == campaign.strip().lower())
    tallies, _ = cohort_tallies(session, workspace_id, period, filters)
    stages = funnel_stages(session, workspace_id)
    now, before = (
        tallies.get((CURRENT, None), empty_tally()),
        tallies.get((PREVIOUS, None), empty_tally()),
    )
    return build_funnel(stages, period, now, before, source=source, campaign=campaign)
