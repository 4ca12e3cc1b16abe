"""The public sample files (shared/data) import as the README says, and the figures the bot
then shows are the ones computed here from the files themselves (issue #15)."""

from __future__ import annotations

import csv
import importlib.util
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant.storage.models import Deal, Lead
from assistant.transfer.cli import main

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("readme_examples", ROOT / "docs/readme_examples.py")
examples = importlib.util.module_from_spec(spec)
spec.loader.exec_module(examples)
SAMPLES = examples.SAMPLES
pytestmark = pytest.mark.skipif(SAMPLES is None, reason="shared/data is not on this machine")


def run(database_url, clock, *argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), database_url, stdout=out, stderr=err, clock=clock)
    assert code == 0, err.getvalue()
    return out.getvalue() + err.getvalue()


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_maven_pipeline(db, database_url, clock):
    path = SAMPLES / "crm-maven" / "sales_pipeline.csv"
    run(database_url, clock, "import", "deals", str(path), "--stage-map", "Engaging=qualification")
    file = rows(path)
    stages = Counter(r["deal_stage"] for r in file)
    won_value = sum(Decimal(r["close_value"] or 0) for r in file if r["deal_stage"] == "Won")
    with db.reading() as session:
        status = dict(
            session.execute(select(Deal.status, func.count()).group_by(Deal.status)).all()
        )
        value = session.scalar(select(func.sum(Deal.amount)).where(Deal.status == "won"))
        owners = session.scalar(select(func.count(func.distinct(Deal.owner_id))))
    assert status == {"won": stages["Won"], "lost": stages["Lost"],
                      "open": stages["Prospecting"] + stages["Engaging"]}  # fmt: skip
    assert value == won_value
    assert owners == len({r["sales_agent"] for r in file})


def test_olist_funnel(db, database_url, clock):
    leads_path = SAMPLES / "olist-funnel" / "olist_marketing_qualified_leads_dataset.csv"
    deals_path = SAMPLES / "olist-funnel" / "olist_closed_deals_dataset.csv"
    run(database_url, clock, "import", "leads", str(leads_path))
    run(database_url, clock, "import", "deals", str(deals_path))
    leads, deals = rows(leads_path), rows(deals_path)
    known = {r["mql_id"] for r in leads}
    won_from_leads = {r["mql_id"] for r in deals} & known
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == len(leads)
        reached = session.scalar(
            select(func.count()).select_from(Lead).where(Lead.furthest_stage_key == "action")
        )
        won = session.scalar(select(func.count()).select_from(Deal).where(Deal.status == "won"))
        first = session.scalar(select(func.min(Lead.created_at)))
    assert won == len(deals) and reached == len(won_from_leads)
    # Day-first dates (01-02-2018 is 1 February): the earliest is the file's earliest.
    days = sorted(tuple(reversed(r["first_contact_date"].split("-"))) for r in leads)
    assert first.date().isoformat() == "-".join(days[0])
