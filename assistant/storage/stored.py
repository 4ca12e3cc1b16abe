"""Column values in the form the driver stores, computed without SQLAlchemy's bind chain.

An import converts about two million timestamps; `UTCDateTime.process_bind_param` followed by
SQLite's DATETIME formatter costs more than the insert itself. For the types an import writes
most there is a direct conversion here, and it is used only after it gave exactly the
processor's result on probe values (different offsets, zero and non-zero microseconds), so
a change in SQLAlchemy's storage format falls back to the processor instead of storing
something else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Table

from assistant.storage.types import UTCDateTime

Convert = Callable[[object], object]

_PROBES = (
    datetime(2024, 3, 15, 14, 33, 5, 123456, tzinfo=UTC),
    datetime(2024, 3, 15, 14, 33, 5, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 30, 0, 7, tzinfo=timezone(timedelta(hours=-5))),
    datetime(987, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=5, minutes=30))),
)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:  # what the import parses `+00:00` into: nothing to convert
        return value.replace(tzinfo=None)
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column; attach a time zone")
    return value.astimezone(UTC).replace(tzinfo=None)


# The pieces of SQLite's text, looked up rather than formatted: an import converts a million
# times, and `isoformat` took as long as the insert of their rows.
_DAYS: dict[int, str] = {}  # date ordinal -> `YYYY-MM-DD`
_HOURS_MINUTES = [f" {h:02d}:{m:02d}:" for h in range(24) for m in range(60)]
_SECONDS = [f"{s:02d}." for s in range(60)]


def _sqlite_text(value: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME text: `YYYY-MM-DD HH:MM:SS.ffffff`, microseconds always.
    if value.tzinfo is not UTC:
        value = _utc(value)
    ordinal = value.toordinal()
    day = _DAYS.get(ordinal)
    if day is None:
        if len(_DAYS) > 100_000:  # a bound, for a process that imports many files
            _DAYS.clear()
        day = _DAYS[ordinal] = value.date().isoformat()
    micros = value.microsecond
    return (
        day
        + _HOURS_MINUTES[value.hour * 60 + value.minute]
        + _SECONDS[value.second]
        + (f"{micros:06d}" if micros else "000000")
    )


def _direct(column_type, dialect_name: str) -> Convert | None:
    if isinstance(column_type, UTCDateTime):
        return _sqlite_text if dialect_name == "sqlite" else _utc
    return None


@functools.lru_cache(maxsize=64)
def converters(table: Table, columns: tuple[str, ...], dialect) -> list[tuple[int, Convert]]:
    """(column index, conversion) for each column whose values the driver can't take as-is."""
    found = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            continue
        direct = _direct(column_type, dialect.name)
        if direct is not None and all(direct(p) == process(p) for p in _PROBES):
            process = direct
        found.append((index, process))
    return found
