"""10,000 generated HubSpot deals: counts and amounts per stage match the file, on both
databases, in a few seconds."""

from __future__ import annotations

import csv
import io
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from assistant.services.deal_views import stage_map
from assistant.services.queries import stage_stays
from assistant.storage.models import Change, Deal, Workspace
from assistant.transfer.cli import main

ROWS = 10_000
# HubSpot's default pipeline in order, with the stage each maps to by default (written out
# here independently of the importer's own table).
PIPELINE = [
    ("Appointment Scheduled", "prospecting"),
    ("Qualified To Buy", "qualification"),
    ("Presentation Scheduled", "solution"),
    ("Decision Maker Bought-In", "proposal"),
    ("Contract Sent", "closing"),
]
CLOSED = {"Closed Won": "won", "Closed Lost": "lost"}
HEADER = [
    "Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date",
    "Deal owner", "Pipeline",
    *(f'Date entered "{label} (Sales Pipeline)"' for label, _ in PIPELINE),
    'Date entered "Closed Won (Sales Pipeline)"', 'Date entered "Closed Lost (Sales Pipeline)"',
]  # fmt: skip
OWNERS = ["Jane Smith", "Bob Lee", "Ana Lima", "Tom Novak", "Sara Kim"]


def generate(path: Path, rows: int, now: datetime) -> None:
    rng = random.Random(20260302)
    fmt = "%Y-%m-%d %H:%M"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for i in range(rows):
            created = now - timedelta(days=rng.uniform(20, 400))
            reached = rng.randrange(len(PIPELINE))
            entered, when = [], created
            for _ in range(reached + 1):
                entered.append(when.strftime(fmt))
                when += timedelta(days=rng.uniform(0.5, 3))
            entered += [""] * (len(PIPELINE) - len(entered))
            outcome = rng.choice(["", "", "", "Closed Won", "Closed Lost"])
            stage = outcome or PIPELINE[reached][0]
            won = when.strftime(fmt) if outcome == "Closed Won" else ""
            lost = when.strftime(fmt) if outcome == "Closed Lost" else ""
            cents = rng.randrange(50_000, 50_000_000)
            amount = f"{cents // 100}.{cents % 100:02d}" if rng.random() > 0.05 else ""
            row = [
                str(9_000_000 + i), f"Deal {i}", stage, amount, when.strftime("%Y-%m-%d"),
                created.strftime(fmt), rng.choice(OWNERS), "Sales Pipeline", *entered, won, lost,
            ]  # fmt: skip
            out.writerow(row)


def expected_from_csv(path: Path) -> dict[str, tuple[int, Decimal]]:
    """Count and total per stage (open deals) or outcome, read straight from the file."""
    mapping = dict(PIPELINE) | CLOSED
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            bucket = totals[mapping[row["Deal Stage"]]]
            bucket[0] += 1
            bucket[1] += Decimal(row["Amount"] or 0)
    return {key: (n, total) for key, (n, total) in totals.items()}


def test_ten_thousand_hubspot_deals(db, database_url, clock, tmp_path, backend):
    path = tmp_path / "hubspot-deals-10k.csv"
    generate(path, ROWS, clock())
    expected = expected_from_csv(path)
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    code = main(
        ["import", "deals", str(path), "--team", "T_BULK", "--progress"],
        database_url, stdout=out, stderr=err, clock=clock,
    )  # fmt: skip
    seconds = time.monotonic() - started
    assert code == 0, err.getvalue()
    # The progress bar reached its end on standard error, with the row count.
    assert "100%" in err.getvalue() and f"{ROWS:,}/{ROWS:,}" in err.getvalue()
    print(f"\n{backend}: {ROWS} HubSpot deals in {seconds:.2f} s ({ROWS / seconds:,.0f} rows/s)")
    with db.reading() as session:
        rows = session.execute(
            select(Deal.status, Deal.stage_key, func.count(), func.sum(Deal.amount)).group_by(
                Deal.status, Deal.stage_key
            )
        ).all()
        actual: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
        for status, stage_key, n, total in rows:
            bucket = actual[stage_key if status == "open" else status]
            bucket[0] += n
            bucket[1] += total or Decimal(0)
        assert {k: (n, total) for k, (n, total) in actual.items()} == expected
        assert session.scalar(select(Workspace.deal_seq)) == ROWS
        numbers = session.execute(select(func.min(Deal.number), func.max(Deal.number))).one()
        assert tuple(numbers) == (1, ROWS)
        # Every deal's replayed history ends where the deal is.
        sample = session.scalars(select(Deal).order_by(Deal.number).limit(200)).all()
        stages = stage_map(session, sample[0].workspace_id)
        for deal in sample:
            stays = stage_stays(session, deal.id, deal.workspace_id, stages)
            assert stays[-1].stage_key == deal.stage_key
            assert stays[-1].entered_at == deal.stage_entered_at
            assert (stays[-1].left_at is None) == (deal.status == "open")
        assert session.scalar(select(func.count()).select_from(Change)) > ROWS * 7
