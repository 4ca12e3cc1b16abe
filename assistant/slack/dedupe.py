"""Handle each Slack delivery once.

Slack retries an event it thinks was not received (X-Slack-Retry-Num), Socket Mode can
deliver one twice, and a captured signed request can be replayed within the 5-minute
signature window. Each is recognised by a key (event id; trigger id of a command, button
press or form submission) recorded in the database, so the check holds across processes.
Slash commands that only read are not checked (`Subcommand.writes`, app.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from assistant.services.context import Services
from assistant.storage.models import ProcessedRequest

KEEP_FOR = timedelta(days=1)


def first_delivery(services: Services, key: str, team_id: str | None) -> bool:
    """Record `key`; True only for the first caller, whichever process it is in."""
    now = services.now()
    with services.db.transaction() as session:
        insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
        inserted = session.execute(
            insert(ProcessedRequest)
            .values(key=key[:200], team_id=team_id, at=now)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(ProcessedRequest.key)
        ).scalar()
    return inserted is not None


def forget_old(services: Services, now: datetime | None = None) -> int:
    """Keys older than a day can't come back (Slack's retries end within the hour)."""
    cutoff = (now or services.now()) - KEEP_FOR
    with services.db.transaction() as session:
        result = session.execute(delete(ProcessedRequest).where(ProcessedRequest.at < cutoff))
        return result.rowcount or 0


def delivery_key(body: dict) -> str | None:
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"
    # A captured form submission or button press replayed within the signature window
    # must not create a second deal; each interaction has its own trigger id.
    if body.get("type") in ("view_submission", "block_actions") and body.get("trigger_id"):
        return f"{body['type']}:{body['trigger_id']}"
    return None
