"""Monospace tables in code blocks: one way to fit a cell, lay out rows and split sections.

A code block is the only way Slack keeps columns aligned; it renders no mentions and no
formatting, so cells are plain text without backticks (one would close the block), wrapped
between words at a column's width (the widths below keep a table readable on a phone), and
people appear by name.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from slack_sdk.models.blocks import SectionBlock

from assistant.blocks.common import MAX_SECTION_TEXT, code_table, escape, fenced, section

NAME_WIDTH = 28  # deal and lead names, stage labels
SHORT_WIDTH = 18  # companies, stages in lists
GROUP_WIDTH = 20  # sources and campaigns
COLUMN_WIDTH = 9  # a narrow column headed by one word
MISSING = "—"
MAX_CELL_LINES = 3  # a 200-character name would take over the table; its card has it all


def cell(value: object, width: int) -> str:
    """The value in lines of at most `width` characters, broken between words (a phone shows
    about 40 monospace characters: names wrap onto a second line rather than being cut)."""
    text = " ".join(str(MISSING if value is None else value).split()).replace("`", "'")
    if len(text) <= width:
        return text
    lines = textwrap.wrap(text, width, break_on_hyphens=False)
    if len(lines) > MAX_CELL_LINES:
        lines = lines[:MAX_CELL_LINES]
        lines[-1] = lines[-1][: width - 1] + "…"
    return "\n".join(lines)


def column_head(label: str, width: int = COLUMN_WIDTH) -> str:
    """A narrow column's heading: the label's first word, cut with an ellipsis so the header
    stays one line (a wrapped header reads as a row)."""
    word = label.split()[0] if label.split() else ""
    return word if len(word) <= width else word[: width - 1] + "…"


def table(head: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    # Escaped after layout: `&amp;` shows as one character, so the columns stay aligned.
    return fenced(escape(code_table([head, *rows], align)))


def table_sections(
    head: Sequence[str], rows: Sequence[Sequence[str]], align: str = ""
) -> list[SectionBlock]:
    """The table split over as many sections as Slack's 3,000 characters a section need,
    each with the header row: each section holds as many rows as fit (at least one)."""
    sections, start, guess = [], 0, None
    while start < len(rows):
        end = _fitting_end(head, rows, start, align, guess)
        sections.append(section(table(head, rows[start:end], align)))
        start, guess = end, end - start
    return sections


def _fitting_end(
    head: Sequence[str], rows: Sequence[Sequence[str]], start: int, align: str, guess: int | None
) -> int:
    """The end of the longest run of rows from `start` whose table fits a section, or
    start + 1. A table only grows with its rows (columns widen, lines add), so the end is
    searched for from a guess (the previous section's size, else the length of a few rows)
    by doubling steps, then halving: a handful of layouts per section, where trying each row
    in turn laid out a table per row (a 500-row list: 500 tables of up to 40 rows)."""
    last = len(rows)

    def fits(end: int) -> bool:
        return len(table(head, rows[start:end], align)) <= MAX_SECTION_TEXT

    if guess is None:  # the whole rest, if it fits; else as many as a sample's rows suggest
        if fits(last):
            return last
        sample = min(8, last - start)
        guess = (
            MAX_SECTION_TEXT
            * sample
            // max(1, len(table(head, rows[start : start + sample], align)))
        )
    probe = max(start + 1, min(start + guess, last))
    if probe == start + 1 or fits(probe):
        good, step = probe, 1  # `good` is taken even when one row alone does not fit
        while good < last:
            probe = min(good + step, last)
            if not fits(probe):
                break
            good, step = probe, step * 2
        else:
            return last
        bad = probe
    else:
        bad, step = probe, 1
        while True:
            probe = bad - step
            if probe <= start + 1:
                good = start + 1
                break
            if fits(probe):
                good = probe
                break
            bad, step = probe, step * 2
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits(middle):
            good = middle
        else:
            bad = middle
    return good
