"""One write path: a deal won by an import moves its lead exactly as `/deal won` does.

Two workspaces start alike: a lead at `consideration`. In one, a rep creates the lead's deal
and wins it with the service `/deal won` calls; in the other, the won deal arrives in a file
(new, then as a re-import of an open deal). The lead's row and the history rows of the win
must be the same; only who is credited differs (the rep, or `import`).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from assistant.services import deals, leads
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from assistant.services.leads import NewLead
from assistant.storage.models import Change, Lead, Workspace
from assistant.transfer.cli import main

CREATED = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
WON_AT = datetime(2026, 2, 20, 15, 30, tzinfo=UTC)
LEAD = NewLead(name="Jane Doe", email="jane@initech.example", stage="consideration")


def _lead_state(db, team: str) -> tuple:
    """The lead's row and the history rows of its win, without ids and actors."""
    with db.reading() as session:
        lead = session.scalar(
            select(Lead)
            .join(Workspace, Workspace.id == Lead.workspace_id)
            .where(Workspace.team_id == team)
        )
        rows = session.execute(
            select(Change.action, Change.field, Change.old_value, Change.new_value, Change.at)
            .where(Change.entity == "lead", Change.entity_id == lead.id, Change.action == "won")
            .order_by(Change.id)
        ).all()
        facts = (lead.stage_key, lead.furthest_stage_key, lead.status, lead.action_at)
    return facts, [tuple(r) for r in rows]


def _import(database_url, clock, tmp_path: Path, team: str, rows: list[list[str]]) -> str:
    path = tmp_path / f"{team}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["import", "deals", str(path), "--team", team],
        database_url, stdout=out, stderr=err, clock=clock,
    )  # fmt: skip
    assert code == 0, err.getvalue()
    return out.getvalue() + err.getvalue()


def _win_by_command(services, clock, team: str) -> None:
    rep = Actor(team, "UREP")
    clock.set(CREATED)
    leads.create_lead(services, rep, LEAD)
    deals.create_deal(services, rep, NewDeal(name="Initech", lead_id=1))
    clock.set(WON_AT)
    deals.win_deal(services, rep, "#1")


HEADER = ["name", "status", "stage", "created_at", "closed_at", "lead"]


def test_an_imported_won_deal_moves_its_lead_as_deal_won_does(
    services, db, database_url, clock, tmp_path
):
    _win_by_command(services, clock, "T_CMD")
    clock.set(CREATED)
    leads.create_lead(services, Actor("T_IMP", "UREP"), LEAD)
    clock.set(WON_AT.replace(day=25))  # the import runs later; the win keeps its own time
    row = ["Initech", "won", "proposal", CREATED.isoformat(), WON_AT.isoformat(), "L1"]
    _import(database_url, clock, tmp_path, "T_IMP", [HEADER, row])

    by_command, by_import = _lead_state(db, "T_CMD"), _lead_state(db, "T_IMP")
    assert by_import == by_command
    facts, rows = by_command
    assert facts == ("action", "action", "open", WON_AT)
    assert [r[1:4] for r in rows] == [
        ("stage_key", "consideration", "action"),
        ("furthest_stage_key", "consideration", "action"),
    ]


def test_a_reimport_that_wins_a_deal_moves_its_lead_too(
    services, db, database_url, clock, tmp_path
):
    _win_by_command(services, clock, "T_CMD")
    clock.set(CREATED)
    leads.create_lead(services, Actor("T_IMP", "UREP"), LEAD)
    header = ["Record ID", "name", "status", "stage", "created_at", "closed_at", "lead"]
    opened = ["OPP-1", "Initech", "open", "proposal", CREATED.isoformat(), "", "L1"]
    _import(database_url, clock, tmp_path, "T_IMP", [header, opened])
    clock.set(WON_AT.replace(day=25))
    won = ["OPP-1", "Initech", "won", "proposal", CREATED.isoformat(), WON_AT.isoformat(), "L1"]
    report = _import(database_url, clock, tmp_path, "T_IMP", [header, won])
    assert "0 new, 1 updated" in report  # the file's deal, changed: not a second deal
    assert _lead_state(db, "T_IMP") == _lead_state(db, "T_CMD")
