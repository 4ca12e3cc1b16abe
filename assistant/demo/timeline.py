"""Simulated time for seeding: a clock the services read, events in time order, and one
transaction per simulated day."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from assistant.services.workspaces import ensure_workspace
from assistant.storage.database import Database
from assistant.storage.models import Workspace


@dataclass
class SimClock:
    """The services' clock during seeding: whatever moment the simulation has reached."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass(order=True)
class _Event:
    when: datetime
    order: int
    action: Callable[[], None] = field(compare=False)


class Scheduler:
    """Events in time order; equal times run in the order they were scheduled."""

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self._heap: list[_Event] = []
        self._order = itertools.count()

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self._heap, _Event(when, next(self._order), action))

    def run_until(self, end: datetime) -> None:
        while self._heap and self._heap[0].when <= end:
            event = heapq.heappop(self._heap)
            self.clock.now = event.when
            event.action()


class DayTransactions:
    """What the services get as `db` while seeding: every use case of one simulated day runs
    in the day's transaction. Any error rolls the whole day back and stops the seeding."""

    def __init__(self, db: Database, clock: SimClock, team_id: str) -> None:
        self.db = db
        self.clock = clock
        self.team_id = team_id
        self.dialect = db.dialect
        self.session: Session | None = None
        self.workspace: Workspace | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.db.is_sqlite

    @contextmanager
    def day(self) -> Iterator[None]:
        with self.db.transaction() as session:
            self.session = session
            self.workspace = ensure_workspace(session, self.team_id, self.clock.now, "UTC")
            try:
                yield
            finally:
                self.session = self.workspace = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        if self.session is None:
            raise RuntimeError("seeding use cases run inside DayTransactions.day()")
        yield self.session
        self.session.flush()

    reading = transaction
