"""Rows a session read once and would otherwise read again, kept until they could differ.

A command reads its workspace's terms and stages three or four times (the workspace row to
find it, the terms for its reply, the stages for the figures, the stages again to lay the
reply out): 631, 581 and 373 reads in 400 commands of the benchmark's mix, about a third of
its statements (issue 20). They are kept for the session's transaction, in `session.info`
under keys that start with their table's name: a command then lays its reply out by the
stages as they were at its first read. (Within a SQLite transaction they cannot change; on
PostgreSQL every statement of a READ COMMITTED or autocommit read sees the latest commit, so
a change committed mid-command could already be half-seen before; now it is not.) They are
dropped when:
- the session writes to that table (an ORM flush, or an INSERT/UPDATE/DELETE statement run
  through the session or on its connection by `prebuilt.run`), so a transaction that changes
  the stages reads its own change;
- the transaction ends, since the next one may see what other processes committed.

Nothing is kept between sessions: a change committed elsewhere is seen by the next command
exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import Executable, event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

T = TypeVar("T")
_INFO_KEY = "assistant.kept"


def kept(session: Session, key: tuple[str, Hashable], read: Callable[[], T]) -> T:
    """The value kept under `key` (its first element the table it was read from), else
    `read()`, kept for the rest of the transaction."""
    if session.autoflush:  # pending changes to the table first drop what was kept of it
        session.flush()
    found = session.info.setdefault(_INFO_KEY, {})
    if key not in found:
        value = read()
        found = session.info.setdefault(_INFO_KEY, {})  # `read` may have ended a transaction
        found[key] = value
        return value
    return found[key]


def keep(session: Session, key: tuple[str, Hashable], value: object) -> None:
    """Keep a value read along with something else (the stages read with the workspace)."""
    session.info.setdefault(_INFO_KEY, {})[key] = value


def _forget_tables(session: Session, tables: set[str]) -> None:
    found = session.info.get(_INFO_KEY)
    if found:
        for key in [k for k in found if k[0] in tables]:
            del found[key]


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    changed = {*session.new, *session.dirty, *session.deleted}
    _forget_tables(session, {type(obj).__table__.name for obj in changed})


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    forget_written(state.session, state.statement)


def forget_written(session: Session, statement: Executable) -> None:
    """Drop what was kept of the table a statement writes (everything when it cannot tell);
    statements run on the session's connection (storage/prebuilt.py) call it themselves."""
    if getattr(statement, "is_select", False):
        return
    table = getattr(getattr(statement, "table", None), "name", None)
    if table is None:
        session.info.pop(_INFO_KEY, None)
    else:
        _forget_tables(session, {table})


@event.listens_for(Session, "after_transaction_end")
def _after_transaction(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_INFO_KEY, None)
