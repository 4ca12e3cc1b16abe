"""Who manages whom (`/sales team @manager @rep ...`): escalations go to the manager."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.domain.errors import InvalidInput
from assistant.records.history import record
from assistant.services.context import Actor, Services
from assistant.services.roles import as_admin
from assistant.services.workspaces import workspace_for_reading
from assistant.storage.models import ManagerLink


def set_team(services: Services, actor: Actor, manager_id: str, rep_ids: list[str]) -> None:
    """`manager_id` manages each of `rep_ids` from now on (one manager per rep)."""
    if not rep_ids:
        raise InvalidInput("Name the manager first, then their reps: `/sales team @mia @ana @ben`.")
    if manager_id in rep_ids:
        raise InvalidInput("Someone can't manage themselves; name the manager, then their reps.")
    now = services.now()
    with as_admin(services, actor, "set who manages whom") as (session, ws):
        for rep_id in dict.fromkeys(rep_ids):
            link = session.scalar(
                select(ManagerLink).where(
                    ManagerLink.workspace_id == ws.id, ManagerLink.rep_id == rep_id
                )
            )
            before = link.manager_id if link else None
            if link is None:
                link = ManagerLink(workspace_id=ws.id, rep_id=rep_id)
                session.add(link)
            link.manager_id, link.created_by, link.created_at = manager_id, actor.user_id, now
            session.flush()
            record(
                session, workspace_id=ws.id, entity="role", entity_id=link.id, action="team",
                actor_id=actor.user_id, at=now, changes={"manager": (before, manager_id)},
            )  # fmt: skip


def teams(services: Services, actor: Actor) -> dict[str, list[str]]:
    """manager -> their reps."""
    with services.db.reading() as session:
        ws = workspace_for_reading(services, session, actor.team_id)
        return teams_in(session, ws.id)


def teams_in(session: Session, workspace_id: int) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    rows = session.execute(
        select(ManagerLink.manager_id, ManagerLink.rep_id)
        .where(ManagerLink.workspace_id == workspace_id)
        .order_by(ManagerLink.manager_id, ManagerLink.rep_id)
    )
    for manager_id, rep_id in rows:
        found.setdefault(manager_id, []).append(rep_id)
    return found
