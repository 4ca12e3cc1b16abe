"""`/nudge`: one's own settings, the budget and why, and what one would get today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from assistant.analytics.stages import workspace_facts
from assistant.domain.nudging import Budget, Prefs
from assistant.services.context import Actor, Services
from assistant.services.nudging.due import plan_for
from assistant.services.nudging.outcomes import settle, unsettled
from assistant.services.nudging.prefs import resolved
from assistant.services.nudging.views import NudgeView, planned_view
from assistant.services.workspaces import workspace_for_reading
from assistant.storage.models import NudgeSend


@dataclass(frozen=True)
class Mine:
    prefs: Prefs
    workspace_off: bool
    zone: ZoneInfo
    budget: Budget
    today: NudgeView  # what a nudge now would hold
    sent_today: str | None  # the state of today's nudge, if it was claimed


def my_nudges(services: Services, actor: Actor, now: datetime | None = None) -> Mine:
    now = now or services.now()
    with services.db.reading() as session:
        ws = workspace_for_reading(services, session, actor.team_id)
        behind = unsettled(session, ws.id, now)
    if behind:  # items a day old count as acted on or ignored before the budget is judged
        with services.db.transaction() as session:
            settle(session, ws.id, now)
    with services.db.reading() as session:
        settings = resolved(session, ws.id, ws.timezone, actor.user_id)
        plan = plan_for(session, ws.id, ws.timezone, actor.user_id, now)
        day = now.astimezone(settings.zone).date()
        view = planned_view(ws.team_id, plan, day, workspace_facts(session, ws.id))
        sent = session.scalar(
            select(NudgeSend.status).where(
                NudgeSend.workspace_id == ws.id,
                NudgeSend.slack_user_id == actor.user_id,
                NudgeSend.day == day,
            )
        )
    return Mine(settings.prefs, settings.workspace_off, settings.zone, plan.budget, view, sent)
