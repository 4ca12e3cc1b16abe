"""A workspace's deal history as arrays, and the state it describes at any cut time.

Input is the `changes` rows of deals for the fields that matter here (stage_key, status,
amount, close_date), in the order they were written, per deal. Nothing else is read, so a
state "at a cut" uses exactly what was known then (the backtest depends on that).

Times are whole seconds since `origin` (int64) so that (deal, time) packs into one sortable
int64 key. A row can't have happened before a row written earlier for the same deal: times
that go backwards within a deal (an import whose close date precedes the creation date) are
raised to the time before them, and counted in `reordered`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

DAY = 86_400
SHIFT = 32  # key = deal << SHIFT | seconds since origin (seconds < 2**32: 136 years)
OPEN, WON, LOST = 0, 1, 2
STATUS_CODES = {"open": OPEN, "won": WON, "lost": LOST}
FIELDS = ("stage_key", "status", "amount", "close_date")
NEVER = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class Series:
    """One field's values over time: rows sorted by (deal, time)."""

    deal: np.ndarray  # int64 deal index
    sec: np.ndarray  # int64 seconds since origin
    value: np.ndarray

    @property
    def keys(self) -> np.ndarray:
        return (self.deal << SHIFT) | self.sec

    def at(self, deals: np.ndarray, secs: np.ndarray | int, fill, inclusive: bool = False):
        """Each deal's last value before `secs` (or at it too, when `inclusive`)."""
        deals = np.asarray(deals, dtype=np.int64)
        if not len(self.deal):
            return np.full(deals.shape, fill, dtype=np.result_type(self.value, type(fill)))
        # Times outside the timeline's span are clipped to it (every row is a day after 0),
        # so they can't spill into the deal's bits of the key.
        secs = np.clip(np.asarray(secs, dtype=np.int64), 0, (1 << SHIFT) - 1)
        query = (deals << SHIFT) | secs
        side = "right" if inclusive else "left"
        index = np.searchsorted(self.keys, query, side=side) - 1
        safe = np.maximum(index, 0)
        found = (index >= 0) & (self.deal[safe] == deals)
        return np.where(found, self.value[safe], fill)


@dataclass(frozen=True)
class Timeline:
    origin: datetime  # UTC; time 0
    deal_ids: np.ndarray  # the database ids, by deal index
    stage_keys: tuple[str, ...]  # stage index -> key (configured ones first, in order)
    created: np.ndarray  # seconds, per deal: its first row
    stage: Series
    status: Series
    amount: Series  # float, nan for no amount
    close_date: Series  # float days since origin (midnight UTC of the date), nan for none
    entries: Entries
    reordered: int  # deals whose rows went back in time (closed before they were created)

    @property
    def deal_count(self) -> int:
        return len(self.deal_ids)

    def seconds(self, when: datetime) -> int:
        return int((when.astimezone(UTC) - self.origin).total_seconds())

    def time(self, seconds: float) -> datetime:
        return self.origin + timedelta(seconds=float(seconds))

    @classmethod
    def build(
        cls,
        rows: Iterable[tuple[int, datetime, str, str | None]],
        stage_keys: Sequence[str],
    ) -> Timeline:
        """`rows`: (deal id, at, field, new value as text), each deal's rows in the order they
        were written (deals may interleave)."""
        ids, ats, fields, values = [], [], [], []
        for deal_id, at, field, value in rows:
            if field in FIELDS:
                ids.append(deal_id)
                ats.append(at)
                fields.append(field)
                values.append(value)
        return cls.from_lists(ids, ats, fields, values, stage_keys)

    @classmethod
    def from_lists(cls, ids, ats, fields, values, stage_keys: Sequence[str]) -> Timeline:
        stamps = np.array([_epoch(a) for a in ats], dtype=np.int64)
        origin_epoch = int(stamps.min()) - DAY if len(stamps) else 0
        origin = datetime.fromtimestamp(origin_epoch, UTC)
        deal_ids, deal = np.unique(np.asarray(ids, dtype=np.int64), return_inverse=True)
        deal = deal.astype(np.int64)
        order = np.argsort(deal, kind="stable")  # per deal, the written order
        deal, sec = deal[order], (stamps - origin_epoch)[order]
        fields = np.asarray(fields, dtype=object)[order]
        values = np.asarray(values, dtype=object)[order]
        # Times never go back within a deal: a running max over (deal, time) keys.
        keys = (deal << SHIFT) | sec
        fixed = np.maximum.accumulate(keys) if len(keys) else keys
        moved = fixed != keys
        reordered = len(np.unique(deal[moved]))
        sec = fixed & ((1 << SHIFT) - 1)
        created = np.full(len(deal_ids), NEVER, dtype=np.int64)
        if len(deal):
            first = np.r_[True, deal[1:] != deal[:-1]]
            created[deal[first]] = sec[first]

        known = list(stage_keys)
        index = {k: i for i, k in enumerate(known)}

        def pick(field: str, convert, dtype) -> Series:
            mask = fields == field
            converted = np.array([convert(v) for v in values[mask]], dtype=dtype)
            return Series(deal[mask], sec[mask], converted)

        def stage_index(key):
            if key not in index:
                index[key] = len(known)
                known.append(key)
            return index[key]

        stage = pick("stage_key", stage_index, np.int64)
        status = pick("status", lambda v: STATUS_CODES.get(v, -1), np.int64)
        status = Series(status.deal[status.value >= 0], status.sec[status.value >= 0],
                        status.value[status.value >= 0])  # fmt: skip
        amount = pick("amount", _number, float)
        close_date = pick("close_date", lambda v: _date_days(v, origin_epoch), float)
        entries = Entries.of(stage, status, created, len(known))
        return cls(origin, deal_ids, tuple(known), created, stage, status, amount, close_date,
                   entries, reordered)  # fmt: skip


@dataclass(frozen=True)
class Entries:
    """Each deal's first entry into each stage it reached, and what ended it: the deal's first
    close (won or lost) at or after the entry. The last stage index, `new`, is the deal's
    creation (the "stage" of deals not created yet)."""

    deal: np.ndarray
    stage: np.ndarray
    sec: np.ndarray  # entered
    close_sec: np.ndarray  # NEVER when it never closed
    won: np.ndarray  # bool: that close was a win
    left_sec: np.ndarray  # when it left the stage: its next stage row or that close
    new: int  # the creation pseudo-stage's index

    @classmethod
    def of(cls, stage: Series, status: Series, created: np.ndarray, stage_count: int) -> Entries:
        pair = stage.deal * (stage_count + 1) + stage.value
        _, first = np.unique(pair, return_index=True)
        made = np.nonzero(created < NEVER)[0]
        deal = np.r_[stage.deal[first], made]
        where = np.r_[stage.value[first], np.full(len(made), stage_count)]
        sec = np.r_[stage.sec[first], created[made]]
        closing = status.value != OPEN
        c_deal, c_sec, c_won = status.deal[closing], status.sec[closing], status.value[closing]
        c_keys = (c_deal << SHIFT) | c_sec
        index = np.searchsorted(c_keys, (deal << SHIFT) | sec, side="left")
        safe = np.minimum(index, max(len(c_keys) - 1, 0))
        if len(c_keys):
            found = (index < len(c_keys)) & (c_deal[safe] == deal)
            close_sec = np.where(found, c_sec[safe], NEVER)
            won = found & (c_won[safe] == WON)
        else:
            close_sec = np.full(len(deal), NEVER, dtype=np.int64)
            won = np.zeros(len(deal), dtype=bool)
        # The stage left: the deal's next stage row after the entry, or its close if sooner.
        s_keys = stage.keys
        after = np.searchsorted(s_keys, (deal << SHIFT) | sec, side="right")
        safe_after = np.minimum(after, max(len(s_keys) - 1, 0))
        if len(s_keys):
            moved = (after < len(s_keys)) & (stage.deal[safe_after] == deal)
            next_sec = np.where(moved, stage.sec[safe_after], NEVER)
        else:
            next_sec = np.full(len(deal), NEVER, dtype=np.int64)
        next_sec = np.where(where == stage_count, close_sec, next_sec)  # creation: to the end
        left_sec = np.minimum(next_sec, close_sec)
        return cls(deal, where.astype(np.int64), sec, close_sec, won, left_sec, stage_count)


@dataclass(frozen=True)
class OpenDeals:
    """The deals open at a cut: created before it, last status before it `open`."""

    index: np.ndarray  # deal indexes
    stage: np.ndarray
    entered: np.ndarray  # seconds: last entry into the stage (a move or a reopen)
    amount: np.ndarray  # nan: no amount
    close_date: np.ndarray  # days since origin, nan: none


def open_at(timeline: Timeline, cut: int) -> OpenDeals:
    every = np.arange(timeline.deal_count, dtype=np.int64)
    status = timeline.status.at(every, cut, OPEN)  # no status row: open, the default
    index = every[(status == OPEN) & (timeline.created < cut)]
    stage = timeline.stage.at(index, cut, -1)
    moved = _last_time(timeline.stage, index, cut)
    reopened = _last_time(timeline.status, index, cut)
    return OpenDeals(
        index, stage, np.maximum(moved, reopened), timeline.amount.at(index, cut, np.nan),
        timeline.close_date.at(index, cut, np.nan),
    )  # fmt: skip


def _last_time(series: Series, deals: np.ndarray, cut: int) -> np.ndarray:
    timed = Series(series.deal, series.sec, series.sec)
    return timed.at(deals, cut, -1)


def won_between(timeline: Timeline, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Deals won in [start, end) (their first win there) and the amount each had when won."""
    status = timeline.status
    mask = (status.value == WON) & (status.sec >= start) & (status.sec < end)
    deals, first = np.unique(status.deal[mask], return_index=True)
    secs = status.sec[mask][first]
    amounts = timeline.amount.at(deals, secs, np.nan, inclusive=True)
    return deals, amounts


def _epoch(at) -> int:
    if isinstance(at, datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return int(at.timestamp())
    return int(at)


def _number(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "") else np.nan
    except ValueError:
        return np.nan


def _date_days(text: str | None, origin_epoch: int) -> float:
    if not text:
        return np.nan
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return np.nan
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
    return (midnight - origin_epoch) / DAY
