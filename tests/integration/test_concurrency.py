"""Two people changing one deal at once never lose an update, on either database.

Eight workers, each with its own connection pool (as separate web workers would have),
move and edit the same deal 50 times. Afterwards the history must replay exactly: every
change's old value is the value the previous change left, and the replay ends at the row's
final state. A lost update would show as two changes made from the same old value.
"""

from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import select

from assistant.domain.errors import InvalidTransition
from assistant.domain.stages import DEFAULT_PIPELINE
from assistant.records.deals import TRACKED as TRACKED_FIELDS
from assistant.records.history import as_text
from assistant.services import deals
from assistant.services.context import Actor, Services
from assistant.services.deals import NewDeal
from assistant.storage.database import Database
from assistant.storage.models import Change, Deal

WORKERS = 8
ROUNDS = 50
STAGES = [s.key for s in DEFAULT_PIPELINE]


def _worker(url: str, index: int, clock, applied: list[int], errors: list[BaseException]):
    database = Database(url)
    services = Services(db=database, clock=clock, admins=frozenset({"UADMIN"}))
    actor = Actor("T_TEST", "UADMIN")
    try:
        for round_ in range(ROUNDS):
            try:
                deals.move_deal(services, actor, "#1", STAGES[(index + round_) % len(STAGES)])
                applied.append(1)
            except InvalidTransition:  # already in that stage: a legitimate no-op
                pass
            deals.edit_deal(services, actor, "#1", amount=Decimal(index * 1000 + round_))
            applied.append(1)
    except BaseException as err:  # surfaced by the test below
        errors.append(err)
    finally:
        database.dispose()


def test_concurrent_moves_and_edits_lose_nothing(services, admin, database_url):
    deals.create_deal(services, admin, NewDeal(name="Contested", amount=Decimal(1)))
    applied: list[int] = []
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_worker, args=(database_url, i, services.clock, applied, errors))
        for i in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert len(applied) >= WORKERS * ROUNDS  # every edit, plus the moves that changed stage

    with services.db.reading() as session:
        deal = session.scalar(select(Deal))
        history = session.execute(
            select(Change.action, Change.field, Change.old_value, Change.new_value)
            .where(Change.entity == "deal", Change.entity_id == deal.id)
            .order_by(Change.id)
        ).all()
        final = {f: getattr(deal, f) for f in TRACKED_FIELDS}
        version = deal.version

    replayed: dict[str, str | None] = {f: None for f in TRACKED_FIELDS}
    for _action, field, old, new in history:
        assert replayed[field] == old, f"lost update on {field}: {old} != {replayed[field]}"
        replayed[field] = new
    assert replayed == {f: as_text(v) for f, v in final.items()}
    # One version bump per applied change (moves and edits), after the creation's 1.
    assert version == 1 + len(applied)


def test_history_times_follow_history_order_under_concurrent_moves(admin, database_url):
    """With a real clock, of two moves racing for one deal the one applied second is also
    the later in time: rows ordered by id are ordered by time, so no stay is negative."""
    services = Services(db=Database(database_url), admins=frozenset({"UADMIN"}))
    try:
        deals.create_deal(services, admin, NewDeal(name="Raced"))
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=_worker, args=(database_url, i, services.clock, [], errors))
            for i in range(WORKERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert errors == []
        with services.db.reading() as session:
            times = list(
                session.scalars(
                    select(Change.at).where(Change.entity == "deal").order_by(Change.id)
                )
            )
        assert len(times) > WORKERS * ROUNDS
        assert times == sorted(times)
    finally:
        services.db.dispose()


def test_people_learned_at_once_by_many_requests_keep_one_row(services):
    """users.info answers for one user arrive in parallel requests (App Home, a command, a
    question): each is stored, none fails on the unique key, one row remains."""
    from assistant.services.people import SlackProfile, remember

    errors: list[BaseException] = []
    barrier = threading.Barrier(WORKERS)

    def learn(index: int) -> None:
        own = Services(db=Database(services.db.url), clock=services.clock, admins=frozenset())
        try:
            for round_ in range(10):
                barrier.wait(timeout=30)  # all at once, each round a user nobody has stored yet
                remember(own, "T_TEST", [SlackProfile(f"UREP{round_}", f"Rep {index}")])
        except BaseException as error:  # noqa: BLE001 - any failure is the finding
            errors.append(error)
        finally:
            own.db.dispose()

    remember(services, "T_TEST", [SlackProfile("UADMIN", "Admin")])  # the workspace exists
    threads = [threading.Thread(target=learn, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with services.db.reading() as session:
        from assistant.storage.models import Person

        users = session.scalars(select(Person.slack_user_id).where(Person.name != "Admin")).all()
    assert sorted(users) == sorted(f"UREP{round_}" for round_ in range(10))
