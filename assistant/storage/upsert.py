"""Insert a row unless its unique key is taken: the first of several racing writers wins.

`INSERT ... ON CONFLICT DO NOTHING RETURNING <primary key>` on both databases: the winner
gets its row's key back, every other writer gets None and knows someone was first. This is
what makes claims (digest occurrences, delivery keys, a new workspace) safe across processes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_or_ignore(
    session: Session, model, values: Mapping[str, object], unique: Sequence[str]
) -> object | None:
    """The new row's primary key, or None when a row with the same `unique` columns exists."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    key = model.__table__.primary_key.columns[0]
    statement = (
        dialect.insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(key)
    )
    return session.scalar(statement)
