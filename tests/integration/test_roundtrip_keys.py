"""Our own export names its records: importing it back into the same workspace finds them
by `number` (and record id) instead of creating new ones (issue #14, item 1)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from assistant.services import deals, leads
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from assistant.services.leads import NewLead
from assistant.storage.models import Deal, Lead
from assistant.transfer.cli import main
from testkit.dbdump import dump

TEAM = "T_TEST"
REP = Actor(TEAM, "UREP")


def run(database_url, clock, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), database_url, stdout=out, stderr=err, clock=clock)
    return code, out.getvalue(), err.getvalue()


def count(db, model) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def export(database_url, clock, tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.csv"
    code, _, err = run(database_url, clock, "export", kind, "--team", TEAM, "--output", str(path))
    assert code == 0, err
    return path


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def write(path: Path, table: list[list[str]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    return str(path)


def test_same_named_deals_survive_round_trips(services, db, database_url, clock, tmp_path):
    for _ in range(2):
        deals.create_deal(services, REP, NewDeal(name="Acme renewal", amount=Decimal("1000")))
    clock.advance(hours=1)
    deals.move_deal(services, REP, "#2", "next")
    for _ in range(3):
        path = export(database_url, clock, tmp_path, "deals")
        before = dump(db)
        code, out, err = run(database_url, clock, "import", "deals", str(path), "--team", TEAM)
        assert code == 0, err
        assert "0 new, 0 updated, 2 unchanged" in out + err
        assert count(db, Deal) == 2 and dump(db) == before


def test_unchanged_lead_export_imports_as_unchanged(services, db, database_url, clock, tmp_path):
    leads.create_lead(services, REP, NewLead(name="Jane Doe"))
    leads.create_lead(services, REP, NewLead(name="Jane Doe"))
    path = export(database_url, clock, tmp_path, "leads")
    code, out, err = run(database_url, clock, "import", "leads", str(path), "--team", TEAM)
    assert code == 0, err
    assert "0 new, 0 updated, 2 unchanged" in out + err and count(db, Lead) == 2


def test_a_changed_row_updates_the_deal_it_names(services, db, database_url, clock, tmp_path):
    deals.create_deal(services, REP, NewDeal(name="Acme", amount=Decimal("1000")))
    deals.create_deal(services, REP, NewDeal(name="Acme", amount=Decimal("2000")))
    table = rows(export(database_url, clock, tmp_path, "deals"))
    amount = table[0].index("amount")
    table[2][amount] = "2500"  # deal #2
    code, out, err = run(
        database_url, clock, "import", "deals", write(tmp_path / "x.csv", table), "--team", TEAM
    )
    assert code == 0, err and "0 new, 1 updated, 1 unchanged" in out + err
    with db.reading() as session:
        amounts = session.execute(select(Deal.number, Deal.amount).order_by(Deal.number)).all()
    assert [tuple(a) for a in amounts] == [(1, Decimal("1000.00")), (2, Decimal("2500.00"))]


def test_a_number_twice_in_one_file_is_an_error_naming_both(
    services, db, database_url, clock, tmp_path
):
    deals.create_deal(services, REP, NewDeal(name="Acme"))
    table = rows(export(database_url, clock, tmp_path, "deals"))
    table.append(list(table[1]))
    before = dump(db)
    code, _, err = run(
        database_url, clock, "import", "deals", write(tmp_path / "x.csv", table), "--team", TEAM
    )
    assert code == 1 and "line 3: same number `1` as line 2" in err
    assert dump(db) == before


def test_two_lines_naming_one_deal_by_different_keys(services, db, database_url, clock, tmp_path):
    """One line names deal #1 by its record id, another by our number: an error, not two
    changes to one deal."""
    header = ["Record ID", "name", "stage", "status"]
    code, _, err = run(
        database_url, clock, "import", "deals",
        write(tmp_path / "a.csv", [header, ["OPP-9", "Acme", "proposal", "open"]]), "--team", TEAM,
    )  # fmt: skip
    assert code == 0, err
    table = rows(export(database_url, clock, tmp_path, "deals"))
    other = list(table[1])
    other[table[0].index("external_id")] = ""
    table[1][table[0].index("number")] = ""  # line 2: the deal by its record id only
    table.append(other)  # line 3: the same deal again, by its number only
    before = dump(db)
    code, _, err = run(
        database_url, clock, "import", "deals", write(tmp_path / "x.csv", table), "--team", TEAM
    )
    assert code == 1 and "line 3: names the same deal (#1) as line 2" in err
    assert dump(db) == before
