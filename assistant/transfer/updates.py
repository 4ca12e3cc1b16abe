"""Re-importing a record the workspace already has: change what the file says differently.

History stays append-only: a change is recorded at the file's date for it when that comes
after everything already recorded, otherwise at the latest recorded time (never earlier, so
stays never overlap), and never after now. Fields whose column the file lacks are left alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.domain.stages import FUNNEL_ACTION, LOST, WON
from assistant.records import deals as deal_records
from assistant.records import leads as lead_records
from assistant.records.history import as_text
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
            steps.append(("reopen", entered, deal_records.reopening(stage, entered)))
        elif stage != deal.stage_key:
            steps.append(("move", entered, deal_records.moving(stage, entered)))
        else:
            entered = deal.stage_entered_at
        if status in (WON, LOST) and status != deal.status:
            closed_at = _when(values["closed_at"], max(entered, floor), now)
            reason = values["lost_reason"]
            steps.append((status, closed_at, deal_records.closing(status, closed_at, None, reason)))
    if simple:
        steps.append(("edit", now, simple))
    for action, at, change in steps:
        if action == WON:
            deal_records.close(session, deal, WON, ACTOR, at)
        else:
            deal_records.change(session, deal, action, ACTOR, at, **change)
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
    before_stage, before_status = lead.stage_key, lead.status
    changes = _simple(lead, rec, LEAD_SIMPLE)
    at = now
    if "stage_key" in rec.present:
        stage_events = [e.at for e in rec.events if e.field == "stage_key"]
        at = _when(max(stage_events) if stage_events else None, _last_move(session, lead), now)
        furthest = _further(lead.furthest_stage_key, values["furthest_stage_key"], positions)
        changes |= {"stage_key": values["stage_key"], "status": values["status"]}
        changes["furthest_stage_key"] = furthest
        if furthest == FUNNEL_ACTION and lead.action_at is None:
            changes["action_at"] = values["action_at"] or at
    action = "move" if changes.get("stage_key", before_stage) != before_stage else "edit"
    status = changes.get("status", before_status)
    if status != before_status:
        action = {"converted": "convert", "dropped": "drop"}.get(status, "reopen")
    lead_records.change(session, lead, action, ACTOR, at, **changes)
    lead.updated_at = now
    return True
