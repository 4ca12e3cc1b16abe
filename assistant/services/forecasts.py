"""Forecast use cases outside the commands: the backtest of a workspace's history (and the
track record the scheduler keeps)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from assistant.analytics.forecasting.backtest import Score, Totals, brier_score, score, totals
from assistant.analytics.outlook import (
    load_timeline,
    outcomes_of,
    snapshot,
    stage_settings,
    won_in,
)
from assistant.domain.errors import InvalidInput, NotFound
from assistant.domain.periods import Period, calendar_label, parse_period, whole
from assistant.services.context import Actor, Services
from assistant.services.targets import progress_in
from assistant.services.workspaces import named_or_only, workspace_for_reading, workspace_zone
from assistant.storage.models import Change, Workspace
from assistant.storage.models import Forecast as ForecastRow

log = logging.getLogger(__name__)

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
        timeline = load_timeline(session, workspace.id, kept=services.histories)
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


# -- the track record -----------------------------------------------------------------------

KEPT_PERIODS = ("this month", "this quarter")
KEEP_EVERY = timedelta(days=7)
RECORD_SHOWN = 12
DIGEST_LOOKS_BACK = timedelta(days=92)  # an older scored forecast is no news for a digest


@dataclass(frozen=True)
class Kept:
    stored: int
    scored: int


def keep_record(services: Services, now: datetime | None = None) -> Kept:
    """What the scheduler runs daily: in every installed workspace, keep the forecast of this
    month and this quarter when none was kept for it yet (so at the start of each) or the last
    is a week old, and score the kept forecasts of periods that have ended."""
    now = now or services.now()
    stored = scored = 0
    with services.db.reading() as session:
        workspaces = session.execute(
            select(Workspace.id, Workspace.timezone).where(Workspace.uninstalled_at.is_(None))
        ).all()
    for workspace_id, timezone in workspaces:
        try:
            stored += _keep(services, workspace_id, ZoneInfo(timezone), now)
            scored += _score(services, workspace_id, now)
        except Exception:  # one workspace's trouble never stops the others' record
            log.exception("forecast record of workspace %s failed", workspace_id)
    return Kept(stored, scored)


def _keep(services: Services, workspace_id: int, zone: ZoneInfo, now: datetime) -> int:
    stored = 0
    for text in KEPT_PERIODS:
        period = whole(parse_period(text, zone, now), now, zone)
        period = Period(period.start, period.end, calendar_label(period))
        with services.db.transaction() as session:
            last = session.scalar(
                select(func.max(ForecastRow.made_at)).where(
                    ForecastRow.workspace_id == workspace_id,
                    ForecastRow.starts_at == period.start,
                    ForecastRow.ends_at == period.end,
                )
            )
            if last is not None and now - last < KEEP_EVERY:
                continue
            target = progress_in(session, workspace_id, period, now)
            amount = target.amount if target and target.ends_at == period.end else None
            found, chances = snapshot(
                session, workspace_id, period, now, amount, services.histories
            )
            session.add(
                ForecastRow(
                    workspace_id=workspace_id, label=period.label[:80], starts_at=period.start,
                    ends_at=period.end, made_at=now, won_before=found.won_so_far, p10=found.p10,
                    p50=found.p50, p90=found.p90, expected_count=found.expected_count,
                    deals=json.dumps(chances, separators=(",", ":")),
                )
            )  # fmt: skip
            stored += 1
    return stored


def _score(services: Services, workspace_id: int, now: datetime) -> int:
    with services.db.transaction() as session:
        due = list(
            session.scalars(
                select(ForecastRow).where(
                    ForecastRow.workspace_id == workspace_id,
                    ForecastRow.scored_at.is_(None),
                    ForecastRow.ends_at <= now,
                )
            )
        )
        for row in due:
            actual = won_in(session, workspace_id, row.starts_at, row.ends_at, services.histories)
            row.actual = actual
            row.error = float((row.p50 - actual) / actual) if actual > 0 else None
            row.inside = row.p10 <= actual <= row.p90
            chances = {int(k): v for k, v in json.loads(row.deals).items()}
            closed = outcomes_of(session, workspace_id, list(chances))
            if closed:
                used = [chances[deal] for deal in closed]
                truth = [1.0 if won else 0.0 for won in closed.values()]
                row.brier_learned = brier_score([p[0] for p in used], truth)
                row.brier_configured = brier_score([p[1] for p in used], truth)
            row.scored_at = now
        return len(due)


@dataclass(frozen=True)
class KeptForecast:
    label: str
    starts_at: datetime
    ends_at: datetime
    made_at: datetime
    p10: Decimal
    p50: Decimal
    p90: Decimal
    actual: Decimal | None  # None: the period is not over yet
    error: float | None
    inside: bool | None
    brier_learned: float | None
    brier_configured: float | None


@dataclass(frozen=True)
class Record:
    currency: str
    zone: ZoneInfo
    forecasts: tuple[KeptForecast, ...]  # latest first
    scored: int  # of all kept forecasts, the scored ones
    coverage: float | None  # share of scored ones whose actual fell inside P10..P90
    mape: float | None
    brier_learned: float | None  # mean over scored forecasts
    brier_configured: float | None


def forecast_record(services: Services, actor: Actor) -> Record:
    """The kept forecasts, latest first, and how the scored ones did."""
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        rows = session.scalars(
            select(ForecastRow)
            .where(ForecastRow.workspace_id == workspace.id)
            .order_by(ForecastRow.made_at.desc(), ForecastRow.ends_at)
        )
        kept = tuple(_kept(r) for r in rows)
        currency, zone = workspace.currency, workspace_zone(workspace)
    scored = [k for k in kept if k.actual is not None]
    errors = [abs(k.error) for k in scored if k.error is not None]
    learned = [k.brier_learned for k in scored if k.brier_learned is not None]
    configured = [k.brier_configured for k in scored if k.brier_configured is not None]
    return Record(
        currency, zone, kept[:RECORD_SHOWN], len(scored),
        sum(bool(k.inside) for k in scored) / len(scored) if scored else None,
        sum(errors) / len(errors) if errors else None,
        sum(learned) / len(learned) if learned else None,
        sum(configured) / len(configured) if configured else None,
    )  # fmt: skip


def kept_for(services: Services, actor: Actor, period: Period) -> Record:
    """The forecasts kept for exactly this period (a past period's forecast is its record)."""
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        rows = session.scalars(
            select(ForecastRow)
            .where(
                ForecastRow.workspace_id == workspace.id,
                ForecastRow.starts_at == period.start,
                ForecastRow.ends_at == period.end,
            )
            .order_by(ForecastRow.made_at)
        )
        kept = tuple(_kept(r) for r in rows)
        return Record(workspace.currency, workspace_zone(workspace), kept[:RECORD_SHOWN],
                      0, None, None, None, None)  # fmt: skip


def last_scored(session, workspace_id: int, before: datetime) -> KeptForecast | None:
    """The forecast kept at the start of the latest month scored by `before`: the weekly
    digest's "last period's forecast against its actual"."""
    row = session.scalar(
        select(ForecastRow)
        .where(
            ForecastRow.workspace_id == workspace_id,
            ForecastRow.scored_at.is_not(None),
            ForecastRow.ends_at <= before,
            ForecastRow.ends_at > before - DIGEST_LOOKS_BACK,
        )
        .order_by(ForecastRow.ends_at.desc(), ForecastRow.starts_at.desc(), ForecastRow.made_at)
        .limit(1)
    )
    return _kept(row) if row is not None else None


def _kept(row: ForecastRow) -> KeptForecast:
    return KeptForecast(row.label, row.starts_at, row.ends_at, row.made_at, row.p10, row.p50,
                        row.p90, row.actual if row.scored_at else None, row.error, row.inside,
                        row.brier_learned, row.brier_configured)  # fmt: skip
