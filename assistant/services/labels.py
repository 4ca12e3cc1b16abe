"""Sources and campaigns as the workspace knows them: a filter naming one that does not
exist is told so, with the closest names, instead of getting an empty report."""

from __future__ import annotations

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from assistant.domain.errors import NotFound
from assistant.domain.suggest import closest
from assistant.storage.models import Deal, Lead

LABELS = ("source", "campaign")
LISTED = 8


def known(session: Session, workspace_id: int, field: str) -> list[str]:
    """Every distinct value of `field` on the workspace's leads and deals, most used first."""
    query = union(
        *(
            select(getattr(model, field).label("value")).where(
                model.workspace_id == workspace_id, getattr(model, field).is_not(None)
            )
            for model in (Lead, Deal)
        )
    ).subquery()
    return list(session.scalars(select(query.c.value).order_by(func.lower(query.c.value))))


def require_known(session: Session, workspace_id: int, field: str, value: str | None) -> None:
    """Raise NotFound, saying what there is, when no lead or deal has `value` as `field`."""
    if value is None:
        return
    values = known(session, workspace_id, field)
    if value.strip().casefold() in {v.casefold() for v in values}:
        return
    hint = ""
    if close := closest(value, values):
        hint = f" Did you mean `{close[0]}`?"
    other = next(f for f in LABELS if f != field)
    elsewhere = closest(value, known(session, workspace_id, other))
    if elsewhere:
        hint += f' (There is a {other} called `{elsewhere[0]}`: `{other}:"{elsewhere[0]}"`.)'
    shown = ", ".join(f"`{v}`" for v in values[:LISTED])
    more = f" and {len(values) - LISTED} more" if len(values) > LISTED else ""
    listing = f" {field.capitalize()}s: {shown}{more}." if values else f" No {field}s yet."
    raise NotFound(f"No {field} called `{value}`.{hint}{listing}")
