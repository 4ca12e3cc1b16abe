"""Funnel cohorts: the leads created in each month (or week) of a period, and how far they
have got so far.

For each cohort: its size, reached(S) for every funnel stage (leads whose furthest stage is S
or later, as in the funnel), the share that reached `action`, and the median days from
creation to `action` of those that did. Months and weeks (from Monday) are calendar ones in
the workspace's time zone, cut to the period. This is how marketers compare campaigns whose
leads take weeks to convert: an older cohort has had longer to get there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from assistant.analytics._sql import epoch_micros, within
from assistant.analytics.stages import funnel_stages
from assistant.analytics.stats import median, share
from assistant.analytics.stuck import days_of
from assistant.domain.periods import Period
from assistant.domain.stages import StageKind
from assistant.storage.models import Lead, Stage

UNITS = ("month", "week")
MAX_COHORTS = 60  # a period cut into more than this is too long to read as rows


@dataclass(frozen=True)
class LeadCohort:
    label: str  # `2026-03`, or the week's Monday `2026-03-02`
    start: datetime
    end: datetime
    size: int
    reached: tuple[int, ...]  # per funnel stage, in order
    median_days_to_action: float | None

    @property
    def action_share(self) -> float | None:
        return share(self.reached[-1], self.size) if self.reached else None


@dataclass(frozen=True)
class Cohorts:
    period: Period
    by: str
    stages: tuple[str, ...]  # the funnel's stage labels, in order
    rows: tuple[LeadCohort, ...]


def boundaries(period: Period, by: str, zone: ZoneInfo) -> list[tuple[str, datetime, datetime]]:
    """(label, start, end) of each calendar month or week the period touches, cut to it."""
    first = period.start.astimezone(zone).date()
    if by == "month":
        first = first.replace(day=1)
    else:
        first -= timedelta(days=first.weekday())
    cuts = []
    day = first
    while _midnight(day, zone) < period.end and len(cuts) < MAX_COHORTS:
        after = _next(day, by)
        start = max(_midnight(day, zone), period.start)
        end = min(_midnight(after, zone), period.end)
        cuts.append((day.isoformat()[:7] if by == "month" else day.isoformat(), start, end))
        day = after
    return cuts


def _next(day: date, by: str) -> date:
    if by == "week":
        return day + timedelta(days=7)
    index = day.year * 12 + day.month
    return date(index // 12, index % 12 + 1, 1)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    # Through UTC: a midnight a DST change skips becomes the day's first real instant.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC).astimezone(zone)


def cohorts(
    session: Session, workspace_id: int, period: Period, by: str, zone: ZoneInfo, filters=()
) -> Cohorts:
    if by not in UNITS:
        raise ValueError(f"cohorts are by month or week, not {by!r}")
    cuts = boundaries(period, by, zone)
    stages = funnel_stages(session, workspace_id).active
    positions = [s.position for s in stages]
    # The cohort each lead is in, computed in SQL from the cuts (latest first).
    latest_first = reversed(list(enumerate(cuts)))
    which = case(
        *((Lead.created_at >= start, index) for index, (_, start, _) in latest_first), else_=-1
    ).label("cohort")
    furthest = aliased(Stage, name="furthest")
    scope = (Lead.workspace_id == workspace_id, within(Lead.created_at, period.start, period.end))
    rows = session.execute(
        select(which, furthest.position, func.count())
        .select_from(Lead)
        .outerjoin(
            furthest,
            and_(
                furthest.workspace_id == workspace_id,
                furthest.kind == StageKind.FUNNEL.value,
                furthest.key == Lead.furthest_stage_key,
            ),
        )
        .where(*scope, *filters)
        .group_by(which, furthest.position)
    )
    tally: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for index, position, count in rows:
        tally[index][position] += count
    waited = epoch_micros(Lead.action_at) - epoch_micros(Lead.created_at)
    days: dict[int, list[float]] = defaultdict(list)
    acted = select(which, waited).where(*scope, *filters, Lead.action_at.is_not(None))
    for index, micros in session.execute(acted):
        days[index].append(days_of(max(micros, 0)))
    found = []
    for index, (label, start, end) in enumerate(cuts):
        counts = tally.get(index, {})
        reached = tuple(
            sum(n for p, n in counts.items() if p is not None and p >= position)
            for position in positions
        )
        found.append(
            LeadCohort(label, start, end, sum(counts.values()), reached, median(days[index]))
        )
    if len(found) > 1 and not found[-1].size:
        found.pop()  # a month just begun with no lead yet says nothing
    return Cohorts(period, by, tuple(s.label for s in stages), tuple(found))
