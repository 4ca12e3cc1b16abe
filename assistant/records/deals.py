"""A deal's changes: what each one sets, and its history rows, in the caller's transaction.

The services (commands, buttons, the form), re-imports and anything later that changes a deal
call these, so a rule lives in one place: closing stamps `closed_at`, reopening clears it and
the lost reason, a move restarts the stage clock, and a won deal's lead reaches `action`.
Permissions and input checks are the callers'; these functions only apply.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from assistant.domain.stages import LOST, WON, DealStatus
from assistant.records import apply, leads
from assistant.records.history import History
from assistant.records.numbers import DEAL_NUMBERS, reserve_numbers
from assistant.storage.models import Deal, Note

ENTITY = "deal"
TRACKED = (
    "name", "company", "amount", "owner_id", "stage_key", "status",
    "lost_reason", "close_date", "source", "campaign",
)  # fmt: skip


def moving(stage_key: str, at: datetime) -> dict[str, object]:
    return {"stage_key": stage_key, "stage_entered_at": at}


def closing(
    outcome: str, at: datetime, amount: Decimal | None = None, reason: str | None = None
) -> dict[str, object]:
    """Won or lost: the stage stays the one it closed from, so reports say where."""
    values: dict[str, object] = {
        "status": outcome,
        "closed_at": at,
        "lost_reason": reason if outcome == LOST else None,
    }
    if amount is not None:
        values["amount"] = amount
    return values


def reopening(stage_key: str, at: datetime) -> dict[str, object]:
    return {
        "status": DealStatus.OPEN.value,
        "closed_at": None,
        "lost_reason": None,
        **moving(stage_key, at),
    }


def insert_deal(
    session: Session,
    *,
    workspace_id: int,
    values: dict[str, object],
    actor_id: str,
    at: datetime,
) -> Deal:
    """A new open deal entering its stage now; `values` are its tracked fields (lead_id too)."""
    row = Deal(
        workspace_id=workspace_id,
        number=reserve_numbers(session, workspace_id, DEAL_NUMBERS),
        name_folded=str(values["name"]).casefold(),
        stage_entered_at=at,
        status=DealStatus.OPEN.value,
        created_by=actor_id,
        created_at=at,
        updated_at=at,
        **values,
    )
    apply.insert(session, row, ENTITY, TRACKED, actor_id, at)
    return row


def change(
    session: Session, deal: Deal, action: str, actor_id: str, at: datetime, **values: object
) -> None:
    """Set `values` on the deal and record each tracked field that changed as `action`."""
    # Taken before `values` are set: the stay a move or a close ends is the one the deal is in.
    apply.change(session, deal, ENTITY, TRACKED, action, actor_id, at, values)


def move(session: Session, deal: Deal, stage_key: str, actor_id: str, at: datetime) -> None:
    change(session, deal, "move", actor_id, at, **moving(stage_key, at))


def close(
    session: Session,
    deal: Deal,
    outcome: str,
    actor_id: str,
    at: datetime,
    *,
    amount: Decimal | None = None,
    reason: str | None = None,
) -> None:
    change(session, deal, outcome, actor_id, at, **closing(outcome, at, amount, reason))
    if outcome == WON and deal.lead_id is not None:
        leads.reach_action(session, [(deal.lead_id, actor_id, at)])


def reopen(session: Session, deal: Deal, stage_key: str, actor_id: str, at: datetime) -> None:
    change(session, deal, "reopen", actor_id, at, **reopening(stage_key, at))


def add_note(session: Session, deal: Deal, text: str, actor_id: str, at: datetime) -> None:
    session.add(
        Note(workspace_id=deal.workspace_id, deal_id=deal.id, author_id=actor_id, text=text,
             created_at=at)
    )  # fmt: skip
    deal.updated_at = at  # a new version: cards shown before the note are stale
    session.flush()
    history = History(deal.workspace_id)
    history.event(ENTITY, deal.id, "note", actor_id, at, text)
    history.write(session)
