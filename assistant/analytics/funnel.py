"""The funnel over a period: a cohort of leads and how far they got.

Cohort = the leads created in the period (optionally of one source / campaign, matched
case-insensitively). reached(S) = cohort leads whose furthest funnel stage is S or later (by
position); a dropped lead keeps its furthest stage. Step conversion = reached(S) /
reached(the stage before S), None for the first stage; overall = reached(last stage, i.e.
`action`) / cohort. Median days to action: from `created_at` to `action_at` of the cohort leads
that reached it. Each figure carries the previous period of equal length.
By source / campaign: groups are case-insensitive (`Google` and `google` are one group, shown
with one of its spellings); leads without one are grouped as "(none)". Both periods, every
group and the whole cohort come from one GROUP BY query (`cohort_tallies`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from assistant.analytics._sql import CURRENT, PREVIOUS, bucket, epoch_micros, span, within
from assistant.analytics.comparison import Delta
from assistant.analytics.stages import StageSet, funnel_stages
from assistant.analytics.stats import median, share
from assistant.analytics.stuck import days_of
from assistant.domain.periods import Period
from assistant.domain.stages import StageKind
from assistant.storage.models import Lead, Stage

NO_GROUP = "(none)"
GROUP_COLUMNS = {"source": Lead.source, "campaign": Lead.campaign}
GroupBy = Literal["source", "campaign"]


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


@dataclass
class Cohort:
    """The cohorts of a period and the one before: whole, and per group of each `by` column.

    `whole[bucket]` is the whole cohort; `groups[by][(bucket, group key)]` one group's, with
    the group's shown name in `names[by][group key]`.
    """

    whole: dict[int, _Tally]
    groups: dict[str, dict[tuple[int, str | None], _Tally]]
    names: dict[str, dict[str | None, str]]


def cohort_tallies(
    session: Session,
    workspace_id: int,
    period: Period,
    filters=(),
    by: tuple[GroupBy, ...] = (),
) -> Cohort:
    """Tally the cohort once for the whole funnel and for every grouping in `by`.

    One GROUP BY over (bucket, each group key, furthest stage) and one narrow query for the
    days to action, however many groupings: a digest's funnel, sources and campaigns read
    the cohort once, and each grouping is folded from the same rows.
    """
    _, start, end = span(period)
    which = bucket(Lead.created_at, period)
    keys = [func.lower(GROUP_COLUMNS[b]) for b in by]
    spellings = [func.min(GROUP_COLUMNS[b]) for b in by]
    stage = aliased(Stage, name="furthest")
    scope = (Lead.workspace_id == workspace_id, within(Lead.created_at, start, end), *filters)
    rows = session.execute(
        select(which, stage.position, func.count(), *keys, *spellings)
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
        .group_by(which, stage.position, *keys)
    )
    cohort = Cohort(
        defaultdict(empty_tally), {b: defaultdict(empty_tally) for b in by}, {b: {} for b in by}
    )
    for b, position, count, *groups in rows:
        cohort.whole[b].furthest[position] += count
        group_keys, group_spellings = groups[: len(by)], groups[len(by) :]
        for grouping, key, spelling in zip(by, group_keys, group_spellings, strict=True):
            cohort.groups[grouping][(b, key)].furthest[position] += count
            names = cohort.names[grouping]
            # A group's rows come in parts (per bucket, stage and other grouping): its name is
            # the least of the parts' least spellings.
            shown = spelling or NO_GROUP
            names[key] = min(names.get(key, shown), shown)
    # Whole microseconds from SQL: one int per lead, the same days as the two timestamps.
    waited = epoch_micros(Lead.action_at) - epoch_micros(Lead.created_at)
    acted = session.execute(select(which, waited, *keys).where(*scope, Lead.action_at.is_not(None)))
    for b, micros, *group_keys in acted:
        days = days_of(micros)
        cohort.whole[b].days_to_action.append(days)
        for grouping, key in zip(by, group_keys, strict=True):
            cohort.groups[grouping][(b, key)].days_to_action.append(days)
    return cohort


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
    cohort = cohort_tallies(session, workspace_id, period, filters)
    stages = funnel_stages(session, workspace_id)
    return whole_funnel(stages, period, cohort, source=source, campaign=campaign)


def whole_funnel(stages: StageSet, period: Period, cohort: Cohort, **labels) -> Funnel:
    now = cohort.whole.get(CURRENT, empty_tally())
    before = cohort.whole.get(PREVIOUS, empty_tally())
    return build_funnel(stages, period, now, before, **labels)
