"""Charts: valid PNGs of a size Slack shows well, for real and for empty data."""

from __future__ import annotations

import struct
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from assistant.analytics.comparison import Delta
from assistant.analytics.funnel import Funnel, FunnelStep
from assistant.analytics.pipeline import Board, BoardRow, BoardTotals
from assistant.charts import funnel_chart, pipeline_chart
from assistant.domain.periods import Period
from assistant.domain.stages import DEFAULT_FUNNEL, DEFAULT_PIPELINE

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NOW = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
PERIOD = Period(NOW - timedelta(days=30), NOW, "last 30 days")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def make_board(values: list[tuple[str, str, int, int]], currency: str = "USD") -> Board:
    rows = []
    for stage, (value, stuck, count, stuck_count) in zip(DEFAULT_PIPELINE, values, strict=True):
        amount, stuck_value = Decimal(value), Decimal(stuck)
        rows.append(
            BoardRow(
                key=stage.key,
                label=stage.label,
                position=stage.position,
                probability=stage.probability,
                target_days=stage.target_days,
                open_count=count,
                open_value=amount,
                weighted_value=amount * stage.probability,
                stuck_count=stuck_count,
                stuck_value=stuck_value,
                overdue_days=float(stuck_count),
            )
        )
    totals = BoardTotals(
        open_count=sum(r.open_count for r in rows),
        open_value=sum((r.open_value for r in rows), Decimal(0)),
        weighted_value=sum((r.weighted_value for r in rows), Decimal(0)),
        stuck_count=sum(r.stuck_count for r in rows),
        stuck_value=sum((r.stuck_value for r in rows), Decimal(0)),
        overdue_days=0.0,
    )
    return Board(NOW, currency, tuple(rows), totals)


BUSY = [
    ("1250000", "300000", 14, 3),
    ("860000", "0", 9, 0),
    ("420500.50", "420500.50", 4, 4),
    ("2100000", "150000", 7, 1),
    ("95000", "0", 2, 0),
    ("0", "0", 0, 0),
]
EMPTY = [("0", "0", 0, 0)] * 6


def make_funnel(counts: list[int], group: str | None = None) -> Funnel:
    steps = []
    for index, stage in enumerate(DEFAULT_FUNNEL):
        before = counts[index - 1] if index else None
        rate = counts[index] / before if before else None
        steps.append(
            FunnelStep(
                stage.key, stage.label, stage.position, Delta(counts[index], 0), Delta(rate, None)
            )
        )
    cohort = counts[0]
    overall = counts[-1] / cohort if cohort else None
    return Funnel(
        period=PERIOD,
        previous_period=PERIOD.previous(),
        cohort=Delta(cohort, 0),
        steps=tuple(steps),
        overall=Delta(overall, None),
        median_days_to_action=Delta(None, None),
        group=group,
    )


def test_pipeline_chart_is_a_slack_sized_png():
    width, height = png_size(pipeline_chart(make_board(BUSY)))
    # 8 x 4.5 inches at 120 dpi: wide enough to stay legible when Slack scales it to ~360 px.
    assert (width, height) == (960, 540)


@pytest.mark.parametrize("currency", ["USD", "EUR", "CHF"])
def test_pipeline_chart_of_an_empty_pipeline(currency):
    width, height = png_size(pipeline_chart(make_board(EMPTY, currency)))
    assert 600 <= width <= 1600 and 300 <= height <= 1200


def test_pipeline_chart_with_no_stages_at_all():
    board = Board(NOW, "USD", (), BoardTotals(0, Decimal(0), Decimal(0), 0, Decimal(0), 0.0))
    assert png_size(pipeline_chart(board))[0] == 960


def test_pipeline_chart_grows_for_many_stages():
    board = make_board(BUSY)
    rows = tuple(board.rows) * 2
    width, height = png_size(pipeline_chart(Board(NOW, "USD", rows, board.totals)))
    assert width == 960 and 540 < height <= 1200


def test_funnel_chart_is_a_slack_sized_png():
    assert png_size(funnel_chart(make_funnel([1240, 610, 180, 42]))) == (960, 540)


def test_funnel_chart_of_an_empty_funnel():
    width, height = png_size(funnel_chart(make_funnel([0, 0, 0, 0])))
    assert 600 <= width <= 1600 and 300 <= height <= 1200


def test_funnel_chart_with_a_long_group_name_keeps_its_size():
    funnel = make_funnel([10, 10, 10, 10], group="A campaign name far too long " * 4)
    assert png_size(funnel_chart(funnel)) == (960, 540)


def test_charts_are_drawn_in_parallel_without_pyplot():
    boards = [make_board(BUSY), make_board(EMPTY)] * 2
    funnels = [make_funnel([100, 50, 20, 5]), make_funnel([0, 0, 0, 0])] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        images = list(pool.map(pipeline_chart, boards)) + list(pool.map(funnel_chart, funnels))
    assert all(image.startswith(PNG_SIGNATURE) for image in images)
    # The same input draws the same picture, whichever thread drew it.
    assert images[0] == images[2] == pipeline_chart(make_board(BUSY))
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or pyplot.get_fignums() == []


def test_the_same_chart_asked_for_again_is_drawn_once():
    # A 09:00 digest to many channels, or workspaces with the same pipeline: the chart shows
    # the same bars and words, so the PNG drawn the first time is the one returned.
    first = pipeline_chart(make_board(BUSY))
    later = pipeline_chart(replace(make_board(BUSY), now=NOW + timedelta(days=1)))
    assert later is first
    other = pipeline_chart(make_board([(v, s, c + 1, sc) for v, s, c, sc in BUSY]))
    assert other != first and png_size(other) == png_size(first)
    assert funnel_chart(make_funnel([1240, 610, 180, 42])) is funnel_chart(
        make_funnel([1240, 610, 180, 42])
    )
