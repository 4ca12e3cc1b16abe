"""Long tables split over sections: each section as full as Slack's limit allows, in order,
every row once; the same split as adding rows one by one until the next would not fit."""

from __future__ import annotations

import random

from assistant.blocks.common import MAX_SECTION_TEXT, section
from assistant.blocks.tables import table, table_sections

HEAD = ["#", "Deal", "Owner", "Amount"]


def one_by_one(head, rows, align=""):
    """The rule, stated plainly: a row joins the section unless the table would not fit."""
    chunks, chunk = [], []
    for row in rows:
        if chunk and len(table(head, [*chunk, row], align)) > MAX_SECTION_TEXT:
            chunks.append(chunk)
            chunk = []
        chunk.append(row)
    return [*chunks, chunk] if chunk else chunks


def texts(sections) -> list[str]:
    return [s.text.text for s in sections]


def test_sections_are_as_full_as_fit_for_lists_of_every_length():
    rng = random.Random(20)
    for count in (0, 1, 2, 7, 39, 40, 41, 120, 500):
        rows = [
            [
                f"#{i}",
                "x" * rng.randint(1, 60) + " & co",
                f"<@U{i:04}>",
                f"{rng.randint(1, 10**6):,}",
            ]
            for i in range(count)
        ]
        expected = [table(HEAD, chunk, "llrr") for chunk in one_by_one(HEAD, rows, "llrr")]
        assert texts(table_sections(HEAD, rows, "llrr")) == expected, count
        assert all(len(t) <= MAX_SECTION_TEXT for t in expected)


def test_a_row_too_long_for_a_section_gets_one_of_its_own():
    rows = [["#1", "short", "U1", "1"], ["#2", "y" * 3100, "U2", "2"], ["#3", "short", "U3", "3"]]
    expected = [section(table(HEAD, chunk)).text.text for chunk in one_by_one(HEAD, rows)]
    assert texts(table_sections(HEAD, rows)) == expected and len(expected) == 3
