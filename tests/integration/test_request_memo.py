"""One read of the workspace and its stages per request (services/request_memo.py), and never
a stale one: not after a change in the same request, nor in another process's next request,
nor inside a write transaction."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from assistant.domain.errors import InvalidTransition, UnknownStage
from assistant.services import deals, queries, settings
from assistant.services.context import Services
from assistant.services.deals import NewDeal
from assistant.services.request_memo import one_read_per_request
from assistant.storage.database import Database

PIPELINE_WITHOUT_ASSESSMENT = [
    "Lead generation",
    "Qualification",
    "Solution development",
    "Proposal / price negotiation",
    "Closing",
]


@contextmanager
def statements(db: Database):
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        seen.append(" ".join(statement.split()))

    engines = {id(e): e for e in (db.read_engine, db.write_engine)}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


def reads_of(seen: list[str], table: str) -> int:
    return sum(s.startswith("SELECT") and f" FROM {table} " in f"{s} " for s in seen)


def every_read(services, actor) -> None:
    settings.get_settings(services, actor)
    settings.list_pipeline(services, actor)
    queries.deal_card(services, actor, "#1")
    queries.list_deals(services, actor, queries.DealFilter(stuck_only=True))
    settings.get_settings(services, actor)


def test_a_request_reads_the_workspace_and_stages_once(services, rep):
    deals.create_deal(services, rep, NewDeal(name="Acme"))
    with statements(services.db) as seen:
        every_read(services, rep)
    # Outside a request (scripts, the digest scheduler) every service reads its own, as before.
    assert (reads_of(seen, "workspaces"), reads_of(seen, "stages")) == (5, 5)
    with statements(services.db) as seen, one_read_per_request():
        every_read(services, rep)
    assert (reads_of(seen, "workspaces"), reads_of(seen, "stages")) == (1, 1)


def test_a_committed_deal_change_hands_its_reads_to_the_request(services, rep):
    """The reply to `/deal move` (labels, currency) needs no read of its own; a transaction
    that failed hands nothing on."""
    deals.create_deal(services, rep, NewDeal(name="Acme"))
    with statements(services.db) as seen, one_read_per_request():
        deals.move_deal(services, rep, "#1", "next")
        settings.get_settings(services, rep)
        settings.list_pipeline(services, rep)
    assert (reads_of(seen, "workspaces"), reads_of(seen, "stages")) == (1, 1)
    with statements(services.db) as seen, one_read_per_request():
        with pytest.raises(InvalidTransition):
            deals.move_deal(services, rep, "#1", "qualification")  # already there
        assert settings.list_pipeline(services, rep)[1].key == "qualification"
    assert (reads_of(seen, "workspaces"), reads_of(seen, "stages")) == (2, 2)


def test_a_change_in_the_request_is_what_it_then_shows(services, admin):
    with one_read_per_request():
        assert settings.get_settings(services, admin).currency == "USD"
        assert "assessment" in [s.key for s in settings.list_pipeline(services, admin)]
        settings.update_settings(services, admin, currency="EUR")
        settings.set_pipeline(services, admin, PIPELINE_WITHOUT_ASSESSMENT)
        assert settings.get_settings(services, admin).currency == "EUR"
        assert "assessment" not in [s.key for s in settings.list_pipeline(services, admin)]
        settings.configure_stage(services, admin, "closing", label="Signing")
        assert settings.list_pipeline(services, admin)[-1].label == "Signing"


@pytest.fixture
def other_process(database_url, clock):
    """The same database through another engine, as another gunicorn worker has it."""
    db = Database(database_url)
    yield Services(db=db, clock=clock, admins=frozenset({"UADMIN"}))
    db.dispose()


def test_another_process_change_shows_in_the_next_request(services, other_process, rep, admin):
    with one_read_per_request():
        assert settings.get_settings(services, rep).currency == "USD"
    settings.update_settings(other_process, admin, currency="GBP")
    settings.configure_stage(other_process, admin, "closing", label="Signing")
    with one_read_per_request():
        assert settings.get_settings(services, rep).currency == "GBP"
        assert settings.list_pipeline(services, rep)[-1].label == "Signing"


def test_a_write_decides_on_the_stages_as_they_are_now(services, other_process, rep, admin):
    """A stage removed by another process since this request first read the stages can't be
    moved into: the move reads the stages again, in its own transaction."""
    deals.create_deal(services, rep, NewDeal(name="Acme"))
    with one_read_per_request():
        assert "assessment" in [s.key for s in settings.list_pipeline(services, rep)]
        settings.set_pipeline(other_process, admin, PIPELINE_WITHOUT_ASSESSMENT)
        with pytest.raises(UnknownStage):
            deals.move_deal(services, rep, "#1", "assessment")
    assert "assessment" not in [s.key for s in settings.list_pipeline(services, rep)]
