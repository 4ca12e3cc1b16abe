"""The floor of `/pipeline results` (total or by owner): hand-written SQL through the raw driver.

Written from README "How the figures are defined", not from `assistant/analytics/results.py`:
one GROUP BY for the deals closed in the period and the one before (by bucket, segment and
status), one narrow query for the won deals' cycles in integer microseconds, one GROUP BY over
the segment's deals for the open deals at both periods' ends. Money stays in integer cents and
velocity in exact fractions until its one rounding. The result is shaped like
`bench.digests_results.results_view` of the product's report, for `tests/bench/canon.py`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist

from bench.floor_stats import Sql, days, median, money, percentile, period_dict

NONE = "(none)"
INTERVAL_BELOW = 100
SMALL_SAMPLE = 10
US_PER_DAY = 86_400 * 10**6
Z90 = NormalDist().inv_cdf(0.95)  # two-sided 90 %
SEGMENT_COLUMNS = {None: f"'{NONE}'", "owner": f"coalesce(owner_id, '{NONE}')"}


def us(sql: Sql, column: str) -> str:
    """Integer microseconds since 1970 of a naive-UTC column (SQLite: whole seconds from the
    first 19 characters, as `strftime` would round a fraction of .9995 up)."""
    if sql.kind == "sqlite":
        return (
            f"(CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({column} || '000000', 21, 6) AS INTEGER))"
        )
    return sql.us(column)


class _Tally:
    __slots__ = ("won", "cents", "priced", "lost", "cycles", "open")

    def __init__(self) -> None:
        self.won = self.cents = self.priced = self.lost = self.open = 0
        self.cycles: list[int] = []

    def add(self, other: _Tally) -> None:
        self.won += other.won
        self.cents += other.cents
        self.priced += other.priced
        self.lost += other.lost
        self.open += other.open
        self.cycles += other.cycles


def results(sql: Sql, ws: int, period, previous, by: str | None, currency: str) -> dict:
    """`period` and `previous`: (start, end, label) of the period and the one before it."""
    key = SEGMENT_COLUMNS[by]
    current, start, end = sql.at(period[0]), sql.at(previous[0]), sql.at(period[1])
    tallies: dict[tuple[int, str], _Tally] = defaultdict(_Tally)
    closed = (
        "FROM deals WHERE workspace_id = ? AND status IN ('won', 'lost')"
        " AND closed_at >= ? AND closed_at < ?"
    )
    for bucket, name, status, n, cents, priced in sql.rows(
        f"SELECT CASE WHEN closed_at >= ? THEN 1 ELSE 0 END, {key}, status, count(*),"
        f" sum(amount), count(amount) {closed} GROUP BY 1, 2, 3",
        current,
        ws,
        start,
        end,
    ):
        t = tallies[(bucket, name)]
        if status == "won":
            t.won, t.cents, t.priced = n, int(cents or 0), priced
        else:
            t.lost = n
    for bucket, name, cycle in sql.rows(
        f"SELECT CASE WHEN closed_at >= ? THEN 1 ELSE 0 END, {key},"
        f" {us(sql, 'closed_at')} - {us(sql, 'created_at')} {closed} AND status = 'won'",
        current,
        ws,
        start,
        end,
    ):
        tallies[(bucket, name)].cycles.append(max(cycle, 0))
    names = set()
    open_at = "sum(CASE WHEN created_at < ? AND (closed_at IS NULL OR closed_at >= ?) THEN 1 END)"
    for name, open_now, open_before in sql.rows(
        f"SELECT {key}, {open_at}, {open_at} FROM deals WHERE workspace_id = ? GROUP BY 1",
        end,
        end,
        current,
        current,
        ws,
    ):
        names.add(name)
        tallies[(1, name)].open = int(open_now or 0)
        tallies[(0, name)].open = int(open_before or 0)
    names |= {name for _, name in tallies}
    total = {1: _Tally(), 0: _Tally()}
    segments = []
    for name in names:
        for b in (1, 0):
            total[b].add(tallies[(b, name)])
        if by is not None:
            segments.append((name, tallies[(1, name)], tallies[(0, name)]))
    segments.sort(key=lambda s: (-s[1].cents, -(s[1].won + s[1].lost), s[0]))
    target = sql.rows(
        "SELECT count(*) FROM targets WHERE workspace_id = ? AND owner_key = '' AND starts_at = ?",
        ws,
        current,
    )[0][0]
    if target:
        raise NotImplementedError("the floor computes no target: the bench's data sets none")
    return {
        "period": period_dict(period),
        "previous_period": period_dict(previous),
        "by": by,
        "currency": currency,
        "total": _segment(None, total[1], total[0]),
        "segments": [_segment(*s) for s in segments],
        "velocity_change": _velocity_change(total[1], total[0]),
        "target": None,
    }


def _segment(name, now: _Tally, before: _Tally) -> dict:
    return {
        "key": name,
        "small_sample": now.won + now.lost < SMALL_SAMPLE,
        "current": _figures(now),
        "previous": _figures(before),
    }


def _figures(t: _Tally) -> dict:
    closed = t.won + t.lost
    cycles = [days(c) for c in t.cycles]
    factors = _factors(t)
    velocity = None
    if factors is not None and factors[3]:
        velocity = _cents(factors[0] * factors[1] * factors[2] / factors[3])
    return {
        "won_count": t.won,
        "won_value": money(t.cents),
        "priced_won": t.priced,
        "lost_count": t.lost,
        "closed_count": closed,
        "win_rate": t.won / closed if closed else None,
        "win_rate_interval": _wilson(t.won, closed) if 0 < closed < INTERVAL_BELOW else None,
        "average_won": _cents(Fraction(t.cents, 100 * t.priced)) if t.priced else None,
        "median_cycle_days": median(cycles),
        "p90_cycle_days": percentile(cycles, 0.9),
        "mean_cycle_days": sum(cycles) / len(cycles) if cycles else None,
        "open_count": t.open,
        "velocity": velocity,
    }


def _factors(t: _Tally):
    """Open deals, win rate, average won (unrounded), mean cycle in days: exact fractions."""
    if not (t.won + t.lost and t.priced and t.cycles):
        return None
    return (
        Fraction(t.open),
        Fraction(t.won, t.won + t.lost),
        Fraction(t.cents, 100 * t.priced),
        Fraction(sum(t.cycles), len(t.cycles) * US_PER_DAY),
    )


def _velocity_change(now: _Tally, before: _Tally) -> dict | None:
    a, b = _factors(now), _factors(before)
    if a is None or b is None:
        return None
    factors = []
    for name, sign, x, y in zip(
        ("open deals", "win rate", "average won", "cycle"), (1, 1, 1, -1), a, b, strict=True
    ):
        if not x or not y:
            return None
        ratio = float(x / y)
        factors.append({"name": name, "ratio": ratio, "effect": sign * math.log(ratio)})
    return {"ratio": math.exp(sum(f["effect"] for f in factors)), "factors": factors}


def _cents(value: Fraction) -> Decimal:
    """Half up to the cent (values here are never negative)."""
    return Decimal(math.floor(value * 100 + Fraction(1, 2))) / 100


def _wilson(won: int, n: int) -> tuple[float, float]:
    p, z2 = won / n, Z90 * Z90
    centre = p + z2 / (2 * n)
    spread = Z90 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    scale = 1 + z2 / n
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)
