"""Which workspace an import or export is about (`--team`), and its stage configuration."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.domain.stages import DEFAULT_FUNNEL, DEFAULT_PIPELINE, StageDef, StageKind
from assistant.services.workspaces import read_stages
from assistant.storage.models import Workspace


class TransferError(Exception):
    """A problem with the command as a whole (not one row): printed, exit status 2."""


@dataclass(frozen=True)
class Scope:
    team_id: str
    workspace_id: int | None  # None: the workspace doesn't exist yet (an import creates it)
    timezone: str
    currency: str
    pipeline: list[StageDef]
    funnel: list[StageDef]


def pick_team(session: Session, team_id: str | None, *, may_create: bool) -> Workspace | None:
    """The workspace named by --team, or the only one; None if --team names a new one."""
    if team_id:
        workspace = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
        if workspace is None and not may_create:
            raise TransferError(f"no workspace `{team_id}`; workspaces: {_teams(session)}")
        return workspace
    workspaces = list(session.scalars(select(Workspace).order_by(Workspace.team_id).limit(50)))
    if len(workspaces) == 1:
        return workspaces[0]
    if not workspaces:
        raise TransferError(
            "the database has no workspace yet; name the Slack team with --team T0123ABCD"
        )
    raise TransferError(f"several workspaces; pick one with --team: {_teams(session)}")


def _teams(session: Session) -> str:
    rows = session.execute(select(Workspace.team_id, Workspace.name).order_by(Workspace.team_id))
    listing = [f"{team} ({name})" if name else team for team, name in rows]
    return ", ".join(listing) or "none"


def load_scope(session: Session, team_id: str | None, default_timezone: str) -> Scope:
    workspace = pick_team(session, team_id, may_create=True)
    if workspace is None:
        # A new team: the import will create it with the default stages, as the bot would.
        return Scope(
            team_id or "",
            None,
            default_timezone,
            "USD",
            list(DEFAULT_PIPELINE),
            list(DEFAULT_FUNNEL),
        )
    return Scope(
        workspace.team_id,
        workspace.id,
        workspace.timezone,
        workspace.currency,
        read_stages(session, workspace.id, StageKind.PIPELINE),
        read_stages(session, workspace.id, StageKind.FUNNEL),
    )
