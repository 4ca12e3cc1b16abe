"""The delivery ledger: every state change of a `DigestDelivery` row, one transaction each.

One row per (subscription, occurrence), created by the claim; its states:

    claimed --compose--> posting --Slack ok--> posted
       |                    |--transient error--> retrying --due--> claimed (another attempt)
       |                    |--permanent error, or an hour used up--> failed
       |--compose error--> retrying
    claimed past its lease (owner died composing) --> taken over: claimed by another process
    posting past its lease (owner died mid-post) --> failed, never posted again (at most once)
    skipped: missed by more than 6 hours, or unsubscribed before it went out

A posted digest with charts carries `charts`: `pending` until a process takes them to share
(`sharing`), NULL once shared or failed. The poster shares its own after the tick's posts;
pending past CHARTS_LEASE (the poster died first) any process takes them over; sharing past
it (the process died mid-share) is ended with an error, never shared again (at most once).

Ownership: only the process named in `claimed_by` works on a row. Every change after the
claim is a compare-and-set on (id, claimed_by, status), so a process that lost a row changes
nothing. `next_attempt_at` is when a retry is due, and for `claimed`/`posting` the lease
expiry after which other processes may act on the row as abandoned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from assistant.domain.schedule import Schedule
from assistant.storage.database import Database
from assistant.storage.models import DigestDelivery, DigestSubscription, Workspace
from assistant.storage.upsert import insert_or_ignore

CLAIMED, POSTING, POSTED = "claimed", "posting", "posted"
RETRYING, FAILED, SKIPPED = "retrying", "failed", "skipped"
# Longer than any compose plus one Web API call with its client-side retries (the client's
# timeout is 10 s, slack/client.py); a row held longer than this belongs to a process that
# is gone.
LEASE = timedelta(minutes=5)
# A tick shares its charts after all its posts: at 09:00 that can be minutes for a big fleet.
CHARTS_LEASE = timedelta(minutes=15)
CHARTS_PENDING, CHARTS_SHARING = "pending", "sharing"


@dataclass(frozen=True)
class Work:
    """What one attempt needs, read fresh from the database."""

    delivery_id: int
    subscription_id: int
    workspace_id: int
    team_id: str
    channel_id: str
    kind: str
    schedule: Schedule
    occurrence_at: datetime
    delayed: bool
    active: bool
    attempts: int
    claimed_at: datetime
    message_ts: str | None = None


def claim(
    db: Database,
    sub_id: int,
    occurrence: datetime,
    *,
    me: str,
    now: datetime,
    delayed: bool,
    status: str = CLAIMED,
    error: str | None = None,
) -> int | None:
    """Insert the occurrence's row; its id if this call created it (and so owns it), else None."""
    values = {
        "subscription_id": sub_id,
        "occurrence_at": occurrence,
        "status": status,
        "delayed": delayed,
        "claimed_by": me,
        "claimed_at": now,
        "attempts": 1 if status == CLAIMED else 0,
        "next_attempt_at": now + LEASE if status == CLAIMED else None,
        "error": error,
    }
    with db.transaction() as session:
        unique = ["subscription_id", "occurrence_at"]
        return insert_or_ignore(session, DigestDelivery, values, unique)


def take(db: Database, delivery_id: int, *, me: str, now: datetime) -> bool:
    """Own a due retry, or a `claimed` row whose owner vanished before posting anything."""
    with db.transaction() as session:
        result = session.execute(
            update(DigestDelivery)
            .where(
                DigestDelivery.id == delivery_id,
                DigestDelivery.status.in_((RETRYING, CLAIMED)),
                DigestDelivery.next_attempt_at <= now,
            )
            .values(
                status=CLAIMED,
                claimed_by=me,
                attempts=DigestDelivery.attempts + 1,
                next_attempt_at=now + LEASE,
            )
        )
        return result.rowcount == 1


def transition(
    db: Database, delivery_id: int, *, me: str, from_: tuple[str, ...], **values: object
) -> bool:
    """Compare-and-set: change the row only if `me` still owns it in one of `from_` states."""
    with db.transaction() as session:
        result = session.execute(
            update(DigestDelivery)
            .where(
                DigestDelivery.id == delivery_id,
                DigestDelivery.claimed_by == me,
                DigestDelivery.status.in_(from_),
            )
            .values(**values)
        )
        return result.rowcount == 1


def expire_posting(db: Database, now: datetime) -> list[tuple[int, str | None]]:
    """Fail rows left `posting` past their lease: their process died mid-post (see delivery)."""
    return _expire(
        db, now, (DigestDelivery.status == POSTING,), status=FAILED,
        error="interrupted while posting; not posted again, as Slack may already show it "
        "(at most once)",
    )  # fmt: skip


def _expire(db: Database, now: datetime, where: tuple, **values) -> list[tuple[int, str | None]]:
    """Rows in a state (`where`) whose lease ran out, changed by `values` with the lease
    cleared: (id, the process that held each)."""
    with db.transaction() as session:
        rows = session.execute(
            update(DigestDelivery)
            .where(*where, DigestDelivery.next_attempt_at <= now)
            .values(next_attempt_at=None, **values)
            .returning(DigestDelivery.id, DigestDelivery.claimed_by)
        ).all()
        return [(row[0], row[1]) for row in rows]


def take_charts(
    db: Database, delivery_id: int, *, me: str, now: datetime, own: bool = True
) -> bool:
    """Own the sharing of a posted digest's pending charts: `own`, the poster's (whatever
    its lease); else, as any process, those whose lease ran out."""
    mine = DigestDelivery.claimed_by == me if own else DigestDelivery.next_attempt_at <= now
    with db.transaction() as session:
        result = session.execute(
            update(DigestDelivery)
            .where(
                DigestDelivery.id == delivery_id,
                DigestDelivery.status == POSTED,
                DigestDelivery.charts == CHARTS_PENDING,
                mine,
            )
            .values(charts=CHARTS_SHARING, claimed_by=me, next_attempt_at=now + CHARTS_LEASE)
        )
        return result.rowcount == 1


def charts_done(db: Database, delivery_id: int, *, me: str, error: str | None) -> bool:
    """Sharing over (`error` says why it failed): nothing more to do for this row."""
    with db.transaction() as session:
        result = session.execute(
            update(DigestDelivery)
            .where(
                DigestDelivery.id == delivery_id,
                DigestDelivery.claimed_by == me,
                DigestDelivery.status == POSTED,
                DigestDelivery.charts == CHARTS_SHARING,
            )
            .values(charts=None, next_attempt_at=None, error=error)
        )
        return result.rowcount == 1


def expire_sharing(db: Database, now: datetime) -> list[tuple[int, str | None]]:
    """End charts left `sharing` past their lease: their process died mid-share."""
    return _expire(
        db, now, (DigestDelivery.status == POSTED, DigestDelivery.charts == CHARTS_SHARING),
        charts=None,
        error="charts interrupted while sharing; not shared again, as Slack may already show "
        "them (at most once)",
    )  # fmt: skip


def load_work(db: Database, delivery_id: int) -> Work | None:
    with db.reading() as session:
        row = session.execute(
            select(DigestDelivery, DigestSubscription, Workspace.team_id, Workspace.uninstalled_at)
            .join(DigestSubscription, DigestSubscription.id == DigestDelivery.subscription_id)
            .join(Workspace, Workspace.id == DigestSubscription.workspace_id)
            .where(DigestDelivery.id == delivery_id)
        ).first()
        if row is None:
            return None
        delivery, sub, team_id, uninstalled_at = row
        return Work(
            delivery_id=delivery.id,
            subscription_id=sub.id,
            workspace_id=sub.workspace_id,
            team_id=team_id,
            channel_id=sub.channel_id,
            kind=sub.kind,
            schedule=Schedule.of(sub),
            occurrence_at=delivery.occurrence_at,
            delayed=delivery.delayed,
            active=sub.active and uninstalled_at is None,
            attempts=delivery.attempts,
            claimed_at=delivery.claimed_at,
            message_ts=delivery.message_ts,
        )


_SCHEDULED = (
    DigestSubscription.id,
    DigestSubscription.channel_id,
    DigestSubscription.created_at,
    DigestSubscription.frequency,
    DigestSubscription.weekday,
    DigestSubscription.at_time,
    DigestSubscription.timezone,
    DigestSubscription.workspace_id,
)


@dataclass(frozen=True)
class Snapshot:
    """What one tick reads, in one read session."""

    subscriptions: list  # rows of _SCHEDULED: active subscriptions of installed workspaces
    known: set[tuple[int, datetime]]  # (subscription, occurrence) already recorded since `since`
    due: list[int]  # rows another attempt may start on: due retries and abandoned claims
    stale_posting: bool  # some row was left `posting` past its lease
    # Posted rows whose charts wait past their lease for a process to share them.
    charts_due: list[int] = field(default_factory=list)
    stale_sharing: bool = False  # some row's charts were left `sharing` past their lease
    # Channels (workspace, channel) where another process holds a claimed or posting digest
    # now: their next digests wait for it, so no channel gets two messages in one instant.
    busy_elsewhere: frozenset[tuple[int, str]] = frozenset()


def snapshot(
    db: Database, now: datetime, since: datetime, me: str = "", limit: int = 100
) -> Snapshot:
    with db.reading() as session:
        subs = list(
            session.execute(
                select(*_SCHEDULED)
                .join(Workspace, Workspace.id == DigestSubscription.workspace_id)
                .where(DigestSubscription.active.is_(True), Workspace.uninstalled_at.is_(None))
                .order_by(DigestSubscription.id)
            )
        )
        known: set[tuple[int, datetime]] = set()
        busy: set[tuple[int, str]] = set()
        channel_of = {sub.id: (sub.workspace_id, sub.channel_id) for sub in subs}
        ids = list(channel_of)
        for start in range(0, len(ids), 500):  # through the unique (subscription, occurrence)
            for sub_id, at, status, owner, lease_ends in session.execute(
                select(
                    DigestDelivery.subscription_id,
                    DigestDelivery.occurrence_at,
                    DigestDelivery.status,
                    DigestDelivery.claimed_by,
                    DigestDelivery.next_attempt_at,
                ).where(
                    DigestDelivery.subscription_id.in_(ids[start : start + 500]),
                    DigestDelivery.occurrence_at > since,
                )
            ):
                known.add((sub_id, at))
                # A live lease only: an abandoned claim is retried below, not waited for.
                live = lease_ends is not None and lease_ends > now
                if status in (CLAIMED, POSTING) and owner != me and live:
                    busy.add(channel_of[sub_id])
        # Through the (status, next_attempt_at) index; settled rows have no next_attempt_at.
        # A posted row has a next_attempt_at only while its charts wait to be shared.
        pending = session.execute(
            select(DigestDelivery.id, DigestDelivery.status, DigestDelivery.charts)
            .where(
                DigestDelivery.status.in_((RETRYING, CLAIMED, POSTING, POSTED)),
                DigestDelivery.next_attempt_at <= now,
            )
            .order_by(DigestDelivery.next_attempt_at, DigestDelivery.id)
            .limit(limit)
        ).all()
        posted = [row for row in pending if row.status == POSTED]
        return Snapshot(
            subscriptions=subs,
            known=known,
            due=[row.id for row in pending if row.status in (RETRYING, CLAIMED)],
            stale_posting=any(row.status == POSTING for row in pending),
            busy_elsewhere=frozenset(busy),
            charts_due=[row.id for row in posted if row.charts == CHARTS_PENDING],
            stale_sharing=any(row.charts == CHARTS_SHARING for row in posted),
        )
