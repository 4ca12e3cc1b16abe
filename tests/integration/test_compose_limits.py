"""However large the data, a digest stays within Slack's limits (PRODUCT.md §5).

5,000 open deals with the longest names there are, spread over 12 stages with the longest
labels, most of them stuck and owned by many people; 300 leads from 300 sources.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from assistant.blocks.common import MAX_BLOCKS, MAX_SECTION_TEXT
from assistant.digests.compose import compose_digest, request_for
from assistant.services import settings
from assistant.services.context import Actor
from assistant.services.workspaces import ensure_workspace
from assistant.storage.models import Deal, Lead

CHARTS = Path("/tmp/digest-charts")
ADMIN = Actor("T_TEST", "UADMIN")
DEALS = 5000
LEADS = 300
# 200 characters, with what must never ping or break anyone: a broadcast, entities, backticks.
LONG_NAME = ("<!channel> Acme & Sons `renewal` " + "x" * 200)[:200]


def _fill(services, clock) -> None:
    """One executemany per table inside one transaction: the figures read only the rows (no
    history), and inserting 5,000 deals one service call at a time would take half a minute."""
    labels = [f"Stage {n} " + "l" * 70 for n in range(12)]  # 12 stages, 78-character labels
    settings.set_pipeline(services, ADMIN, labels)
    keys = [s.key for s in settings.list_pipeline(services, ADMIN)]
    then = clock.now - timedelta(days=40)  # every deal is past its stage's target
    started = time.monotonic()
    with services.db.transaction() as session:
        workspace_id = ensure_workspace(session, "T_TEST", then, "UTC").id
        deals = [
            {
                "workspace_id": workspace_id, "number": n + 1, "name": f"{n} {LONG_NAME}"[:200],
                "name_folded": f"{n} {LONG_NAME}"[:200].casefold(), "amount": Decimal(1000 + n),
                "owner_id": f"U{n % 400:04d}", "stage_key": keys[n % len(keys)],
                "stage_entered_at": then + timedelta(seconds=n), "status": "open",
                "created_by": "UADMIN", "created_at": then, "updated_at": then,
            }
            for n in range(DEALS)
        ]  # fmt: skip
        session.execute(insert(Deal), deals)
        leads = [
            {
                "workspace_id": workspace_id, "number": n + 1, "name": f"Lead {n}",
                "name_folded": f"lead {n}", "source": f"source {n} <@U1> & co " + "s" * 60,
                "campaign": f"campaign {n % 70} " + "c" * 70, "stage_key": "awareness",
                "furthest_stage_key": ("awareness", "interest", "action")[n % 3],
                "status": "open", "created_at": clock.now - timedelta(hours=1 + n % 100),
                "updated_at": clock.now,
            }
            for n in range(LEADS)
        ]  # fmt: skip
        session.execute(insert(Lead), leads)
    assert time.monotonic() - started < 10  # about a second in practice


def _texts(block: dict) -> list[str]:
    found = []
    if isinstance(block.get("text"), dict):
        found.append(block["text"]["text"])
    for element in block.get("elements", []):
        if isinstance(element, dict) and "text" in element:
            found.append(element["text"])
    return found


def test_five_thousand_open_deals_fit(services, clock):
    _fill(services, clock)
    request = replace(request_for(services, ADMIN, "C0SALES", "both"), delayed=True)
    message = compose_digest(services, request)
    blocks = [b.to_dict() for b in message.blocks]  # slack_sdk validates each block's limits
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        for text in _texts(block):
            assert len(text) <= MAX_SECTION_TEXT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150 and "(delayed)" in block["text"]["text"]
    assert 0 < len(message.text) <= 40_000
    assert "*5,000 open deals*" in message.text
    assert "…and 4,990 more stuck deals." in message.text
    # Deal names are shown, never obeyed: no broadcast and no stray mention slips through.
    everything = message.text + "".join(t for b in blocks for t in _texts(b))
    assert "<!channel>" not in everything and "<@U1>" not in everything
    assert "&lt;!channel&gt; Acme &amp; Sons" in everything
    assert len(message.charts) == 2
    CHARTS.mkdir(parents=True, exist_ok=True)
    for name, png, _ in message.charts:
        (CHARTS / f"large-{name.split('-')[0]}.png").write_bytes(png)
    (CHARTS / "large-digest.txt").write_text(message.text)


def test_both_parts_without_charts_also_fit(services, clock):
    _fill(services, clock)
    request = request_for(services, ADMIN, "C0SALES", "both")
    message = compose_digest(services, request, charts=False)
    assert len(message.blocks) <= MAX_BLOCKS and message.charts == []
    assert "source" in message.text  # best and worst sources are named
