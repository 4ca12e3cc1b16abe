"""Forecast use cases outside the commands: the backtest of a workspace's history (and the
track record the scheduler keeps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from assistant.analytics.forecasting.backtest import Score, Totals, score, totals
from assistant.analytics.outlook import load_timeline, stage_settings
from assistant.domain.errors import InvalidInput, NotFound
from assistant.services.context import Services
from assistant.services.workspaces import named_or_only
from assistant.storage.models import Change

EVERY = ("week", "month")
WARM_UP = timedelta(days=90)  # history before the first cut, by default
KNOWN_DAY = timedelta(days=1)  # the day of the last close is known whole


@dataclass(frozen=True)
class Cut:
    start: datetime  # the cut: the forecast knows the rows before it
    end: datetime  # the period forecast: [start, end)
    score: Score


@dataclass(frozen=True)
class Backtest:
    team_id: str
    currency: str
    every: str
    cuts: tuple[Cut, ...]
    totals: Totals
    note: str | None = None  # why there is nothing to show


def backtest(
    services: Services,
    team_id: str | None,
    start: date | None = None,
    end: date | None = None,
    every: str = "month",
) -> Backtest:
    """At each week's or month's start in [start, end), forecast that week or month from the
    rows before it and score it against what happened."""
    if every not in EVERY:
        raise InvalidInput("--every is `week` or `month`.")
    if start and end and end <= start:
        raise InvalidInput("--to must be after --from.")
    with services.db.reading() as session:
        workspace = named_or_only(session, team_id)
        if workspace is None:
            raise NotFound("the database has no workspace yet; import a file first")
        zone = ZoneInfo(workspace.timezone)
        team, currency = workspace.team_id, workspace.currency
        deal_rows = (Change.workspace_id == workspace.id, Change.entity == "deal")
        first = session.scalar(select(func.min(Change.at)).where(*deal_rows))
        # Results are known through the day of the last close (an import stamps the deals
        # it has no dates for with the time of the import: no later row says anything).
        last = session.scalar(
            select(func.max(Change.at)).where(
                *deal_rows, Change.field == "status", Change.new_value.in_(("won", "lost"))
            )
        )
        timeline = load_timeline(session, workspace.id)
        configured, modes = stage_settings(session, workspace.id)
    empty = Backtest(team, currency, every, (), totals([]))
    if first is None or last is None:
        return _with_note(empty, "This workspace has no closed deals to score a forecast on.")
    last += KNOWN_DAY
    # A cut before the first row would forecast from nothing: cuts start at the history.
    begin = max(_local(start, zone), first) if start else first.astimezone(zone) + WARM_UP
    stop = min(_local(end, zone), last) if end else last
    cuts = []
    for cut, period_end in _periods(begin, stop, every, zone):
        found = score(timeline, timeline.seconds(cut), timeline.seconds(period_end), configured,
                      modes)  # fmt: skip
        cuts.append(Cut(cut, period_end, found))
    if not cuts:
        asked = _local(start, zone) if start else begin
        span = f"{asked.date().isoformat()} to {stop.astimezone(zone).date().isoformat()}"
        return _with_note(
            empty,
            f"No whole {every} with known results between {span}: the history runs from "
            f"{first.astimezone(zone).date().isoformat()} to "
            f"{last.astimezone(zone).date().isoformat()}.",
        )
    return Backtest(team, currency, every, tuple(cuts),
                    totals([c.score for c in cuts]))  # fmt: skip


def _with_note(report: Backtest, note: str) -> Backtest:
    return Backtest(report.team_id, report.currency, report.every, (), report.totals, note)


def _local(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)


def _periods(begin: datetime, stop: datetime, every: str, zone: ZoneInfo):
    """[cut, end) of each whole week (from Monday) or month starting at or after `begin`
    and ending by `stop`."""
    day = begin.astimezone(zone).date()
    if every == "week":
        if begin.astimezone(zone) > _local(day, zone) or day.weekday():
            day += timedelta(days=(7 - day.weekday()) % 7 or 7)
    elif begin.astimezone(zone) > _local(day, zone) or day.day != 1:
        day = _next_month(day)
    while True:
        following = day + timedelta(days=7) if every == "week" else _next_month(day)
        cut, end = _local(day, zone), _local(following, zone)
        if end > stop:
            return
        yield cut.astimezone(UTC), end.astimezone(UTC)
        day = following


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
