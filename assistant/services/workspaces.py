"""Workspaces: created and seeded with the default stages the first time one is seen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from assistant.analytics.stages import STAGE_COLUMNS, read_stage_defs, stage_defs_by_kind
from assistant.domain.errors import InvalidInput, NotFound
from assistant.domain.stages import DEFAULT_FUNNEL, DEFAULT_PIPELINE, StageDef, StageKind
from assistant.storage.kept import keep
from assistant.storage.models import Deal, Stage, User, Workspace
from assistant.storage.prebuilt import run
from assistant.storage.upsert import insert_or_ignore


def ensure_workspace(
    session: Session, team_id: str, now: datetime, timezone: str, user_id: str | None = None
) -> Workspace:
    """Return the team's workspace, creating and seeding it on first sight. With `user_id`,
    that user's stored role is read with it (and kept for `roles.role_in`).

    Two first requests from a new team can race; `ON CONFLICT DO NOTHING` lets exactly one
    insert win on both databases, and the loser reads the winner's row.
    """
    workspace = _workspace_with_stages(session, team_id, user_id)
    if workspace is not None:
        return workspace
    values = {
        "team_id": team_id, "timezone": timezone, "currency": "USD", "feed_moves": False,
        "deal_seq": 0, "lead_seq": 0, "created_at": now,
    }  # fmt: skip
    new_id = insert_or_ignore(session, Workspace, values, ["team_id"])
    workspace = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
    if new_id is not None:
        _seed_stages(session, workspace.id)
    return workspace


# The workspace with its stages: a change lays its reply out by the stages (and a move or a
# creation checks the stage typed against them), so they are read with it (storage/kept.py);
# and with the role of who asks, which every change checks.
_WITH_STAGES = (
    select(Workspace, *STAGE_COLUMNS)
    .outerjoin(Stage, Stage.workspace_id == Workspace.id)
    .where(Workspace.team_id == bindparam("team_id"))
    .order_by(Stage.kind, Stage.position, Stage.id)
)
_ROLE_OF_USER = (
    select(User.role)
    .where(User.workspace_id == Workspace.id, User.slack_user_id == bindparam("user_id"))
    .scalar_subquery()
)
_WITH_STAGES_AND_ROLE = _WITH_STAGES.add_columns(_ROLE_OF_USER)


def role_key(workspace_id: int, user_id: str) -> tuple[str, int, str]:
    """Where a user's stored role is kept in a session (storage/kept.py)."""
    return ("users", workspace_id, user_id)


def _workspace_with_stages(session: Session, team_id: str, user_id: str | None) -> Workspace | None:
    if user_id is None:
        rows = session.execute(_WITH_STAGES, {"team_id": team_id}).all()
    else:
        params = {"team_id": team_id, "user_id": user_id}
        rows = session.execute(_WITH_STAGES_AND_ROLE, params).all()
    if not rows:
        return None
    workspace = rows[0][0]
    stage_columns = slice(1, 1 + len(STAGE_COLUMNS))
    keep(session, ("stages", workspace.id), stage_defs_by_kind(r[stage_columns] for r in rows))
    if user_id is not None:
        keep(session, role_key(workspace.id, user_id), rows[0][-1])
    return workspace


def _seed_stages(session: Session, workspace_id: int) -> None:
    for kind, stages in (
        (StageKind.PIPELINE, DEFAULT_PIPELINE),
        (StageKind.FUNNEL, DEFAULT_FUNNEL),
    ):
        for stage in stages:
            session.add(
                Stage(
                    workspace_id=workspace_id,
                    kind=kind.value,
                    key=stage.key,
                    label=stage.label,
                    position=stage.position,
                    probability=stage.probability,
                    target_days=stage.target_days,
                    active=True,
                )
            )
    session.flush()


@dataclass(frozen=True)
class WorkspaceRow:
    """What readers use of a workspace row, detached from any session (so it can be kept)."""

    id: int
    team_id: str
    name: str | None
    timezone: str
    currency: str
    feed_channel: str | None
    feed_moves: bool


def read_stages(
    session: Session, workspace_id: int, kind: StageKind, *, include_inactive: bool = False
) -> list[StageDef]:
    """The stages for showing and computing (`load_stages` gives the rows to change)."""
    stages = read_stage_defs(session, workspace_id, kind)
    return stages if include_inactive else [s for s in stages if s.active]


def load_stages(
    session: Session, workspace_id: int, kind: StageKind, *, include_inactive: bool = False
) -> list[Stage]:
    query = select(Stage).where(Stage.workspace_id == workspace_id, Stage.kind == kind.value)
    if not include_inactive:
        query = query.where(Stage.active.is_(True))
    return list(session.scalars(query.order_by(Stage.position, Stage.id)))


def stage_def(stage: Stage) -> StageDef:
    return StageDef(stage.key, stage.label, stage.position, stage.probability,
                    stage.target_days, stage.active, stage.forecast_uses)  # fmt: skip


def workspace_zone(workspace: Workspace | WorkspaceRow) -> ZoneInfo:
    return ZoneInfo(workspace.timezone)


_ROW = (
    Workspace.id,
    Workspace.team_id,
    Workspace.name,
    Workspace.timezone,
    Workspace.currency,
    Workspace.feed_channel,
    Workspace.feed_moves,
)


# The workspace with its stages, one row per stage: nearly every command lays its reply out by
# the stages, and reading them here saves a statement of their own (storage/kept.py).
_BY_TEAM = (
    select(*_ROW, *STAGE_COLUMNS)
    .outerjoin(Stage, Stage.workspace_id == Workspace.id)
    .where(Workspace.team_id == bindparam("team_id"))
    .order_by(Stage.kind, Stage.position, Stage.id)
)


def workspace_for_reading(services, session: Session, team_id: str) -> WorkspaceRow:
    """The team's workspace inside a read session, creating it first if it is new; its terms
    and stages are kept for the rest of the session's transaction."""
    rows = run(session, _BY_TEAM, team_id=team_id).all()
    if not rows:
        with services.db.transaction() as writer:
            ensure_workspace(writer, team_id, services.now(), services.default_timezone)
        session.rollback()  # the read snapshot predates the new row; take a fresh one
        rows = run(session, _BY_TEAM, team_id=team_id).all()
    workspace = WorkspaceRow(*rows[0][: len(_ROW)])
    keep(session, ("workspaces", workspace.id), (workspace.currency, workspace.timezone))
    keep(session, ("stages", workspace.id), stage_defs_by_kind(r[len(_ROW) :] for r in rows))
    return workspace


def mark_uninstalled(services, team_id: str) -> bool:
    """The app left this workspace: its digests stop, its data waits for the retention purge.

    Returns whether the workspace was installed until now (a repeated event changes nothing).
    """
    with services.db.transaction() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
        if workspace is None or workspace.uninstalled_at is not None:
            return False
        workspace.uninstalled_at = services.now()
        return True


def mark_installed(services, team_id: str, name: str | None = None) -> None:
    """An installation (or reinstallation) of the app: the workspace is active again."""
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, team_id, services.now(), services.default_timezone)
        workspace.uninstalled_at = None
        if name:
            workspace.name = name[:200]


def named_or_only(session: Session, team_id: str | None) -> Workspace | None:
    """The workspace `team_id` names, or the database's only one; None when there is none.
    Raises NotFound for an unknown team, or when several are there and none is named."""
    if team_id:
        workspace = session.scalar(select(Workspace).where(Workspace.team_id == team_id))
        if workspace is None:
            raise NotFound(f"no workspace `{team_id}`; workspaces: {_teams(session)}")
        return workspace
    workspaces = list(session.scalars(select(Workspace).order_by(Workspace.team_id).limit(2)))
    if len(workspaces) > 1:
        raise NotFound(f"several workspaces; pick one with --team: {_teams(session)}")
    return workspaces[0] if workspaces else None


def _teams(session: Session) -> str:
    rows = session.execute(
        select(Workspace.team_id, Workspace.name).order_by(Workspace.team_id).limit(50)
    )
    listing = [f"{team} ({name})" if name else team for team, name in rows]
    return ", ".join(listing) or "none"


def attach(services, from_team: str, to_team: str) -> int:
    """Give a workspace made without Slack (an import's local one) its Slack team id, so the
    bot serves that team from the data already there; returns how many deals it holds."""
    to_team = to_team.strip()
    if not re.fullmatch(r"[TE][A-Z0-9]{2,31}", to_team):
        raise InvalidInput(f"`{to_team}` is not a Slack team id; they look like T0123ABCD.")
    with services.db.transaction() as session:
        if session.scalar(select(Workspace.id).where(Workspace.team_id == to_team)):
            raise InvalidInput(f"workspace {to_team} exists already; nothing was changed.")
        workspace = session.scalar(select(Workspace).where(Workspace.team_id == from_team))
        if workspace is None:
            raise NotFound(f"no workspace `{from_team}` to attach.")
        workspace.team_id = to_team
        return session.scalar(select(func.count(Deal.id)).where(Deal.workspace_id == workspace.id))
