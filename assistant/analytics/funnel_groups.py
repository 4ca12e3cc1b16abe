"""The funnel per source or per campaign, side by side, and the best and worst of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from assistant.analytics._sql import CURRENT, PREVIOUS
from assistant.analytics.funnel import (
    GROUP_COLUMNS,
    NO_GROUP,
    Cohort,
    Funnel,
    GroupBy,
    build_funnel,
    cohort_tallies,
    empty_tally,
    whole_funnel,
)
from assistant.analytics.stages import StageSet, funnel_stages
from assistant.domain.periods import Period


@dataclass(frozen=True)
class FunnelGroups:
    period: Period
    previous_period: Period
    by: str  # "source" | "campaign"
    # Every group with leads in the period or the one before; most leads now first, then name.
    groups: tuple[Funnel, ...]

    @property
    def best(self) -> Funnel | None:
        return best_and_worst(self.groups)[0]

    @property
    def worst(self) -> Funnel | None:
        return best_and_worst(self.groups)[1]


# A best or worst source is named only among those with this many leads: 2 of 3 converting
# says little, and a landing page with 2 leads must not be "the best campaign".
MIN_SAMPLE = 30
# Names that say the source is not known: nobody can act on "unknown" being best.
UNNAMED = {NO_GROUP.casefold(), "unknown", "none", "n/a", "na", "null", "-", "not set"}


def comparable(groups: tuple[Funnel, ...]) -> list[Funnel]:
    """The groups fit to be called best or worst: named, with at least MIN_SAMPLE leads."""
    return [
        g
        for g in groups
        if (g.group or "").strip().casefold() not in UNNAMED
        and g.overall.current is not None
        and (g.cohort.current or 0) >= MIN_SAMPLE
    ]


def best_and_worst(groups: tuple[Funnel, ...]) -> tuple[Funnel | None, Funnel | None]:
    """Highest and lowest overall conversion this period, among `comparable` groups.

    With fewer than two to compare there is no best or worst. Ties: the bigger cohort is the
    more telling one, then the name.
    """
    ranked = sorted(comparable(groups), key=lambda g: (g.group or "").casefold())
    if len(ranked) < 2:
        return None, None
    # max/min keep the first of equals, and `ranked` is in name order.
    best = max(ranked, key=lambda g: (g.overall.current, g.cohort.current))
    worst = min(ranked, key=lambda g: (g.overall.current, -(g.cohort.current or 0)))
    if best.overall.current == worst.overall.current:
        return None, None  # all convert alike: naming one "best" and "worst" would mislead
    return best, worst


def funnel_groups(session: Session, workspace_id: int, period: Period, by: GroupBy) -> FunnelGroups:
    if by not in GROUP_COLUMNS:
        raise ValueError(f"funnel groups are by source or campaign, not {by!r}")
    cohort = cohort_tallies(session, workspace_id, period, by=(by,))
    return groups_of(funnel_stages(session, workspace_id), period, cohort, by)


def funnel_with_groups(
    session: Session, workspace_id: int, period: Period
) -> tuple[Funnel, FunnelGroups, FunnelGroups]:
    """The whole funnel, by source and by campaign (what a funnel digest shows).

    The three come from one read of the cohort rather than one each.
    """
    cohort = cohort_tallies(session, workspace_id, period, by=("source", "campaign"))
    stages = funnel_stages(session, workspace_id)
    return (
        whole_funnel(stages, period, cohort),
        groups_of(stages, period, cohort, "source"),
        groups_of(stages, period, cohort, "campaign"),
    )


def groups_of(stages: StageSet, period: Period, cohort: Cohort, by: GroupBy) -> FunnelGroups:
    tallies, names = cohort.groups[by], cohort.names[by]
    groups = []
    for key in {k for _, k in tallies}:
        now = tallies.get((CURRENT, key), empty_tally())
        before = tallies.get((PREVIOUS, key), empty_tally())
        name = names.get(key, NO_GROUP)
        groups.append(build_funnel(stages, period, now, before, group=name))
    groups.sort(key=lambda g: (-(g.cohort.current or 0), (g.group or "").casefold()))
    return FunnelGroups(period, period.previous(), by, tuple(groups))
