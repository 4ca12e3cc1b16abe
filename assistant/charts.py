"""PNG charts for Slack: the pipeline's value by stage, and the funnel.

Drawn on `matplotlib.figure.Figure` objects with the Agg canvas, never through pyplot: pyplot
keeps a global registry of figures that is neither thread-safe nor freed unless closed, and
charts are drawn on background threads. No rcParams are changed; every style is passed in.
Sizes are picked for Slack, which shows an image about 360 px wide until someone clicks it:
8 x 4.5 in at 120 dpi (960 x 540 px), big type, few words.

A chart is drawn from what it shows alone (labels, values, texts), and the last CHARTS_KEPT
drawings are kept by that: the same chart asked for again (a digest posted to many channels
at 09:00, workspaces with the same pipeline) is drawn once (bench/STEPS.md, step 5).
"""

from __future__ import annotations

import io
import textwrap
from decimal import Decimal
from functools import lru_cache, partial
from typing import NamedTuple

import matplotlib
import numpy as np
from PIL import Image as PILImage

matplotlib.use("Agg")  # no display; must precede any pyplot import anywhere in the process

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from assistant.analytics.funnel import Funnel  # noqa: E402
from assistant.analytics.pipeline import Board  # noqa: E402
from assistant.domain.amounts import format_compact  # noqa: E402

DPI = 120
WIDTH_IN = 8.0
ON_TRACK = "#2f6fb3"
STUCK = "#d9534f"
FUNNEL_COLOURS = ("#9cc3e6", "#5b9bd5", "#2f6fb3", "#1b4f8a")
TEXT = "#1d1c1d"  # Slack's own text colour
MUTED = "#616061"
TITLE_SIZE = 19
LABEL_SIZE = 16
NOTE_SIZE = 15
LABEL_WRAP = 20  # "Solution development" stays on one line
# zlib's effort: 1 encodes in a third of the default's (6) time, the same pixels, a few more kB.
PNG_EFFORT = 1
CHARTS_KEPT = 256  # PNGs of 30-80 kB: at most about 20 MB


def _figure(rows: int) -> Figure:
    # 8 x 4.5 in for up to six rows; taller for more, so labels never overlap.
    height = max(4.5, 1.2 + 0.55 * rows)
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white", layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure, fitted: list[Text]) -> bytes:
    """Draw once (twice if a line had to be shortened) and encode what was drawn."""
    canvas = figure.canvas
    canvas.draw()
    if _shorten(figure, fitted):
        canvas.draw()
    buffer = io.BytesIO()
    # RGB, not RGBA (the background is opaque white: a quarter less to compress), straight
    # to Pillow (matplotlib's imsave would make it RGBA again).
    pixels = np.ascontiguousarray(np.asarray(canvas.buffer_rgba())[:, :, :3])
    PILImage.fromarray(pixels, "RGB").save(
        buffer, format="png", dpi=(DPI, DPI), compress_level=PNG_EFFORT
    )
    # Free the pixel buffer now; the artists, with no pyplot registry holding them, go with
    # the figure. (`figure.clear()` here cost 10 % of a chart: it clears each axes first.)
    del canvas.renderer
    return buffer.getvalue()


def _wrap(label: str) -> str:
    lines = textwrap.wrap(label, LABEL_WRAP) or [label]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: LABEL_WRAP - 1] + "…"]
    return "\n".join(lines)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _axes(figure: Figure, labels: list[str], spine: bool = True):
    """Horizontal bars, one row per stage read top to bottom, labelled on the left only."""
    axes = figure.add_subplot()
    for side in ("top", "right", "bottom", "left"):
        axes.spines[side].set_visible(side == "left" and spine)
    axes.spines["left"].set_color("#c8c8c8")
    axes.tick_params(axis="x", bottom=False, labelbottom=False)
    axes.set_xticks([])  # none drawn anyway; without any, none are made, placed, formatted
    axes.tick_params(axis="y", length=0, labelsize=LABEL_SIZE, labelcolor=TEXT, pad=8)
    wrapped = [_wrap(label) for label in labels]
    axes.set_yticks(range(len(labels)), wrapped, parse_math=False, linespacing=1.0)
    axes.invert_yaxis()
    return axes


def _text(axes, x: float, y: float, text: str, **style) -> None:
    # parse_math=False: the `$` of two amounts must not turn the text between into TeX math.
    axes.text(x, y, text, parse_math=False, va="center", **style)


def _titles(figure: Figure, axes, title: str, summary: str) -> list[Text]:
    """A bold title across the top of the image and a muted summary line under the bars."""
    return [
        figure.suptitle(title, x=0.015, ha="left", fontsize=TITLE_SIZE, color=TEXT,
                        weight="bold", parse_math=False),
        axes.set_xlabel(summary, fontsize=NOTE_SIZE, color=MUTED, labelpad=8, loc="left",
                        parse_math=False),
    ]  # fmt: skip


def _shorten(figure: Figure, texts: list[Text]) -> bool:
    """Shorten any line that runs off the right edge (a long campaign name or period label)
    so it ends in an ellipsis instead of being cut off; True if one was."""
    renderer = figure.canvas.get_renderer()
    limit = figure.bbox.width - 6
    changed = False
    for text in texts:
        content = text.get_text()
        while text.get_window_extent(renderer).x1 > limit and len(content) > 8:
            content = content[:-2].rstrip()
            text.set_text(content + "…")
            changed = True
    return changed


def pipeline_chart(board: Board) -> bytes:
    """Open value per stage as horizontal bars, the stuck part of each in red and hatched."""
    rows = tuple(
        _BarRow(r.label, r.on_track_value, r.stuck_value, r.open_value, r.open_count)
        for r in board.rows
    )
    totals = board.totals
    drawn = (totals.open_value, totals.stuck_value, totals.open_count, totals.stuck_count)
    return _pipeline_png(board.currency, rows, drawn)


class _BarRow(NamedTuple):
    label: str
    on_track_value: Decimal
    stuck_value: Decimal
    open_value: Decimal
    open_count: int


class _Totals(NamedTuple):
    open_value: Decimal
    stuck_value: Decimal
    open_count: int
    stuck_count: int


@lru_cache(maxsize=CHARTS_KEPT)
def _pipeline_png(currency: str, rows: tuple[_BarRow, ...], drawn: tuple) -> bytes:
    totals = _Totals(*drawn)
    money = partial(format_compact, currency=currency)
    figure = _figure(len(rows))
    axes = _axes(figure, [r.label for r in rows])
    positions = range(len(rows))
    on_track = [float(r.on_track_value) for r in rows]
    stuck = [float(r.stuck_value) for r in rows]
    axes.barh(positions, on_track, color=ON_TRACK, height=0.62, label="On track")
    axes.barh(positions, stuck, left=on_track, color=STUCK, hatch="//", edgecolor="white",
              linewidth=0, height=0.62, label="Stuck")  # fmt: skip
    widest = max((float(r.open_value) for r in rows), default=0.0) or 1.0
    axes.set_xlim(0, widest * 1.6)  # room right of the longest bar for its note
    for y, row in zip(positions, rows, strict=True):
        if row.open_count:
            note = f"{money(row.open_value)}, {row.open_count:,} deal{_s(row.open_count)}"
        else:
            note = "no deals"
        _text(axes, float(row.open_value) + widest * 0.02, y, note, fontsize=NOTE_SIZE,
              color=TEXT if row.open_count else MUTED)  # fmt: skip
    title = f"Open pipeline: {money(totals.open_value)}"
    if totals.stuck_value:
        title += f", {money(totals.stuck_value)} stuck"
    summary = "No open deals"
    if totals.open_count:
        summary = f"{totals.open_count:,} open deal{_s(totals.open_count)}, "
        summary += f"{totals.stuck_count:,} stuck (past the stage's target)"
        # Above the bars at the right, where it can never cover one.
        axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False,
                    fontsize=NOTE_SIZE, handlelength=1.4, columnspacing=1.2,
                    borderaxespad=0.2)  # fmt: skip
    return _png(figure, _titles(figure, axes, title, summary))


def funnel_chart(funnel: Funnel) -> bytes:
    """The funnel as centred bars: leads that reached each stage, with step conversions."""
    steps = funnel.steps
    counts = tuple(s.reached.current or 0 for s in steps)
    rates = tuple(s.step_conversion.current for s in steps)
    cohort = funnel.cohort.current or 0
    summary = f"{cohort:,} lead{_s(cohort)} created" if cohort else "No leads created"
    if funnel.overall.current is not None and steps:
        summary += f" · {funnel.overall.current:.0%} reached {steps[-1].label.split(' (')[0]}"
    name = funnel.group or funnel.source or funnel.campaign
    title = f"Funnel{f' · {name}' if name else ''}, {funnel.period.label}"
    return _funnel_png(tuple(s.label for s in steps), counts, rates, title, summary)


@lru_cache(maxsize=CHARTS_KEPT)
def _funnel_png(
    labels: tuple[str, ...],
    counts: tuple[int, ...],
    rates: tuple[float | None, ...],
    title: str,
    summary: str,
) -> bytes:
    figure = _figure(len(labels))
    axes = _axes(figure, list(labels), spine=False)
    positions = range(len(labels))
    widest = max(counts, default=0) or 1
    colours = [FUNNEL_COLOURS[min(i, len(FUNNEL_COLOURS) - 1)] for i in positions]
    axes.barh(positions, counts, left=[-c / 2 for c in counts], color=colours, height=0.7)
    axes.set_xlim(-widest * 0.5, widest * 1.0)
    for y, rate, count in zip(positions, rates, counts, strict=True):
        x = count / 2 + widest * 0.03
        # The count, and under it the step conversion, right of each bar: side by side they
        # would collide when a step keeps nearly everyone.
        _text(axes, x, y - 0.17 if rate is not None else y, f"{count:,}",
              fontsize=LABEL_SIZE, color=TEXT, weight="bold")  # fmt: skip
        if rate is not None:
            _text(axes, x, y + 0.22, f"{rate:.0%} of previous", fontsize=NOTE_SIZE - 1,
                  color=MUTED)  # fmt: skip
    return _png(figure, _titles(figure, axes, title, summary))
