"""Fast appends of many rows to one table, inside the session's transaction.

An import writes about ten history rows per record. Through SQLAlchemy's executemany that
costs a driver round trip per row on PostgreSQL (psycopg pipelines them, still slow) and
Python work per parameter on both; here PostgreSQL gets one `COPY` and SQLite one
`executemany` on the driver. Values go through each column type's own bind processor first,
so what is stored is exactly what the ORM would have stored (UTC-naive times, cents, the
SQLite datetime text format), and rows keep their order, hence their ids' order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session


@contextmanager
def large_cache(session: Session, mebibytes: int = 256) -> Iterator[None]:
    """SQLite's default page cache (2 MB) makes index upkeep of a big insert go to disk;
    a larger one for this connection while the import runs saved 10-30% at 100k rows."""
    if session.bind.dialect.name != "sqlite":
        yield
        return
    before = session.scalar(text("PRAGMA cache_size"))
    session.execute(text(f"PRAGMA cache_size = -{mebibytes * 1024}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(before)}"))


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """Primary keys for `count` new rows, so they can be written without RETURNING.

    PostgreSQL hands them out from the column's own sequence (unique even with concurrent
    writers); SQLite assigns max(id) + 1 anyway, and the import holds its write lock.
    """
    if count == 0:
        return []
    if session.bind.dialect.name == "postgresql":
        query = text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        return list(session.scalars(query, {"table": table.name, "n": count}))
    highest = session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return list(range(highest + 1, highest + 1 + count))


def append_rows(session: Session, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in ("postgresql", "sqlite"):  # another database: the portable way
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    # History rows share their timestamps, so each distinct value is converted once.
    converting = [(i, p, {}) for i, p in enumerate(processors) if p is not None]
    if converting:
        converted = []
        for row in rows:
            values = list(row)
            for index, process, seen in converting:
                value = values[index]
                if value is not None:
                    done = seen.get(value)
                    if done is None:
                        done = seen[value] = process(value)
                    values[index] = done
            converted.append(values)
        rows = converted
    driver = connection.connection.driver_connection
    if dialect.name == "postgresql":
        listing = ", ".join(f'"{name}"' for name in columns)
        statement = f'COPY "{table.name}" ({listing}) FROM STDIN'
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        listing = ", ".join(f'"{name}"' for name in columns)
        cursor = driver.cursor()
        try:
            cursor.executemany(f'INSERT INTO "{table.name}" ({listing}) VALUES ({marks})', rows)
        finally:
            cursor.close()
