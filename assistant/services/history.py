"""The append-only history: every change of a tracked field becomes one `Change` row."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from assistant.storage.models import Change


def as_text(value: object) -> str | None:
    """One canonical text form per value, so the history can be replayed exactly."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def record(
    session: Session,
    *,
    workspace_id: int,
    entity: str,
    entity_id: int,
    action: str,
    actor_id: str | None,
    at: datetime,
    changes: dict[str, tuple[object, object]],
) -> None:
    """Write one row per field whose value really changed (old, new)."""
    for field, (old, new) in changes.items():
        if as_text(old) == as_text(new):
            continue
        session.add(
            Change(
                workspace_id=workspace_id,
                entity=entity,
                entity_id=entity_id,
                action=action,
                field=field,
                old_value=as_text(old),
                new_value=as_text(new),
                actor_id=actor_id,
                at=at,
            )
        )


def record_event(
    session: Session,
    *,
    workspace_id: int,
    entity: str,
    entity_id: int,
    action: str,
    actor_id: str | None,
    at: datetime,
    detail: str | None = None,
) -> None:
    """A change with no field of its own (a note added, a settings change summary)."""
    session.add(
        Change(
            workspace_id=workspace_id,
            entity=entity,
            entity_id=entity_id,
            action=action,
            field=None,
            old_value=None,
            new_value=detail,
            actor_id=actor_id,
            at=at,
        )
    )
