"""Workspace settings and pipeline stage configuration (admins only)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select

from assistant.analytics.stages import workspace_facts as facts_of
from assistant.domain.errors import InvalidInput
from assistant.domain.facts import Facts
from assistant.domain.stage_match import match_stage
from assistant.domain.stages import DealStatus, StageDef, StageKind
from assistant.records.history import record
from assistant.services.context import Actor, Services
from assistant.services.roles import as_admin
from assistant.services.workspaces import (
    load_stages,
    read_stages,
    stage_def,
    workspace_for_reading,
)
from assistant.storage.models import Deal, Stage

MAX_STAGES = 12
SUPPORTED_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class WorkspaceSettings:
    timezone: str
    currency: str
    feed_channel: str | None
    feed_moves: bool


def workspace_facts(services: Services, actor: Actor) -> Facts:
    """The actor's workspace's currency, time zone and pipeline, for what a command needs
    before it asks for a result (the zone to read a period in, the stages of a form)."""
    with services.db.reading() as session:
        ws = workspace_for_reading(services, session, actor.team_id)
        return facts_of(session, ws.id)


def get_settings(services: Services, actor: Actor) -> WorkspaceSettings:
    with services.db.reading() as session:
        ws = workspace_for_reading(services, session, actor.team_id)
        return WorkspaceSettings(ws.timezone, ws.currency, ws.feed_channel, ws.feed_moves)


def update_settings(
    services: Services,
    actor: Actor,
    *,
    timezone: str | None = None,
    currency: str | None = None,
    feed_channel: str | None = None,
    feed_moves: bool | None = None,
) -> WorkspaceSettings:
    changes: dict[str, object] = {}
    if timezone is not None:
        changes["timezone"] = validate_timezone(timezone)
    if currency is not None:
        code = currency.strip().upper()
        if not SUPPORTED_CURRENCY.match(code):
            raise InvalidInput(f"`{currency}` is not a currency code; use one like USD, EUR, GBP.")
        changes["currency"] = code
    if feed_channel is not None:
        changes["feed_channel"] = feed_channel or None
    if feed_moves is not None:
        changes["feed_moves"] = feed_moves
    now = services.now()
    with as_admin(services, actor, "change settings") as (session, ws):
        before = {field: getattr(ws, field) for field in changes}
        for field, value in changes.items():
            setattr(ws, field, value)
        record(
            session,
            workspace_id=ws.id,
            entity="settings",
            entity_id=ws.id,
            action="settings",
            actor_id=actor.user_id,
            at=now,
            changes={f: (before[f], value) for f, value in changes.items()},
        )
        return WorkspaceSettings(ws.timezone, ws.currency, ws.feed_channel, ws.feed_moves)


def validate_timezone(name: str) -> str:
    name = name.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        close = [z for z in available_timezones() if z.casefold() == name.casefold()]
        hint = f" Did you mean `{close[0]}`?" if close else " Use an Area/City name."
        raise InvalidInput(f"Unknown time zone `{name}`.{hint} (e.g. `Europe/Berlin`)") from None
    return name


def list_pipeline(services: Services, actor: Actor) -> list[StageDef]:
    with services.db.reading() as session:
        ws = workspace_for_reading(services, session, actor.team_id)
        return read_stages(session, ws.id, StageKind.PIPELINE)


def slug(label: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")
    if not key:
        raise InvalidInput(f"`{label}` can't be a stage name: use letters or digits.")
    return key[:40]


def set_pipeline(services: Services, actor: Actor, labels: list[str]) -> list[StageDef]:
    """Replace the pipeline's stages, keeping the settings of stages that stay.

    A stage that still holds open deals can't be removed: those deals would vanish from the
    board. The admin is told which and how many, and nothing changes.
    """
    labels = [" ".join(label.split()) for label in labels if label.strip()]
    if not 2 <= len(labels) <= MAX_STAGES:
        raise InvalidInput(f"A pipeline needs 2 to {MAX_STAGES} stages ({len(labels)} given).")
    keys = [slug(label) for label in labels]
    if {"won", "lost"} & set(keys):
        raise InvalidInput("`won` and `lost` are outcomes, not stages; leave them out.")
    if len(set(keys)) != len(keys):
        raise InvalidInput("Two stages have the same name.")
    now = services.now()
    with as_admin(services, actor, "change the pipeline's stages") as (session, ws):
        all_stages = load_stages(session, ws.id, StageKind.PIPELINE, include_inactive=True)
        existing = {s.key: s for s in all_stages}
        # "Lead generation" names the existing `prospecting` stage by its label: keep its
        # key, so its deals, history and settings stay attached.
        by_label = {s.label.casefold(): s.key for s in all_stages}
        keys = [
            by_label.get(label.casefold(), key) for label, key in zip(labels, keys, strict=True)
        ]
        occupied = dict(
            session.execute(
                select(Deal.stage_key, func.count())
                .where(Deal.workspace_id == ws.id, Deal.status == DealStatus.OPEN.value)
                .group_by(Deal.stage_key)
            ).all()
        )
        removed = {k: n for k, n in occupied.items() if k not in keys}
        if removed:
            listing = ", ".join(f"`{k}` ({n})" for k, n in sorted(removed.items()))
            raise InvalidInput(f"Open deals are still in {listing}; move them first.")
        old_order = [s.key for s in sorted(existing.values(), key=lambda s: s.position) if s.active]
        for position, (key, label) in enumerate(zip(keys, labels, strict=True)):
            stage = existing.get(key)
            if stage is None:
                stage = Stage(workspace_id=ws.id, kind=StageKind.PIPELINE.value, key=key)
                stage.probability = _interpolated_probability(position, len(keys))
                stage.target_days = 14
                session.add(stage)
            if label.casefold() != key or stage.label is None:
                stage.label = label
            stage.position = position
            stage.active = True
        for key, stage in existing.items():
            if key not in keys:
                stage.active = False
                stage.position = MAX_STAGES + stage.position
        record(
            session,
            workspace_id=ws.id,
            entity="stage",
            entity_id=ws.id,
            action="stages",
            actor_id=actor.user_id,
            at=now,
            changes={"pipeline": (",".join(old_order), ",".join(keys))},
        )
        session.flush()
        return read_stages(session, ws.id, StageKind.PIPELINE)


def _interpolated_probability(position: int, count: int) -> Decimal:
    return (Decimal(90) * (position + 1) / (count + 1) / 100).quantize(Decimal("0.01"))


def configure_stage(
    services: Services,
    actor: Actor,
    stage_text: str,
    *,
    target_days: int | None = None,
    probability: Decimal | None = None,
    label: str | None = None,
    forecast_uses: str | None = None,
) -> StageDef:
    """Change a stage; `forecast_uses` says which probability the forecast uses: `learned`
    (from the team's history) or `configured` (set when a probability is given)."""
    if forecast_uses not in (None, "learned", "configured"):
        raise InvalidInput("The forecast uses a stage's `learned` or configured probability.")
    if probability is not None:
        forecast_uses = "configured"
    if target_days is None and probability is None and label is None and forecast_uses is None:
        raise InvalidInput(
            "Nothing to change: give `target:<N>d`, `probability:<P>%|learned` or `label:`."
        )
    if target_days is not None and not 1 <= target_days <= 365:
        raise InvalidInput("A target is 1 to 365 days.")
    if probability is not None and not Decimal(0) <= probability <= Decimal(1):
        raise InvalidInput("A probability is 0 to 100 %.")
    if label is not None and not 1 <= len(label.strip()) <= 80:
        raise InvalidInput("A label is 1 to 80 characters.")
    now = services.now()
    with as_admin(services, actor, "change stages") as (session, ws):
        stages = load_stages(session, ws.id, StageKind.PIPELINE)
        key = match_stage(stage_text, [stage_def(s) for s in stages])
        stage = next(s for s in stages if s.key == key)
        before = {
            "target_days": stage.target_days,
            "probability": stage.probability,
            "label": stage.label,
            "forecast_uses": stage.forecast_uses,
        }
        if forecast_uses is not None:
            stage.forecast_uses = forecast_uses
        if target_days is not None:
            stage.target_days = target_days
        if probability is not None:
            stage.probability = probability
        if label is not None:
            stage.label = label.strip()
        record(
            session,
            workspace_id=ws.id,
            entity="stage",
            entity_id=stage.id,
            action="stage",
            actor_id=actor.user_id,
            at=now,
            changes={f: (before[f], getattr(stage, f)) for f in before},
        )
        session.flush()
        return stage_def(stage)
