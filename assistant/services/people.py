"""Who is who in a workspace: names for Slack user ids, so tables, files and the console
show people, not ids.

Rows come from Slack (users.info, asked by the edge when it meets a user) and are refreshed
when older than a day; owners named in imported files who are no Slack users are shown by the
name the file gave (their `owner_id` is that name).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update

from assistant.domain.limits import MAX_NAME
from assistant.domain.text import is_slack_user_id, one_line
from assistant.services.context import Services
from assistant.services.workspaces import ensure_workspace
from assistant.storage.models import Person, Workspace
from assistant.storage.prebuilt import run
from assistant.storage.upsert import insert_or_ignore

REFRESH_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class SlackProfile:
    """What users.info says of a user, as much as we keep."""

    user_id: str
    name: str  # display name, else real name, else the id
    real_name: str | None = None
    email: str | None = None
    timezone: str | None = None
    deleted: bool = False


def slack_names(services: Services, team_id: str) -> dict[str, str]:
    """Every known Slack user of the workspace: id -> name."""
    with services.db.reading() as session:
        rows = session.execute(
            select(Person.slack_user_id, Person.name)
            .join(Workspace, Workspace.id == Person.workspace_id)
            .where(Workspace.team_id == team_id, Person.slack_user_id.is_not(None))
        )
        return dict(rows.tuples().all())


def known_names(session, workspace_id: int) -> dict[str, str]:
    """Every known Slack user of a workspace, id -> name, read in the caller's session (for
    files that show people by name: a user not met yet keeps their id)."""
    rows = session.execute(
        select(Person.slack_user_id, Person.name).where(
            Person.workspace_id == workspace_id, Person.slack_user_id.is_not(None)
        )
    )
    return dict(rows.tuples().all())


@dataclass(frozen=True)
class KnownNames:
    """What is known of some Slack user ids: their names, and which of them to ask Slack
    for (no name yet, or one older than a day), read together in one statement."""

    names: dict[str, str]
    stale: list[str]

    @property
    def missing(self) -> list[str]:
        return [user_id for user_id in self.stale if user_id not in self.names]


def known_names_of(services: Services, team_id: str, ids: Iterable[str]) -> KnownNames:
    """Names and staleness of the Slack user ids among `ids` (others, such as owners
    imported by name, are neither named nor stale); no statement when there are none."""
    wanted = [i for i in dict.fromkeys(ids) if i and is_slack_user_id(i)]
    if not wanted:
        return KnownNames({}, [])
    cutoff = services.now() - REFRESH_AFTER
    with services.db.reading() as session:
        rows = run(session, _NAMES, team_id=team_id, ids=wanted).all()
    names = {user_id: name for user_id, name, _ in rows}
    fresh = {user_id for user_id, _, refreshed in rows if refreshed and refreshed >= cutoff}
    return KnownNames(names, [i for i in wanted if i not in fresh])


# By the team id, joined: a workspace not made yet has no names, and looking the workspace up
# first was a statement of its own in every list and card that shows people. With when each
# was asked for, so a list knows at once whose names to refresh after its reply.
_NAMES = (
    select(Person.slack_user_id, Person.name, Person.refreshed_at)
    .join(Workspace, Workspace.id == Person.workspace_id)
    .where(
        Workspace.team_id == bindparam("team_id"),
        Person.slack_user_id.in_(bindparam("ids", expanding=True)),
    )
)


def remember(services: Services, team_id: str, profiles: Iterable[SlackProfile]) -> None:
    """Store what Slack said of these users (one transaction)."""
    now = services.now()
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, team_id, now, services.default_timezone)
        for profile in profiles:
            _upsert(session, workspace.id, profile, now)


def _upsert(session, workspace_id: int, profile: SlackProfile, now: datetime) -> None:
    name = one_line(profile.name)[:MAX_NAME] or profile.user_id
    values = {
        "name": name,
        "name_folded": name.casefold(),
        "real_name": one_line(profile.real_name or "")[:MAX_NAME] or None,
        "email": (profile.email or "").strip().lower()[:254] or None,
        "timezone": profile.timezone,
        "deleted": profile.deleted,
        "refreshed_at": now,
    }
    key = {"workspace_id": workspace_id, "slack_user_id": profile.user_id}
    # Two requests can learn the same user at once: the insert that loses the race is a no-op
    # and the profile is written over the winner's row, never a unique-key error.
    if insert_or_ignore(session, Person, {**key, **values}, list(key)) is None:
        session.execute(
            update(Person)
            .where(Person.workspace_id == workspace_id, Person.slack_user_id == profile.user_id)
            .values(**values)
        )
