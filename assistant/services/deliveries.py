"""Keys of Slack deliveries already handled, recorded so each is handled once.

The edge (`listeners/middleware.py`) names each delivery by a key; recording it in the
database makes the check hold across processes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from assistant.domain.errors import DomainError
from assistant.services.context import Services
from assistant.storage.models import ProcessedRequest
from assistant.storage.upsert import insert_or_ignore

KEEP_FOR = timedelta(days=1)
ALREADY = "That command was already handled."


class RepeatedDelivery(DomainError):
    """The delivery's key was recorded already: this transaction must change nothing."""

    def __init__(self) -> None:
        super().__init__(ALREADY)


def first_delivery(services: Services, key: str, team_id: str | None) -> bool:
    """Record `key`; True only for the first caller, whichever process it is in."""
    now = services.now()
    with services.db.transaction() as session:
        values = {"key": key[:200], "team_id": team_id, "at": now}
        return insert_or_ignore(session, ProcessedRequest, values, ["key"]) is not None


def record_in(services: Services, key: str, team_id: str | None):
    """A `Database.first_write` hook: record `key` in the transaction it starts, or roll
    that transaction back (RepeatedDelivery) if another delivery recorded it first."""

    def record(session: Session) -> None:
        values = {"key": key[:200], "team_id": team_id, "at": services.now()}
        if insert_or_ignore(session, ProcessedRequest, values, ["key"]) is None:
            raise RepeatedDelivery()

    return record


def forget_old(services: Services, now: datetime | None = None) -> int:
    """Keys older than a day can't come back (Slack's retries end within the hour)."""
    cutoff = (now or services.now()) - KEEP_FOR
    with services.db.transaction() as session:
        result = session.execute(delete(ProcessedRequest).where(ProcessedRequest.at < cutoff))
        return result.rowcount or 0
