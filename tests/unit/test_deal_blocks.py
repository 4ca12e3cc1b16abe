"""The deal builders on plain views: wording, escaping, button values and Block Kit limits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from assistant.blocks.deal_list import list_reply
from assistant.blocks.deals import (
    card_reply,
    moved_text,
    stage_clock,
)
from assistant.blocks.home import home_view
from assistant.commands.deal_card import parse_value
from assistant.commands.deal_form import read_form
from assistant.domain.stages import StageDef as StageView
from assistant.services.reports import OpenTotals
from assistant.services.views import DealCard, DealView, MoveResult, NoteView, StageStay

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")
LABELS = {"qualification": "Qualification", "proposal": "Proposal / price negotiation",
          "closing": "Closing"}  # fmt: skip


def view(**changes) -> DealView:
    base = DealView(
        number=12, name="Acme renewal", company="Acme", amount=Decimal("12000"),
        owner_id="U0ANA", stage_key="qualification", stage_label="Qualification",
        stage_entered_at=NOW - timedelta(days=9), status="open", lost_reason=None,
        close_date=None, closed_at=None, source=None, campaign=None, lead_number=None,
        created_at=NOW - timedelta(days=20), version=3, target_days=7,
        probability=Decimal("0.10"), days_in_stage=9.0,
    )  # fmt: skip
    return replace(base, **changes)


def card(deal: DealView, **changes) -> DealCard:
    stays = [StageStay("qualification", "Qualification", NOW - timedelta(days=9), None)]
    fields = {"deal": deal, "stays": stays, "notes": [], "next_stage": None, "now": NOW}
    fields.update(changes)
    return DealCard(**fields)


def texts(blocks) -> list[str]:
    return [json.dumps(b.to_dict(), ensure_ascii=False) for b in blocks]


def test_days_in_stage_against_the_target():
    assert stage_clock(view()) == "9 days in Qualification (target 7) — stuck by 2 days"
    assert stage_clock(view(days_in_stage=3.0)) == (
        "3 days in Qualification (target 7) — 4 days left"
    )
    assert stage_clock(view(target_days=None)) == "9 days in Qualification (no target)"


def test_move_wording_states_from_to_and_days():
    moved = view(number=12, stage_key="closing", stage_label="Closing")
    result = MoveResult(moved, "proposal", "closing", 3.5)
    assert moved_text(result, LABELS, "USD") == (
        "Moved #12 Acme renewal from Proposal / price negotiation to Closing after 3.5 days."
    )
    won = MoveResult(view(status="won", amount=Decimal("15000")), "closing", "won", 2.0)
    assert moved_text(won, LABELS, "EUR").startswith(":tada: Won #12 Acme renewal for €15,000")


def test_card_buttons_carry_number_and_version_and_name_the_next_stage():
    next_stage = StageView("assessment", "Assessment", 2, Decimal("0.2"), 14)
    reply = card_reply(card(view(), next_stage=next_stage), "USD", UTC_ZONE)
    actions = [b.to_dict() for b in reply.blocks if b.type == "actions"][0]["elements"]
    assert [a["text"]["text"] for a in actions] == ["Move to Assessment", "Won", "Lost"]
    assert {a["value"] for a in actions} == {'{"n":12,"v":3}'}
    assert parse_value(actions[0]["value"]) == (12, 3)
    assert "9 days in Qualification (target 7) — stuck by 2 days" in reply.text


def test_a_closed_card_has_no_buttons_and_says_why():
    lost = view(status="lost", lost_reason="budget <cut>", closed_at=NOW)
    reply = card_reply(card(lost), "USD", UTC_ZONE)
    assert not [b for b in reply.blocks if b.type == "actions"]
    assert ":x: Lost on 2026-03-20, from Qualification. Reason: budget &lt;cut&gt;" in reply.text


def test_user_text_is_escaped_everywhere():
    hostile = "<!channel> & <@U0BOSS>"
    deal = view(name=hostile, company=hostile, lost_reason=hostile)
    notes = [NoteView("U0ANA", hostile, NOW)]
    for reply in (
        card_reply(card(deal, notes=notes), "USD", UTC_ZONE),
        list_reply([deal], 1, "Open deals", "USD"),
    ):
        for text in [reply.text, *texts(reply.blocks)]:
            assert "<!channel>" not in text and "<@U0BOSS>" not in text
        assert "&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;" in reply.text


def test_a_backtick_in_a_name_cannot_close_the_code_fence():
    reply = list_reply([view(name="```oops```")], 1, "Open deals", "USD")
    table = [b.text.text for b in reply.blocks if b.type == "section" and "```" in b.text.text]
    assert table and all(t.count("```") == 2 for t in table)


def test_a_long_list_is_cut_within_limits_and_counted():
    many = [view(number=n, name="N" * 200, owner_id=f"U0OWNER{n}") for n in range(1, 501)]
    reply = list_reply(many, 812, "Open deals", "USD")
    assert len(reply.blocks) <= 50
    assert all(len(b.text.text) <= 3000 for b in reply.blocks if b.type == "section")
    assert "…and 772 more." in reply.text
    assert "812 deals" in reply.text and "in total" not in reply.text  # the sum would be partial


def test_home_groups_by_stage_flags_stuck_and_shows_totals():
    stages = [StageView("qualification", "Qualification", 1, Decimal("0.1"), 7),
              StageView("closing", "Closing", 5, Decimal("0.8"), 7)]  # fmt: skip
    deals = [view(number=2, stage_key="closing", stage_label="Closing", days_in_stage=1.0),
             view(number=1)]  # fmt: skip
    totals = OpenTotals(2, Decimal("24000"), Decimal("10800"))
    blocks = home_view(deals, 2, stages, totals, "USD", NOW).to_dict()["blocks"]
    text = "\n".join(json.dumps(b, ensure_ascii=False) for b in blocks)
    assert text.index("*Qualification*") < text.index("*Closing*")
    assert "stuck by 2 days" in text and text.count("stuck by") == 1
    assert "2 open deals · open value $24,000 · weighted value $10,800" in text


def test_the_form_reads_slack_state_and_reports_each_bad_field():
    def field(value):
        return {"value": {"type": "plain_text_input", "value": value}}

    values = {"name": field("Acme"), "amount": field("$1.5m"),
              "close": {"value": {"selected_date": "2020-01-31"}}}  # fmt: skip
    new, errors = read_form(values, "UREP")
    assert errors == {} and new.amount == Decimal("1500000.00") and new.owner_id == "UREP"
    assert new.close_date.isoformat() == "2020-01-31"  # a past date is allowed
    _, errors = read_form({"name": field(None), "amount": field("many")}, "UREP")
    assert set(errors) == {"name", "amount"}
