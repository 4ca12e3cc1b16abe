"""`/lead` end to end, happy paths: each reply states the lead's facts, and the database agrees."""

from __future__ import annotations

from decimal import Decimal

from assistant.services import queries
from assistant.services.context import Actor

REP = Actor("T_TEST", "UREP")
JANE = (
    "new Jane Doe company:Acme email:<mailto:jane@acme.com|jane@acme.com> "
    "source:webinar campaign:spring"
)


def test_new_lead_with_every_field(bot):
    result = bot.command("/lead", JANE + " stage:interest <@U0ANA|ana>")
    assert result.status == 200 and result.ephemeral
    for fact in ("L1", "Jane Doe", "Acme", "jane@acme.com", "*Interest*", "furthest: Interest",
                 "webinar", "spring", "<@U0ANA>", "deals: none"):  # fmt: skip
        assert fact in result.text, fact
    lead = queries.lead_card(bot.services, REP, "L1")
    assert (lead.name, lead.company, lead.email) == ("Jane Doe", "Acme", "jane@acme.com")
    assert (lead.source, lead.campaign, lead.stage_key) == ("webinar", "spring", "interest")
    assert lead.owner_id == "U0ANA" and lead.status == "open"


def test_new_lead_defaults_and_bare_email(bot):
    result = bot.command("/lead", "new Bob Stone <mailto:bob@beta.io|bob@beta.io>")
    assert "Lead *L1* created" in result.text and "*Awareness*" in result.text
    lead = queries.lead_card(bot.services, REP, "bob@beta.io")
    assert (lead.stage_key, lead.owner_id, lead.source) == ("awareness", "UREP", None)


def test_move_next_back_and_by_name_keeps_furthest(bot):
    bot.command("/lead", JANE)
    moved = bot.command("/lead", "move L1 cons")
    assert "moved from *Awareness* to *Consideration*" in moved.text
    back = bot.command("/lead", "move jane back")
    assert "from *Consideration* to *Interest*" in back.text
    assert "furthest: Consideration" in back.text
    lead = queries.lead_card(bot.services, REP, "L1")
    assert (lead.stage_key, lead.furthest_stage_key) == ("interest", "consideration")
    by_option = bot.command("/lead", 'move "Jane Doe" stage:"Action (purchase)"')
    assert "to *Action (purchase)*" in by_option.text and "furthest: Action" in by_option.text


def test_convert_keeps_source_and_campaign(bot):
    bot.command("/lead", JANE)
    result = bot.command("/lead", "convert Jane Doe 12k <@U0ANA|ana> stage:qual")
    assert result.status == 200
    assert "converted into deal *#1*" in result.text and "$12,000" in result.text
    assert "keeps the lead's source (webinar) and campaign (spring)" in result.text
    assert "<@U0ANA>" in result.text and "deals: #1" in result.text
    card = queries.deal_card(bot.services, REP, "#1")
    assert (card.deal.source, card.deal.campaign) == ("webinar", "spring")
    assert card.deal.amount == Decimal("12000.00") and card.deal.owner_id == "U0ANA"
    assert card.deal.stage_key == "qualification" and card.deal.lead_number == 1
    assert queries.deal_card(bot.services, REP, card.deal.name).deal.lead_number == 1  # by name
    lead = queries.lead_card(bot.services, REP, "L1")
    assert (lead.status, lead.stage_key, lead.deal_numbers) == ("converted", "consideration", [1])


def test_convert_in_workspace_currency_without_amount(bot):
    bot.command("/sales", "settings currency:EUR", user="UADMIN")
    bot.command("/lead", JANE)
    result = bot.command("/lead", "convert L1")
    assert "no amount yet" in result.text and "stage *Lead generation*" in result.text
    bot.command("/lead", "new Max company:Beta")
    assert "€5,000" in bot.command("/lead", "convert max 5000").text


def test_drop_with_a_reason_after_a_name(bot):
    bot.command("/lead", JANE)
    result = bot.command("/lead", "drop Jane Doe no budget this year")
    assert "Lead *L1* dropped" in result.text
    assert "dropped (reason: no budget this year)" in result.text
    lead = queries.lead_card(bot.services, REP, "L1")
    assert (lead.status, lead.drop_reason) == ("dropped", "no budget this year")


def test_show_by_number_email_and_name(bot):
    bot.command("/lead", JANE)
    for ref in ("L1", "<mailto:jane@acme.com|jane@acme.com>", "jane doe"):
        card = bot.command("/lead", f"show {ref}")
        assert "L1 · Jane Doe" in card.text and "Created 2026-03-02" in card.text, ref
        assert "webinar" in card.text and "owner: <@UREP>" in card.text


def test_list_filters(bot):
    bot.command("/lead", JANE)
    bot.command("/lead", "new Bob source:ads stage:interest", user="U0BOB")
    bot.command("/lead", "new Carl source:Webinar")
    bot.services.clock.advance(days=40)
    bot.command("/lead", "new Dora source:webinar")
    bot.services.clock.advance(minutes=5)  # periods end at "now", excluded
    everything = bot.command("/lead", "list")
    assert "*Leads (all time)*: 4 leads" in everything.text
    mine = bot.command("/lead", "list mine source:webinar")
    assert "3 leads" in mine.text and "Bob" not in mine.text
    recent = bot.command("/lead", "list 30d")
    assert "1 lead" in recent.text and "Dora" in recent.text and "Jane" not in recent.text
    by_stage = bot.command("/lead", "list interest")
    assert "in Interest" in by_stage.text and "Bob" in by_stage.text and "Jane" not in by_stage.text
    bot.command("/lead", "drop Carl")
    dropped = bot.command("/lead", "list dropped")
    assert "*Dropped leads (all time)*: 1 lead" in dropped.text and "Carl" in dropped.text
    shared = bot.command("/lead", "list share <@U0BOB|bob>")
    assert not shared.ephemeral and "of <@U0BOB>" in shared.text and "1 lead" in shared.text


def test_help(bot):
    for text in ("help", ""):
        result = bot.command("/lead", text)
        assert result.status == 200 and result.ephemeral
        for sub in ("new", "move", "convert", "drop", "show", "list"):
            assert f"/lead {sub}" in result.text
    detail = bot.command("/lead", "help convert")
    assert "keeps its source and campaign" in detail.text and "Example:" in detail.text
