"""Percentiles of groups of rows, with only the rows they read fetched from SQL.

At 1M deals the pipeline digest fetched ~509k stays and ~79k open deals to take medians and
p90s of them in Python, most of its 1.6 s (issue 20, bench/RESULTS.md `--huge`). Instead SQL
numbers each group's rows in order (`row_number`, and `count` over the group) and returns only
the rows at the one or two ranks a percentile interpolates between: a few rows per group. The
interpolation itself stays in Python, `stats.interpolated`, the formula `stats.percentile`
uses, so the figures are the very same floats.

Window functions rather than PostgreSQL's `percentile_cont`, so the interpolation stays
the one definition in `stats`. A share is a `Fraction`, so that SQL finds the low rank
floor((n - 1) x share) in integers: (n - 1) x numerator / denominator, integer division on
both databases (`tests/integration/test_ranks.py` checks it equals Python's floor of the
float product, which `stats.interpolated` uses).

On SQLite the rows are read and ranked in Python instead (`_ranked_here`): its window
functions cost more than reading the rows (at 10k deals, ~5k stays, the stays' statement
took ~20 ms instead of ~13 ms), and the large workspaces are on PostgreSQL. Both paths give
the same `Ranked`, interpolated by the same formula; `tests/integration/test_ranks.py` checks
each against the full lists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import Connection, Integer, Select, func, literal_column, or_, select

from assistant.analytics._sql import bytewise
from assistant.analytics.stats import interpolated

MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)


@dataclass(frozen=True)
class Ranked:
    """How many values a group has, and the values at the ranks kept (0-based, ascending)."""

    count: int = 0
    at_rank: dict[int, float] = field(default_factory=dict)

    def percentile(self, share: Fraction) -> float | None:
        return interpolated(self.count, float(share), self.at_rank.__getitem__)


NONE = Ranked()


def low_rank(count, share: Fraction):
    """floor((count - 1) x share) of a SQL count, in integers."""
    return (count - 1) * _integer(share.numerator) // _integer(share.denominator)


def ranked(
    connection: Connection,
    values: Select,
    shares: Sequence[Fraction],
    convert: Callable[[int], float],
    params: dict | None = None,
) -> dict[tuple, Ranked]:
    """The groups of `values` (its columns: the group's, then last the value to rank) by
    their group columns' values, each with the values at the ranks `shares` read.

    `convert` turns a value read into the figure's unit; it must keep the order (as
    `stuck.days_of` does: a clamp at 0 keeps it), since the rows are ranked before it.
    """
    if connection.dialect.name == "sqlite":
        return _ranked_here(connection, values, shares, convert, params)
    found: dict[tuple, Ranked] = {}
    for *group, count, rank, value in connection.execute(_at_ranks(values, shares), params):
        key = tuple(group)
        kept = found.get(key)
        if kept is None:
            kept = found[key] = Ranked(count)
        kept.at_rank[rank] = convert(value)
    return found


def _ranked_here(connection, values, shares, convert, params) -> dict[tuple, Ranked]:
    """The same, ranked in Python: SQLite's window functions cost more than reading the rows
    (the pipeline digest at 100k deals took 326-335 ms ranked in SQL, 246 ms so), and a
    SQLite workspace is not the 1M-deal one the SQL ranking is for."""
    groups: dict[tuple, list[int]] = {}
    for *group, value in connection.execute(values, params):
        groups.setdefault(tuple(group), []).append(value)
    found = {}
    for key, found_values in groups.items():
        found_values.sort()
        count = len(found_values)
        kept = found[key] = Ranked(count)
        for share in shares:
            low = (count - 1) * share.numerator // share.denominator
            for rank in (low, min(low + 1, count - 1)):
                kept.at_rank[rank] = convert(found_values[rank])
    return found


def _at_ranks(values: Select, shares: Sequence[Fraction]) -> Select:
    source = values.subquery()
    *groups, value = source.c
    # One window for both, its frame the whole group: PostgreSQL then sorts once and computes
    # them in one pass (two windows took two passes over the sorted rows).
    group = {
        "partition_by": [bytewise(column) for column in groups],
        "order_by": value,
        "rows": (None, None),
    }
    numbered = select(
        *groups,
        func.count().over(**group).label("count"),
        (func.row_number().over(**group) - 1).label("rank"),
        value.label("value"),
    ).subquery()
    count, rank = numbered.c["count"], numbered.c["rank"]
    # The rank interpolated from and the next one (absent past the last: then it is the low).
    wanted = or_(*(rank.in_((low_rank(count, s), low_rank(count, s) + 1)) for s in shares))
    return select(*numbered.c).where(wanted)


def _integer(number: int):
    # Written into the statement, so both databases see integer constants and divide as such.
    return literal_column(str(int(number)), Integer)
