"""Insert a row unless its unique key is taken: the first of several racing writers wins.

`INSERT ... ON CONFLICT DO NOTHING RETURNING <primary key>` on both databases: the winner
gets its row's key back, every other writer gets None and knows someone was first. This is
what makes claims (digest occurrences, delivery keys, a new workspace) safe across processes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assistant.storage.prebuilt import run


def insert_or_ignore(
    session: Session, model, values: Mapping[str, object], unique: Sequence[str]
) -> object | None:
    """The new row's primary key, or None when a row with the same `unique` columns exists.

    The statement is built once per table and run on the connection (storage/prebuilt.py):
    every write command records its replay key this way, and building it through the ORM
    each time was about a tenth of such a command's CPU."""
    statement = _statement(session.bind.dialect.name, model.__table__, tuple(unique))
    return run(session, statement, **values).scalar()


@cache
def _statement(dialect_name: str, table: Table, unique: tuple[str, ...]) -> Insert:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    key = table.primary_key.columns[0]
    return dialect.insert(table).on_conflict_do_nothing(index_elements=list(unique)).returning(key)
