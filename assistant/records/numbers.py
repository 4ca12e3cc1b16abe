"""The numbers users type for deals and leads (#12, L7), counted per workspace."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from assistant.storage.models import Workspace

DEAL_NUMBERS = "deal_seq"
LEAD_NUMBERS = "lead_seq"


def reserve_numbers(session: Session, workspace_id: int, counter: str, count: int = 1) -> int:
    """Reserve `count` numbers at once and return the first.

    One UPDATE ... RETURNING bumps the workspace's counter, so two creations at the same
    moment, in any process, never get the same number.
    """
    column = getattr(Workspace, counter)
    last = session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values({counter: column + count})
        .returning(column)
    ).scalar_one()
    return last - count + 1
