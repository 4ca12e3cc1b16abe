"""`/pipeline stages` and `/pipeline stage`: everyone sees them, only admins change them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.services import deals, settings
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from tests.e2e.test_lead_errors import dump

REP = Actor("T_TEST", "UREP")


def _keys(bot) -> list[str]:
    return [s.key for s in settings.list_pipeline(bot.services, REP)]


def test_everyone_sees_the_stages(bot):
    result = bot.command("/pipeline", "stages", user="UREP")
    assert result.status == 200 and result.ephemeral
    for fact in ("prospecting", "Lead generation", "5%", "7 days", "proposal",
                 "Proposal / price negotiation", "60%", "10 days", "closing", "80%"):  # fmt: skip
        assert fact in result.text, fact


def test_admin_replaces_the_stages(bot):
    result = bot.command("/pipeline", "stages set Prospecting, Demo call, Proposal, Closing",
                         user="UADMIN")  # fmt: skip
    assert result.status == 200
    assert "The pipeline now has 4 stages." in result.text and "demo_call" in result.text
    assert _keys(bot) == ["prospecting", "demo_call", "proposal", "closing"]
    # The kept stages keep their settings.
    proposal = next(s for s in settings.list_pipeline(bot.services, REP) if s.key == "proposal")
    assert (proposal.probability, proposal.target_days) == (Decimal("0.60"), 10)


def test_admin_configures_one_stage(bot):
    result = bot.command(
        "/pipeline", 'stage prop target:12d probability:55% label:"Pricing talks"', user="UADMIN"
    )
    assert "`proposal` is now *Pricing talks*: probability 55%, target 12 days." in result.text
    stage = next(s for s in settings.list_pipeline(bot.services, REP) if s.key == "proposal")
    assert (stage.label, stage.probability, stage.target_days) == (
        "Pricing talks", Decimal("0.55"), 12,
    )  # fmt: skip
    # A manager makes no difference: stages are the admins'.
    bot.command("/sales", "role <@U0MGR|mgr> manager", user="UADMIN")
    refused = bot.command("/pipeline", "stage proposal target:3d", user="U0MGR")
    assert "You can't change stages: only admins can." in refused.text


def _refused(bot, text: str, phrase: str, user: str = "UADMIN") -> None:
    before = dump(bot.services.db)
    result = bot.command("/pipeline", text, user=user)
    assert result.status == 200 and result.ephemeral
    assert ":warning:" in result.text and "Usage: `/pipeline stage" in result.text, result.text
    assert phrase in result.text, result.text
    assert dump(bot.services.db) == before


@pytest.mark.parametrize(
    ("text", "phrase", "user"),
    [
        ("stages set A, B, C", "You can't change the pipeline's stages: only admins can.",
         "UREP"),
        ("stage proposal target:5d", "You can't change stages: only admins can.", "UREP"),
        ("stages set Only one", "A pipeline needs 2 to 12 stages (1 given)", "UADMIN"),
        ("stages set A, Won, B", "`won` and `lost` are outcomes", "UADMIN"),
        ("stages set", "List the stages in order, separated by commas.", "UADMIN"),
        ("stages prospecting", "To change the stages, use `/pipeline stages set", "UADMIN"),
        ("stage propsal target:5d", "did you mean `proposal`?", "UADMIN"),
        ("stage proposal", "Nothing to change", "UADMIN"),
        ("stage target:5d", "Which stage?", "UADMIN"),
        ("stage proposal target:soon", "`soon` is not a number of days", "UADMIN"),
        ("stage proposal target:0d", "A target is 1 to 365 days.", "UADMIN"),
        ("stage proposal probability:150%", "A probability is between 0% and 100%", "UADMIN"),
        ("stage proposal colour:red", "Unknown option `colour:`", "UADMIN"),
        ("stage " + "lorem ipsum " * 300 + "target:5d", "Unknown stage", "UADMIN"),
    ],
)  # fmt: skip
def test_bad_stage_changes_change_nothing(bot, text, phrase, user):
    bot.command("/pipeline", "stages")  # the workspace exists before the snapshot
    _refused(bot, text, phrase, user)


def test_stage_holding_open_deals_cannot_be_removed(bot):
    deals.create_deal(bot.services, REP, NewDeal(name="Acme", stage="assessment"))
    _refused(bot, "stages set Prospecting, Proposal", "Open deals are still in `assessment` (1)")
    assert "assessment" in _keys(bot)
