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
        return cls.from_rows(Rows.parse(rows), stage_keys)

    @classmethod
    def from_lists(cls, ids, ats, fields, values, stage_keys: Sequence[str]) -> Timeline:
        return cls.build(zip(ids, ats, fields, values, strict=True), stage_keys)

    @classmethod
    def from_rows(cls, rows: Rows, stage_keys: Sequence[str]) -> Timeline:
        """The timeline of parsed `rows` (each deal's in the order they were written)."""
        stamps = rows.stamp
        origin_epoch = int(stamps.min()) - DAY if len(stamps) else 0
        origin = datetime.fromtimestamp(origin_epoch, UTC)
        deal_ids, deal = np.unique(rows.deal_id, return_inverse=True)
        deal = deal.astype(np.int64)
        order = np.argsort(deal, kind="stable")  # per deal, the written order
        deal, sec = deal[order], (stamps - origin_epoch)[order]
        field, code, amount = rows.field[order], rows.code[order], rows.amount[order]
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

        def series(which: int, values: np.ndarray) -> Series:
            mask = field == which
            return Series(deal[mask], sec[mask], values[mask])

        # Stage keys: the configured ones first, then any other in the order first met.
        known = list(stage_keys)
        is_stage = field == STAGE_FIELD
        met, first_at = np.unique(code[is_stage], return_index=True)
        lookup = np.zeros(len(rows.stage_names), dtype=np.int64)
        for name_code in met[np.argsort(first_at, kind="stable")]:
            name = rows.stage_names[name_code]
            if name not in known:
                known.append(name)
            lookup[name_code] = known.index(name)
        stage = series(STAGE_FIELD, lookup[np.where(is_stage, code, 0)])
        status = series(STATUS_FIELD, code)
        keep = status.value >= 0
        status = Series(status.deal[keep], status.sec[keep], status.value[keep])
        days = np.where(code == NO_DATE, np.nan, (code - origin_epoch) / DAY)
        close_date = series(CLOSE_FIELD, days)
        entries = Entries.of(stage, status, created, len(known))
        amounts = series(AMOUNT_FIELD, amount)
        return cls(origin, deal_ids, tuple(known), created, stage, status, amounts, close_date,
                   entries, reordered)  # fmt: skip


STAGE_FIELD, STATUS_FIELD, AMOUNT_FIELD, CLOSE_FIELD = range(len(FIELDS))
NO_DATE = np.iinfo(np.int64).min


@dataclass(frozen=True)
class Rows:
    """History rows parsed into columns, in the order they were read. Parsing is the slow,
    per-row part of building a timeline; rows parsed once can be topped up and rebuilt."""

    deal_id: np.ndarray  # int64
    stamp: np.ndarray  # int64 seconds since 1970
    field: np.ndarray  # int8: index into FIELDS
    # stage: index into `stage_names`; status: its code (-1 unknown); close date: midnight
    # UTC of the date in seconds since 1970 (NO_DATE: none); amount: 0
    code: np.ndarray
    amount: np.ndarray  # float: the amount's rows only, nan elsewhere and for no amount
    stage_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.deal_id)

    @classmethod
    def parse(
        cls, rows: Iterable[tuple[int, object, str, str | None]], stage_names: Sequence[str] = ()
    ) -> Rows:
        """`rows`: (deal id, at as a datetime or epoch seconds, field, value as text); rows
        of other fields are skipped. Stage names extend `stage_names` (codes stay valid)."""
        names = {name: i for i, name in enumerate(stage_names)}
        ids, stamps, fields, codes, amounts = [], [], [], [], []
        field_codes = {name: i for i, name in enumerate(FIELDS)}
        nan = float("nan")
        for deal_id, at, field, value in rows:
            which = field_codes.get(field)
            if which is None:
                continue
            ids.append(deal_id)
            stamps.append(_epoch(at))
            fields.append(which)
            if which == STAGE_FIELD:
                codes.append(names.setdefault(value, len(names)))
                amounts.append(nan)
            elif which == STATUS_FIELD:
                codes.append(STATUS_CODES.get(value, -1))
                amounts.append(nan)
            elif which == AMOUNT_FIELD:
                codes.append(0)
                amounts.append(_number(value))
            else:
                codes.append(_midnight(value))
                amounts.append(nan)
        return cls(
            np.array(ids, dtype=np.int64), np.array(stamps, dtype=np.int64),
            np.array(fields, dtype=np.int8), np.array(codes, dtype=np.int64),
            np.array(amounts, dtype=float), tuple(names),
        )  # fmt: skip

    def then(self, later: Rows) -> Rows:
        """These rows followed by `later`, parsed with these rows' stage names first."""
        if later.stage_names[: len(self.stage_names)] != self.stage_names:
            raise ValueError("the later rows were parsed without the earlier stage names")
        return Rows(*(np.concatenate((a, b)) for a, b in zip(self._columns(), later._columns(),
                                                               strict=True)),
                    later.stage_names)  # fmt: skip

    def first(self, count: int) -> Rows:
        return Rows(*(c[:count] for c in self._columns()), self.stage_names)

    def take(self, order: np.ndarray) -> Rows:
        return Rows(*(c[order] for c in self._columns()), self.stage_names)

    def _columns(self) -> tuple[np.ndarray, ...]:
        return (self.deal_id, self.stamp, self.field, self.code, self.amount)


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


def _midnight(text: str | None) -> int:
    if not text:
        return NO_DATE
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return NO_DATE
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
