"""Pipeline replies: the board, the bottleneck report, the forecast, the stage settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from assistant.analytics import (
    Board,
    BoardRow,
    BoardTotals,
    BottleneckReport,
    BottleneckStage,
    Delta,
    Forecast,
    StuckDeal,
)
from assistant.blocks import pipeline as render
from assistant.blocks.common import MAX_BLOCKS, MAX_FALLBACK_TEXT, MAX_SECTION_TEXT
from assistant.domain.periods import Period
from assistant.domain.stages import StageDef as StageView

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
D = Decimal


def board_row(key: str, count: int, value: str, probability: str, stuck: int, **kw) -> BoardRow:
    return BoardRow(
        key=key, label=kw.get("label", key.title()), position=0, probability=D(probability),
        target_days=7, open_count=count, open_value=D(value),
        weighted_value=D(value) * D(probability), stuck_count=stuck,
        stuck_value=D(kw.get("stuck_value", "0")), overdue_days=0.0,
    )  # fmt: skip


def board(*rows: BoardRow, currency: str = "USD") -> Board:
    totals = BoardTotals(
        open_count=sum(r.open_count for r in rows),
        open_value=sum((r.open_value for r in rows), D(0)),
        weighted_value=sum((r.weighted_value for r in rows), D(0)),
        stuck_count=sum(r.stuck_count for r in rows),
        stuck_value=sum((r.stuck_value for r in rows), D(0)),
        overdue_days=0.0,
    )
    return Board(NOW, currency, tuple(rows), totals)


def within_limits(payload: dict) -> None:
    assert len(payload["blocks"]) <= MAX_BLOCKS and len(payload["text"]) <= MAX_FALLBACK_TEXT
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT


def test_percent():
    assert render.percent(D("0.05")) == "5%"
    assert render.percent(D("0.6000")) == "60%"
    assert render.percent(D("0.125")) == "12.5%"
    assert render.percent(D("1")) == "100%"


def test_board_in_the_workspace_currency():
    reply = render.board_reply(
        board(
            board_row("prospecting", 2, "30000", "0.05", 1, stuck_value="10000"),
            board_row("proposal", 1, "20000", "0.6", 0),
            currency="EUR",
        )
    )
    # 30,000 x 5 % + 20,000 x 60 % = 1,500 + 12,000 = 13,500
    assert "3 open deals worth €50,000 (weighted €13,500); 1 stuck (€10,000)." in reply.text
    table = reply.to_dict()["blocks"][1]["text"]["text"]
    assert "Total" in table and "€30,000" in table and "€1,500" in table
    assert "Prospecting: 2 open, €30,000, weighted €1,500, 1 stuck" in reply.text


def test_board_escapes_labels_and_fits_however_large():
    rows = [
        board_row(f"s{i}", 10**6, "999999999999", "0.5", 10**5, label="<!channel> `x`" + "L" * 80)
        for i in range(14)
    ]
    payload = render.board_reply(board(*rows, currency="CHF")).to_dict()
    within_limits(payload)
    assert "<!channel>" not in str(payload) and "&lt;!channel&gt; 'x'" in str(payload)


def stage(key: str, stuck: int = 0, **kw) -> BottleneckStage:
    fields = dict(
        key=key, label=key.title(), position=0, target_days=7, open_count=2,
        open_value=D("40000"), median_days_in_stage=11.0, stuck_count=stuck,
        stuck_value=D("30000") if stuck else D(0), overdue_days=13.0 if stuck else 0.0,
        completed_stays=Delta(2, 1), stay_median_days=Delta(4.5, 3.0),
        stay_p90_days=Delta(4.9, None),
    )  # fmt: skip
    fields.update(kw)
    return BottleneckStage(**fields)


def stuck_deal(number: int, name: str = "Old prospect") -> StuckDeal:
    return StuckDeal(number, name, "U0ANA", "prospecting", "Prospecting", D("30000"), 20.0, 13.0)


PERIOD = Period(datetime(2026, 1, 31, 9, tzinfo=UTC), NOW, "last 30 days")


def report(stages, top, total, worst=None) -> BottleneckReport:
    return BottleneckReport(
        PERIOD, PERIOD.previous(), NOW, "USD", worst, tuple(stages), tuple(top), total
    )


def test_bottleneck_named_with_stages_and_owners():
    worst = stage("prospecting", stuck=1)
    reply = render.bottleneck_reply(report([worst, stage("proposal")], [stuck_deal(1)], 1, worst))
    assert (
        "*Bottleneck: Prospecting* — 1 stuck deal worth $30,000, 13 days overdue in total."
        in reply.text
    )
    table = reply.to_dict()["blocks"][1]["text"]["text"]
    assert "11.0d" in table and "4.5d (+1.5)" in table and "4.9d" in table
    assert "#1 Old prospect — Prospecting, 20 days (13 days over target), $30,000, <@U0ANA>" in (
        reply.text
    )


def test_no_stuck_deal_no_bottleneck():
    reply = render.bottleneck_reply(report([stage("prospecting")], [], 0))
    assert "No deal is stuck — no bottleneck." in reply.text
    assert "Most overdue" not in str(reply.to_dict())


def test_bottleneck_report_fits_however_large():
    stages = [stage(f"s{i}" + "x" * 70, stuck=1) for i in range(14)]
    top = [stuck_deal(n, name="<!here>" + "n" * 200) for n in range(10)]
    reply = render.bottleneck_reply(report(stages, top, 5_000, stages[0]))
    payload = reply.to_dict()
    within_limits(payload)
    assert "…and 4,990 more stuck deals." in str(payload)
    assert "<!here>" not in str(payload)


def test_forecast():
    forecast = Forecast(
        period=Period(NOW, datetime(2026, 4, 1, tzinfo=UTC), "this month"),
        first_day=date(2026, 3, 1), last_day=date(2026, 3, 31), currency="USD", count=3,
        value=D("50000"), weighted_value=D("13500"), unpriced_count=1, no_close_date_count=2,
        win_rate=2 / 3, win_rate_period=Period(
            datetime(2026, 1, 29, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC), "before"
        ),
    )  # fmt: skip
    reply = render.forecast_reply(forecast)
    facts = (
        "this month", "close dates 2026-03-01 to 2026-03-31", "3 deals worth $50,000",
        "*$13,500*", "closed 2026-01-29 to 2026-02-28: 67%",
        "1 deal of these without an amount", "2 open deals without a close date",
    )  # fmt: skip
    for fact in facts:
        assert fact in reply.text, fact
    quiet = replace(forecast, win_rate=None, unpriced_count=0, no_close_date_count=0)
    undefined = render.forecast_reply(quiet)
    assert "no deal closed" in undefined.text and "without" not in undefined.text


def test_stages_reply_lists_every_setting():
    stages = [
        StageView("prospecting", "Lead generation", 0, D("0.05"), 7),
        StageView("demo", "Demo <call>", 1, D("0.3"), None),
    ]
    reply = render.stages_reply(stages)
    table = reply.to_dict()["blocks"][1]["text"]["text"]
    assert "Lead generation" in table and "5%" in table and "7 days" in table
    assert "Demo &lt;call&gt;" in table and "30%" in table and "—" in table
    assert "`won` (100%)" in str(reply.to_dict())


def test_stage_changed_reply():
    reply = render.stage_changed_reply(StageView("proposal", "Pricing", 4, D("0.6"), 10))
    assert "`proposal` is now *Pricing*: probability 60%, target 10 days." in reply.text
