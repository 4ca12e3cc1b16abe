"""The kept deal histories (analytics/histories.py) on both databases: after every kind of
change the kept timeline equals one read afresh, only new rows are read, a row committed
below the last id kept (a late commit on PostgreSQL) is not missed, and the store stays
within its size."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import event, func, select

from assistant.analytics.histories import Histories
from assistant.analytics.outlook import load_timeline
from assistant.services import deals
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from assistant.services.workspaces import workspace_for_reading
from assistant.storage.models import Change


def _workspace_id(services, actor: Actor) -> int:
    with services.db.reading() as session:
        return workspace_for_reading(services, session, actor.team_id).id


def _kept_and_fresh(services, histories: Histories, workspace_id: int):
    with services.db.reading() as session:
        kept = load_timeline(session, workspace_id, kept=histories)
        fresh = load_timeline(session, workspace_id)
    return kept, fresh


def assert_same(kept, fresh) -> None:
    assert kept.origin == fresh.origin and kept.stage_keys == fresh.stage_keys
    assert np.array_equal(kept.deal_ids, fresh.deal_ids)
    assert np.array_equal(kept.created, fresh.created)
    for name in ("stage", "status", "amount", "close_date"):
        ours, theirs = getattr(kept, name), getattr(fresh, name)
        for column in ("deal", "sec", "value"):
            assert np.array_equal(getattr(ours, column), getattr(theirs, column),
                                  equal_nan=True), (name, column)  # fmt: skip
    for column in ("deal", "stage", "sec", "close_sec", "won", "left_sec"):
        assert np.array_equal(getattr(kept.entries, column), getattr(fresh.entries, column))


def _new(services, rep, name: str, amount: str = "1000", stage: str = "prospecting") -> str:
    made = deals.create_deal(services, rep, NewDeal(name=name, amount=Decimal(amount),
                                                    stage=stage))  # fmt: skip
    return f"#{made.number}"


def test_kept_history_equals_a_fresh_read_after_every_kind_of_change(services, clock, rep):
    histories = Histories()
    first = _new(services, rep, "Acme")
    workspace_id = _workspace_id(services, rep)
    assert_same(*_kept_and_fresh(services, histories, workspace_id))
    assert histories.last_read == "full"
    assert_same(*_kept_and_fresh(services, histories, workspace_id))
    assert histories.last_read == "reused"  # nothing new: no rows read, the same timeline

    steps = [
        lambda: _new(services, rep, "Globex", "5000", "proposal"),
        lambda: deals.move_deal(services, rep, first, "assessment"),
        lambda: deals.win_deal(services, rep, first),
        lambda: deals.lose_deal(services, rep, "#2"),
        lambda: deals.reopen_deal(services, rep, "#2"),
        lambda: deals.edit_deal(services, rep, "#2", amount=Decimal("7500.50")),
        lambda: deals.edit_deal(services, rep, "#2", close_date=clock.now.date()),
    ]
    for step in steps:
        clock.advance(days=3)
        step()
        assert_same(*_kept_and_fresh(services, histories, workspace_id))
        assert histories.last_read == "topped_up"


def _add_row(services, workspace_id: int, row_id: int, deal_id: int, when, stage: str) -> None:
    # A stage row with a chosen id: how a transaction that took its id early and committed
    # late looks to a reader (the write path cannot be paused between the two on purpose).
    with services.db.transaction() as session:
        session.add(
            Change(
                id=row_id,
                workspace_id=workspace_id,
                entity="deal",
                entity_id=deal_id,
                action="move",
                field="stage_key",
                old_value=None,
                new_value=stage,
                actor_id="UREP",
                at=when,
            )  # fmt: skip
        )


def test_a_row_committed_below_the_last_kept_id_is_read_again(services, clock, rep):
    histories = Histories()
    _new(services, rep, "Acme")
    workspace_id = _workspace_id(services, rep)
    with services.db.reading() as session:
        top = session.scalar(select(func.max(Change.id)))
        deal_id = session.scalar(select(Change.entity_id).where(Change.entity == "deal"))
    later = clock.now + timedelta(days=1)
    _add_row(services, workspace_id, top + 100, deal_id, later, "assessment")
    assert_same(*_kept_and_fresh(services, histories, workspace_id))
    _add_row(services, workspace_id, top + 50, deal_id, later + timedelta(days=1), "proposal")
    kept, fresh = _kept_and_fresh(services, histories, workspace_id)
    assert histories.last_read == "full"  # the count gave it away: all read again
    assert_same(kept, fresh)
    written = ("prospecting", "proposal", "assessment")  # in the order of their times
    assert kept.stage.value.tolist() == [kept.stage_keys.index(k) for k in written]


def test_a_deal_written_while_topping_up_is_read_next_time_not_all_again(services, rep):
    histories = Histories()
    _new(services, rep, "Acme")
    workspace_id = _workspace_id(services, rep)
    _kept_and_fresh(services, histories, workspace_id)
    _new(services, rep, "Globex")
    written = []

    def between_read_and_count(_conn, _cursor, statement, *_args) -> None:
        # Another request saves a deal after the new rows were read, before their count.
        if "count(" in statement.lower() and not written:
            written.append(_new(services, rep, "Initech"))

    engine = services.db.read_engine
    event.listen(engine, "before_cursor_execute", between_read_and_count)
    try:
        with services.db.reading() as session:
            kept = load_timeline(session, workspace_id, kept=histories)
    finally:
        event.remove(engine, "before_cursor_execute", between_read_and_count)
    assert written and histories.last_read == "topped_up"  # not read all again
    assert kept.deal_count == 2  # Initech came after what was read
    kept, fresh = _kept_and_fresh(services, histories, workspace_id)
    assert histories.last_read == "topped_up" and kept.deal_count == 3
    assert_same(kept, fresh)


def test_an_older_session_gets_the_kept_rows_it_can_see(services, clock, rep):
    histories = Histories()
    _new(services, rep, "Acme")
    workspace_id = _workspace_id(services, rep)
    with services.db.reading() as older:
        # The read began before the next deal was made (on SQLite its snapshot holds; on
        # PostgreSQL each statement sees what is committed by then).
        before = load_timeline(older, workspace_id)
        _new(services, rep, "Globex")
        _kept_and_fresh(services, histories, workspace_id)  # the store now has both deals
        seen = load_timeline(older, workspace_id, kept=histories)
        assert_same(seen, load_timeline(older, workspace_id))
        assert seen.deal_count in (before.deal_count, before.deal_count + 1)


def test_the_store_keeps_at_most_its_rows_least_recently_used_first(services, rep, other_rep):
    _new(services, rep, "Acme")
    elsewhere = Actor("T_OTHER", other_rep.user_id)
    _new(services, elsewhere, "Initech")
    ours, theirs = _workspace_id(services, rep), _workspace_id(services, elsewhere)
    histories = Histories(max_rows=1)  # fewer than one workspace's rows: only the last kept
    assert_same(*_kept_and_fresh(services, histories, ours))
    assert_same(*_kept_and_fresh(services, histories, theirs))
    assert_same(*_kept_and_fresh(services, histories, ours))
    assert histories.last_read == "full"  # it had been dropped for the other workspace


def test_a_history_is_quick_when_kept_or_short(services, rep):
    _new(services, rep, "Acme")
    workspace_id = _workspace_id(services, rep)
    histories = Histories(quick_rows=0)
    with services.db.reading() as session:
        assert not histories.quick(session, workspace_id)
        load_timeline(session, workspace_id, kept=histories)
        assert histories.quick(session, workspace_id)
        assert Histories().quick(session, workspace_id)  # a few rows: read before answering
