"""The public sample files (shared/data) import as the README says, and the figures the bot
then shows are the ones computed here from the files themselves (issue #15)."""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy
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


def _console(database_url: str, command: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SALES_"))}
    env |= {"DATABASE_URL": database_url, "NO_COLOR": "1"}
    shown = subprocess.run(
        [sys.executable, "bot.py", "console", command], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


def test_maven_results_match_a_spreadsheet(db, database_url, clock):
    """`/pipeline results 2017-Q3` and its `by:owner` table against the same sums done over
    the file itself, as a spreadsheet would (issue #16)."""
    path = SAMPLES / "crm-maven" / "sales_pipeline.csv"
    run(database_url, clock, "import", "deals", str(path), "--stage-map", "Engaging=qualification")
    closed = [
        r for r in rows(path)
        if r["deal_stage"] in ("Won", "Lost") and "2017-07-01" <= r["close_date"] < "2017-10-01"
    ]  # fmt: skip
    won = [r for r in closed if r["deal_stage"] == "Won"]
    lost = len(closed) - len(won)
    value = sum(int(r["close_value"]) for r in won)
    cycles = [
        (date.fromisoformat(r["close_date"]) - date.fromisoformat(r["engage_date"])).days
        for r in won
    ]
    shown = _console(database_url, "/pipeline results 2017-Q3")
    assert f"• Won: {len(won):,} deals worth ${value:,}" in shown
    assert f"• Lost: {lost:,} deals" in shown
    assert f"• Win rate: {len(won) / len(closed) * 100:.1f}%" in shown
    assert f"• Average won: ${value / len(won):,.2f}" in shown
    median, p90 = numpy.percentile(cycles, [50, 90])
    assert f"• Sales cycle: median {median:,.0f} days, p90 {p90:,.0f} days" in shown

    by_owner = _console(database_url, "/pipeline results 2017-Q3 by:owner")
    sheet: dict[str, list[int]] = {}  # owner -> [won, value, lost]
    for r in closed:
        row = sheet.setdefault(r["sales_agent"], [0, 0, 0])
        if r["deal_stage"] == "Won":
            row[0] += 1
            row[1] += int(r["close_value"])
        else:
            row[2] += 1
    table = re.findall(r"^  (\S[^$\n]*?) +([\d,]+) +\$([\d,]+) +([\d,]+) ", by_owner, re.M)
    printed = {name: [int(n.replace(",", "")) for n in nums] for name, *nums in table}
    assert printed.pop("Total") == [len(won), value, lost]
    top = sorted(sheet.items(), key=lambda kv: -kv[1][1])[: len(printed)]
    assert len(printed) == 15 and printed == dict(top)  # the 15 largest by won value
    assert f"…and {len(sheet) - 15} more owners" in by_owner
