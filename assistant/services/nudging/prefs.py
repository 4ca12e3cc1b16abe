"""Nudge preferences: each person's own, over the workspace's defaults, over the built-ins.

The row with `slack_user_id` "" holds the workspace's defaults; its `enabled` False switches
nudges off for everyone, whatever anyone set for themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.domain.nudging import Prefs, days_of_text, days_text
from assistant.records.history import record
from assistant.services.context import Actor, Services
from assistant.services.roles import as_admin
from assistant.services.workspaces import ensure_workspace, workspace_for_reading
from assistant.storage.models import NudgeSetting, Person

WORKSPACE = ""  # the defaults row's user


@dataclass(frozen=True)
class Resolved:
    prefs: Prefs
    workspace_off: bool  # an admin switched nudges off for everyone
    zone: ZoneInfo


def settings_rows(session: Session, workspace_id: int) -> dict[str, NudgeSetting]:
    rows = session.scalars(select(NudgeSetting).where(NudgeSetting.workspace_id == workspace_id))
    return {row.slack_user_id: row for row in rows}


def resolve(rows: dict[str, NudgeSetting], user_id: str) -> tuple[Prefs, bool]:
    """The user's preferences, and whether the workspace switched nudges off."""
    built_in = Prefs()
    default, own = rows.get(WORKSPACE), rows.get(user_id)

    def pick(field: str, parse=lambda v: v):
        for row in (own, default):
            value = getattr(row, field) if row is not None else None
            if value is not None:
                return parse(value)
        return getattr(built_in, field)

    workspace_off = default is not None and default.enabled is False
    prefs = Prefs(
        enabled=not workspace_off and (own.enabled if own and own.enabled is not None else True),
        at_time=pick("at_time"),
        days=pick("days", days_of_text),
        budget=pick("budget"),
    )
    return prefs, workspace_off


def zones(session: Session, workspace_id: int, fallback: str) -> dict[str, ZoneInfo]:
    """Each known person's Slack time zone (users.info `tz`); others use `fallback`."""
    rows = session.execute(
        select(Person.slack_user_id, Person.timezone).where(
            Person.workspace_id == workspace_id, Person.slack_user_id.is_not(None)
        )
    )
    found: dict[str, ZoneInfo] = {}
    for user_id, name in rows:
        try:
            found[user_id] = ZoneInfo(name or fallback)
        except (ValueError, KeyError):  # an unknown zone name from Slack
            found[user_id] = ZoneInfo(fallback)
    return found


def zone_of(session: Session, workspace_id: int, fallback: str, user_id: str) -> ZoneInfo:
    name = session.scalar(
        select(Person.timezone).where(
            Person.workspace_id == workspace_id, Person.slack_user_id == user_id
        )
    )
    try:
        return ZoneInfo(name or fallback)
    except (ValueError, KeyError):
        return ZoneInfo(fallback)


def resolved(session: Session, workspace_id: int, timezone: str, user_id: str) -> Resolved:
    rows = session.scalars(
        select(NudgeSetting).where(
            NudgeSetting.workspace_id == workspace_id,
            NudgeSetting.slack_user_id.in_((WORKSPACE, user_id)),
        )
    )
    prefs, off = resolve({row.slack_user_id: row for row in rows}, user_id)
    return Resolved(prefs, off, zone_of(session, workspace_id, timezone, user_id))


def set_own(services: Services, actor: Actor, **values: object) -> None:
    """Change the actor's own preferences (`enabled`, `at_time`, `days`, `budget`)."""
    now = services.now()
    with services.db.transaction() as session:
        ws = ensure_workspace(session, actor.team_id, now, services.default_timezone)
        _write(session, ws.id, actor.user_id, actor.user_id, now, values)


def set_defaults(services: Services, actor: Actor, **values: object) -> None:
    """Change the workspace's defaults (admins); `enabled=False` is off for everyone."""
    now = services.now()
    with as_admin(services, actor, "change nudge settings for everyone") as (session, ws):
        _write(session, ws.id, WORKSPACE, actor.user_id, now, values)


def _write(session: Session, workspace_id: int, user_id: str, actor_id: str, now, values) -> None:
    row = session.scalar(
        select(NudgeSetting).where(
            NudgeSetting.workspace_id == workspace_id, NudgeSetting.slack_user_id == user_id
        )
    )
    if row is None:
        row = NudgeSetting(workspace_id=workspace_id, slack_user_id=user_id)
        session.add(row)
    if "days" in values:
        values = {**values, "days": days_text(values["days"])}  # type: ignore[arg-type]
    before = {field: getattr(row, field) for field in values}
    for field, value in values.items():
        setattr(row, field, value)
    row.updated_by, row.updated_at = actor_id, now
    session.flush()
    record(
        session,
        workspace_id=workspace_id,
        entity="settings",
        entity_id=row.id,
        action="nudges",
        actor_id=actor_id,
        at=now,
        changes={f"nudge_{f}": (before[f], v) for f, v in values.items()},
    )


def workspace_defaults(services: Services, actor: Actor) -> Prefs:
    """The workspace's defaults (`enabled` False: off for everyone)."""
    with services.db.reading() as session:
        ws = workspace_for_reading(services, session, actor.team_id)
        prefs, _off = resolve(settings_rows(session, ws.id), WORKSPACE)
        return prefs
