"""What a person's nudge holds at an instant: their open deals that need them, minus the
snoozed and the cooling down, ranked by value at risk; for a manager, also their reps' deals
ignored across two nudges, and the deals of reps who left. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.analytics.stages import pipeline_stages
from assistant.domain import nudging
from assistant.domain.nudging import Assessment, Budget, DealState
from assistant.domain.stages import DealStatus, StageSet
from assistant.domain.text import is_slack_user_id
from assistant.services.nudging.prefs import resolved
from assistant.services.nudging.team import teams_in
from assistant.storage.models import Deal, NudgeItem, NudgeSend, NudgeSnooze, Person


@dataclass(frozen=True)
class Planned:
    deal_id: int
    number: int
    name: str
    amount: Decimal | None
    owner_id: str
    stage_key: str
    version: int
    assessment: Assessment
    state: DealState
    escalation: bool = False


@dataclass
class Plan:
    user_id: str
    budget: Budget
    zone: ZoneInfo
    items: list[Planned] = field(default_factory=list)  # ranked, all of them

    @property
    def shown(self) -> list[Planned]:
        return self.items[: self.budget.size]

    @property
    def more(self) -> int:
        return max(0, len(self.items) - self.budget.size)


def candidates(session: Session, workspace_id: int) -> list[str]:
    """Who may get a nudge: owners of open deals who are Slack users, and managers."""
    owners = session.scalars(
        select(Deal.owner_id)
        .where(Deal.workspace_id == workspace_id, Deal.status == DealStatus.OPEN.value)
        .distinct()
    )
    found = {o for o in owners if is_slack_user_id(o)}
    found.update(teams_in(session, workspace_id))
    return sorted(found)


def plan_for(
    session: Session, workspace_id: int, timezone: str, user_id: str, now: datetime
) -> Plan:
    settings = resolved(session, workspace_id, timezone, user_id)
    plan = Plan(user_id, budget_of(session, workspace_id, user_id, settings.prefs.budget, now),
                settings.zone)  # fmt: skip
    today = now.astimezone(settings.zone).date()
    stages = pipeline_stages(session, workspace_id)
    own = _needing(session, workspace_id, stages, [user_id], now, today)
    plan.items.extend(_fresh(session, workspace_id, own, now, settings.zone, escalation=False))
    reps = teams_in(session, workspace_id).get(user_id, [])
    if reps:
        theirs = _needing(session, workspace_id, stages, reps, now, today)
        escalated = _escalations(session, workspace_id, theirs, reps, now, settings.zone)
        plan.items.extend(escalated)
    plan.items.sort(key=lambda p: (p.escalation, -p.assessment.value_at_risk,
                                   -p.assessment.ratio, p.number))  # fmt: skip
    return plan


def budget_of(
    session: Session, workspace_id: int, user_id: str, base: int, now: datetime
) -> Budget:
    """The base budget adapted to what the person did with two weeks of nudges."""
    rows = session.execute(
        select(NudgeItem.state, func.count())
        .join(NudgeSend, NudgeSend.id == NudgeItem.send_id)
        .where(
            NudgeItem.workspace_id == workspace_id,
            NudgeSend.slack_user_id == user_id,
            NudgeItem.escalation.is_(False),
            NudgeItem.sent_at >= now - nudging.ADAPT_WINDOW,
            NudgeItem.state != nudging.SENT,
            NudgeItem.position < NudgeSend.budget,  # listed, not behind "and N more"
        )
        .group_by(NudgeItem.state)
    ).all()
    counts = dict(rows)
    return nudging.adapt_budget(base, sum(counts.values()), counts.get(nudging.ACTED, 0))


def _needing(session, workspace_id, stages: StageSet, owners, now, today) -> list[Planned]:
    deals = session.execute(
        select(Deal.id, Deal.number, Deal.name, Deal.amount, Deal.owner_id, Deal.stage_key,
               Deal.version, Deal.stage_entered_at, Deal.close_date, Deal.updated_at)
        .where(
            Deal.workspace_id == workspace_id,
            Deal.owner_id.in_(owners),
            Deal.status == DealStatus.OPEN.value,
        )
    ).all()  # fmt: skip
    snoozed = set(
        session.scalars(
            select(NudgeSnooze.deal_id).where(
                NudgeSnooze.workspace_id == workspace_id, NudgeSnooze.until > now
            )
        )
    )
    found = []
    for row in deals:
        if row.id in snoozed:
            continue
        stage = stages.get(row.stage_key)
        state = DealState(row.amount, stage.probability, stage.target_days,
                          row.stage_entered_at, row.close_date, row.updated_at)  # fmt: skip
        assessment = nudging.assess(state, now, today)
        if assessment is not None:
            found.append(
                Planned(row.id, row.number, row.name, row.amount, row.owner_id, row.stage_key,
                        row.version, assessment, state)
            )  # fmt: skip
    return found


def _last_items(session, workspace_id, deal_ids, escalation: bool) -> dict[int, list]:
    """Each deal's items of that kind, newest first."""
    found: dict[int, list] = {}
    for start in range(0, len(deal_ids), 500):
        rows = session.execute(
            select(NudgeItem.deal_id, NudgeItem.reason, NudgeItem.state, NudgeItem.sent_at,
                   NudgeItem.stage_key)
            .join(NudgeSend, NudgeSend.id == NudgeItem.send_id)
            .where(
                NudgeItem.workspace_id == workspace_id,
                NudgeItem.deal_id.in_(deal_ids[start : start + 500]),
                NudgeItem.escalation.is_(escalation),
                NudgeItem.position < NudgeSend.budget,  # shown, not only behind "and N more"
            )
            .order_by(NudgeItem.deal_id, NudgeItem.sent_at.desc(), NudgeItem.id.desc())
        )  # fmt: skip
        for row in rows:
            found.setdefault(row.deal_id, []).append(row)
    return found


def _cooling(last, planned: Planned, now, today, zone) -> bool:
    """Nudged within the cool-down (working days) about the same, not worse, stage."""
    if last is None or last.stage_key != planned.stage_key:
        return False
    gone = nudging.working_days_between(last.sent_at.astimezone(zone).date(), today)
    if gone >= nudging.COOL_DOWN_WORKING_DAYS:
        return False
    return not nudging.got_worse(planned.state, last.sent_at, now, zone)


def _fresh(session, workspace_id, planned: list[Planned], now, zone, escalation: bool):
    today = now.astimezone(zone).date()
    history = _last_items(session, workspace_id, [p.deal_id for p in planned], escalation)
    for item in planned:
        last = (history.get(item.deal_id) or [None])[0]
        if not _cooling(last, item, now, today, zone):
            yield item


def _escalations(session, workspace_id, planned, reps, now, zone) -> list[Planned]:
    """Reps' deals ignored across their last two nudges, and deals of reps who left."""
    left = set(
        session.scalars(
            select(Person.slack_user_id).where(
                Person.workspace_id == workspace_id,
                Person.slack_user_id.in_(reps),
                Person.deleted.is_(True),
            )
        )
    )
    history = _last_items(session, workspace_id, [p.deal_id for p in planned], False)
    wanted = []
    for item in planned:
        last_two = [row.state for row in (history.get(item.deal_id) or [])[:2]]
        ignored = last_two == [nudging.IGNORED, nudging.IGNORED] or (
            last_two[:1] == [nudging.ESCALATED]
        )
        if item.owner_id in left or ignored:
            wanted.append(Planned(**{**item.__dict__, "escalation": True}))
    return list(_fresh(session, workspace_id, wanted, now, zone, escalation=True))
