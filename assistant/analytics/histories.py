"""Each workspace's deal history, kept parsed in the process and topped up with new rows.

A forecast needs every stage, status, amount and close-date row of the workspace's deals:
1.2M rows at 100k deals, two seconds and more to read and parse, too slow for a command that
must answer within Slack's three. The rows are append-only, so the ones read before stay
true: each call reads only the rows written since (ids above the last one kept) and checks
one count to be sure nothing appeared below the last id read in the meantime.

That check matters on PostgreSQL, where ids are taken when rows are inserted but become
visible when their transaction commits, so a long transaction (an import) can commit rows
below ids already read. Then, and whenever the count disagrees for any other reason (a
purge), the workspace's history is read again in full. A session that sees an older state
than the one kept (a read that began earlier) gets the kept rows up to what it sees.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.analytics._sql import epoch_seconds
from assistant.analytics.forecasting.timeline import FIELDS, Rows, Timeline
from assistant.storage.models import Change

MAX_ROWS = 4_000_000  # kept over all workspaces (about 33 bytes a row, twice when built)
# A history this long is read and parsed in about a second at worst (750k rows took 4.8 s on
# the 2-core benchmark machine, busy with other jobs), so a command can read it before
# answering; a longer one is read after the answer.
QUICK_ROWS = 150_000


@dataclass
class _Kept:
    ids: np.ndarray  # the rows' change ids, ascending
    rows: Rows  # in the same order
    built: dict[tuple[str, ...], Timeline] = field(default_factory=dict)

    def timeline(self, stage_keys: tuple[str, ...]) -> Timeline:
        found = self.built.get(stage_keys)
        if found is None:
            found = Timeline.from_rows(self.rows, stage_keys)
            self.built = {stage_keys: found}  # the latest stage list only
        return found


class Histories:
    """The store, one per `Services` (so per database). Thread-safe: each call works on its
    own session and replaces the kept entry when it read a newer state."""

    def __init__(self, max_rows: int = MAX_ROWS, quick_rows: int = QUICK_ROWS) -> None:
        self.max_rows = max_rows
        self.quick_rows = quick_rows
        # How the last call got its timeline, for tests and benchmarks: "full" (the whole
        # history read), "topped_up" (only the new rows) or "reused" (nothing new).
        self.last_read: str | None = None
        self._kept: OrderedDict[int, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def timeline(self, session: Session, workspace_id: int, stage_keys: Sequence[str]) -> Timeline:
        keys = tuple(stage_keys)
        with self._lock:
            kept = self._kept.get(workspace_id)
        if kept is not None:
            found = self._from_kept(session, workspace_id, kept, keys)
            if found is not None:
                return found
        ids, rows = _read(session, workspace_id)
        kept = _Kept(ids, rows)
        self._note("full")
        self._keep(workspace_id, kept)
        return kept.timeline(keys)

    def quick(self, session: Session, workspace_id: int) -> bool:
        """Whether the workspace's timeline comes without reading its whole history: kept
        already, or short."""
        with self._lock:
            if workspace_id in self._kept:
                return True
        count = session.scalar(select(func.count()).where(*_scope(workspace_id)))
        return (count or 0) <= self.quick_rows

    def forget(self) -> None:
        with self._lock:
            self._kept.clear()

    def _from_kept(
        self, session: Session, workspace_id: int, kept: _Kept, keys: tuple[str, ...]
    ) -> Timeline | None:
        last = int(kept.ids[-1]) if len(kept.ids) else 0
        # New rows first, then the count of the rows up to the last id read: a row committed
        # in between below it (late) makes the count larger, and the history is read again
        # rather than missed; one committed above it is simply read next time.
        new_ids, new_rows = _read(session, workspace_id, after=last, names=kept.rows.stage_names)
        upto = int(new_ids[-1]) if len(new_ids) else last
        count, top = session.execute(
            select(func.count(), func.max(Change.id)).where(
                *_scope(workspace_id), Change.id <= upto
            )
        ).one()
        top = top or 0
        if top < last:  # this session sees less than was kept: the kept rows it can see
            seen = int(np.searchsorted(kept.ids, top, side="right"))
            if count != seen:
                return None
            self._note("reused")
            return Timeline.from_rows(kept.rows.first(seen), keys)
        if count != len(kept.ids) + len(new_ids):
            return None
        if not len(new_ids):
            self._note("reused")
            return kept.timeline(keys)
        grown = _Kept(np.concatenate((kept.ids, new_ids)), kept.rows.then(new_rows))
        self._note("topped_up")
        self._keep(workspace_id, grown)
        return grown.timeline(keys)

    def _keep(self, workspace_id: int, kept: _Kept) -> None:
        with self._lock:
            current = self._kept.pop(workspace_id, None)
            if _newer(current, kept):  # another call kept a newer state meanwhile
                kept = current
            self._kept[workspace_id] = kept
            total = sum(len(k.ids) for k in self._kept.values())
            while total > self.max_rows and len(self._kept) > 1:
                _, dropped = self._kept.popitem(last=False)  # the least recently used
                total -= len(dropped.ids)

    def _note(self, how: str) -> None:
        self.last_read = how


def _newer(one: _Kept | None, other: _Kept) -> bool:
    return (
        one is not None
        and len(one.ids) > 0
        and len(other.ids) > 0
        and (one.ids[-1] > other.ids[-1])
    )


def _scope(workspace_id: int) -> tuple:
    return (
        Change.workspace_id == workspace_id,
        Change.entity == "deal",
        Change.field.in_(FIELDS),
    )


def _read(
    session: Session, workspace_id: int, after: int = 0, names: Sequence[str] = ()
) -> tuple[np.ndarray, Rows]:
    """The rows with ids above `after`, in id order (the order they were written)."""
    scope = _scope(workspace_id)
    if after:
        # `+ 0` keeps the workspace's index out of it, so the database walks the ids above
        # `after` (a few rows) instead of all the workspace's index entries (SQLite would).
        scope = (Change.workspace_id + 0 == workspace_id, *scope[1:], Change.id > after)
    # Whole seconds from the database: no datetime per row (the slow part of reading many).
    found = session.execute(
        select(
            Change.id, Change.entity_id, epoch_seconds(Change.at), Change.field, Change.new_value
        ).where(*scope)  # fmt: skip
    ).all()
    ids = np.fromiter((r[0] for r in found), dtype=np.int64, count=len(found))
    rows = Rows.parse((r[1:] for r in found), names)
    # Sorted here rather than by an ORDER BY, which no index of the scope gives for free.
    order = np.argsort(ids, kind="stable")
    return ids[order], rows.take(order)
