"""Import: rows per second importing an N-deal CSV, against raw `executemany` of the same rows.

The file is in the bot's own export format (`assistant/transfer/exporter.py`: one row per deal
with its exact `stage_history`), written from the generator's deals, so the import rebuilds
about ten history rows per deal. The product side is `importer.import_csv` into an empty
database (read, validate every row, then write in one transaction). The floor reads back
exactly the rows the import stored (deals and their `changes`) and inserts them into another
empty database with the driver's `executemany` in one transaction. Each side runs in a child
process of its own; the figure is deals (CSV rows) per second.
"""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bench.measure import run_child
from testkit.workspace_plan import NOW, TEAM_ID, Spec

HEADER = (
    "external_id", "name", "company", "amount", "currency", "owner", "stage", "status",
    "lost_reason", "close_date", "created_at", "stage_entered_at", "closed_at", "source",
    "campaign", "stage_history",
)  # fmt: skip


@dataclass
class ImportResult:
    dialect: str
    deals: int
    history_rows: int
    product_seconds: float
    floor_seconds: float
    equal: bool  # the floor wrote as many deals and history rows as the import did

    @property
    def product_rate(self) -> float:
        return self.deals / self.product_seconds

    @property
    def floor_rate(self) -> float:
        return self.deals / self.floor_seconds


def write_csv(spec: Spec, path: Path) -> int:
    """The generator's direct deals (no leads) as our own export format; returns the rows."""
    from testkit import workspace_plan as P
    from testkit.generate import deal_record

    def when(value):
        return value.isoformat() if value else ""

    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(HEADER)
        for number, dp in enumerate(P.deals_in_order(spec, []), start=1):
            record = deal_record(dp)
            v = record.values
            history = "; ".join(f"{e.field}:{e.value}@{when(e.at)}" for e in record.events)
            amount = v["amount"]
            out.writerow(
                [
                    f"BENCH-{number}",
                    v["name"],
                    v["company"] or "",
                    format(Decimal(amount), ".2f") if amount is not None else "",
                    "USD",
                    v["owner_id"],
                    v["stage_key"],
                    v["status"],
                    v["lost_reason"] or "",
                    v["close_date"].isoformat() if v["close_date"] else "",
                    when(v["created_at"]),
                    when(v["stage_entered_at"]),
                    when(v["closed_at"]),
                    v["source"] or "",
                    v["campaign"] or "",
                    history,
                ]
            )
            count += 1
    return count


PROFILED_DEALS = 20_000  # cProfile doubles the time; a part of the file tells the same


def run(
    dialects: list[str], scratch, deals: int, log=print, profiles: dict | None = None
) -> list[ImportResult]:
    """With `profiles` (a dict), also profile an import of up to 20,000 of the deals."""
    path = scratch.dir / f"deals-{deals}.csv"
    spec = Spec(deals, 0)
    started = time.perf_counter()
    rows = write_csv(spec, path)
    log(f"  wrote {rows:,} deals to {path.name} in {time.perf_counter() - started:.0f}s")
    results = []
    for dialect in dialects:
        product_url, floor_url = scratch.new(dialect, "import"), scratch.new(dialect, "floor")
        product = run_child(
            "bench.importing", {"side": "product", "url": product_url, "csv": str(path)}
        )
        floor = run_child(
            "bench.importing", {"side": "floor", "url": floor_url, "from": product_url}
        )
        equal = (product["deals"], product["changes"]) == (floor["deals"], floor["changes"])
        result = ImportResult(
            dialect,
            product["deals"],
            product["changes"],
            product["seconds"],
            floor["seconds"],
            equal,
        )
        results.append(result)
        log(
            f"  {dialect:10} import {result.product_rate:8,.0f} deals/s   executemany "
            f"{result.floor_rate:8,.0f} deals/s   ({result.history_rows:,} history rows)"
        )
        scratch.drop(product_url)
        scratch.drop(floor_url)
    if profiles is not None:
        from bench.profiling import profile_import

        part = min(deals, PROFILED_DEALS)
        sample = scratch.dir / f"deals-{part}.csv"
        write_csv(Spec(part, 0), sample)
        for dialect in dialects:
            url = scratch.new(dialect, "import_profile")
            profiles[dialect] = profile_import(url, str(sample), part)
            scratch.drop(url)
            log(f"  profiled the import on {dialect}")
    return results


# -- the child processes ------------------------------------------------------------------------


def _product(args: dict) -> dict:
    from assistant.storage.database import Database
    from assistant.transfer.importer import ImportOptions, import_csv

    db = Database(args["url"])
    started = time.perf_counter()
    report = import_csv(db, args["csv"], ImportOptions(kind="deals", team_id=TEAM_ID), now=NOW)
    seconds = time.perf_counter() - started
    if report.errors or not report.written:
        raise RuntimeError(f"the import failed: {report.errors[:3]}")
    return {"seconds": seconds, **_counts(args["url"])}


def _counts(url: str) -> dict:
    from bench.dbs import raw_connect

    connection = raw_connect(url)
    deals = connection.execute("SELECT count(*) FROM deals").fetchone()[0]
    changes = connection.execute("SELECT count(*) FROM changes WHERE entity = 'deal'").fetchone()[0]
    connection.close()
    return {"deals": deals, "changes": changes}


def _floor(args: dict) -> dict:
    from assistant.records.history import CHANGE_COLUMNS
    from assistant.services.context import Services
    from assistant.services.workspaces import ensure_workspace
    from assistant.storage.models import Deal
    from bench.dbs import dialect_of, raw_connect

    DEAL_COLUMNS = tuple(c.name for c in Deal.__table__.columns)  # noqa: N806
    source = raw_connect(args["from"])
    deals = source.execute(f"SELECT {', '.join(DEAL_COLUMNS)} FROM deals ORDER BY id").fetchall()
    changes = source.execute(
        f"SELECT {', '.join(CHANGE_COLUMNS)} FROM changes WHERE entity = 'deal' ORDER BY id"
    ).fetchall()
    source.close()
    from assistant.storage.database import Database

    db = Database(args["url"])  # the workspace and its stages, as the import creates them
    with db.transaction() as session:
        ensure_workspace(session, TEAM_ID, NOW, Services(db=db).default_timezone)
    db.dispose()
    mark = "?" if dialect_of(args["url"]) == "sqlite" else "%s"
    connection = raw_connect(args["url"])
    started = time.perf_counter()
    cursor = connection.cursor()
    cursor.execute("BEGIN")
    for table, columns, rows in (
        ("deals", DEAL_COLUMNS, deals),
        ("changes", CHANGE_COLUMNS, changes),
    ):
        listing = ", ".join(columns)
        marks = ", ".join(mark for _ in columns)
        cursor.executemany(f"INSERT INTO {table} ({listing}) VALUES ({marks})", rows)
    cursor.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    return {"seconds": seconds, **_counts(args["url"])}


if __name__ == "__main__":
    import json

    if len(sys.argv) == 3 and sys.argv[1] == "child":
        args = json.loads(sys.argv[2])
        print(json.dumps(_product(args) if args["side"] == "product" else _floor(args)))
    else:
        raise SystemExit("usage: python -m bench.importing child <json> (see bench.run)")
