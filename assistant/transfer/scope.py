"""Which workspace an import or export is about (`--team`), and its stage configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.domain.errors import NotFound
from assistant.domain.stages import DEFAULT_FUNNEL, DEFAULT_PIPELINE, StageDef, StageKind
from assistant.services.workspaces import named_or_only, read_stages
from assistant.storage.models import Person, Workspace
from assistant.transfer.stages_map import squash

# The workspace an import makes when the database has none and no --team is given: data can
# be brought in and looked at (`python bot.py console`) before the bot is in Slack, and
# attached to the Slack team later (`python bot.py attach T0123ABCD`).
LOCAL_TEAM = "LOCAL"


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
    # The workspace's Slack users by name and e-mail (squashed): owners a file names by either
    # are linked to them.
    people: dict[str, str] = field(default_factory=dict)


def pick_team(session: Session, team_id: str | None, *, may_create: bool) -> Workspace | None:
    """The workspace named by --team, or the only one; None when an import may create it."""
    try:
        if team_id and may_create:  # a new team's first import creates its workspace
            workspace = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
        else:
            workspace = named_or_only(session, team_id)
    except NotFound as err:
        raise TransferError(err.message) from None
    if workspace is None and not may_create:
        raise TransferError("the database has no workspace yet; import a file first")
    return workspace


def load_scope(session: Session, team_id: str | None, default_timezone: str) -> Scope:
    workspace = pick_team(session, team_id, may_create=True)
    if workspace is None:
        # A new team: the import will create it with the default stages, as the bot would.
        return Scope(
            team_id or LOCAL_TEAM,
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
        _slack_people(session, workspace.id),
    )


def _slack_people(session: Session, workspace_id: int) -> dict[str, str]:
    rows = session.execute(
        select(Person.slack_user_id, Person.name, Person.real_name, Person.email).where(
            Person.workspace_id == workspace_id,
            Person.slack_user_id.is_not(None),
            Person.deleted.is_(False),
        )
    )
    found: dict[str, str] = {}
    for user_id, *names in rows:
        for name in names:
            if name:
                found.setdefault(squash(name), user_id)
    return found
