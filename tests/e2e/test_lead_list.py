"""A long lead list stays within Slack's Block Kit limits and says how many it left out."""

from __future__ import annotations

import json

from assistant.blocks.common import MAX_BLOCKS, MAX_FALLBACK_TEXT, MAX_SECTION_TEXT
from assistant.services import leads
from assistant.services.context import Actor
from assistant.services.leads import NewLead

REP = Actor("T_TEST", "UREP")


def _assert_within_limits(body: dict) -> None:
    assert len(body["blocks"]) <= MAX_BLOCKS
    assert len(body["text"]) <= MAX_FALLBACK_TEXT
    for block in body["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT


def test_five_hundred_leads(bot):
    # Created through the services: 500 slash commands would test nothing more, only slower.
    for n in range(500):
        name = f"Lead {n:03d} " + "long name " * 19  # names at the 200-character limit
        leads.create_lead(
            bot.services,
            REP,
            NewLead(name=name[:200], company="C" * 200, source="s" * 100, campaign="c" * 100),
        )
    result = bot.command("/lead", "list")
    assert result.status == 200 and result.ephemeral
    _assert_within_limits(result.body)
    assert "500 leads" in result.text and "…and 470 more" in result.text
    assert "L500" in result.text  # newest first
    shown = [n for n in range(1, 501) if f"L{n} " in json.dumps(result.body["blocks"])]
    assert len(shown) == 30
    assert "more." in result.body["text"]
    mine = bot.command("/lead", "list mine awareness open share")
    assert not mine.ephemeral and "500 leads" in mine.text
    _assert_within_limits(mine.body)
