"""Read-only report use cases: resolve the workspace, then ask `analytics` for the figures.

Callers parse periods themselves (in the zone `settings.workspace_facts` gives); nothing here
changes a row. The `*_digest_data` functions take a workspace id, for the digest scheduler,
and gather everything one digest of PRODUCT.md §5 shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant import analytics
from assistant.analytics import (
    Board,
    BottleneckReport,
    ConversionReport,
    Forecast,
    Funnel,
    FunnelGroups,
    Movement,
    Outcomes,
    Results,
)
from assistant.analytics.cohorts import Cohorts
from assistant.analytics.cohorts import cohorts as analytics_cohorts
from assistant.analytics.outlook import Outlook, StageLearning, outlook
from assistant.analytics.outlook import stage_learning as analytics_stage_learning
from assistant.domain.errors import NotFound
from assistant.domain.periods import Period, parse_period
from assistant.services import forecasts, targets
from assistant.services.context import Actor, Services
from assistant.services.forecasts import KeptForecast
from assistant.services.labels import require_known
from assistant.services.settings import workspace_facts
from assistant.services.targets import TargetView
from assistant.services.workspaces import workspace_for_reading, workspace_zone
from assistant.storage.models import Lead, Workspace

# PRODUCT.md §5: the pipeline digest's win rate, sales cycle and stays cover 30 days; a funnel
# digest sent daily looks at the last 7.
DIGEST_OUTCOMES_PERIOD = "30d"
DAILY_FUNNEL_PERIOD = "7d"
WEEKLY_RESULTS = "last week"  # a weekly digest reports the calendar week just ended
TARGET_QUARTER = "this quarter"


def workspace_timezone(services: Services, actor: Actor) -> ZoneInfo:
    """The zone the actor's workspace reads periods in."""
    return workspace_facts(services, actor).zone


@dataclass(frozen=True)
class OpenTotals:
    """The board's totals the App Home shows (PRODUCT.md §4): open count, open and weighted
    value, from the board's one SQL aggregate."""

    count: int
    value: Decimal
    weighted: Decimal


def open_totals(services: Services, actor: Actor) -> OpenTotals:
    totals = board(services, actor).totals
    return OpenTotals(totals.open_count, totals.open_value, totals.weighted_value)


def board(services: Services, actor: Actor) -> Board:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        return analytics.board(session, workspace.id, services.now())


def bottlenecks(services: Services, actor: Actor, period: Period) -> BottleneckReport:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        return analytics.bottleneck_report(session, workspace.id, period, services.now())


def forecast(services: Services, actor: Actor, period: Period) -> Forecast:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        return analytics.forecast(session, workspace.id, period)


def forecast_outlook(services: Services, actor: Actor, period: Period) -> Outlook:
    """The period's forecast learned from history, with the team target of the period."""
    now = services.now()
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        target = targets.progress_in(session, workspace.id, period, now)
        amount = target.amount if target and target.ends_at == period.end else None
        return outlook(session, workspace.id, period, now, amount, services.histories)


def history_is_quick(services: Services, actor: Actor) -> bool:
    """Whether the figures learned from history (forecast, stages) can be worked out before
    answering: the history is kept in the process already, or short."""
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        return services.histories.quick(session, workspace.id)


def stage_learning(services: Services, actor: Actor) -> list[StageLearning]:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        return analytics_stage_learning(session, workspace.id, services.now(), services.histories)


def outcomes(services: Services, actor: Actor, period: Period) -> Outcomes:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        return analytics.outcomes(session, workspace.id, period)


@dataclass(frozen=True)
class ResultsReport:
    """`/pipeline results`: the figures, and what the reply needs to show them."""

    results: Results
    currency: str
    target: TargetView | None  # the target of the period, when one is set


def results(
    services: Services, actor: Actor, period: Period, by: str | None = None
) -> ResultsReport:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        found = analytics.results(session, workspace.id, period, by)
        target = targets.progress_in(session, workspace.id, period, services.now())
    return ResultsReport(found, workspace.currency, target)


HOME_RESULTS_PERIOD = "this quarter"  # App Home shows the viewer's quarter so far


def my_results(services: Services, actor: Actor) -> ResultsReport:
    """The viewer's own results for the quarter so far, and their target's progress."""
    now = services.now()
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        period = parse_period(HOME_RESULTS_PERIOD, workspace_zone(workspace), now)
        found = analytics.results(session, workspace.id, period, owner_id=actor.user_id)
        target = targets.progress_in(session, workspace.id, period, now, owner_id=actor.user_id)
    return ResultsReport(found, workspace.currency, target)


def conversion(services: Services, actor: Actor, period: Period) -> ConversionReport:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        return analytics.stage_conversion(session, workspace.id, period)


def movement(services: Services, actor: Actor, since: datetime, until: datetime) -> Movement:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        return analytics.movement(session, workspace.id, since, until)


def funnel(
    services: Services,
    actor: Actor,
    period: Period,
    source: str | None = None,
    campaign: str | None = None,
) -> Funnel:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        require_known(session, workspace.id, "source", source)
        require_known(session, workspace.id, "campaign", campaign)
        return analytics.funnel(session, workspace.id, period, source, campaign)


def cohorts(
    services: Services, actor: Actor, period: Period, by: str, source: str | None = None
) -> Cohorts:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        require_known(session, workspace.id, "source", source)
        filters = [func.lower(Lead.source) == source.strip().lower()] if source else []
        zone = workspace_zone(workspace)
        return analytics_cohorts(session, workspace.id, period, by, zone, filters)


def funnel_groups(
    services: Services, actor: Actor, period: Period, by: Literal["source", "campaign"]
) -> FunnelGroups:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        return analytics.funnel_groups(session, workspace.id, period, by)


@dataclass(frozen=True)
class PipelineDigestData:
    """Everything a pipeline digest shows (PRODUCT.md §5); the chart is drawn from `board`."""

    workspace_id: int
    currency: str
    timezone: ZoneInfo
    now: datetime
    board: Board  # totals: board.totals.open_count / open_value / weighted_value
    movement: Movement  # since the previous occurrence, until now
    bottlenecks: BottleneckReport  # over `period`
    outcomes: Outcomes  # win rate and sales cycle over `period`
    period: Period  # the last 30 days
    results: Results | None = None  # weekly digests: last week against the week before
    target: TargetView | None = None  # weekly digests: the team's target of this quarter
    last_forecast: KeptForecast | None = None  # weekly: last period's forecast, scored


@dataclass(frozen=True)
class FunnelDigestData:
    """Everything a funnel digest shows (PRODUCT.md §5); the chart is drawn from `funnel`."""

    workspace_id: int
    period: Period
    funnel: Funnel
    sources: FunnelGroups
    campaigns: FunnelGroups

    @property
    def best_source(self) -> Funnel | None:
        return self.sources.best

    @property
    def worst_source(self) -> Funnel | None:
        return self.sources.worst

    @property
    def best_campaign(self) -> Funnel | None:
        return self.campaigns.best

    @property
    def worst_campaign(self) -> Funnel | None:
        return self.campaigns.worst


def _workspace(session: Session, workspace_id: int) -> Workspace:
    workspace = session.scalar(select(Workspace).where(Workspace.id == workspace_id))
    if workspace is None:
        raise NotFound(f"No workspace {workspace_id}.")
    return workspace


def pipeline_digest_data(
    services: Services, workspace_id: int, now: datetime, since: datetime
) -> PipelineDigestData:
    """The pipeline digest of a workspace in its own zone (the scheduler uses
    `pipeline_digest_in`, in the subscription's zone)."""
    with services.db.reading() as session:
        workspace = digest_workspace(session, workspace_id)
        return pipeline_digest_in(session, workspace, now, since, workspace_zone(workspace))


def digest_workspace(session: Session, workspace_id: int) -> Workspace:
    workspace = session.scalar(select(Workspace).where(Workspace.id == workspace_id))
    if workspace is None:
        raise NotFound(f"No workspace {workspace_id}.")
    return workspace


def pipeline_digest_in(
    session: Session,
    workspace: Workspace,
    now: datetime,
    since: datetime,
    zone: ZoneInfo,
    weekly: bool = False,
) -> PipelineDigestData:
    """Everything a pipeline digest shows, read in the caller's session, periods in `zone`.
    A weekly digest also gives last week's results and the team's quarter target."""
    period = parse_period(DIGEST_OUTCOMES_PERIOD, zone, now)
    results = target = last_forecast = None
    if weekly:
        results = analytics.results(session, workspace.id, parse_period(WEEKLY_RESULTS, zone, now))
        quarter = parse_period(TARGET_QUARTER, zone, now)
        target = targets.progress_in(session, workspace.id, quarter, now)
        last_forecast = forecasts.last_scored(session, workspace.id, now)
    # The board and the bottleneck report show the same open deals: read them once.
    pipeline = analytics.open_pipeline(session, workspace.id, now)
    return PipelineDigestData(
        workspace_id=workspace.id,
        currency=workspace.currency,
        timezone=zone,
        now=now,
        board=analytics.board(session, workspace.id, now, pipeline),
        movement=analytics.movement(session, workspace.id, since, now),
        bottlenecks=analytics.bottleneck_report(
            session, workspace.id, period, now, pipeline=pipeline
        ),
        outcomes=analytics.outcomes(session, workspace.id, period),
        period=period,
        results=results,
        target=target,
        last_forecast=last_forecast,
    )


def daily_funnel_period(services: Services, workspace_id: int, now: datetime) -> Period:
    """The last 7 days in the workspace's zone: the period of a daily funnel digest."""
    with services.db.reading() as session:
        zone = workspace_zone(digest_workspace(session, workspace_id))
    return parse_period(DAILY_FUNNEL_PERIOD, zone, now)


def funnel_digest_data(services: Services, workspace_id: int, period: Period) -> FunnelDigestData:
    with services.db.reading() as session:
        digest_workspace(session, workspace_id)
        return funnel_digest_in(session, workspace_id, period)


def funnel_digest_in(session: Session, workspace_id: int, period: Period) -> FunnelDigestData:
    """Everything a funnel digest shows, read in the caller's session."""
    whole, sources, campaigns = analytics.funnel_with_groups(session, workspace_id, period)
    return FunnelDigestData(
        workspace_id=workspace_id,
        period=period,
        funnel=whole,
        sources=sources,
        campaigns=campaigns,
    )
