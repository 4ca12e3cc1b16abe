"""The pieces the floor shares: the SQL dialect, stage sets, order statistics, durations.

Written from the definitions in README "How the figures are defined" (percentiles: linear
interpolation between closest ranks, as PostgreSQL's `percentile_cont`), not imported from
the bot, so the floor checks the product rather than agreeing with it by construction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

UNKNOWN_POSITION = 10_000
US_PER_DAY = 86400
CENT = Decimal("0.01")
ZERO = Decimal(0)
DAY_S = 86400
US = 10**6
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CLOSED = ("won", "lost")


class Sql:
    """Placeholders, time parameters and epoch arithmetic for one dialect."""

    def __init__(self, kind: str, connection) -> None:
        self.kind, self.connection = kind, connection

    def rows(self, sql: str, *params) -> list:
        if self.kind == "postgresql":
            sql = sql.replace("?", "%s")
        return self.connection.execute(sql, params).fetchall()

    def at(self, when: datetime):
        naive = when.astimezone(UTC).replace(tzinfo=None)
        return naive.isoformat(" ", "microseconds") if self.kind == "sqlite" else naive

    def bytewise(self, column: str) -> str:
        """A text column compared byte by byte, to group by: SQLite's default already is."""
        return f'{column} COLLATE "C"' if self.kind == "postgresql" else column

    def us(self, column: str) -> str:
        """A naive-UTC timestamp column as integer microseconds since 1970."""
        if self.kind == "sqlite":
            return (
                f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000"
                f" + CAST(substr({column}, 21, 6) AS INTEGER))"
            )
        return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"


def micros(when: datetime) -> int:
    return (when - EPOCH) // timedelta(microseconds=1)


def money(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(int(cents)) / 100).quantize(CENT)


def period_dict(period: tuple) -> dict:
    start, end, label = period
    return {"start": start, "end": end, "label": label}


def days(micros: int) -> float:
    """A duration in microseconds as days, never negative (as timedelta.total_seconds)."""
    return max(0.0, micros / 10**6 / US_PER_DAY)


def percentile(values: Iterable[float], share_: float) -> float | None:
    ordered = sorted(values)
    return percentile_at(len(ordered), share_, ordered)


def percentile_at(count: int, share_: float, at_rank) -> float | None:
    """The same from the values at the ranks it reads: `at_rank[r]`, r from 0, ascending."""
    if not count:
        return None
    rank = (count - 1) * share_
    low = math.floor(rank)
    high = min(low + 1, count - 1)
    return at_rank[low] + (rank - low) * (at_rank[high] - at_rank[low])


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 0.5)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def Delta(current, previous) -> dict:  # noqa: N802 - reads as the product's dataclass
    return {"current": current, "previous": previous}


class StageSet:
    """Active stages in order and every stage by key, from rows of the `stages` table."""

    def __init__(self, stages: list[dict]) -> None:
        stages.sort(key=lambda s: (s["position"], s["key"]))
        self.active = [s for s in stages if s["active"]]
        self.by_key = {s["key"]: s for s in stages}

    def get(self, key: str) -> dict:
        found = self.by_key.get(key)
        if found is not None:
            return found
        return {
            "key": key,
            "label": key,
            "position": UNKNOWN_POSITION,
            "probability": Decimal(0),
            "target_days": None,
            "active": False,
        }

    def laid_out(self, seen: Iterable[str]) -> list[dict]:
        active = {s["key"] for s in self.active}
        extra = {k: self.get(k) for k in seen if k not in active}
        return [*self.active, *sorted(extra.values(), key=lambda s: (s["position"], s["key"]))]


def stage_set(rows) -> StageSet:
    """Rows of (key, label, position, probability in basis points, target_days, active)."""
    return StageSet(
        [
            {
                "key": key,
                "label": label,
                "position": position,
                "probability": (Decimal(int(bp or 0)) / 10000).quantize(Decimal("0.0001"))
                or Decimal(0),
                "target_days": target,
                "active": bool(active),
            }
            for key, label, position, bp, target, active in rows
        ]
    )
