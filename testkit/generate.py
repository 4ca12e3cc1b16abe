"""Write a generated workspace through the product's own write path, in its batch form.

The workspace, its stages and roles are made through the services; its leads and deals go in
through `assistant.records.batch.insert_new`, the function an import writes new records with:
the same rows, history rows and cross-record rules (a deal won from a lead makes that lead
reach `action`), appended with COPY (PostgreSQL) or executemany (SQLite). What the generator
computes itself is only what the plan (`testkit.workspace_plan`) says happened: each record's
final values and the events of its stage and status. Changes no report reads back (notes,
reassigned owners, edited amounts) shape the final values but are not written as history, as
an import of the same records would not. Secondary indexes are dropped during the load and
rebuilt after it; PostgreSQL then gets the `VACUUM ANALYZE` autovacuum would do.

`python -m testkit.generate 10000 100000 sqlite:///big.db` fills a database for poking at.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex

from assistant.domain.roles import Role
from assistant.records import batch
from assistant.records.history import Event
from assistant.services.context import Actor, Services
from assistant.services.roles import set_role
from assistant.storage.bulk import large_cache
from assistant.storage.database import Database
from assistant.storage.models import Change, Deal, Lead, Note, Workspace
from testkit import workspace_plan as P

LOADED = (Deal.__table__, Lead.__table__, Change.__table__, Note.__table__)
CHUNK = 5000
ACTOR = "bench"  # who the generated rows are by, as an import's are by "import"
FUNNEL_POSITION = {key: i for i, key in enumerate(P.FUNNEL)}


def setup_workspace(services: Services) -> int:
    """The workspace with its default stages, a manager and the marketers, via the services."""
    admin = Actor(team_id=P.TEAM_ID, user_id=P.ADMIN)
    set_role(services, admin, P.MANAGER, Role.MANAGER)
    for marketer in P.MARKETERS:
        set_role(services, admin, marketer, Role.MARKETER)
    with services.db.reading() as session:
        return session.scalar(select(Workspace.id).where(Workspace.team_id == P.TEAM_ID))


# -- what the plan says happened -------------------------------------------------------------


@dataclass(slots=True)
class Record:
    """A new record for `records.batch`: final values and stage/status events."""

    values: dict[str, object]
    events: list[Event] = field(default_factory=list)
    key: str | None = None
    lead_ref: str | None = None


def lead_record(lp: P.LeadPlan) -> Record:
    _, created, _creator, f = lp.ops[0]
    stage = f["stage"] or P.FUNNEL[0]
    values: dict[str, object] = {
        **{k: f[k] for k in ("name", "company", "email", "source", "campaign")},
        "owner_id": f["owner_id"],
        "stage_key": stage,
        "furthest_stage_key": stage,
        "status": "open",
        "drop_reason": None,
        "action_at": created if stage == "action" else None,
        "created_at": created,
        "external_id": None,
    }
    rec = Record(values)
    for name in ("stage_key", "furthest_stage_key"):
        rec.events.append(Event(name, stage, created))
    rec.events.append(Event("status", "open", created))

    def advance(key: str, at: datetime) -> None:
        values["stage_key"] = key
        rec.events.append(Event("stage_key", key, at))
        if FUNNEL_POSITION[key] > FUNNEL_POSITION[values["furthest_stage_key"]]:
            values["furthest_stage_key"] = key
            rec.events.append(Event("furthest_stage_key", key, at))
        if key == "action" and values["action_at"] is None:
            values["action_at"] = at

    for kind, at, _actor, *args in lp.ops[1:]:
        if kind == "move":
            advance(args[0], at)
        elif kind == "drop":
            values["status"] = "dropped"
            values["drop_reason"] = (args[0] or "").strip()[:500] or None
            rec.events.append(Event("status", "dropped", at))
        elif kind == "convert":
            if FUNNEL_POSITION[values["stage_key"]] < FUNNEL_POSITION["consideration"]:
                advance("consideration", at)
            values["status"] = "converted"
            rec.events.append(Event("status", "converted", at))
    return rec


def deal_record(dp: P.DealPlan) -> Record:
    _, created, actor, f = dp.ops[0]
    stage = f["stage"] or P.PIPELINE[0]
    values: dict[str, object] = {
        **{k: f[k] for k in ("name", "company", "amount", "close_date", "source", "campaign")},
        "owner_id": f["owner_id"] or actor,
        "stage_key": stage,
        "stage_entered_at": created,
        "status": "open",
        "lost_reason": None,
        "closed_at": None,
        "created_at": created,
    }
    lead_ref = None if dp.lead_index is None else f"L{dp.lead_index + 1}"
    rec = Record(values, [Event("stage_key", stage, created), Event("status", "open", created)])
    rec.lead_ref = lead_ref
    for kind, at, _actor, *args in dp.ops[1:]:
        if kind == "move":
            values.update(stage_key=args[0], stage_entered_at=at)
            rec.events.append(Event("stage_key", args[0], at))
        elif kind in ("won", "lost"):
            values.update(status=kind, closed_at=at, lost_reason=None)
            if kind == "lost":
                values["lost_reason"] = args[0]
            elif args[0] is not None:
                values["amount"] = args[0]
            rec.events.append(Event("status", kind, at))
        elif kind == "reopen":
            values.update(status="open", closed_at=None, lost_reason=None, stage_entered_at=at)
            rec.events.append(Event("status", "open", at))
        elif kind == "assign":
            values["owner_id"] = args[0]
        elif kind == "edit":
            values["amount"] = args[0]
    return rec


# -- writing ----------------------------------------------------------------------------------


@dataclass
class Generated:
    spec: P.Spec | None
    workspace_id: int
    deals: int = 0
    leads: int = 0
    changes: int = 0
    seconds: float = 0.0


def write_plans(
    session: Session,
    ws: int,
    leads: Iterable[P.LeadPlan],
    deals: Iterable[P.DealPlan],
    now: datetime,
    progress=None,
) -> tuple[int, int]:
    """Insert the plans' leads, then their deals (they name the leads), in chunks."""
    counts = [0, 0]
    converted: set[str] = set()
    for chunk in _chunks(leads):
        records = [lead_record(lp) for lp in chunk]
        converted.update(f"L{lp.index + 1}" for lp in chunk if lp.deal is not None)
        counts[0] += batch.insert_new(session, "leads", ws, records, now, actor=ACTOR)
        if progress:
            progress(f"leads {counts[0]:,}")
    lead_ids = {}
    if converted:
        numbers = session.execute(
            select(Lead.number, Lead.id).where(Lead.workspace_id == ws)
        ).tuples()
        lead_ids = {f"L{n}": i for n, i in numbers if f"L{n}" in converted}
    for chunk in _chunks(deals):
        records = [deal_record(dp) for dp in chunk]
        counts[1] += batch.insert_new(
            session, "deals", ws, records, now, lead_ids=lead_ids, actor=ACTOR
        )
        if progress:
            progress(f"deals {counts[1]:,}")
    return counts[0], counts[1]


def _chunks(items: Iterable) -> Iterator[list]:
    items = iter(items)
    while chunk := list(islice(items, CHUNK)):
        yield chunk


def bulk_load(url: str, load, drop_indexes: bool = True) -> None:
    """`load(session)` in one transaction, with the loaded tables' secondary indexes dropped
    during it and rebuilt after (one sort instead of millions of B-tree inserts)."""
    tables = LOADED if drop_indexes else ()
    db = Database(url)
    with db.transaction() as session, large_cache(session):
        if db.dialect == "postgresql":
            session.execute(text("SET LOCAL synchronous_commit TO off"))
        for table in tables:
            for index in table.indexes:
                session.execute(text(f'DROP INDEX IF EXISTS "{index.name}"'))
        load(session)
        for table in tables:
            for index in table.indexes:
                session.execute(CreateIndex(index))
    if db.dialect == "postgresql":
        with db.write_engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
    db.dispose()


def generate(spec: P.Spec, urls: list[str], *, progress=None) -> Generated:
    """Fill each (migrated, empty) database in `urls` with the same generated workspace."""
    started = time.perf_counter()
    made = None
    setup = spec.setup_at
    for url in urls:
        db = Database(url)
        services = Services(db=db, clock=lambda: setup, admins=frozenset({P.ADMIN}))
        ws = setup_workspace(services)
        db.dispose()
        assert made is None or made.workspace_id == ws, "the workspaces got different ids"
        made = Generated(spec, ws)

        def load(session: Session, made=made) -> None:
            converted: list[P.DealPlan] = []

            def leads():
                for lp in P.leads(spec):
                    if lp.deal is not None:
                        converted.append(lp.deal)
                    yield lp

            made.leads, made.deals = write_plans(
                session, made.workspace_id, leads(), _deals(spec, converted), spec.now, progress
            )
            made.changes = session.scalar(text("SELECT count(*) FROM changes"))

        bulk_load(url, load)
    made.seconds = time.perf_counter() - started
    return made


def _deals(spec: P.Spec, converted: list[P.DealPlan]) -> Iterator[P.DealPlan]:
    # Lazily: `converted` is complete only once every lead has been written.
    yield from P.deals_in_order(spec, converted)


def main(argv: list[str]) -> int:
    deals, leads, *urls = argv
    print(generate(P.Spec(int(deals), int(leads)), urls, progress=print))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
