"""Deleting a workspace's data: at once (`python bot.py purge`), or after the retention period
that follows an uninstall. Also the OAuth state rows slack_sdk's store never deletes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, select

from assistant.services.context import Services
from assistant.storage.models import (
    Base,
    DigestDelivery,
    DigestSubscription,
    ProcessedRequest,
    Workspace,
)
from assistant.storage.slack_stores import OAUTH_STATES, TEAM_TABLES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    team_id: str
    rows: int  # every row deleted, in all tables


def purge_workspace(services: Services, team_id: str) -> Purged:
    """Delete every row of one workspace, in one transaction: all or nothing."""
    rows = 0
    with services.db.transaction() as session:
        workspace_id = session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))
        if workspace_id is not None:
            subscriptions = select(DigestSubscription.id).where(
                DigestSubscription.workspace_id == workspace_id
            )
            rows += _delete(
                session,
                delete(DigestDelivery).where(DigestDelivery.subscription_id.in_(subscriptions)),
            )
            # Every table with a workspace_id, children before parents; a table added later is
            # covered without touching this function.
            for table in reversed(Base.metadata.sorted_tables):
                if "workspace_id" in table.c:
                    rows += _delete(
                        session, delete(table).where(table.c.workspace_id == workspace_id)
                    )
            rows += _delete(session, delete(Workspace).where(Workspace.id == workspace_id))
        rows += _delete(
            session, delete(ProcessedRequest).where(ProcessedRequest.team_id == team_id)
        )
        for table in TEAM_TABLES:
            rows += _delete(session, _team_rows(table, team_id))
    log.info("purged workspace %s: %d rows", team_id, rows)
    return Purged(team_id, rows)


def purge_expired(
    services: Services, retention_days: int, now: datetime | None = None
) -> list[Purged]:
    """Purge workspaces uninstalled more than `retention_days` ago, and expired OAuth states."""
    now = now or services.now()
    cutoff = now - timedelta(days=retention_days)
    with services.db.reading() as session:
        teams = list(
            session.scalars(
                select(Workspace.team_id).where(
                    Workspace.uninstalled_at.is_not(None), Workspace.uninstalled_at < cutoff
                )
            )
        )
    purged = [purge_workspace(services, team_id) for team_id in teams]
    purge_expired_states(services, now)
    return purged


def purge_expired_states(services: Services, now: datetime | None = None) -> int:
    """slack_sdk's state store deletes a state only when it is used; abandoned installs stay."""
    now = now or services.now()
    naive_utc = now.replace(tzinfo=None) - (now.utcoffset() or timedelta(0))
    with services.db.transaction() as session:
        return _delete(session, delete(OAUTH_STATES).where(OAUTH_STATES.c.expire_at < naive_utc))


def _team_rows(table: Table, team_id: str):
    return delete(table).where(table.c.team_id == team_id)


def _delete(session, statement) -> int:
    return session.execute(statement).rowcount or 0
