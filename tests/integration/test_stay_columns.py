"""The stays read from the history rows that end them (`changes.stay_stage`/`stay_began_at`,
issue 20) are the ones the replay of the previous rows found, for every way a deal's history
is written: the services (moves, back-moves, closes, reopens), an import and its re-import,
generated data, the demo's seed; and migration 0012's backfill gives a database made before
it the same columns as writing them live did.

`replayed_select` is the read `analytics.stays` made before the columns, kept as the oracle.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from alembic import command
from sqlalchemy import and_, case, func, not_, or_, select
from sqlalchemy.orm import aliased

from assistant.analytics.stays import stay_ends
from assistant.demo.sample import TEAM_ID as DEMO_TEAM
from assistant.demo.seed import seed_demo
from assistant.services import deals
from assistant.services.context import Actor, Services
from assistant.services.deals import NewDeal
from assistant.storage.database import Database
from assistant.storage.migrate import alembic_config, upgrade
from assistant.storage.models import Change, Workspace
from assistant.transfer.cli import main
from testkit.generate import generate
from testkit.workspace_plan import TEAM_ID, Spec

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
CLOSED = ("won", "lost")


def replayed_select(workspace_id, start, end):
    """Each stay that ended in [start, end), replayed from the deal's rows before its end."""
    ended = aliased(Change, name="ended")
    earlier = aliased(Change, name="earlier")
    entry = aliased(Change, name="entry")
    stage_row = aliased(Change, name="stage_row")

    def same_deal(other):
        return and_(
            other.workspace_id == ended.workspace_id,
            other.entity == "deal",
            other.entity_id == ended.entity_id,
            other.id < ended.id,
        )

    entry_id = (
        select(func.max(earlier.id))
        .where(same_deal(earlier), earlier.field.in_(("stage_key", "status")))
        .correlate(ended)
        .scalar_subquery()
    )
    closed_from = (
        select(stage_row.new_value)
        .where(same_deal(stage_row), stage_row.field == "stage_key")
        .order_by(stage_row.id.desc())
        .limit(1)
        .correlate(ended)
        .scalar_subquery()
    )
    was_closed = and_(entry.field == "status", entry.new_value.in_(CLOSED))
    moved = and_(ended.field == "stage_key", ended.old_value.is_not(None), not_(was_closed))
    closed = and_(ended.field == "status", ended.old_value == "open", ended.new_value.in_(CLOSED))
    is_move = ended.field == "stage_key"
    return (
        select(
            ended.entity_id.label("deal_id"),
            case((is_move, ended.old_value), else_=closed_from).label("stage_key"),
            case((is_move, ended.new_value)).label("to_stage"),
            case((ended.field == "status", ended.new_value)).label("outcome"),
            entry.at.label("entered_at"),
            ended.at.label("left_at"),
        )
        .join(entry, entry.id == entry_id)
        .where(
            ended.workspace_id == workspace_id,
            ended.entity == "deal",
            ended.field.in_(("stage_key", "status")),
            ended.at >= start,
            ended.at < end,
            or_(moved, closed),
        )
    )


def read_and_replayed(db, team: str, period=EVER) -> tuple[list, list]:
    with db.reading() as session:
        ws = session.scalar(select(Workspace.id).where(Workspace.team_id == team))
        ends, params = stay_ends(ws, *period)
        read = sorted((tuple(r) for r in session.execute(select(ends), params)), key=repr)
        replayed = sorted(
            (tuple(r) for r in session.execute(replayed_select(ws, *period))), key=repr
        )
    return read, replayed


def _day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def _story(services, clock, rep) -> None:
    """Moves forward and back, a skip, closes from several stages, reopens into the same
    stage and another, a second close after a reopen."""
    clock.set(T0)
    for name, amount in (("One", "1000"), ("Two", "2000"), ("Three", "4000")):
        deals.create_deal(services, rep, NewDeal(name=name, amount=Decimal(amount)))
    steps = [
        (deals.move_deal, "#1", "qualification"),
        (deals.move_deal, "#1", "prospecting"),
        (deals.move_deal, "#1", "qualification"),
        (deals.lose_deal, "#2", None),
        (deals.reopen_deal, "#2", None),
        (deals.move_deal, "#2", "assessment"),
        (deals.win_deal, "#3", None),
        (deals.lose_deal, "#1", None),
        (deals.reopen_deal, "#3", "proposal"),
        (deals.move_deal, "#3", "solution"),
        (deals.win_deal, "#2", None),
        (deals.reopen_deal, "#1", "qualification"),
        (deals.move_deal, "#1", "closing"),
        (deals.win_deal, "#1", None),
    ]
    for when, (action, ref, arg) in enumerate(steps, start=1):
        clock.set(_day(when))
        action(services, rep, ref, arg) if arg else action(services, rep, ref)


def test_stays_of_the_services_writes(services, db, clock, rep):
    _story(services, clock, rep)
    read, replayed = read_and_replayed(db, rep.team_id)
    assert read == replayed
    assert len(read) == 11  # 7 moves of open deals and 4 closes
    # and within a period too (the digest asks for windows)
    read, replayed = read_and_replayed(db, rep.team_id, (_day(4), _day(11)))
    assert read == replayed and 0 < len(read) < 11


def _import(database_url, clock, tmp_path: Path, rows: list[list[str]], name: str) -> None:
    path = tmp_path / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["import", "deals", str(path), "--team", "T_IMP"],
        database_url, stdout=out, stderr=err, clock=clock,
    )  # fmt: skip
    assert code == 0, err.getvalue()


HEADER = ["external_id", "name", "status", "stage", "created_at", "stage_entered_at",
          "closed_at", "amount"]  # fmt: skip


def test_stays_of_an_import_and_its_reimport(db, database_url, clock, tmp_path):
    def at(n: float) -> str:
        return _day(n).isoformat()

    clock.set(_day(30))
    first = [
        HEADER,
        ["A", "Alpha", "open", "proposal", at(0), at(3), "", "100"],
        ["B", "Beta", "won", "solution", at(0), at(2), at(5), "200"],
        ["C", "Gamma", "lost", "qualification", at(1), at(2), at(4), "300"],
        ["D", "Delta", "open", "prospecting", at(2), "", "", "400"],
    ]
    _import(database_url, clock, tmp_path, first, "first")
    clock.set(_day(40))
    again = [  # A moves on, B is reopened, C is won, D is lost
        HEADER,
        ["A", "Alpha", "open", "closing", at(0), at(35), "", "100"],
        ["B", "Beta", "open", "proposal", at(0), at(36), "", "200"],
        ["C", "Gamma", "won", "qualification", at(1), at(2), at(37), "300"],
        ["D", "Delta", "lost", "prospecting", at(2), "", at(38), "400"],
    ]
    _import(database_url, clock, tmp_path, again, "again")
    read, replayed = read_and_replayed(db, "T_IMP")
    assert read == replayed
    assert {r[3] for r in read} == {"won", "lost", None} and len(read) >= 6


def test_stays_of_generated_data(database_url, db):
    generate(Spec(60, 300), [database_url])
    read, replayed = read_and_replayed(db, TEAM_ID)
    assert read == replayed
    outcomes = {r[3] for r in read}
    assert outcomes == {"won", "lost", None} and len(read) > 60


def test_stays_of_the_demo_seed(db):
    seed_demo(db, scale=0.05, now=T0)
    read, replayed = read_and_replayed(db, DEMO_TEAM)
    assert read == replayed
    assert {r[3] for r in read} >= {"won", "lost", None}


# -- the backfill ------------------------------------------------------------------------


def _columns(db) -> list[tuple]:
    with db.reading() as session:
        return session.execute(
            select(Change.id, Change.stay_stage, Change.stay_began_at).order_by(Change.id)
        ).all()


def test_the_backfill_gives_what_writing_live_gave(fresh_url, clock, tmp_path):
    db = Database(fresh_url)
    try:
        upgrade(db)
        generate(Spec(60, 300), [fresh_url])
        _story(Services(db=db, clock=clock, admins=frozenset()), clock, Actor("T_LIVE", "UREP"))
        live = _columns(db)
        assert sum(1 for _, stage, began in live if began is not None) > 60
        command.downgrade(alembic_config(db.url), "0011")  # the columns are gone
        with db.reading() as session:
            names = {c["name"] for c in session.connection().dialect.get_columns(
                session.connection(), "changes")}  # fmt: skip
        assert "stay_began_at" not in names
        upgrade(db)
        assert _columns(db) == live
        for team in (TEAM_ID, "T_LIVE"):
            read, replayed = read_and_replayed(db, team)
            assert read == replayed and read
    finally:
        db.dispose()
