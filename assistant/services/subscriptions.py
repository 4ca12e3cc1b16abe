"""Digest subscriptions: who gets which digest, where and when (one transaction each).

Managers and admins manage digests (PRODUCT.md §6); marketers may manage funnel digests,
which are theirs. Unsubscribing deactivates the row rather than deleting it, so the
delivery history of what was posted stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.domain.errors import InvalidInput, NotFound
from assistant.domain.roles import Role, require_manager
from assistant.domain.schedule import DIGEST_KINDS, Schedule, next_occurrence
from assistant.services.context import Actor, Services
from assistant.services.roles import role_in
from assistant.services.workspaces import ensure_workspace, workspace_for_reading
from assistant.storage.models import DigestDelivery, DigestSubscription

_CHANNEL_ID = re.compile(r"^[A-Z0-9_]{2,32}$")  # Slack ids: C0123ABCD, G..., D...


@dataclass(frozen=True)
class DeliveryView:
    occurrence_at: datetime
    status: str  # claimed | posting | posted | retrying | failed | skipped
    delayed: bool
    posted_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    channel_id: str
    kind: str
    schedule: Schedule
    created_by: str
    created_at: datetime
    next_occurrence_at: datetime  # aware UTC
    last_delivery: DeliveryView | None = None


def require_digest_role(role: Role, kind: str, action: str) -> None:
    if role is Role.MARKETER and kind == "funnel":
        return
    require_manager(role, action)


def subscribe(
    services: Services, actor: Actor, channel_id: str, kind: str, schedule: Schedule
) -> SubscriptionView:
    kind = check_kind(kind)
    channel_id = check_channel(channel_id)
    now = services.now()
    with services.db.transaction() as session:
        ws = ensure_workspace(session, actor.team_id, now, services.default_timezone)
        require_digest_role(role_in(session, services, ws, actor), kind, "subscribe to digests")
        same = _active(session, ws.id).where(
            DigestSubscription.channel_id == channel_id,
            DigestSubscription.kind == kind,
            DigestSubscription.frequency == schedule.frequency,
            DigestSubscription.weekday == schedule.weekday
            if schedule.weekday is not None
            else DigestSubscription.weekday.is_(None),
            DigestSubscription.at_time == schedule.at_time,
            DigestSubscription.timezone == schedule.timezone,
        )
        existing = session.scalar(same)
        if existing is not None:
            raise InvalidInput(
                f"<#{channel_id}> already gets that digest ({kind}, {schedule.describe()}) "
                f"as subscription #{existing.id}."
            )
        row = DigestSubscription(
            workspace_id=ws.id,
            channel_id=channel_id,
            kind=kind,
            frequency=schedule.frequency,
            weekday=schedule.weekday,
            at_time=schedule.at_time,
            timezone=schedule.timezone,
            active=True,
            created_by=actor.user_id,
            created_at=now,
        )
        session.add(row)
        session.flush()
        return _view(row, now)


def list_subscriptions(services: Services, actor: Actor) -> list[SubscriptionView]:
    """The workspace's active subscriptions, oldest first, each with its last delivery."""
    now = services.now()
    with services.db.reading() as session:
        ws = workspace_for_reading(services, session, actor.team_id)
        rows = list(session.scalars(_active(session, ws.id).order_by(DigestSubscription.id)))
        last = _last_deliveries(session, [r.id for r in rows])
        return [_view(r, now, last.get(r.id)) for r in rows]


def unsubscribe(services: Services, actor: Actor, sub_id: int | str) -> SubscriptionView:
    """Stop a subscription of the actor's workspace; returns what was stopped."""
    number = _parse_id(sub_id)
    now = services.now()
    with services.db.transaction() as session:
        ws = ensure_workspace(session, actor.team_id, now, services.default_timezone)
        row = session.scalar(_active(session, ws.id).where(DigestSubscription.id == number))
        if row is None:
            raise _unknown(sub_id)
        require_digest_role(role_in(session, services, ws, actor), row.kind, "unsubscribe digests")
        row.active = False
        return _view(row, now)


def _active(session: Session, workspace_id: int):
    return select(DigestSubscription).where(
        DigestSubscription.workspace_id == workspace_id, DigestSubscription.active.is_(True)
    )


def _last_deliveries(session: Session, ids: list[int]) -> dict[int, DeliveryView]:
    if not ids:
        return {}
    latest = (
        select(DigestDelivery.subscription_id, func.max(DigestDelivery.occurrence_at).label("at"))
        .where(DigestDelivery.subscription_id.in_(ids))
        .group_by(DigestDelivery.subscription_id)
        .subquery()
    )
    rows = session.scalars(
        select(DigestDelivery).join(
            latest,
            (DigestDelivery.subscription_id == latest.c.subscription_id)
            & (DigestDelivery.occurrence_at == latest.c.at),
        )
    )
    return {
        d.subscription_id: DeliveryView(d.occurrence_at, d.status, d.delayed, d.posted_at, d.error)
        for d in rows
    }


def _view(row: DigestSubscription, now: datetime, last: DeliveryView | None = None):
    schedule = Schedule.of(row)
    return SubscriptionView(
        id=row.id,
        channel_id=row.channel_id,
        kind=row.kind,
        schedule=schedule,
        created_by=row.created_by,
        created_at=row.created_at,
        next_occurrence_at=next_occurrence(schedule, now),
        last_delivery=last,
    )


def check_kind(kind: str) -> str:
    normal = str(kind).strip().lower()
    if normal not in DIGEST_KINDS:
        raise InvalidInput(f"Unknown digest `{kind}`. Use pipeline, funnel or both.")
    return normal


def check_channel(channel_id: str) -> str:
    normal = str(channel_id).strip()
    if not _CHANNEL_ID.match(normal):
        raise InvalidInput(f"`{channel_id}` is not a channel; mention one, like #sales.")
    return normal


def _parse_id(sub_id: int | str) -> int:
    text = str(sub_id).strip().lstrip("#")
    if not text.isdigit() or len(text) > 9:
        raise _unknown(sub_id)
    return int(text)


def _unknown(sub_id: int | str) -> NotFound:
    return NotFound(
        f"There is no digest subscription `{sub_id}` in this workspace. "
        "`/digest list` shows the ones there are."
    )
