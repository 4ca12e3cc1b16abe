"""The pipeline digest composed from a small story, figures worked out by hand (PRODUCT.md §5).

T0 = 2026-03-02 09:00 UTC, when the digest is composed; the previous occurrence is T0 - 1 day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.digests.compose import compose_digest, make_composer, request_for
from assistant.services import deals
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from tests.conftest import ManualClock

REP = Actor("T_TEST", "UREP")
ANA = Actor("T_TEST", "U0ANA")
CHARTS = Path("/tmp/digest-charts")


def _deal(services, actor, name, amount, stage=None) -> str:
    new = NewDeal(name=name, amount=Decimal(amount), stage=stage)
    return f"#{deals.create_deal(services, actor, new).number}"


@pytest.fixture
def story(services, clock: ManualClock):
    t0 = clock.now
    clock.set(t0 - timedelta(days=20))
    _deal(services, REP, "Old prospect", "30000")  # #1 prospecting: 20 days, 13 over its 7
    _deal(services, ANA, "Slow assessment", "50000", "assessment")  # #2: 20 days, 6 over 14
    lost_early = _deal(services, REP, "Lost early", "1000")  # #3
    clock.set(t0 - timedelta(days=10))
    deals.lose_deal(services, REP, lost_early, "budget")  # closed within 30 days, before T0-1d
    clock.set(t0 - timedelta(days=5))
    lost_late = _deal(services, REP, "Lost late", "2000")  # #4
    # Since the previous occurrence (T0 - 1 day):
    clock.set(t0 - timedelta(hours=12))
    mover = _deal(services, REP, "New one", "12000")  # #5: new
    clock.set(t0 - timedelta(hours=11))
    deals.move_deal(services, REP, mover, "next")  # an advance
    clock.set(t0 - timedelta(hours=10))
    winner = _deal(services, REP, "Winner", "8000")  # #6: new
    clock.set(t0 - timedelta(hours=9))
    deals.win_deal(services, REP, winner)  # won after 1 hour
    clock.set(t0 - timedelta(hours=6))
    deals.lose_deal(services, REP, lost_late, "timing")
    clock.set(t0 - timedelta(hours=5))
    deals.move_deal(services, REP, mover, "back")  # a setback
    clock.set(t0)
    return t0


def _request(services, kind="pipeline", **changes):
    return replace(request_for(services, REP, "C0SALES", kind), **changes)


def test_pipeline_digest_by_hand(services, story):
    request = _request(services, previous_occurrence_at=story - timedelta(days=1))
    message = compose_digest(services, request)
    text = message.text
    # Open: #1 30,000 + #2 50,000 + #5 12,000 = 92,000; weighted 30,000 x 5% + 50,000 x 20%
    # + 12,000 x 5% = 1,500 + 10,000 + 600 = 12,100.
    assert "*3 open deals* worth *$92,000* (weighted $12,100)." in text
    # Since T0-1d: #5 and #6 created (12,000 + 8,000), #5 forward once and back once, #6 won
    # (8,000), #4 lost. #3 was lost before the window.
    assert (
        "*Since Sun 2026-03-01 09:00*: 2 new deals ($20,000) · 1 stage advance (1 back) · "
        "1 won ($8,000) · 1 lost"
    ) in text
    # Overdue: #1 13 days in prospecting, #2 6 days in assessment -> prospecting.
    assert "*Bottleneck: Lead generation* — 1 stuck deal worth $30,000" in text
    assert "#1 Old prospect" in text and "<@UREP>" in text
    assert "#2 Slow assessment" in text and "<@U0ANA>" in text
    # 30 days: won #6, lost #3 and #4 -> 1 / 3 = 33%; nothing closed the 30 days before.
    # Sales cycle: #6 created T0-10h, won T0-9h: 1 hour.
    assert "win rate 33% (no figure for the previous 30 days)" in text
    assert "sales cycle 1 hour" in text and "1 won, 2 lost" in text
    blocks = [b.to_dict() for b in message.blocks]
    assert blocks[0]["type"] == "header"
    assert blocks[0]["text"]["text"] == "Pipeline digest · Mon 02 Mar 2026"
    assert [name for name, _, _ in message.charts] == ["pipeline-2026-03-02.png"]
    png = message.charts[0][1]
    assert png.startswith(b"\x89PNG")
    CHARTS.mkdir(parents=True, exist_ok=True)
    (CHARTS / "pipeline-digest.png").write_bytes(png)


def test_movement_defaults_to_the_last_24_hours(services, story):
    message = make_composer(services)(_request(services))  # no previous occurrence
    assert "*Since Sun 2026-03-01 09:00*: 2 new deals" in message.text


def test_delayed_digest_says_so(services, story):
    message = compose_digest(services, _request(services, "both", delayed=True), charts=False)
    headers = [b.to_dict()["text"]["text"] for b in message.blocks if b.type == "header"]
    assert headers == [
        "Pipeline digest · Mon 02 Mar 2026 (delayed)",
        "Funnel digest · last 7 days (delayed)",
    ]
    assert message.text.startswith("Pipeline digest · Mon 02 Mar 2026 (delayed)")
    assert message.charts == []


def test_empty_workspace_gets_a_friendly_digest(services):
    message = compose_digest(services, _request(services, "both"))
    assert "No open deals yet" in message.text
    assert "No leads were created in last 7 days" in message.text
    assert "Bottleneck" not in message.text
    assert message.charts == []  # no empty pictures
    assert 0 < len(message.blocks) <= 50
