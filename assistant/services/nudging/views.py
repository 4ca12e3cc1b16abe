"""A nudge DM as stored: its items in rank order, each with its deal and what became of it.
Rendering (blocks.nudges) reads only this, so a click re-renders the same message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.analytics.stages import workspace_facts
from assistant.domain.facts import Facts
from assistant.domain.nudging import Assessment
from assistant.services.nudging.due import Plan
from assistant.services.nudging.prefs import zone_of
from assistant.storage.models import Deal, NudgeItem, NudgeSend, Person, Workspace


@dataclass(frozen=True)
class ItemView:
    item_id: int | None  # None in a preview: nothing stored, no buttons
    number: int
    name: str
    amount: Decimal | None
    owner_id: str
    stage_label: str
    reason: str
    overdue_days: float
    escalation: bool
    state: str = "sent"
    outcome: str | None = None
    acted_by: str | None = None
    acted_at: datetime | None = None


@dataclass
class NudgeView:
    send_id: int | None
    team_id: str
    user_id: str
    day: date
    budget: int
    facts: Facts
    items: list[ItemView] = field(default_factory=list)
    own_zone: ZoneInfo | None = None  # the person's, else the workspace's
    total: int | None = None  # items found, when `items` holds only the listed ones
    left: frozenset[str] = frozenset()  # owners who left the workspace: their deals unowned

    @property
    def zone(self) -> ZoneInfo:
        return self.own_zone or self.facts.zone

    @property
    def shown(self) -> list[ItemView]:
        return self.items[: self.budget]

    @property
    def more(self) -> int:
        return max(0, (self.total or len(self.items)) - self.budget)


def stored_view(session: Session, send_id: int, listed_only: bool = True) -> NudgeView | None:
    """The nudge as stored: the listed items (the DM), or with `listed_only=False` every
    item found (the "and N more" list)."""
    send = session.get(NudgeSend, send_id)
    if send is None:
        return None
    team_id = session.scalar(select(Workspace.team_id).where(Workspace.id == send.workspace_id))
    facts = workspace_facts(session, send.workspace_id)
    query = (
        select(NudgeItem, Deal.number, Deal.name, Deal.amount)
        .join(Deal, Deal.id == NudgeItem.deal_id)
        .where(NudgeItem.send_id == send_id)
        .order_by(NudgeItem.position)
    )
    if listed_only:
        query = query.where(NudgeItem.position < send.budget)
    rows = session.execute(query).all()
    view = NudgeView(send.id, team_id or "", send.slack_user_id, send.day, send.budget, facts)
    view.own_zone = zone_of(session, send.workspace_id, facts.timezone, send.slack_user_id)
    view.total = send.total
    for item, number, name, amount in rows:
        label = facts.pipeline.label(item.stage_key)
        view.items.append(
            ItemView(item.id, number, name, amount, item.owner_id, label, item.reason,
                     item.overdue_hours / 24,
                     item.escalation, item.state, item.outcome, item.acted_by, item.acted_at)
        )  # fmt: skip
    owners = {item.owner_id for item in view.items if item.escalation}
    if owners:
        view.left = frozenset(
            session.scalars(
                select(Person.slack_user_id).where(
                    Person.workspace_id == send.workspace_id,
                    Person.slack_user_id.in_(owners),
                    Person.deleted.is_(True),
                )
            )
        )
    return view


def planned_view(team_id: str, plan: Plan, day: date, facts: Facts) -> NudgeView:
    """What a plan would send (previews, `/nudge`), before anything is stored."""
    view = NudgeView(None, team_id, plan.user_id, day, plan.budget.size, facts, [], plan.zone)
    for item in plan.items:
        view.items.append(_planned_item(item.number, item.name, item.amount, item.owner_id,
                                        facts.pipeline.label(item.stage_key), item.assessment,
                                        item.escalation))  # fmt: skip
    return view


def _planned_item(number, name, amount, owner_id, label, assessment: Assessment, escalation):
    return ItemView(None, number, name, amount, owner_id, label, assessment.reason,
                    assessment.overdue_days, escalation)  # fmt: skip
