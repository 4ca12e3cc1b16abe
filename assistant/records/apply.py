"""Writing a deal or lead row and the history rows of what changed, in one place for both."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from assistant.records.history import History, Stay


def insert(
    session: Session, row, entity: str, tracked: Sequence[str], actor_id: str, at: datetime
) -> None:
    """Add a new row; its `create` history has one row per tracked field that has a value."""
    session.add(row)
    session.flush()
    history = History(row.workspace_id)
    history.changed(
        entity, row.id, "create", actor_id, at, ((f, None, getattr(row, f)) for f in tracked)
    )
    history.write(session)


def change(
    session: Session,
    row,
    entity: str,
    tracked: Sequence[str],
    action: str,
    actor_id: str,
    at: datetime,
    values: dict[str, object],
) -> None:
    """Set `values` on the row and record each tracked field that changed as `action`. A
    deal's rows that end a stay carry it, from the deal row as it was before (`Stay.of`):
    taken here, so no change to a deal can be written without it."""
    stay = Stay.of(row) if entity == "deal" else None
    before = {f: getattr(row, f) for f in tracked}
    for field, value in values.items():
        setattr(row, field, value)
    if "name" in values:
        row.name_folded = str(values["name"]).casefold()
    # Never backwards: an import may apply a change at the (earlier) time a file gives it.
    row.updated_at = max(row.updated_at or at, at)
    session.flush()
    history = History(row.workspace_id)
    history.changed(
        entity,
        row.id,
        action,
        actor_id,
        at,
        ((f, before[f], getattr(row, f)) for f in tracked),
        stay,
    )
    history.write(session)
