"""The SQL pieces the figures share, checked against the same arithmetic in Python."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from assistant.analytics._sql import epoch_micros, epoch_seconds, whole_micros, whole_seconds
from assistant.analytics.stuck import days_between, days_of
from assistant.storage.models import Change, Workspace

INSTANTS = [
    datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    datetime(2026, 3, 2, 9, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 3, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
]


def _insert_changes(session, instants) -> None:
    workspace = Workspace(team_id="T_SQL", created_at=instants[0])
    session.add(workspace)
    session.flush()
    for number, at in enumerate(instants, start=1):
        session.add(
            Change(
                workspace_id=workspace.id,
                entity="deal",
                entity_id=number,
                action="x",
                field="f",
                at=at,
            )
        )
    session.flush()


def test_epoch_micros_is_exact_and_durations_match_python(db):
    with db.transaction() as session:
        _insert_changes(session, INSTANTS)
        got = session.execute(
            select(Change.at, epoch_micros(Change.at)).order_by(Change.entity_id)
        ).all()
        assert [micros for _, micros in got] == [whole_micros(at) for at in INSTANTS]
        # Whole seconds are floored on both databases, even a hair before the next second.
        seconds = session.scalars(select(epoch_seconds(Change.at)).order_by(Change.entity_id))
        assert list(seconds) == [whole_seconds(at) for at in INSTANTS]
        # Durations from SQL integers give exactly the floats `days_between` gives.
        first = whole_micros(INSTANTS[0])
        assert [days_of(micros - first) for _, micros in got] == [
            days_between(INSTANTS[0], at) for at in INSTANTS
        ]


def test_epoch_micros_reads_sqlite_text_without_a_fraction(db, backend):
    if backend != "sqlite":
        return
    with db.transaction() as session:
        _insert_changes(session, INSTANTS[:1])
        # A hand-written row may lack SQLAlchemy's ".000000": it is the same instant.
        session.execute(text("UPDATE changes SET at = '2026-03-02 09:00:00'"))
        assert session.scalar(select(epoch_micros(Change.at))) == whole_micros(INSTANTS[0])
