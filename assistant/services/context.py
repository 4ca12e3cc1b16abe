"""What every use case needs: the database, a clock, and who is asking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from assistant.analytics.histories import Histories
from assistant.services.memo import Memo
from assistant.storage.database import Database

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Actor:
    """The Slack user behind a request, in the workspace they sent it from."""

    team_id: str
    user_id: str
    # Slack's own workspace admins and owners are admins here too (PRODUCT.md §6); the edge
    # fills this from users.info.
    is_slack_admin: bool = False


@dataclass
class Services:
    db: Database
    clock: Clock = utc_now
    admins: frozenset[str] = field(default_factory=frozenset)
    default_timezone: str = "UTC"
    # Figures kept a few minutes per process (services/memo.py), never part of equality.
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)
    # Each workspace's deal history, parsed once and topped up (analytics/histories.py).
    histories: Histories = field(default_factory=Histories, compare=False, repr=False)

    def now(self) -> datetime:
        return self.clock()
