"""SQL pieces shared by the figures, written once so SQLite and PostgreSQL agree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from assistant.domain.periods import Period

CURRENT = 1
PREVIOUS = 0


class epoch_seconds(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    """Whole seconds since 1970-01-01 of a UTC timestamp column (floored on both databases).

    Integer seconds make sums of durations exact, so equal overdue totals really compare
    equal (the bottleneck's tie rule) instead of differing in the last bit of a float.
    """

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw) -> str:
    # Columns hold naive UTC text; strftime('%s') reads it as UTC and drops the fraction.
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element, compiler, **kw) -> str:
    # A `timestamp without time zone` gives its nominal seconds, i.e. UTC here.
    inner = compiler.process(element.clauses, **kw)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {inner})) AS BIGINT)"


def whole_seconds(when: datetime) -> int:
    """The same floor as `epoch_seconds`, for an instant known in Python."""
    return int(when.timestamp() // 1)


def within(column, start: datetime, end: datetime) -> ColumnElement[bool]:
    """Half-open [start, end), like `Period`."""
    return (column >= start) & (column < end)


def span(period: Period) -> tuple[Period, datetime, datetime]:
    """The previous period of equal length and the [start, end) covering both."""
    previous = period.previous()
    return previous, previous.start, period.end


def bucket(column, period: Period) -> ColumnElement[int]:
    """CURRENT for rows in `period`, PREVIOUS for rows before it (callers bound the span)."""
    return case((column >= period.start, CURRENT), else_=PREVIOUS).label("bucket")
