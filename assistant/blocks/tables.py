"""Monospace tables in code blocks: one way to fit a cell, lay out rows and split sections.

A code block is the only way Slack keeps columns aligned; it renders no mentions and no
formatting, so cells are plain text: one line, no backticks (one would close the block),
and at most a column's width (the widths below keep a table readable on a phone).
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import SectionBlock

from assistant.blocks.common import MAX_SECTION_TEXT, code_table, escape, fenced, section

NAME_WIDTH = 28  # deal and lead names, stage labels
SHORT_WIDTH = 18  # companies, stages in lists
GROUP_WIDTH = 20  # sources and campaigns
COLUMN_WIDTH = 9  # a narrow column headed by one word
MISSING = "—"


def cell(value: object, width: int) -> str:
    text = " ".join(str(MISSING if value is None else value).split()).replace("`", "'")
    return text if len(text) <= width else text[: width - 1] + "…"


def table(head: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    # Escaped after layout: `&amp;` shows as one character, so the columns stay aligned.
    return fenced(escape(code_table([head, *rows], align)))


def table_sections(
    head: Sequence[str], rows: Sequence[Sequence[str]], align: str = ""
) -> list[SectionBlock]:
    """The table split over as many sections as Slack's 3,000 characters a section need,
    each with the header row."""
    sections, chunk = [], []
    for row in rows:
        if chunk and len(table(head, [*chunk, row], align)) > MAX_SECTION_TEXT:
            sections.append(section(table(head, chunk, align)))
            chunk = []
        chunk.append(row)
    if chunk:
        sections.append(section(table(head, chunk, align)))
    return sections
