"""Import rules on both databases: bad rows, --partial, --dry-run, re-imports, mappings,
workspace choice, and all-or-nothing writes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant.records import history as writer
from assistant.services import deals as deal_service
from assistant.services.context import Actor
from assistant.services.deal_views import stage_map
from assistant.services.deals import NewDeal
from assistant.services.queries import stage_stays
from assistant.storage.models import Change, Deal, Lead
from assistant.transfer.cli import main
from testkit.dbdump import dump

DATA = Path(__file__).parents[1] / "data" / "imports"
TEAM = "T_TEST"


def run(database_url, clock, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), database_url, stdout=out, stderr=err, clock=clock)
    return code, out.getvalue(), err.getvalue()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def count(db, model) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def write_csv(path: Path, rows: list[list[str]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return str(path)


@pytest.fixture
def workspace(services, admin):
    """A workspace with one deal made in Slack, so "nothing changed" means something."""
    deal_service.create_deal(services, admin, NewDeal(name="Made in Slack"))
    return TEAM


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(db, database_url, clock, workspace):
    before = dump(db)
    path = str(DATA / "hubspot_deals_bad.csv")
    code, out, err = run(database_url, clock, "import", "deals", path)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert any(
        line.startswith("line 3: bad amount") and "twelve thousand" in line for line in lines
    )
    assert any(
        line.startswith("line 4: unknown stage") and "Verbal Commit" in line for line in lines
    )
    assert "line 5: the deal has no name" in lines
    assert any(line.startswith("line 6: bad date") and "2026-13-45" in line for line in lines)
    assert not any(line.startswith(("line 2:", "line 7:")) for line in lines)
    assert "Nothing imported: 4 of 6 rows have problems" in err
    assert dump(db) == before


def test_bad_lead_rows(db, database_url, clock, workspace):
    before = dump(db)
    path = str(DATA / "hubspot_contacts_bad.csv")
    code, _, err = run(database_url, clock, "import", "leads", path)
    assert code == 1
    assert "line 3: bad email" in err and "alan.turing@bletchley" in err
    assert "line 4: unknown stage" in err and "Champion" in err
    assert "line 5: the lead has no name and no email" in err
    assert "line 6: bad date" in err and "yesterday" in err
    assert 'line 7: same "Email" `grace.hopper@navy.example` as line 2' in err
    assert dump(db) == before


def test_partial_keeps_the_good_rows(db, database_url, clock, workspace):
    path = str(DATA / "hubspot_deals_bad.csv")
    code, out, err = run(database_url, clock, "import", "deals", path, "--partial")
    assert code == 0
    assert "line 3: bad amount" in err
    assert "2 new, 0 updated, 0 unchanged; skipped 4 rows with problems" in out
    with db.reading() as session:
        names = set(session.scalars(select(Deal.name)))
        numbers = set(session.scalars(select(Deal.number)))
    assert names == {"Made in Slack", "Good deal one", "Good deal two"}
    assert numbers == {1, 2, 3}


def test_dry_run_changes_nothing(db, database_url, clock, workspace):
    before = dump(db)
    path = str(DATA / "hubspot_deals.csv")
    code, out, _ = run(database_url, clock, "import", "deals", path, "--dry-run")
    assert code == 0
    assert "Dry run, nothing written" in out and "'Deal Name' -> name" in out
    assert "Would import deals into T_TEST: 7 new, 0 updated, 0 unchanged." in out
    assert dump(db) == before
    run(database_url, clock, "import", "deals", path)
    _, out, _ = run(database_url, clock, "import", "deals", path, "--dry-run")
    assert "0 new, 0 updated, 7 unchanged" in out


def test_reimport_updates_and_never_duplicates(db, database_url, clock, tmp_path):
    path = DATA / "hubspot_deals.csv"
    assert run(database_url, clock, "import", "deals", str(path), "--team", TEAM)[0] == 0
    with db.reading() as session:
        changes_before = session.scalar(select(func.count()).select_from(Change))
    code, out, _ = run(database_url, clock, "import", "deals", str(path))
    assert code == 0 and "0 new, 0 updated, 7 unchanged" in out
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Change)) == changes_before

    # A later export: Acme was won, Umbrella got an amount and moved on.
    rows = list(csv.reader(path.open(encoding="utf-8")))
    header = rows[0]
    col = {name: header.index(name) for name in header}
    won_col = col['Date entered "Closed Won (Sales Pipeline)"']
    for row in rows[1:]:
        if row[col["Deal Name"]] == "Acme Corp - Platform licence":
            row[col["Deal Stage"]], row[won_col] = "Closed Won", "2026-02-27 16:00"
        if row[col["Deal Name"]] == "Umbrella expansion":
            row[col["Amount"]] = "22000"
            row[col["Deal Stage"]] = "Presentation Scheduled"
            row[col['Date entered "Presentation Scheduled (Sales Pipeline)"']] = "2026-02-28 09:00"
    later = write_csv(tmp_path / "later.csv", rows)
    code, out, err = run(database_url, clock, "import", "deals", later)
    assert code == 0, err
    assert "0 new, 2 updated, 5 unchanged" in out
    assert count(db, Deal) == 7
    with db.reading() as session:
        acme = session.scalar(select(Deal).where(Deal.external_id == "18034567201"))
        assert (acme.status, acme.stage_key, acme.number) == ("won", "closing", 1)
        assert acme.closed_at == at("2026-02-27 16:00") and acme.version == 2
        stays = stage_stays(
            session, acme.id, acme.workspace_id, stage_map(session, acme.workspace_id)
        )
        assert (stays[-1].stage_key, stays[-1].left_at) == ("closing", at("2026-02-27 16:00"))
        umbrella = session.scalar(select(Deal).where(Deal.external_id == "18034567204"))
        assert umbrella.amount == Decimal("22000.00") and umbrella.stage_key == "solution"
        assert umbrella.stage_entered_at == at("2026-02-28 09:00")
        actions = set(session.scalars(select(Change.action).where(Change.entity_id == umbrella.id)))
        assert {"create", "move", "edit"} <= actions


def test_reimported_leads_match_on_email(db, database_url, clock):
    path = str(DATA / "hubspot_contacts.csv")
    assert run(database_url, clock, "import", "leads", path, "--team", TEAM)[0] == 0
    code, out, _ = run(database_url, clock, "import", "leads", path)
    assert code == 0 and "0 new, 0 updated, 7 unchanged" in out  # Emma has no email: name+date
    assert count(db, Lead) == 7


def test_column_stage_and_owner_maps(db, database_url, clock, tmp_path):
    path = write_csv(
        tmp_path / "custom.csv",
        [
            ["Ref", "Opportunity", "Phase", "Worth", "Rep", "Opened", "Demo date"],
            ["A-1", "Alpha", "Verbal Commit", "$1,200", "jane@example.com", "2026-01-05",
             "2026-01-20"],
            ["A-2", "Beta", "Discovery", "3k", "Bob", "2026-02-01", ""],
        ],
    )  # fmt: skip
    args = [
        "import", "deals", path, "--team", TEAM, "--map", "Ref=external_id",
        "--map", "Opportunity=name", "--map", "Phase=stage", "--map", "Worth=amount",
        "--map", "Rep=owner", "--map", "Opened=created_at", "--map", "Demo date=entered:solution",
        "--stage-map", "Verbal Commit=clos", "--stage-map", "Discovery=qualification",
        "--owner-map", "jane@example.com=U0JANE",
    ]  # fmt: skip
    code, _, err = run(database_url, clock, *args)
    assert code == 0, err
    with db.reading() as session:
        deals = {d.name: d for d in session.scalars(select(Deal))}
        alpha = deals["Alpha"]
        assert (alpha.stage_key, alpha.owner_id, alpha.amount) == (
            "closing",
            "U0JANE",
            Decimal("1200.00"),
        )
        stays = stage_stays(
            session, alpha.id, alpha.workspace_id, stage_map(session, alpha.workspace_id)
        )
        assert [(s.stage_key, s.entered_at) for s in stays] == [
            ("prospecting", at("2026-01-05 00:00")),
            ("solution", at("2026-01-20 00:00")),
            ("closing", at("2026-01-20 00:00")),
        ]
        assert (deals["Beta"].stage_key, deals["Beta"].owner_id) == ("qualification", "Bob")


def test_usage_problems_exit_2_and_change_nothing(db, database_url, clock, services, tmp_path):
    deal_service.create_deal(services, Actor("T_ONE", "U1"), NewDeal(name="One"))
    deal_service.create_deal(services, Actor("T_TWO", "U1"), NewDeal(name="Two"))
    before = dump(db)
    path = str(DATA / "hubspot_deals.csv")
    code, _, err = run(database_url, clock, "import", "deals", path)
    assert code == 2 and "several workspaces" in err and "T_ONE" in err and "T_TWO" in err
    no_name = write_csv(tmp_path / "x.csv", [["Amount", "Stage"], ["5", "Qualification"]])
    code, _, err = run(database_url, clock, "import", "deals", no_name, "--team", "T_ONE")
    assert code == 2 and "no column for the deal name" in err
    code, _, err = run(
        database_url, clock, "import", "deals", path, "--team", "T_ONE", "--map", "Nope=name"
    )
    assert code == 2 and "doesn't have: `nope`" in err
    code, _, err = run(
        database_url, clock, "import", "deals", path, "--team", "T_ONE", "--stage-map", "X=propsal"
    )
    assert code == 2 and "did you mean `proposal`" in err
    workbook = tmp_path / "deals.xlsx"
    workbook.write_bytes(b"PK\x03\x04rest")
    code, _, err = run(database_url, clock, "import", "deals", str(workbook), "--team", "T_ONE")
    assert code == 2 and "save or export it as CSV" in err
    code, _, err = run(database_url, clock, "import", "deals", str(tmp_path / "missing.csv"))
    assert code == 2
    assert run(database_url, clock, "import", "things", path)[0] == 2
    assert dump(db) == before


def test_long_owner_and_other_currency_are_row_errors(db, database_url, clock, tmp_path):
    path = write_csv(
        tmp_path / "pd.csv",
        [
            ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Owner"],
            ["1", "Euro deal", "5000", "EUR", "Sam"],
            ["2", "Long owner", "5000", "USD", "someone.with.a.long.name@example.com"],
            ["3", "Pound deal", "£5000", "", "Sam"],
        ],
    )
    code, _, err = run(database_url, clock, "import", "deals", path, "--team", TEAM)
    assert code == 1
    assert "line 2: the amount is in EUR, the workspace's currency is USD" in err
    assert "line 3: owner `someone.with.a.long.name@example.com` is longer than 32" in err
    assert "line 4: the amount is in GBP" in err
    assert "--owner-map" in err


def test_an_import_that_fails_half_way_leaves_nothing(
    db, database_url, clock, workspace, monkeypatch
):
    before = dump(db)
    real = writer.history_rows
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "history_rows", failing)
    with pytest.raises(RuntimeError):
        run(database_url, clock, "import", "deals", str(DATA / "hubspot_deals.csv"))
    assert dump(db) == before


def test_progress_bar_when_asked(database_url, clock):
    path = str(DATA / "hubspot_deals.csv")
    code, _, err = run(database_url, clock, "import", "deals", path, "--team", TEAM, "--progress")
    assert code == 0
    assert "\rreading " in err and "\rwriting " in err and "100%" in err and "7/7" in err
    code, _, err = run(database_url, clock, "import", "deals", path)  # stderr is no TTY here
    assert code == 0 and "\r" not in err


def test_dry_run_on_a_new_team_creates_nothing(db, database_url, clock):
    before = dump(db)
    path = str(DATA / "hubspot_deals.csv")
    code, out, _ = run(database_url, clock, "import", "deals", path, "--team", "T_NEW", "--dry-run")
    assert code == 0 and "Would import deals into T_NEW: 7 new" in out
    assert dump(db) == before


def test_bulk_rows_are_stored_exactly_as_the_orm_stores_them(
    db, database_url, clock, services, admin
):
    deal_service.create_deal(services, admin, NewDeal(name="Made in Slack", amount=Decimal("5.5")))
    assert run(database_url, clock, "import", "deals", str(DATA / "hubspot_deals.csv"))[0] == 0
    with db.write_engine.connect() as connection:
        # The driver's own view: text on SQLite, naive timestamps on PostgreSQL.
        raw = connection.exec_driver_sql("SELECT created_at, amount FROM deals ORDER BY id").all()
        times = connection.exec_driver_sql("SELECT DISTINCT at FROM changes").scalars().all()
    slack, imported = raw[0], raw[1:]
    assert {type(row[0]) for row in imported} == {type(slack[0])}
    assert {type(row[1]) for row in imported if row[1] is not None} == {type(slack[1])}
    if isinstance(slack[0], str):
        assert {len(row[0]) for row in imported} == {len(slack[0])}  # `.000000` included
        assert {len(t) for t in times} == {len(slack[0])}


def test_an_unmigrated_database_is_reported(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    code, _, err = run(
        url, clock, "import", "deals", str(DATA / "hubspot_deals.csv"), "--team", TEAM
    )
    assert code == 2 and "db upgrade" in err
    code, _, err = run(url, clock, "export", "deals", "--team", TEAM)
    assert code == 2 and "no such table" in err
