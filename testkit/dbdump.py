"""A complete, ordered text dump of every table, to prove that nothing changed."""

from __future__ import annotations

from sqlalchemy import select

from assistant.storage.database import Database
from assistant.storage.models import Base

# `people` caches what Slack says of users (names, time zones), written after requests in
# the background: a copy of Slack's directory, not data a command changes.
NOT_DUMPED = {"people"}


def dump(database: Database) -> str:
    lines: list[str] = []
    with database.write_engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_DUMPED:
                continue
            order = list(table.primary_key.columns)
            for row in connection.execute(select(table).order_by(*order)):
                lines.append(f"{table.name}: {tuple(row)!r}")
        connection.rollback()
    return "\n".join(lines)
