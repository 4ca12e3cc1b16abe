"""A lead's changes: what each one sets, and its history rows, in the caller's transaction.

A lead's `furthest_stage_key` only ever moves forward (the funnel counts how far each lead
got), and the time it first reaches `action` is kept; a deal won from a lead is the
customer's purchase, so that lead reaches `action` whichever way the deal was won.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.domain.stages import FUNNEL_ACTION, LeadStatus, StageKind
from assistant.records import apply
from assistant.records.numbers import LEAD_NUMBERS, reserve_numbers
from assistant.storage.models import Lead, Stage

ENTITY = "lead"
TRACKED = (
    "name", "company", "email", "source", "campaign", "stage_key",
    "furthest_stage_key", "status", "drop_reason", "owner_id",
)  # fmt: skip
# Sales taking a lead on means the customer is considering a purchase.
CONVERTED_STAGE = "consideration"


def funnel_positions(session: Session, workspace_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Stage.key, Stage.position).where(
            Stage.workspace_id == workspace_id, Stage.kind == StageKind.FUNNEL.value
        )
    )
    return dict(rows.tuples().all())


def advancing(
    lead: Lead, stage_key: str, positions: dict[str, int], at: datetime
) -> dict[str, object]:
    """The lead's stage becomes `stage_key`; the furthest stage only ever goes forward."""
    values: dict[str, object] = {"stage_key": stage_key}
    if positions.get(stage_key, -1) > positions.get(lead.furthest_stage_key, -1):
        values["furthest_stage_key"] = stage_key
    if stage_key == FUNNEL_ACTION and lead.action_at is None:
        values["action_at"] = at
    return values


def insert_lead(
    session: Session,
    *,
    workspace_id: int,
    values: dict[str, object],
    actor_id: str,
    at: datetime,
) -> Lead:
    """A new open lead; `values` are its tracked fields, its stage among them."""
    stage_key = values["stage_key"]
    row = Lead(
        workspace_id=workspace_id,
        number=reserve_numbers(session, workspace_id, LEAD_NUMBERS),
        name_folded=str(values["name"]).casefold(),
        furthest_stage_key=stage_key,
        status=LeadStatus.OPEN.value,
        action_at=at if stage_key == FUNNEL_ACTION else None,
        created_by=actor_id,
        created_at=at,
        updated_at=at,
        **values,
    )
    apply.insert(session, row, ENTITY, TRACKED, actor_id, at)
    return row


def change(
    session: Session, lead: Lead, action: str, actor_id: str, at: datetime, **values: object
) -> None:
    """Set `values` on the lead and record each tracked field that changed as `action`."""
    apply.change(session, lead, ENTITY, TRACKED, action, actor_id, at, values)


def move(session: Session, lead: Lead, stage_key: str, actor_id: str, at: datetime) -> None:
    positions = funnel_positions(session, lead.workspace_id)
    change(session, lead, "move", actor_id, at, **advancing(lead, stage_key, positions, at))


def convert(session: Session, lead: Lead, actor_id: str, at: datetime) -> None:
    """Sales takes the lead on: it is at least at `consideration`, and converted."""
    positions = funnel_positions(session, lead.workspace_id)
    values: dict[str, object] = {"status": LeadStatus.CONVERTED.value}
    if positions.get(lead.stage_key, 0) < positions.get(CONVERTED_STAGE, 0):
        values |= advancing(lead, CONVERTED_STAGE, positions, at)
    change(session, lead, "convert", actor_id, at, **values)


def drop(session: Session, lead: Lead, reason: str | None, actor_id: str, at: datetime) -> None:
    values = {"status": LeadStatus.DROPPED.value, "drop_reason": reason}
    change(session, lead, "drop", actor_id, at, **values)


def reach_action(session: Session, wins: Sequence[tuple[int, str, datetime]]) -> None:
    """Deals won from leads, as (lead id, who won the deal, when): those leads reach `action`.

    One query for any number of them (an import wins thousands at once); each lead is locked,
    so a marketer moving it at the same moment waits instead of being overwritten.
    """
    if not wins:
        return
    ids = sorted({lead_id for lead_id, _, _ in wins})
    found = {
        lead.id: lead
        for lead in session.scalars(select(Lead).where(Lead.id.in_(ids)).with_for_update())
    }
    positions_of: dict[int, dict[str, int]] = {}
    for lead_id, actor_id, at in wins:
        lead = found.get(lead_id)
        if lead is None or lead.stage_key == FUNNEL_ACTION:
            continue
        positions = positions_of.get(lead.workspace_id)
        if positions is None:
            positions = positions_of[lead.workspace_id] = funnel_positions(
                session, lead.workspace_id
            )
        values = advancing(lead, FUNNEL_ACTION, positions, at)
        change(session, lead, "won", actor_id, at, **values)
