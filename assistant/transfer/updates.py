"""Re-importing a record the workspace already has: change what the file says differently.

History stays append-only: a change is recorded at the file's date for it when that comes
after everything already recorded, otherwise at the latest recorded time (never earlier, so
stays never overlap), and never after now. Fields whose column the file lacks are left alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.domain.stages import LOST, WON
from assistant.services import deals as deal_service
from assistant.services import leads as lead_service
from assistant.services.history import as_text, record
from assistant.storage.models import Change, Deal, Lead
from assistant.transfer.rows import Record

ACTOR = "import"
DEAL_SIMPLE = (
    "name", "company", "amount", "owner_id", "close_date", "source", "campaign", "lost_reason",
)  # fmt: skip
LEAD_SIMPLE = ("name", "company", "email", "source", "campaign", "owner_id", "drop_reason")


def _simple(obj, rec: Record, fields) -> dict[str, object]:
    return {
        f: rec.values.get(f)
        for f in fields
        if f in rec.present and as_text(getattr(obj, f)) != as_text(rec.values.get(f))
    }


def deal_differs(deal: Deal, rec: Record) -> bool:
    if _simple(deal, rec, DEAL_SIMPLE):
        return True
    if "stage_key" not in rec.present:
        return False
    return (deal.stage_key, deal.status) != (rec.values["stage_key"], rec.values["status"])


def lead_differs(lead: Lead, rec: Record, positions: dict[str, int]) -> bool:
    if _simple(lead, rec, LEAD_SIMPLE):
        return True
    if "stage_key" not in rec.present:
        return False
    furthest = _further(lead.furthest_stage_key, rec.values["furthest_stage_key"], positions)
    new = (rec.values["stage_key"], rec.values["status"], furthest)
    return (lead.stage_key, lead.status, lead.furthest_stage_key) != new


def _further(a: str, b: str, positions: dict[str, int]) -> str:
    return b if positions.get(b, -1) > positions.get(a, -1) else a


def _when(candidate: datetime | None, floor: datetime, now: datetime) -> datetime:
    return min(max(candidate or now, floor), max(now, floor))


def update_deal(session: Session, deal: Deal, rec: Record, now: datetime) -> bool:
    if not deal_differs(deal, rec):
        return False
    simple = _simple(deal, rec, DEAL_SIMPLE)
    values = rec.values
    steps: list[tuple[str, datetime, dict]] = []  # (action, at, new values), in time order
    if "stage_key" in rec.present:
        stage, status = values["stage_key"], values["status"]
        floor = max(deal.stage_entered_at, deal.closed_at or deal.stage_entered_at)
        entered = _when(values["stage_entered_at"], floor, now)
        if deal.status != "open" and status == "open":
            change = {"stage_key": stage, "status": "open", "stage_entered_at": entered}
            steps.append(("reopen", entered, change | {"closed_at": None, "lost_reason": None}))
        elif stage != deal.stage_key:
            steps.append(("move", entered, {"stage_key": stage, "stage_entered_at": entered}))
        else:
            entered = deal.stage_entered_at
        if status in (WON, LOST) and status != deal.status:
            closed_at = _when(values["closed_at"], max(entered, floor), now)
            change = {
                "status": status,
                "closed_at": closed_at,
                "lost_reason": values["lost_reason"],
            }
            steps.append((status, closed_at, change))
    if simple:
        if "name" in simple:
            simple["name_folded"] = simple["name"].casefold()
        steps.append(("edit", now, simple))
    for action, at, change in steps:
        before = {f: getattr(deal, f) for f in deal_service.TRACKED_FIELDS}
        for field, value in change.items():
            setattr(deal, field, value)
        record(
            session, workspace_id=deal.workspace_id, entity="deal", entity_id=deal.id,
            action=action, actor_id=ACTOR, at=at,
            changes={f: (before[f], getattr(deal, f)) for f in deal_service.TRACKED_FIELDS},
        )  # fmt: skip
    deal.updated_at = now
    return True


def _last_move(session: Session, lead: Lead) -> datetime:
    """When the lead last changed stage or status (a lead row has no such column)."""
    last = session.scalar(
        select(func.max(Change.at)).where(
            Change.workspace_id == lead.workspace_id,
            Change.entity == "lead",
            Change.entity_id == lead.id,
            Change.field.in_(("stage_key", "status")),
        )
    )
    return last or lead.created_at


def update_lead(
    session: Session, lead: Lead, rec: Record, positions: dict[str, int], now: datetime
) -> bool:
    if not lead_differs(lead, rec, positions):
        return False
    values = rec.values
    before = {f: getattr(lead, f) for f in lead_service.TRACKED_FIELDS}
    changes = _simple(lead, rec, LEAD_SIMPLE)
    if "name" in changes:
        lead.name_folded = changes["name"].casefold()
    at = now
    if "stage_key" in rec.present:
        stage_events = [e.at for e in rec.events if e.field == "stage_key"]
        at = _when(max(stage_events) if stage_events else None, _last_move(session, lead), now)
        furthest = _further(lead.furthest_stage_key, values["furthest_stage_key"], positions)
        changes |= {"stage_key": values["stage_key"], "status": values["status"]}
        changes["furthest_stage_key"] = furthest
        if furthest == lead_service.FUNNEL_ACTION and lead.action_at is None:
            changes["action_at"] = values["action_at"] or at
    for field, value in changes.items():
        setattr(lead, field, value)
    action = "move" if before["stage_key"] != lead.stage_key else "edit"
    if before["status"] != lead.status:
        action = {"converted": "convert", "dropped": "drop"}.get(lead.status, "reopen")
    record(
        session, workspace_id=lead.workspace_id, entity="lead", entity_id=lead.id,
        action=action, actor_id=ACTOR, at=at,
        changes={f: (before[f], getattr(lead, f)) for f in lead_service.TRACKED_FIELDS},
    )  # fmt: skip
    lead.updated_at = now
    return True
