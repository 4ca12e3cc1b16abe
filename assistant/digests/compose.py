"""The composer: a `DigestRequest` in, a `DigestMessage` (text, blocks, charts) out.

Decisions:
- `both` is one message with both parts and both charts: a channel that asked for both reads
  one digest a morning, not two posts that interleave with other people's messages.
- Figures are as of the time of composing (`services.now()`), not the scheduled instant: a
  delayed digest then shows the pipeline as it is when people read it. Movement runs from the
  previous occurrence of the schedule (24 h before for `/digest send` and previews) to then.
- The funnel's period follows the subscription's frequency, read from its row: `monthly`
  looks at the calendar month that just ended in the subscription's zone; every other
  frequency (and a digest outside any subscription) at the last 7 days (PRODUCT.md §5).
- Charts take about half a second each, so previews skip them (`charts=False`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from assistant import charts as draw
from assistant.blocks import digests as render
from assistant.digests.model import Composer, DigestMessage, DigestRequest
from assistant.digests.subscriptions import check_channel, check_kind
from assistant.domain.periods import Period, parse_period
from assistant.services import reports
from assistant.services.context import Actor, Services
from assistant.services.workspaces import workspace_for_reading
from assistant.storage.models import DigestSubscription

MOVEMENT_WITHOUT_SCHEDULE = timedelta(hours=24)


def make_composer(services: Services) -> Composer:
    """The scheduler's and `/digest send`'s composer: `request -> DigestMessage`."""
    return partial(compose_digest, services)


def compose_digest(
    services: Services, request: DigestRequest, *, charts: bool = True
) -> DigestMessage:
    now = services.now()
    parts: list[render.Part] = []
    pictures: list[tuple[str, bytes, str]] = []
    day = now.astimezone(ZoneInfo(request.timezone)).date().isoformat()
    if request.kind in ("pipeline", "both"):
        since = request.previous_occurrence_at or now - MOVEMENT_WITHOUT_SCHEDULE
        data = reports.pipeline_digest_data(services, request.workspace_id, now, since)
        # An empty board would draw an empty picture; the text already says there is nothing.
        drawn = charts and data.board.totals.open_count > 0
        parts.append(render.pipeline_part(data, request.marker, drawn))
        if drawn:
            png = draw.pipeline_chart(data.board)
            pictures.append((f"pipeline-{day}.png", png, f"Pipeline value by stage, {day}"))
    if request.kind in ("funnel", "both"):
        period = funnel_period(services, request, now)
        data = reports.funnel_digest_data(services, request.workspace_id, period)
        drawn = charts and bool(data.funnel.cohort.current)
        parts.append(render.funnel_part(data, request.marker, drawn))
        if drawn:
            png = draw.funnel_chart(data.funnel)
            pictures.append((f"funnel-{day}.png", png, f"Funnel, {period.label}"))
    blocks, text = render.combine(parts)
    return DigestMessage(text=text, blocks=blocks, charts=pictures)


def funnel_period(services: Services, request: DigestRequest, now: datetime) -> Period:
    if _frequency(services, request) == "monthly":
        # The 1st's occurrence, even when posted hours late, reports the month just ended.
        return parse_period("last month", ZoneInfo(request.timezone), request.occurrence_at)
    return reports.daily_funnel_period(services, request.workspace_id, now)


def _frequency(services: Services, request: DigestRequest) -> str | None:
    if request.subscription_id is None:
        return None
    with services.db.reading() as session:
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
