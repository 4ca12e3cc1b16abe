"""The composer: a `DigestRequest` in, a `DigestMessage` (text, blocks, charts) out.

Decisions:
- `both` is one message with both parts and both charts: a channel that asked for both reads
  one digest a morning, not two posts that interleave with other people's messages.
- Figures are as of the time of composing (`services.now()`), not the scheduled instant: a
  delayed digest then shows the pipeline as it is when people read it. Movement runs from the
  previous occurrence of the schedule (24 h before for `/digest send` and previews) to then.
- One read session and one time zone per digest: the subscription's (the workspace's outside
  any subscription), named in the digest. Periods, dates and "since" are all in it.
- The funnel's period follows the subscription's frequency: `monthly` looks at the calendar
  month that just ended; every other frequency (and a digest outside any subscription) at
  the last 7 days (PRODUCT.md §5).
- A weekly pipeline digest adds last week's results against the week before, with why
  velocity moved, and the team's target for the quarter when one is set.
- Charts take about half a second each, so previews skip them (`charts=False`). The
  scheduler's and `/digest send`'s composer leaves them to draw (`draw_later=True`): a chart
  is drawn when it is shared, after the message is out, from the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from assistant import charts as draw
from assistant.blocks import digests as render
from assistant.digests.model import Composer, DigestMessage, DigestRequest
from assistant.domain.periods import Period, parse_period
from assistant.services import reports
from assistant.services.context import Actor, Services
from assistant.services.subscriptions import check_channel, check_kind
from assistant.services.workspaces import workspace_for_reading
from assistant.storage.models import DigestSubscription

MOVEMENT_WITHOUT_SCHEDULE = timedelta(hours=24)


def make_composer(services: Services) -> Composer:
    """The scheduler's and `/digest send`'s composer: `request -> DigestMessage`."""
    return partial(compose_digest, services, draw_later=True)


def compose_digest(
    services: Services, request: DigestRequest, *, charts: bool = True, draw_later: bool = False
) -> DigestMessage:
    now = services.now()
    zone = ZoneInfo(request.timezone)
    day = now.astimezone(zone).date().isoformat()
    with services.db.reading() as session:
        workspace = reports.digest_workspace(session, request.workspace_id)
        pipeline = funnel = None
        frequency = _frequency(session, request)
        if request.kind in ("pipeline", "both"):
            since = request.previous_occurrence_at or now - MOVEMENT_WITHOUT_SCHEDULE
            weekly = frequency == "weekly"
            pipeline = reports.pipeline_digest_in(session, workspace, now, since, zone, weekly)
        if request.kind in ("funnel", "both"):
            period = funnel_period(frequency, request, now, zone)
            funnel = reports.funnel_digest_in(session, workspace.id, period)
    parts: list[render.Part] = []
    pictures: list[tuple[str, Callable[[], bytes], str]] = []
    if pipeline is not None:
        # An empty board would draw an empty picture; the text already says there is nothing.
        drawn = charts and pipeline.board.totals.open_count > 0
        parts.append(render.pipeline_part(pipeline, request.marker, drawn))
        if drawn:
            png = partial(draw.pipeline_chart, pipeline.board)
            pictures.append((f"pipeline-{day}.png", png, f"Pipeline value by stage, {day}"))
    if funnel is not None:
        drawn = charts and bool(funnel.funnel.cohort.current)
        parts.append(render.funnel_part(funnel, request.marker, drawn))
        if drawn:
            png = partial(draw.funnel_chart, funnel.funnel)
            pictures.append((f"funnel-{day}.png", png, f"Funnel, {funnel.period.label}"))
    blocks, text = render.combine(parts, request.timezone)
    if draw_later:
        return DigestMessage(text=text, blocks=blocks, drawings=pictures)
    drawn = [(name, png(), title) for name, png, title in pictures]
    return DigestMessage(text=text, blocks=blocks, charts=drawn)


def funnel_period(
    frequency: str | None, request: DigestRequest, now: datetime, zone: ZoneInfo
) -> Period:
    if frequency == "monthly":
        # The 1st's occurrence, even when posted hours late, reports the month just ended.
        return parse_period("last month", zone, request.occurrence_at)
    return parse_period(reports.DAILY_FUNNEL_PERIOD, zone, now)


def _frequency(session: Session, request: DigestRequest) -> str | None:
    """The request's frequency; a request that names only its subscription gets the
    subscription's (of the same workspace, never another's)."""
    if request.frequency is not None or request.subscription_id is None:
        return request.frequency
    row = session.get(DigestSubscription, request.subscription_id)
    if row is None or row.workspace_id != request.workspace_id:
        return None
    return row.frequency


def request_for(services: Services, actor: Actor, channel_id: str, kind: str) -> DigestRequest:
    """A digest of the actor's workspace as of now, outside any schedule (for previews)."""
    kind, channel_id = check_kind(kind), check_channel(channel_id)
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        workspace_id, timezone = workspace.id, workspace.timezone
    return DigestRequest(
        workspace_id=workspace_id,
        team_id=actor.team_id,
        subscription_id=None,
        channel_id=channel_id,
        kind=kind,
        occurrence_at=services.now(),
        delayed=False,
        timezone=timezone,
        previous_occurrence_at=None,
    )
