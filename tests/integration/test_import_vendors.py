"""Importing the vendors' own exports, on both databases.

The sample files in tests/data/imports use each vendor's real column names, based on the
vendors' export formats (HubSpot property labels, Salesforce report columns, Pipedrive's
`Deal - <field>` headers); their rows are made up.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from assistant.services.deal_views import stage_map
from assistant.services.queries import stage_stays
from assistant.services.workspaces import ensure_workspace
from assistant.storage.models import Change, Deal, Lead, Workspace
from assistant.transfer.cli import main

DATA = Path(__file__).parents[1] / "data" / "imports"
TEAM = "T_TEST"


def run(database_url, clock, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), database_url, stdout=out, stderr=err, clock=clock)
    return code, out.getvalue(), err.getvalue()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def deals_by_name(db) -> dict[str, Deal]:
    with db.reading() as session:
        deals = {d.name: d for d in session.scalars(select(Deal))}
        session.expunge_all()  # keep the loaded values after the read session ends
        return deals


def stays_of(db, name: str) -> list[tuple[str, datetime, datetime | None]]:
    with db.reading() as session:
        deal = session.scalar(select(Deal).where(Deal.name == name))
        stages = stage_map(session, deal.workspace_id)
        stays = stage_stays(session, deal.id, deal.workspace_id, stages)
    return [(s.stage_key, s.entered_at, s.left_at) for s in stays]


def test_hubspot_deals_keep_fields_and_rebuild_history(db, database_url, clock):
    code, out, err = run(
        database_url, clock, "import", "deals", str(DATA / "hubspot_deals.csv"), "--team", TEAM
    )
    assert code == 0, err
    assert "Imported 7 deals from a HubSpot export into T_TEST: 7 new" in out
    assert "`Deal Type`" in err  # columns left out are named
    deals = deals_by_name(db)
    acme = deals["Acme Corp - Platform licence"]
    assert (acme.number, acme.external_id, acme.company) == (1, "18034567201", "Acme Corp")
    assert (acme.amount, acme.owner_id, acme.status) == (Decimal("48000.00"), "Jane Smith", "open")
    assert acme.stage_key == "closing" and acme.close_date == date(2026, 3, 20)
    assert acme.stage_entered_at == at("2026-02-16 15:45")
    assert stays_of(db, acme.name) == [
        ("prospecting", at("2026-01-05 10:15"), at("2026-01-09 16:00")),
        ("qualification", at("2026-01-09 16:00"), at("2026-01-20 11:30")),
        ("solution", at("2026-01-20 11:30"), at("2026-02-02 09:00")),
        ("proposal", at("2026-02-02 09:00"), at("2026-02-16 15:45")),
        ("closing", at("2026-02-16 15:45"), None),
    ]
    globex = deals["Globex renewal"]
    assert (globex.status, globex.stage_key, globex.amount) == (
        "won",
        "closing",
        Decimal("12500.00"),
    )
    assert globex.closed_at == at("2026-02-10 17:20")
    assert stays_of(db, "Globex renewal")[-1] == (
        "closing",
        at("2026-01-28 10:00"),
        at("2026-02-10 17:20"),
    )
    initech = deals["Initech pilot"]
    assert (initech.status, initech.stage_key) == ("lost", "qualification")
    assert initech.lost_reason == "Went with a competitor"
    assert initech.closed_at == at("2026-01-31 12:00")
    # Known to enter "Presentation Scheduled" only after creation: before that, first stage.
    assert stays_of(db, "Stark Industries fleet") == [
        ("prospecting", at("2025-12-15 16:00"), at("2026-01-10 10:00")),
        ("solution", at("2026-01-10 10:00"), at("2026-02-01 09:30")),
        ("proposal", at("2026-02-01 09:30"), None),
    ]
    assert deals["Stark Industries fleet"].amount == Decimal("120000.50")
    # No dates at all: in its stage since creation.
    assert stays_of(db, "Wayne Enterprises security") == [
        ("solution", at("2026-02-03 11:00"), None)
    ]
    assert deals["Umbrella expansion"].amount is None
    with db.reading() as session:
        assert session.scalar(select(Workspace.deal_seq)) == 7
        creates = session.scalars(
            select(Change).where(Change.entity_id == acme.id, Change.action == "create")
        ).all()
        assert {c.field for c in creates} >= {"name", "amount", "owner_id", "stage_key", "status"}
        assert all(c.actor_id == "import" and c.at == acme.created_at for c in creates)


def test_salesforce_opportunities(db, database_url, clock):
    path = str(DATA / "salesforce_opportunities.csv")
    code, out, err = run(database_url, clock, "import", "deals", path, "--team", TEAM)
    assert code == 0, err
    assert "from a Salesforce export" in out
    deals = deals_by_name(db)
    stages = {name: (d.stage_key, d.status) for name, d in deals.items()}
    assert stages == {
        "Northwind - CRM rollout": ("prospecting", "open"),
        "Contoso data platform": ("qualification", "open"),
        "Fabrikam - support renewal": ("assessment", "open"),
        "Tailspin Toys web shop": ("solution", "open"),
        "Litware analytics": ("solution", "open"),
        "Adventure Works bikes": ("solution", "open"),
        "Proseware licences": ("proposal", "open"),
        "Wide World Importers": ("closing", "open"),
        "Coho Winery POS": ("closing", "won"),
        "Lucerne Publishing": ("closing", "lost"),
    }
    contoso = deals["Contoso data platform"]
    assert contoso.amount == Decimal("40000.00") and contoso.source == "Partner Referral"
    assert contoso.external_id == "0065g00000AbCdEAA2" and contoso.owner_id == "David Chen"
    # "Last Stage Change Date" is when it entered its stage; M/D/YYYY dates.
    assert contoso.created_at == at("2026-02-02 00:00")
    assert contoso.stage_entered_at == at("2026-02-09 00:00")
    assert stays_of(db, "Contoso data platform") == [
        ("prospecting", at("2026-02-02 00:00"), at("2026-02-09 00:00")),
        ("qualification", at("2026-02-09 00:00"), None),
    ]
    assert deals["Coho Winery POS"].closed_at == at("2026-02-12 00:00")
    assert deals["Wide World Importers"].close_date == date(2026, 3, 15)


def test_pipedrive_deals(db, database_url, clock):
    path = str(DATA / "pipedrive_deals.csv")
    code, out, err = run(database_url, clock, "import", "deals", path, "--team", TEAM)
    assert code == 0, err
    assert "from a Pipedrive export" in out
    deals = deals_by_name(db)
    delta = deals["Delta Freight tracking"]
    assert (delta.stage_key, delta.status, delta.external_id) == ("proposal", "won", "104")
    assert delta.closed_at == at("2026-02-06 10:45") and delta.close_date == date(2026, 2, 15)
    echo = deals["Echo Media ads"]
    assert (echo.stage_key, echo.status, echo.lost_reason) == ("closing", "lost", "Price too high")
    assert echo.closed_at == at("2026-01-22 15:10")
    assert deals["Cedar Lane fit-out"].stage_key == "assessment"  # Demo Scheduled
    assert deals["Fjord Travel booking engine"].stage_key == "assessment"  # Needs Defined
    assert deals["Blue Bottle subscription"].source == "Organic search"
    assert stays_of(db, "Bright Dental onboarding") == [
        ("prospecting", at("2026-02-10 08:00"), at("2026-02-17 14:30")),
        ("qualification", at("2026-02-17 14:30"), None),
    ]


def test_hubspot_contacts_become_leads(db, database_url, clock):
    path = str(DATA / "hubspot_contacts.csv")
    code, out, err = run(database_url, clock, "import", "leads", path, "--team", TEAM)
    assert code == 0, err
    assert "Imported 7 leads from a HubSpot export" in out
    with db.reading() as session:
        leads = {lead.name: lead for lead in session.scalars(select(Lead))}
        rows = {
            name: (lead.stage_key, lead.furthest_stage_key, lead.status)
            for name, lead in leads.items()
        }
        assert rows == {
            "Olivia Martin": ("awareness", "awareness", "open"),
            "Ethan Brooks": ("interest", "interest", "open"),
            "Sophia Reyes": ("consideration", "consideration", "open"),
            "Lucas Nguyen": ("consideration", "consideration", "converted"),
            "Mia Hoffmann": ("action", "action", "converted"),
            "Noah Schmidt": ("awareness", "awareness", "open"),
            "Emma Dubois": ("awareness", "awareness", "dropped"),
        }
        mia = leads["Mia Hoffmann"]
        assert (
            mia.action_at == at("2026-01-16 17:00") and mia.email == "mia.hoffmann@litware.example"
        )
        assert (mia.source, mia.company, mia.owner_id) == (
            "Direct Traffic",
            "Litware Inc",
            "Jane Smith",
        )
        assert leads["Ethan Brooks"].campaign == "LinkedIn Q1"
        assert leads["Noah Schmidt"].owner_id is None and leads["Emma Dubois"].email is None
        moves = session.execute(
            select(Change.new_value, Change.at)
            .where(Change.entity == "lead", Change.entity_id == mia.id, Change.field == "stage_key")
            .order_by(Change.id)
        ).all()
        assert moves == [
            ("awareness", at("2025-11-03 09:00")),
            ("interest", at("2025-11-10 10:00")),
            ("consideration", at("2025-11-24 15:00")),
            ("action", at("2026-01-16 17:00")),
        ]
        assert session.scalar(select(Workspace.lead_seq)) == 7


def test_dates_without_offset_are_in_the_workspace_time_zone(db, database_url, clock):
    with db.transaction() as session:
        workspace = ensure_workspace(session, TEAM, clock(), "UTC")
        session.execute(
            update(Workspace)
            .where(Workspace.id == workspace.id)
            .values(timezone="America/New_York")
        )
    path = str(DATA / "hubspot_deals.csv")
    assert run(database_url, clock, "import", "deals", path)[0] == 0  # the only workspace
    acme = deals_by_name(db)["Acme Corp - Platform licence"]
    assert acme.created_at == at("2026-01-05 15:15")  # 10:15 in New York


@pytest.mark.parametrize("file_name", ["hubspot_deals.csv", "pipedrive_deals.csv"])
def test_import_into_a_new_workspace_seeds_it(db, database_url, clock, file_name):
    code, _, err = run(
        database_url, clock, "import", "deals", str(DATA / file_name), "--team", "T_NEW"
    )
    assert code == 0, err
    with db.reading() as session:
        assert session.scalar(select(Workspace.team_id)) == "T_NEW"
        assert session.scalar(select(func.count()).select_from(Deal)) > 0


def test_salesforce_leads(db, database_url, clock):
    path = str(DATA / "salesforce_leads.csv")
    code, out, err = run(database_url, clock, "import", "leads", path, "--team", TEAM)
    assert code == 0, err
    assert "from a Salesforce export" in out and "`Title`" in err  # not imported, and said so
    with db.reading() as session:
        rows = {
            lead.name: (lead.stage_key, lead.status, lead.company, lead.source, lead.owner_id)
            for lead in session.scalars(select(Lead))
        }
    assert rows == {
        "Priya Shah": ("awareness", "open", "Northwind Traders", "Web", "Maria Garcia"),
        "Tom Keller": ("awareness", "open", "Contoso Ltd", "Partner Referral", "David Chen"),
        # Converted: sales took it on, as `/lead convert` would move it.
        "Ana Costa": ("consideration", "converted", "Fabrikam Inc", "Trade Show", "Maria Garcia"),
        "Li Wei": ("awareness", "dropped", "Litware Inc", "Advertisement", "David Chen"),
    }


def test_reimported_contacts_move_on(db, database_url, clock, tmp_path):
    path = DATA / "hubspot_contacts.csv"
    assert run(database_url, clock, "import", "leads", str(path), "--team", TEAM)[0] == 0
    text = path.read_text(encoding="utf-8").replace(
        "Olivia,Martin,olivia.martin@northwind.example,Northwind Traders,Lead,New,Organic Search,"
        "Spring webinar,Jane Smith,2026-02-02 08:12,,2026-02-02 08:12,,",
        "Olivia,Martin,olivia.martin@northwind.example,Northwind Traders,Marketing Qualified Lead,"
        "New,Organic Search,Spring webinar,Jane Smith,2026-02-02 08:12,,2026-02-02 08:12,"
        "2026-02-24 10:00,",
    )
    assert "2026-02-24 10:00" in text
    later = tmp_path / "contacts.csv"
    later.write_text(text, encoding="utf-8")
    code, out, _ = run(database_url, clock, "import", "leads", str(later))
    assert code == 0 and "0 new, 1 updated, 6 unchanged" in out
    with db.reading() as session:
        olivia = session.scalar(select(Lead).where(Lead.email == "olivia.martin@northwind.example"))
        assert (olivia.stage_key, olivia.furthest_stage_key) == ("interest", "interest")
        move = session.execute(
            select(Change.action, Change.old_value, Change.new_value, Change.at).where(
                Change.entity == "lead", Change.entity_id == olivia.id, Change.action == "move",
                Change.field == "stage_key",
            )
        ).one()  # fmt: skip
        assert tuple(move) == ("move", "awareness", "interest", at("2026-02-24 10:00"))


def test_salesforce_data_loader_api_names(db, database_url, clock, tmp_path):
    path = tmp_path / "opportunity.csv"
    path.write_text(
        "Id,Name,StageName,Amount,CloseDate,CreatedDate,IsClosed,IsWon,LeadSource\n"
        "0065g00000ZZ0001,Open one,Value Proposition,1000,2026-04-01,"
        "2026-01-10T09:30:00.000Z,false,false,Web\n"
        "0065g00000ZZ0002,Signed one,Signed,2000,2026-02-01,2026-01-05T08:00:00.000Z,true,true,\n",
        encoding="utf-8",
    )
    args = ["import", "deals", str(path), "--team", TEAM]
    code, _, err = run(database_url, clock, *args)
    assert code == 1 and "line 3: unknown stage" in err and "`Signed`" in err
    code, out, err = run(database_url, clock, *args, "--stage-map", "Signed=won")
    assert code == 0 and "from a Salesforce export" in out, err
    deals = deals_by_name(db)
    assert (deals["Open one"].stage_key, deals["Open one"].status) == ("solution", "open")
    assert deals["Open one"].created_at == at("2026-01-10 09:30")
    signed = deals["Signed one"]
    assert (signed.status, signed.stage_key, signed.source) == ("won", "closing", None)
    assert signed.closed_at == at("2026-02-01 00:00")
