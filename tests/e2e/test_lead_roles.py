"""Who may do what with leads (PRODUCT.md §6): refusals say who may, and change nothing."""

from __future__ import annotations

from assistant.services import queries
from assistant.services.context import Actor
from tests.e2e.test_lead_errors import dump

REP = Actor("T_TEST", "UREP")


def _role(bot, user: str, role: str) -> None:
    result = bot.command("/sales", f"role <@{user}|someone> {role}", user="UADMIN")
    assert f"is now *{role}*" in result.text


def test_marketer_creates_and_moves_leads_but_not_deals(bot):
    _role(bot, "U0MKT", "marketer")
    created = bot.command("/lead", "new Mia source:ads campaign:spring", user="U0MKT")
    assert "Lead *L1* created" in created.text and "owner: <@U0MKT>" in created.text
    bot.command("/lead", "new Rita", user="UREP")
    assert "to *Interest*" in bot.command("/lead", "move L1 next", user="U0MKT").text
    # Marketers change any lead, a rep's too.
    assert "to *Interest*" in bot.command("/lead", "move Rita next", user="U0MKT").text
    before = dump(bot.services.db)
    refused = bot.command("/lead", "convert L1 10k", user="U0MKT")
    assert refused.status == 200 and refused.ephemeral
    assert "You can't create deals: only reps, managers and admins can." in refused.text
    assert "Usage: `/lead convert" in refused.text
    assert dump(bot.services.db) == before
    assert queries.lead_card(bot.services, REP, "L1").status == "open"


def test_rep_cannot_change_another_reps_lead(bot):
    bot.command("/lead", "new Rita", user="UREP")
    for text in ("move L1 next", "drop L1 not mine", "convert L1 5k"):
        before = dump(bot.services.db)
        refused = bot.command("/lead", text, user="U0OTHER")
        assert refused.status == 200 and refused.ephemeral
        assert "only the lead's owner, marketers, managers and admins can" in refused.text
        assert dump(bot.services.db) == before, text
    # Seeing is allowed to everyone.
    assert "L1 · Rita" in bot.command("/lead", "show L1", user="U0OTHER").text


def test_manager_changes_any_lead(bot):
    _role(bot, "U0MGR", "manager")
    bot.command("/lead", "new Rita", user="UREP")
    bot.command("/lead", "new Sam", user="UREP")
    assert "to *Interest*" in bot.command("/lead", "move L1 next", user="U0MGR").text
    assert "dropped" in bot.command("/lead", "drop Sam duplicate", user="U0MGR").text
    converted = bot.command("/lead", "convert Rita 8k", user="U0MGR")
    assert "converted into deal *#1*" in converted.text and "owner <@U0MGR>" in converted.text
    assert queries.deal_card(bot.services, REP, "#1").deal.owner_id == "U0MGR"


def test_marketer_cannot_create_a_deal_for_someone_else(bot):
    _role(bot, "U0MKT", "marketer")
    bot.command("/lead", "new Mia", user="U0MKT")
    refused = bot.command("/lead", "convert L1 5k <@U0REP|rep>", user="U0MKT")
    assert "You can't create deals" in refused.text


def test_other_workspaces_see_nothing(bot):
    bot.command("/lead", "new Rita")
    other = bot.command("/lead", "show L1", team_id="T_OTHER")
    assert "No lead matches `L1`" in other.text
    assert "no leads" in bot.command("/lead", "list", team_id="T_OTHER").text
    refused = bot.command("/lead", "move L1 next", team_id="T_OTHER")
    assert "No lead matches" in refused.text
    assert queries.lead_card(bot.services, REP, "L1").stage_key == "awareness"
