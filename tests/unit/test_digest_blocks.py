"""Digest blocks from hand-built figures: the parts, the delayed marker, the limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from assistant.analytics import (
    Board,
    BoardRow,
    BoardTotals,
    BottleneckReport,
    Delta,
    FunnelGroups,
    Movement,
    Outcomes,
)
from assistant.blocks import digests as render
from assistant.blocks.common import MAX_BLOCKS, MAX_SECTION_TEXT, section
from assistant.domain.periods import Period, parse_period
from assistant.domain.schedule import Schedule
from assistant.services.reports import FunnelDigestData, PipelineDigestData
from assistant.services.subscriptions import DeliveryView, SubscriptionView
from tests.unit.test_funnel_blocks import funnel

D = Decimal
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
MONTH = Period(NOW - timedelta(days=30), NOW, "last 30 days")


def pipeline_data(open_count: int = 3, currency: str = "EUR") -> PipelineDigestData:
    row = BoardRow("proposal", "Proposal", 4, D("0.6"), 10, open_count, D("50000"), D("30000"),
                   0, D(0), 0.0)  # fmt: skip
    totals = BoardTotals(open_count, D("50000"), D("30000"), 0, D(0), 0.0)
    report = BottleneckReport(MONTH, MONTH.previous(), NOW, currency, None, (), (), 0)
    outcomes = Outcomes(
        MONTH, MONTH.previous(), Delta(2, 1), Delta(D(9000), D(1000)), Delta(1, 3),
        Delta(2 / 3, 0.25), Delta(12.0, 15.5),
    )  # fmt: skip
    movement = Movement(NOW - timedelta(days=1), NOW, 2, D("20000"), 3, 1, 1, D("8000"), 2)
    return PipelineDigestData(
        1, currency, BERLIN, NOW, Board(NOW, currency, (row,), totals), movement, report,
        outcomes, MONTH,
    )  # fmt: skip


def test_pipeline_part():
    part = render.pipeline_part(pipeline_data(), "(delayed)", chart=True)
    blocks = [b.to_dict() for b in part.blocks]
    assert blocks[0]["text"]["text"] == "Pipeline digest · Mon 02 Mar 2026 (delayed)"
    assert "*3 open deals* worth *€50,000* (weighted €30,000)." in part.text
    # The instants are shown in the workspace's zone: 09:00 UTC is 10:00 in Berlin.
    assert (
        "*Since Sun 2026-03-01 10:00*: 2 new deals (€20,000) · 3 stage advances (1 back) · "
        "1 won (€8,000) · 2 lost"
    ) in part.text
    assert "No deal is stuck — no bottleneck." in part.text
    # 2/3 = 67% against 25%: ▲42 pts; a 12-day cycle against 15.5: ▼3.5 days.
    assert (
        "*Last 30 days*: win rate 67% (▲42 pts vs previous 30 days) · sales cycle 12 days "
        "(▼3.5 days vs previous 30 days) · 2 won, 1 lost"
    ) in part.text
    assert "in the thread" in blocks[-1]["elements"][0]["text"]


def test_empty_pipeline_part():
    part = render.pipeline_part(pipeline_data(open_count=0), "", chart=False)
    assert "No open deals yet." in part.text and "Bottleneck" not in part.text
    assert [b.type for b in part.blocks] == ["header", "section", "section", "section"]


def test_funnel_part_names_best_and_worst():
    week = parse_period("7d", BERLIN, NOW)
    google = funnel([4, 2, 1, 1], [0, 0, 0, 0], group="Google")
    ads = funnel([3, 1, 0, 0], [0, 0, 0, 0], group="Ads")
    sources = FunnelGroups(week, week.previous(), "source", (google, ads))
    campaigns = FunnelGroups(week, week.previous(), "campaign", ())
    overall = replace(
        funnel([7, 3, 1, 1], [0, 0, 0, 0]), period=week, previous_period=week.previous()
    )
    data = FunnelDigestData(1, week, overall, sources, campaigns)
    part = render.funnel_part(data, "", chart=False)
    assert part.blocks[0].to_dict()["text"]["text"] == "Funnel digest · last 7 days"
    assert (
        "*Sources*: no best or worst yet: fewer than two sources with 30 leads or more."
        in part.text
    )
    assert "*Campaigns*: no best or worst yet: fewer than two campaigns with 30 leads" in part.text
    assert "Leads created 2026-02-23 10:00 to 2026-03-02 10:00 (CET)" in part.text


def test_span_of_whole_days():
    month = parse_period("last month", BERLIN, NOW)
    assert render.span(month) == "2026-02-01 to 2026-02-28 (CET)"


def test_combine_fits_any_number_of_blocks():
    parts = [render.Part([section("x" * 2999)] * 40, "y" * 30_000) for _ in range(2)]
    blocks, text = render.combine(parts)
    assert len(blocks) == MAX_BLOCKS
    assert "…and 32 more parts" in blocks[-1].to_dict()["elements"][0]["text"]
    assert len(text) == 40_000 and text.endswith("…")
    assert all(len(b.to_dict().get("text", {}).get("text", "")) <= MAX_SECTION_TEXT for b in blocks)


def test_subscriptions_reply():
    schedule = Schedule(frequency="weekly", weekday=0, at_time="09:30", timezone="Europe/Berlin")
    failed = DeliveryView(NOW, "failed", False, None, "not_in_channel")
    views = [
        SubscriptionView(n, "C0SALES", "pipeline", schedule, "U0MGR", NOW,
                         NOW + timedelta(days=7), failed if n == 1 else None)
        for n in range(1, 46)
    ]  # fmt: skip
    reply = render.subscriptions_reply(views)
    assert (
        "• *#1* <#C0SALES> pipeline — weekly on Monday at 09:30 (Europe/Berlin); next Mon "
        "2026-03-09 10:00; last Mon 2026-03-02 10:00 failed: not_in_channel"
    ) in reply.text
    assert "…and 5 more." in reply.text and "*#41*" not in reply.text
    assert all(len(b.text.text) <= MAX_SECTION_TEXT for b in reply.blocks)
