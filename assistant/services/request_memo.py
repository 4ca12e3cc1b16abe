"""The workspace row and its stages, read once per request instead of once per service.

A command asked for them in every service it called (the card, the currency, the stage
labels, ...): two or more reads of each per command, each in a session of its own. Inside
`one_read_per_request()` the first read is remembered until the request ends.

Why per request and not per process: the bot runs as several gunicorn workers, and an admin's
change to the stages or settings is made in one of them. A per-process cache would go stale
in the others: with a time to live, wrong labels and stuck figures until it expires; with a
version to check, a read on every request anyway, plus a column for it (a migration).
Remembering for one request needs neither: each request starts from the database, so every
worker's next request sees the change, and within a request the facts are those of its
first read, as if it had read them all at once.

Only reading sessions use what the request remembered. A write transaction reads its own,
current rows, once (it decides under its lock, and may roll back); if it commits without
having changed them, they become the request's, as the newest there are: the reply after a
`/deal move` reads nothing again. A flush that changes a stage or a workspace drops what was
remembered, by the request and by the transaction, so a request that changes them shows
the new ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import chain
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from assistant.storage.database import READING
from assistant.storage.models import Stage, Workspace

T = TypeVar("T")

# One dict per request; a context variable, so each thread serving a request has its own and
# follow-up jobs on the pool (which start from an empty context) read afresh.
_memo: ContextVar[dict | None] = ContextVar("request_memo", default=None)
# Keys in a writing session's `info`: what its transaction read, and whether it changed any.
_OWN, _CHANGED = "memo", "memo_changed"


@contextmanager
def one_read_per_request() -> Iterator[None]:
    if _memo.get() is not None:  # nested (a follow-up run inline): the request's own facts
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(session: Session, key: tuple, load: Callable[[], T]) -> T:
    """`load()` once per request in reading sessions, once per transaction in writing ones;
    every time in reading sessions outside a request (scripts, the digest scheduler)."""
    memo = _memo.get() if session.info.get(READING) else session.info.setdefault(_OWN, {})
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


@event.listens_for(Session, "after_flush")
def _forget_changed(session: Session, _flush_context) -> None:
    touched = chain(session.new, session.dirty, session.deleted)
    if any(isinstance(row, Stage | Workspace) for row in touched):
        session.info[_CHANGED] = True
        session.info.pop(_OWN, None)
        if memo := _memo.get():
            memo.clear()


@event.listens_for(Session, "after_commit")
def _share_committed(session: Session) -> None:
    memo, own = _memo.get(), session.info.pop(_OWN, None)
    changed = session.info.pop(_CHANGED, False)
    if memo is not None and own and not changed:
        memo.update(own)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_OWN, None)
    session.info.pop(_CHANGED, None)
