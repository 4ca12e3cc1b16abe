"""Who is what: roles are stored per workspace; admins also come from settings and Slack."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from assistant.domain.roles import DEFAULT_ROLE, Role, require_admin
from assistant.records.history import record
from assistant.services.context import Actor, Services
from assistant.services.workspaces import (
    WorkspaceRow,
    ensure_workspace,
    role_key,
    workspace_for_reading,
)
from assistant.storage.kept import kept
from assistant.storage.models import User, Workspace
from assistant.storage.prebuilt import run


def role_in(
    session: Session, services: Services, workspace: Workspace | WorkspaceRow, actor: Actor
) -> Role:
    if actor.user_id in services.admins or actor.is_slack_admin:
        return Role.ADMIN
    stored = kept(  # read with the workspace when it was ensured for a change
        session,
        role_key(workspace.id, actor.user_id),
        lambda: run(session, _ROLE, workspace_id=workspace.id, user_id=actor.user_id).scalar(),
    )
    return Role(stored) if stored else DEFAULT_ROLE


_ROLE = select(User.role).where(
    User.workspace_id == bindparam("workspace_id"), User.slack_user_id == bindparam("user_id")
)


@contextmanager
def as_admin(services: Services, actor: Actor, action: str) -> Iterator[tuple[Session, Workspace]]:
    """A transaction in the actor's workspace, for what only admins may do (`action`)."""
    with services.db.transaction() as session:
        workspace = ensure_workspace(
            session, actor.team_id, services.now(), services.default_timezone, actor.user_id
        )
        require_admin(role_in(session, services, workspace, actor), action)
        yield session, workspace


def set_role(services: Services, actor: Actor, user_id: str, role: Role) -> Role:
    """Give `user_id` a role; returns the role they had before."""
    now = services.now()
    with as_admin(services, actor, "change roles") as (session, workspace):
        user = session.scalar(
            select(User).where(User.workspace_id == workspace.id, User.slack_user_id == user_id)
        )
        previous = Role(user.role) if user else DEFAULT_ROLE
        if user is None:
            user = User(workspace_id=workspace.id, slack_user_id=user_id, updated_at=now)
            session.add(user)
        user.role = role.value
        user.updated_at = now
        session.flush()
        record(
            session,
            workspace_id=workspace.id,
            entity="role",
            entity_id=user.id,
            action="role",
            actor_id=actor.user_id,
            at=now,
            changes={"role": (previous.value, role.value)},
        )
        return previous


def list_roles(services: Services, actor: Actor) -> dict[str, Role]:
    """Users with a role other than the default, plus the configured admins."""
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        rows = session.execute(
            select(User.slack_user_id, User.role).where(User.workspace_id == workspace.id)
        ).all()
    roles = {user_id: Role(role) for user_id, role in rows if role != DEFAULT_ROLE.value}
    for admin in services.admins:
        roles[admin] = Role.ADMIN
    return dict(sorted(roles.items()))


def my_role(services: Services, actor: Actor) -> Role:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        return role_in(session, services, workspace, actor)
