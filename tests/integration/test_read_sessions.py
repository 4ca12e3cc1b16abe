"""Read sessions on both databases. Stages and terms are read once per transaction
(storage/kept.py): a command reads them with its workspace and not again, a transaction that
changes them reads its own change, and nothing kept outlives its transaction, so another
session's change is seen by the next command. A read session refuses to write; a snapshot
(exports) sees one state throughout."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select, text, update

from assistant.analytics.stages import pipeline_stages, workspace_facts
from assistant.domain.roles import Role
from assistant.services import deals, people, settings
from assistant.services.deals import NewDeal
from assistant.services.roles import role_in
from assistant.services.workspaces import ensure_workspace, workspace_for_reading
from assistant.storage.database import WriteInReadSession
from assistant.storage.models import Deal, Stage, User, Workspace
from assistant.storage.prebuilt import run


@contextmanager
def statements(db):
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()))

    engines = {id(e): e for e in (db.write_engine, db.read_engine)}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


def _stage_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if "FROM stages" in s and "FROM workspaces" not in s]


def _terms_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith("SELECT workspaces.currency")]


def test_a_read_session_reads_stages_and_terms_with_its_workspace_only(services, rep):
    with services.db.reading() as session:
        workspace_for_reading(services, session, rep.team_id)  # creates it the first time
    with statements(services.db) as seen, services.db.reading() as session:
        workspace = workspace_for_reading(services, session, rep.team_id)
        facts = workspace_facts(session, workspace.id)
        again = pipeline_stages(session, workspace.id)
    assert [s.key for s in facts.pipeline.active] == [s.key for s in again.active]
    assert facts.currency == "USD" and len(again.active) >= 2
    assert _stage_reads(seen) == [] and _terms_reads(seen) == []
    assert len([s for s in seen if "FROM workspaces" in s]) == 1


def test_a_change_committed_elsewhere_is_seen_by_the_next_session(services, rep):
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, rep.team_id)
        before = pipeline_stages(session, workspace.id)
        first = before.active[0]
        with services.db.transaction() as other:
            other.execute(
                update(Stage)
                .where(Stage.workspace_id == workspace.id, Stage.key == first.key)
                .values(label="Renamed elsewhere")
            )
            other.execute(
                update(Workspace).where(Workspace.id == workspace.id).values(currency="EUR")
            )
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, rep.team_id)
        facts = workspace_facts(session, workspace.id)
    assert facts.pipeline.label(first.key) == "Renamed elsewhere"
    assert facts.currency == "EUR"


def test_a_transaction_reads_its_own_change_to_the_stages(services, rep):
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, rep.team_id, services.now(), "UTC")
        kept = pipeline_stages(session, workspace.id)
        first = kept.active[0]
        row = session.scalars(
            Stage.__table__.select()
            .where(Stage.workspace_id == workspace.id, Stage.key == first.key)
            .with_only_columns(Stage.id)
        ).one()
        session.get(Stage, row).probability = Decimal("0.33")  # an ORM change, flushed
        assert pipeline_stages(session, workspace.id).get(first.key).probability == Decimal("0.33")
        session.execute(  # a statement run through the session
            update(Stage).where(Stage.id == row).values(label="Renamed here")
        )
        assert pipeline_stages(session, workspace.id).label(first.key) == "Renamed here"
        # a statement run on the session's connection (storage/prebuilt.py)
        run(session, update(Stage).where(Stage.id == row).values(target_days=99))
        assert pipeline_stages(session, workspace.id).get(first.key).target_days == 99
        session.execute(
            update(Workspace).where(Workspace.id == workspace.id).values(currency="GBP")
        )
        assert workspace_facts(session, workspace.id).currency == "GBP"


def test_replacing_the_pipeline_answers_with_the_new_stages(services, admin):
    stages = settings.set_pipeline(services, admin, ["Discovery", "Demo", "Contract"])
    assert [s.label for s in stages] == ["Discovery", "Demo", "Contract"]
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, admin.team_id)
        assert [s.label for s in pipeline_stages(session, workspace.id).active] == [
            "Discovery",
            "Demo",
            "Contract",
        ]


def test_names_are_read_by_team_and_refreshed_after_a_day(services, clock, rep):
    """The people reads join the workspace by its team id instead of looking it up first."""
    other_team = "T0OTHERTEAM"
    people.remember(services, rep.team_id, [people.SlackProfile("U0ANNA", "Anna")])
    people.remember(services, other_team, [people.SlackProfile("U0ANNA", "Anna elsewhere")])
    wanted = ["U0ANNA", "U0NEVERMET", "Imported Owner"]

    def known(ids, team=rep.team_id):
        return people.known_names_of(services, team, ids)

    assert known(wanted).names == {"U0ANNA": "Anna"}  # an owner imported by name is no user
    assert known(wanted).missing == ["U0NEVERMET"]
    assert known(["U0ANNA"], "T0NOTINSTALLED").names == {}
    clock.advance(hours=23)
    assert known(["U0ANNA", "U0NEVERMET"]).stale == ["U0NEVERMET"]
    clock.advance(hours=2)
    assert known(["U0ANNA"]).stale == ["U0ANNA"]
    people.remember(services, rep.team_id, [people.SlackProfile("U0ANNA", "Anna B.")])
    assert known(["U0ANNA"]).stale == []
    assert known(["U0ANNA"], other_team).names == {"U0ANNA": "Anna elsewhere"}


def test_names_and_whose_to_refresh_are_one_statement(services, clock, rep):
    """A list reads its owners' names and which of them to ask Slack for again together, so
    nothing is read again after its reply; owners imported by name cost no statement."""
    people.remember(services, rep.team_id, [people.SlackProfile("U0ANNA", "Anna")])
    clock.advance(hours=25)
    people.remember(services, rep.team_id, [people.SlackProfile("U0BEN", "Ben")])
    with statements(services.db) as seen:
        known = people.known_names_of(services, rep.team_id, ["U0ANNA", "U0BEN", "U0NEW", "Ana"])
    assert [s for s in seen if s.startswith("SELECT")] == [seen[-1]]  # SQLite's BEGIN aside
    assert known.names == {"U0ANNA": "Anna", "U0BEN": "Ben"}
    assert known.stale == ["U0ANNA", "U0NEW"] and known.missing == ["U0NEW"]
    with statements(services.db) as seen:
        assert people.known_names_of(services, rep.team_id, ["Imported Owner", None]).names == {}
    assert seen == []


def test_a_read_session_refuses_to_change_anything(services, rep):
    """Reads on PostgreSQL commit statement by statement (no BEGIN/ROLLBACK round trips), so
    a change made in one by mistake would stay: it is refused on both databases."""
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, rep.team_id)
    for change in (
        lambda s: s.execute(update(Workspace).values(currency="JPY")),
        lambda s: run(s, update(Workspace).values(currency="JPY")),
        lambda s: s.execute(text("UPDATE workspaces SET currency = 'JPY'")),
        lambda s: (setattr(s.get(Workspace, workspace.id), "currency", "JPY"), s.flush()),
    ):
        with pytest.raises(WriteInReadSession), services.db.reading() as session:
            change(session)
    with services.db.reading() as session:
        assert workspace_facts(session, workspace.id).currency == "USD"


def test_a_snapshot_sees_one_state_and_a_read_session_sees_each_commit(services, rep):
    """`snapshot()` (exports) reads one state throughout; `reading()` statements each see
    what was committed before them, as READ COMMITTED transactions did (PostgreSQL)."""
    deals.create_deal(services, rep, NewDeal(name="First"))

    def count(session) -> int:
        return session.scalar(select(func.count()).select_from(Deal))

    with services.db.snapshot() as snapshot, services.db.reading() as reading:
        assert count(snapshot) == count(reading) == 1
        deals.create_deal(services, rep, NewDeal(name="Second"))
        assert count(snapshot) == 1
        assert count(reading) == (1 if services.db.is_sqlite else 2)


def test_the_role_read_with_the_workspace_follows_a_change_in_the_same_transaction(services, rep):
    """A change's transaction reads who asks's role with the workspace, not on its own."""
    with services.db.transaction() as session:  # made here; read with the role from now on
        ensure_workspace(session, rep.team_id, services.now(), "UTC")
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, rep.team_id, services.now(), "UTC", rep.user_id)
        with statements(services.db) as seen:
            assert role_in(session, services, workspace, rep) == Role.REP
        assert not [s for s in seen if "FROM users" in s]
        now = services.now()
        session.add(
            User(
                workspace_id=workspace.id,
                slack_user_id=rep.user_id,
                role="marketer",
                updated_at=now,
            )
        )
        assert role_in(session, services, workspace, rep) == Role.MARKETER
        user = session.scalars(select(User).where(User.slack_user_id == rep.user_id)).one()
        user.role = "manager"
        assert role_in(session, services, workspace, rep) == Role.MANAGER
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, rep.team_id, services.now(), "UTC", rep.user_id)
        assert role_in(session, services, workspace, rep) == Role.MANAGER
