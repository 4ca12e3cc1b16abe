"""SQL pieces shared by the figures, written once so SQLite and PostgreSQL agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, ColumnElement, String, case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from assistant.domain.periods import Period

CURRENT = 1
PREVIOUS = 0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class epoch_seconds(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    """Whole seconds since 1970-01-01 of a UTC timestamp column (floored on both databases).

    Integer seconds make sums of durations exact, so equal overdue totals really compare
    equal (the bottleneck's tie rule) instead of differing in the last bit of a float.
    """

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw) -> str:
    return _sqlite_seconds(compiler.process(element.clauses, **kw))


def _sqlite_seconds(inner: str) -> str:
    # Columns hold naive UTC text, which strftime('%s') reads as UTC. Only the first 19
    # characters (to the whole second): SQLite keeps times in milliseconds, so given the
    # fraction it would round 09:00:00.9996 up to 09:00:01 instead of dropping it.
    return f"CAST(strftime('%s', substr({inner}, 1, 19)) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element, compiler, **kw) -> str:
    # A `timestamp without time zone` gives its nominal seconds, i.e. UTC here.
    inner = compiler.process(element.clauses, **kw)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {inner})) AS BIGINT)"


class epoch_micros(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    """Whole microseconds since 1970-01-01 of a UTC timestamp column, exactly, on both databases.

    Durations are then integer differences in SQL, and only one integer per row comes back
    instead of two timestamps through `UTCDateTime` (the slow part of reading many stays).
    """

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_micros, "sqlite")
def _micros_sqlite(element, compiler, **kw) -> str:
    # Whole seconds, plus the stored ".ffffff" read as an integer. Padding first reads a value
    # written without a fraction (or a shorter one) as the same instant.
    inner = compiler.process(element.clauses, **kw)
    fraction = f"CAST(substr({inner} || '000000', 21, 6) AS INTEGER)"
    return f"({_sqlite_seconds(inner)} * 1000000 + {fraction})"


@compiles(epoch_micros, "postgresql")
def _micros_postgresql(element, compiler, **kw) -> str:
    # EXTRACT gives numeric (exact) since PostgreSQL 14, so times 10^6 it is a whole number;
    # an older server's double is within a tenth of a microsecond, and the cast rounds.
    inner = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {inner}) * 1000000 AS BIGINT)"


class _bytewise(FunctionElement):  # noqa: N801 - reads as the SQL it is
    type = String()
    inherit_cache = True


def bytewise(column):
    """`column` to group or sort by in byte order: for a text column on PostgreSQL, its
    "C" collation; SQLite's default already is.

    Only where the order is not shown (grouping rows to rank them within): comparing in the
    database's locale (libc's C.UTF-8 here) was about a third of the time PostgreSQL took to
    sort the stays to rank at 100k deals.
    """
    if isinstance(column.type, String):
        return _bytewise(column)
    return column


@compiles(_bytewise)
def _bytewise_default(element, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_bytewise, "postgresql")
def _bytewise_postgresql(element, compiler, **kw) -> str:
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'


def whole_seconds(when: datetime) -> int:
    """The same floor as `epoch_seconds`, for an instant known in Python."""
    return int(when.timestamp() // 1)


def whole_micros(when: datetime) -> int:
    """The same count as `epoch_micros`, for an instant known in Python."""
    return (when - EPOCH) // MICROSECOND


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
