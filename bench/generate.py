"""Write a generated workspace in bulk: the rows the services would write for a `plan`.

The workspace, its stages and roles are made through the services themselves; deals, leads,
notes and their history (`changes`) are computed here from each record's ops, exactly as
`services.deals`, `services.leads` and `services.history` would write them (`bench.rows`;
proved on a small size by `bench.replay`), and appended with `executemany` (SQLite) or `COPY`
(PostgreSQL) to one or several databases at once. Secondary indexes are dropped during the
load and rebuilt after it; PostgreSQL then gets the `VACUUM ANALYZE` autovacuum would do.

`python -m bench.generate 10000 100000 sqlite:///big.db` fills a database for poking at.
"""

from __future__ import annotations

import queue
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice

from sqlalchemy import select, text
from sqlalchemy.schema import CreateIndex, DropIndex

from assistant.domain.roles import Role
from assistant.services.context import Actor, Services
from assistant.services.roles import set_role
from assistant.storage.database import Database
from assistant.storage.models import Change, Deal, Lead, Note, Workspace
from bench import plan as P
from bench.dbs import raw_connect
from bench.rows import (
    CHANGE_COLUMNS,
    DEAL_COLUMNS,
    LEAD_COLUMNS,
    NOTE_COLUMNS,
    deal_rows,
    lead_rows,
)

LOADED = (Deal.__table__, Lead.__table__, Change.__table__, Note.__table__)
CHUNK = 5000


def setup_workspace(services: Services) -> int:
    """The workspace with its default stages, a manager and the marketers, via the services."""
    admin = Actor(team_id=P.TEAM_ID, user_id=P.ADMIN)
    set_role(services, admin, P.MANAGER, Role.MANAGER)
    for marketer in P.MARKETERS:
        set_role(services, admin, marketer, Role.MARKETER)
    with services.db.reading() as session:
        return session.scalar(select(Workspace.id).where(Workspace.team_id == P.TEAM_ID))


# -- sinks --------------------------------------------------------------------------------------


class Sink:
    """One database being filled: drop indexes, append rows, rebuild and analyse."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.db = Database(url)
        self.dialect = self.db.dialect
        self.raw = None

    def begin(self) -> None:
        self.db.dispose()  # the setup's pooled connections: the load wants the file alone
        self.raw = raw_connect(self.url)
        for table in LOADED:
            for index in table.indexes:
                self._ddl(DropIndex(index))
        if self.dialect == "sqlite":
            # One big transaction through WAL would first write the whole load to the log;
            # without a journal it goes straight to the file (WAL is restored after).
            self.raw.execute("PRAGMA journal_mode=OFF")
            self.raw.execute("PRAGMA synchronous=OFF")
            self.raw.execute("PRAGMA cache_size=-262144")
        else:
            self.raw.execute("SET synchronous_commit TO off")
            # No foreign-key trigger per row: the rows are consistent by construction.
            self.raw.execute("SET session_replication_role = replica")
        self.raw.execute("BEGIN")
        # Writing runs in its own thread, so PostgreSQL digests one chunk while Python makes
        # the next.
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def put(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if self._failure is not None:
            raise RuntimeError(f"writing to {self.dialect} failed") from self._failure
        self._queue.put((table, columns, rows))

    def _drain(self) -> None:
        while (task := self._queue.get()) is not None:
            if self._failure is None:
                try:
                    self.write(*task)
                except BaseException as err:  # reported by put() or finish()
                    self._failure = err

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        listing = ", ".join(f'"{c}"' for c in columns)
        if self.dialect == "sqlite":
            marks = ", ".join("?" for _ in columns)
            self.raw.executemany(f'INSERT INTO "{table}" ({listing}) VALUES ({marks})', rows)
            return
        statement = f'COPY "{table}" ({listing}) FROM STDIN'
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    @property
    def failure(self) -> BaseException | None:
        return self._failure

    def finish(self, ws: int, deals: int, leads: int) -> None:
        try:
            self._finish(ws, deals, leads)
        except BaseException as err:  # re-raised by generate() in the main thread
            self._failure = self._failure or err

    def _finish(self, ws: int, deals: int, leads: int) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._failure is not None:
            return
        if self.dialect == "postgresql":
            self.raw.execute("SET session_replication_role = DEFAULT")
        seqs = f"deal_seq = {deals}, lead_seq = {leads}"
        self.raw.execute(f"UPDATE workspaces SET {seqs} WHERE id = {ws}")
        self.raw.execute("COMMIT")
        for table in LOADED:
            for index in table.indexes:
                self._ddl(CreateIndex(index))
        if self.dialect == "postgresql":
            for table in ("deals", "leads"):
                self.raw.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
            self.raw.execute("VACUUM ANALYZE")
        else:
            self.raw.execute("PRAGMA journal_mode=WAL")
        self.raw.close()
        self.db.dispose()

    def _ddl(self, construct) -> None:
        if isinstance(construct, DropIndex):
            self.raw.execute(f'DROP INDEX IF EXISTS "{construct.element.name}"')
            return
        self.raw.execute(str(construct.compile(dialect=self.db.write_engine.dialect)))


def _sqlite_datetime(value: datetime) -> str:
    # SQLAlchemy's storage format for SQLite: ISO text to the microsecond, always. (sqlite3's
    # own default adapter drops ".000000", which would compare wrongly as text.)
    return value.isoformat(" ", "microseconds")


sqlite3.register_adapter(datetime, _sqlite_datetime)
sqlite3.register_adapter(date, date.isoformat)


# -- the whole workspace -------------------------------------------------------------------------


@dataclass
class Generated:
    spec: P.Spec
    workspace_id: int
    deals: int
    leads: int
    changes: int
    notes: int
    seconds: float


def generate(spec: P.Spec, urls: list[str], *, progress=None) -> Generated:
    """Fill each (migrated, empty) database in `urls` with the same generated workspace."""
    started = time.perf_counter()
    sinks = [Sink(url) for url in urls]
    ws = None
    setup = spec.setup_at
    for sink in sinks:
        services = Services(db=sink.db, clock=lambda: setup, admins=frozenset({P.ADMIN}))
        ws_here = setup_workspace(services)
        assert ws is None or ws == ws_here, "the workspaces got different ids"
        ws = ws_here
        sink.begin()
    counts = {"leads": 0, "deals": 0, "changes": 0, "notes": 0}
    converted: list[P.DealPlan] = []

    def flush(table, columns, rows, key) -> None:
        for sink in sinks:
            sink.put(table, columns, rows)
        counts[key] += len(rows)

    lead_plans = P.leads(spec)
    while chunk := list(islice(lead_plans, CHUNK)):
        rows, changes = [], []
        for lp in chunk:
            row, lead_changes = lead_rows(lp, ws)
            rows.append(row)
            changes += lead_changes
            if lp.deal is not None:
                converted.append(lp.deal)
        flush("leads", LEAD_COLUMNS, rows, "leads")
        flush("changes", CHANGE_COLUMNS, changes, "changes")
        if progress:
            progress(f"leads {counts['leads']:,}")
    deal_plans = enumerate(P.deals_in_order(spec, converted), start=1)
    while chunk := list(islice(deal_plans, CHUNK)):
        rows, changes, notes = [], [], []
        for deal_id, dp in chunk:
            row, deal_changes, deal_notes = deal_rows(dp, deal_id, ws)
            rows.append(row)
            changes += deal_changes
            notes += deal_notes
        flush("deals", DEAL_COLUMNS, rows, "deals")
        flush("changes", CHANGE_COLUMNS, changes, "changes")
        flush("notes", NOTE_COLUMNS, notes, "notes")
        if progress:
            progress(f"deals {counts['deals']:,}")
    # Index builds and VACUUM ANALYZE wait on the database servers, not on Python: in parallel.
    finishing = [
        threading.Thread(target=sink.finish, args=(ws, counts["deals"], counts["leads"]))
        for sink in sinks
    ]
    for thread in finishing:
        thread.start()
    for thread in finishing:
        thread.join()
    for sink in sinks:
        if sink.failure is not None:
            raise RuntimeError(f"finishing {sink.dialect} failed") from sink.failure
    return Generated(
        spec,
        ws,
        counts["deals"],
        counts["leads"],
        counts["changes"],
        counts["notes"],
        time.perf_counter() - started,
    )


def main(argv: list[str]) -> int:
    deals, leads, *urls = argv
    result = generate(P.Spec(int(deals), int(leads)), urls, progress=print)
    print(result)
    with Database(urls[0]).reading() as session:
        print(session.execute(text("SELECT count(*) FROM changes")).scalar())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
