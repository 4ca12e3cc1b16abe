"""Statements built once and run on the session's connection, for the reads every command makes.

`session.execute(select(...).where(Model.col == value))` builds the statement, computes its
cache key and goes through the ORM's execution layer on every call: about 0.3 ms of CPU for
a one-row lookup, several times the query itself (bench/STEPS.md, step 2). A statement built
once with named parameters keeps its cache key, and run on the connection it returns the
same rows (same columns, same type processing) without the ORM layer.
"""

from __future__ import annotations

from sqlalchemy import Executable, Result
from sqlalchemy.orm import Session

from assistant.storage.kept import forget_written


def run(session: Session, statement: Executable, **params: object) -> Result:
    """Rows of a prebuilt statement in the session's transaction. Pending ORM changes are
    flushed first, as `session.execute` would, so a write transaction reads its own."""
    if session.autoflush:
        session.flush()
    forget_written(session, statement)
    return session.connection().execute(statement, params)
