"""What became of nudged deals: the items a nudge DM lists, written when it is composed, and
settled a day later (acted on within 24 h by any path, read from the history, or ignored).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from assistant.domain import nudging
from assistant.services.nudging.due import Plan, plan_for
from assistant.storage.models import Change, NudgeItem


def settle(session: Session, workspace_id: int, now: datetime) -> int:
    """Items still `sent` a day on: acted if their deal changed (or got a note) within 24 h
    of the nudge, by whatever path; ignored otherwise. The count settled."""
    cut = now - nudging.ACTED_WITHIN
    open_items = session.execute(
        select(NudgeItem.id, NudgeItem.deal_id, NudgeItem.sent_at).where(
            NudgeItem.workspace_id == workspace_id,
            NudgeItem.state == nudging.SENT,
            NudgeItem.sent_at <= cut,
        )
    ).all()
    for item_id, deal_id, sent_at in open_items:
        change = session.execute(
            select(Change.at, Change.actor_id, Change.action)
            .where(
                Change.workspace_id == workspace_id,
                Change.entity == "deal",
                Change.entity_id == deal_id,
                Change.at > sent_at,
                Change.at <= sent_at + nudging.ACTED_WITHIN,
            )
            .order_by(Change.id)
            .limit(1)
        ).first()
        values: dict[str, object] = {"state": nudging.IGNORED}
        if change is not None:
            values = {"state": nudging.ACTED, "acted_at": change.at, "acted_by": change.actor_id,
                      "outcome": _changed(change.action)}  # fmt: skip
        session.execute(
            update(NudgeItem)
            .where(NudgeItem.id == item_id, NudgeItem.state == nudging.SENT)
            .values(**values)
        )
    return len(open_items)


def unsettled(session: Session, workspace_id: int, now: datetime) -> bool:
    """Whether `settle` has anything to do (a read, so readers need not take a writer lock)."""
    return (
        session.scalar(
            select(NudgeItem.id)
            .where(
                NudgeItem.workspace_id == workspace_id,
                NudgeItem.state == nudging.SENT,
                NudgeItem.sent_at <= now - nudging.ACTED_WITHIN,
            )
            .limit(1)
        )
        is not None
    )


def _changed(action: str) -> str:
    return {"note": "note added", "move": "moved", "won": "won", "lost": "lost"}.get(
        action, "changed"
    )


def compose(
    session: Session,
    workspace_id: int,
    timezone: str,
    send_id: int,
    user_id: str,
    now: datetime,
) -> Plan:
    """Plan the nudge and write its items (all of them, in rank order: those past the budget
    are the "and N more"). The caller settles old items first (`settle`), once per pass."""
    plan = plan_for(session, workspace_id, timezone, user_id, now)
    rows = [
        {"workspace_id": workspace_id, "send_id": send_id, "deal_id": item.deal_id,
         "owner_id": item.owner_id, "position": position, "reason": item.assessment.reason,
         "stage_key": item.stage_key, "deal_version": item.version,
         "value_at_risk": item.assessment.value_at_risk, "escalation": item.escalation,
         "overdue_hours": int(item.assessment.overdue_days * 24),
         "state": nudging.SENT, "sent_at": now}
        for position, item in enumerate(plan.items)
    ]  # fmt: skip
    if rows:
        session.execute(insert(NudgeItem), rows)
    for item in plan.items:
        if item.escalation:
            _mark_escalated(session, workspace_id, item.deal_id)
    return plan


def _mark_escalated(session: Session, workspace_id: int, deal_id: int) -> None:
    """The rep's ignored item of the deal now went up to their manager."""
    latest = (
        select(NudgeItem.id)
        .where(
            NudgeItem.workspace_id == workspace_id,
            NudgeItem.deal_id == deal_id,
            NudgeItem.escalation.is_(False),
        )
        .order_by(NudgeItem.sent_at.desc(), NudgeItem.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    session.execute(
        update(NudgeItem)
        .where(NudgeItem.id == latest, NudgeItem.state == nudging.IGNORED)
        .values(state=nudging.ESCALATED)
    )
