"""Export, then import into an empty database: the same deals, leads, stays and figures."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from assistant.services import deals, leads, people
from assistant.services.context import Actor
from assistant.services.deal_views import stage_map
from assistant.services.deals import NewDeal
from assistant.services.leads import NewLead
from assistant.services.people import SlackProfile
from assistant.services.queries import stage_stays
from assistant.storage.models import Base, Deal, Lead
from assistant.transfer.cli import main
from testkit.dbdump import dump

DATA = Path(__file__).parents[1] / "data" / "imports"
TEAM = "T_TEST"
DEAL_FIELDS = (
    "number", "name", "company", "amount", "owner_id", "stage_key", "stage_entered_at",
    "status", "lost_reason", "close_date", "closed_at", "source", "campaign", "external_id",
    "created_at",
)  # fmt: skip
LEAD_FIELDS = (
    "number", "name", "company", "email", "source", "campaign", "stage_key",
    "furthest_stage_key", "status", "drop_reason", "owner_id", "action_at", "created_at",
)  # fmt: skip


def run(database_url, clock, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), database_url, stdout=out, stderr=err, clock=clock)
    return code, out.getvalue(), err.getvalue()


def build_workspace(services, clock) -> None:
    """A pipeline with history: moves, back-moves, wins, losses, reopens, conversions."""
    rep, other = Actor(TEAM, "UREP"), Actor(TEAM, "UREP2")
    clock.advance(days=-60)
    deals.create_deal(services, rep, NewDeal(name="Acme", amount=Decimal("12000"), company="Acme"))
    deals.create_deal(services, other, NewDeal(name="=cmd|' /C calc'!A0", amount=Decimal("1.5")))
    deals.create_deal(services, rep, NewDeal(name='Globex, Inc. "EU"', stage="solution"))
    jane = NewLead(
        name="Jane Doe", email="jane@initech.example", company="Initech", source="webinar",
        campaign="q1",
    )  # fmt: skip
    leads.create_lead(services, rep, jane)
    leads.create_lead(services, rep, NewLead(name="No Email", source="ads"))
    leads.create_lead(services, other, NewLead(name="Dropped Dan", stage="interest"))
    clock.advance(days=3, hours=5)
    deals.move_deal(services, rep, "#1", "next")
    leads.move_lead(services, rep, "L1", "next")
    clock.advance(days=4)
    deals.move_deal(services, rep, "#1", "proposal")
    deals.move_deal(services, rep, "#3", "back")
    converted = leads.convert_lead(services, rep, "L1", amount=Decimal("7000.25"))
    leads.drop_lead(services, other, "L3", "no budget")
    clock.advance(days=6, minutes=17)
    deals.move_deal(services, rep, "#1", "qualification")  # backwards
    deals.lose_deal(services, other, "#2", "went quiet")
    deals.win_deal(services, rep, f"#{converted.deal.number}")
    clock.advance(days=2)
    deals.reopen_deal(services, other, "#2", "assessment")
    deals.win_deal(services, rep, "#3", Decimal("55000"))
    clock.advance(days=1)
    deals.edit_deal(services, rep, "#1", close_date=clock().date(), source="referral")
    clock.advance(days=10)
    # And deals that came from HubSpot, with their record ids.
    assert run(services.db.url, clock, "import", "deals", str(DATA / "hubspot_deals.csv"))[0] == 0
    clock.advance(days=5)


def snapshot(db) -> dict:
    with db.reading() as session:
        workspace_id = session.scalar(select(Deal.workspace_id).limit(1))
        stages = stage_map(session, workspace_id)
        lead_numbers = dict(session.execute(select(Lead.id, Lead.number)).tuples().all())
        deal_rows, stays = {}, {}
        for deal in session.scalars(select(Deal).order_by(Deal.number)):
            row = tuple(getattr(deal, f) for f in DEAL_FIELDS)
            deal_rows[deal.number] = row + (lead_numbers.get(deal.lead_id),)
            stays[deal.number] = [
                (s.stage_key, s.entered_at, s.left_at)
                for s in stage_stays(session, deal.id, workspace_id, stages)
            ]
        lead_rows = {
            lead.number: tuple(getattr(lead, f) for f in LEAD_FIELDS)
            for lead in session.scalars(select(Lead).order_by(Lead.number))
        }
        board = defaultdict(lambda: [0, Decimal(0)])
        query = select(Deal.stage_key, func.count(), func.sum(Deal.amount)).where(
            Deal.status == "open"
        )
        for stage_key, n, total in session.execute(query.group_by(Deal.stage_key)):
            board[stage_key] = [n, total or Decimal(0)]
    return {"deals": deal_rows, "stays": stays, "leads": lead_rows, "board": dict(board)}


def wipe(db) -> None:
    with db.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())


def test_export_then_import_into_an_empty_database_gives_the_same_figures(
    db, database_url, services, clock, tmp_path
):
    build_workspace(services, clock)
    before = snapshot(db)
    assert len(before["deals"]) == 11 and len(before["leads"]) == 3
    assert any(len(stays) > 3 for stays in before["stays"].values())
    code, deals_csv, _ = run(database_url, clock, "export", "deals")
    assert code == 0
    code, leads_csv, _ = run(database_url, clock, "export", "leads")
    assert code == 0
    wipe(db)
    for kind, text in (("leads", leads_csv), ("deals", deals_csv)):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        code, out, err = run(database_url, clock, "import", kind, str(path), "--team", TEAM)
        assert code == 0, err
        assert "from our own export" in out
    after = snapshot(db)
    assert after["deals"] == before["deals"]
    assert after["stays"] == before["stays"]
    assert after["leads"] == before["leads"]
    assert after["board"] == before["board"]
    # And exporting again gives the very same file.
    assert run(database_url, clock, "export", "deals")[1] == deals_csv
    assert run(database_url, clock, "export", "leads")[1] == leads_csv


def test_reimporting_our_own_export_changes_nothing(db, database_url, services, clock, tmp_path):
    build_workspace(services, clock)
    path = tmp_path / "deals.csv"
    assert run(database_url, clock, "export", "deals", "--output", str(path))[0] == 0
    before = dump(db)
    code, out, _ = run(database_url, clock, "import", "deals", str(path))
    assert code == 0 and "0 new, 0 updated, 11 unchanged" in out
    assert dump(db) == before


def test_exported_cells_are_safe_in_spreadsheets(db, database_url, services, clock):
    build_workspace(services, clock)
    _, text, _ = run(database_url, clock, "export", "deals")
    rows = list(csv.DictReader(io.StringIO(text)))
    names = {row["number"]: row["name"] for row in rows}
    assert names["2"] == "'=cmd|' /C calc'!A0"  # not run as a formula by a spreadsheet
    assert names["3"] == 'Globex, Inc. "EU"'
    acme = next(row for row in rows if row["number"] == "1")
    assert acme["stage"] == "qualification" and acme["stage_label"] == "Qualification"
    assert acme["amount"] == "12000.00" and acme["currency"] == "USD"
    assert acme["probability"] == "0.1000" and float(acme["days_in_stage"]) > 0
    assert acme["stage_history"].startswith("stage_key:prospecting@")


def test_files_name_people_slack_knows(db, database_url, services, clock):
    build_workspace(services, clock)
    people.remember(services, TEAM, [SlackProfile("UREP", "Ana Lima")])
    _, text, _ = run(database_url, clock, "export", "deals")
    owners = {(r["owner"], r["owner_name"]) for r in csv.DictReader(io.StringIO(text))}
    # UREP2 was never met in Slack: the id stays, as in a table; imported owners are names.
    assert {("UREP", "Ana Lima"), ("UREP2", "UREP2"), ("Bob Lee", "Bob Lee")} <= owners
    assert all(owner == name for owner, name in owners if owner != "UREP")
    _, text, _ = run(database_url, clock, "export", "leads")
    assert ("UREP", "Ana Lima") in {
        (r["owner"], r["owner_name"]) for r in csv.DictReader(io.StringIO(text))
    }
    _, text, _ = run(database_url, clock, "export", "history")
    actors = {(r["actor"], r["actor_name"]) for r in csv.DictReader(io.StringIO(text))}
    assert ("UREP", "Ana Lima") in actors and ("UREP2", "UREP2") in actors


def test_history_export_and_output_file(db, database_url, services, clock, tmp_path):
    build_workspace(services, clock)
    target = tmp_path / "history.csv"
    code, out, err = run(database_url, clock, "export", "history", "--output", str(target))
    assert code == 0 and out == "" and "rows to" in err
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert list(rows[0]) == [
        "at", "entity", "record", "action", "field", "old_value", "new_value", "actor",
        "actor_name",
    ]  # fmt: skip
    moves = [r for r in rows if r["record"] == "#1" and r["field"] == "stage_key"]
    assert [r["new_value"] for r in moves] == [
        "prospecting",
        "qualification",
        "proposal",
        "qualification",
    ]
    assert {r["record"] for r in rows if r["entity"] == "lead"} == {"L1", "L2", "L3"}
    assert not list(tmp_path.glob(".history.csv.*"))  # no temporary file left behind


def test_export_needs_a_team_when_there_are_several(db, database_url, services, clock):
    deals.create_deal(services, Actor("T_ONE", "U1"), NewDeal(name="One"))
    deals.create_deal(services, Actor("T_TWO", "U1"), NewDeal(name="Two"))
    code, out, err = run(database_url, clock, "export", "deals")
    assert code == 2 and out == "" and "T_ONE" in err and "T_TWO" in err
    code, out, _ = run(database_url, clock, "export", "deals", "--team", "T_TWO")
    assert code == 0 and "Two" in out and "One" not in out
    code, _, err = run(database_url, clock, "export", "deals", "--team", "T_NONE")
    assert code == 2 and "no workspace `T_NONE`" in err
