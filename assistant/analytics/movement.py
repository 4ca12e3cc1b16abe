"""What happened in [since, until), read from the history (for digests).

- new deals: deals created (their creation's `status` row), with their amounts now;
- advances / setbacks: stays that ended by a move to a later / earlier stage (see `stays`);
- won / lost: stays that ended by closing; won value = the won deals' amounts now.
A deal that did a thing twice in the window (won, reopened, won) counts twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.analytics._sql import CURRENT, within
from assistant.analytics.conversion import departures
from assistant.domain.periods import Period
from assistant.storage.models import Change, Deal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Movement:
    since: datetime
    until: datetime
    new_count: int
    new_value: Decimal
    advances: int
    setbacks: int
    won_count: int
    won_value: Decimal
    lost_count: int


def movement(session: Session, workspace_id: int, since: datetime, until: datetime) -> Movement:
    created = session.execute(
        select(func.count(), func.sum(Deal.amount))
        .select_from(Change)
        .join(Deal, Deal.id == Change.entity_id)
        .where(
            Change.workspace_id == workspace_id,
            Change.entity == "deal",
            Change.field == "status",
            Change.old_value.is_(None),
            within(Change.at, since, until),
        )
    ).one()
    # Every departure in the window falls in one bucket: the window itself. The won value
    # comes from the same pass over the stays, so they are replayed once.
    window = Period(since, until, "movement")
    counts = departures(session, workspace_id, window, since, until, with_won_value=True)
    current = [(key, c) for (which, key), c in counts.items() if which == CURRENT]
    # A stay whose stage is unknown (key None) is in no count, but a win there has a value.
    mine = [c for key, c in current if key is not None]
    won_value = sum((c.won_value for _, c in current), ZERO)
    return Movement(
        since=since,
        until=until,
        new_count=created[0],
        new_value=created[1] or ZERO,
        advances=sum(c.advanced for c in mine),
        setbacks=sum(c.back for c in mine),
        won_count=sum(c.won for c in mine),
        won_value=won_value,
        lost_count=sum(c.lost for c in mine),
    )
