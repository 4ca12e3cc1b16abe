"""`/pipeline` board end to end: per stage open count, value, weighted value, stuck; totals."""

from __future__ import annotations

from decimal import Decimal

from assistant.services import deals, settings
from assistant.services.context import Actor
from assistant.services.deals import NewDeal

REP = Actor("T_TEST", "UREP")


def _deal(bot, name: str, amount: str | None, stage: str | None = None) -> None:
    value = Decimal(amount) if amount else None
    deals.create_deal(bot.services, REP, NewDeal(name=name, amount=value, stage=stage))


def _table(result) -> str:
    return result.body["blocks"][1]["text"]["text"]


def _line(table: str, label: str) -> list[str]:
    line = next(row for row in table.splitlines() if row.startswith(label))
    return line[len(label) :].split()


def test_board_figures_by_hand(bot):
    _deal(bot, "Old prospect", "30000")  # #1, prospecting: target 7 days
    bot.services.clock.advance(days=8)  # #1 has now sat 8 days > 7: stuck
    _deal(bot, "Fresh prospect", "10000")  # #2, prospecting
    _deal(bot, "Big proposal", "20000", stage="proposal")  # #3, proposal (60 %)
    _deal(bot, "No amount yet", None, stage="qualification")  # #4: counts, adds no value
    _deal(bot, "Won one", "99000", stage="closing")  # #5, closed below: not on the board
    deals.win_deal(bot.services, REP, "#5")

    result = bot.command("/pipeline")
    assert result.status == 200 and result.ephemeral
    table = _table(result)
    # prospecting: #1 + #2 = 30,000 + 10,000 = 40,000; weighted 40,000 x 5 % = 2,000; stuck: #1
    assert _line(table, "Lead generation") == ["5%", "2", "$40,000", "$2,000", "1"]
    # qualification: #4 without an amount: 1 open, $0
    assert _line(table, "Qualification") == ["10%", "1", "$0", "$0", "0"]
    # proposal: 20,000; weighted 20,000 x 60 % = 12,000; entered just now: not stuck
    assert _line(table, "Proposal / price negotiation") == ["60%", "1", "$20,000", "$12,000", "0"]
    # stages without deals still show, with zeros
    assert _line(table, "Closing") == ["80%", "0", "$0", "$0", "0"]
    # totals: 4 open; 40,000 + 20,000 = 60,000; weighted 2,000 + 12,000 = 14,000; 1 stuck
    assert _line(table, "Total") == ["4", "$60,000", "$14,000", "1"]
    # stuck value: #1 alone, 30,000
    assert "4 open deals worth $60,000 (weighted $14,000); 1 stuck ($30,000)." in result.text
    # the plain-text fallback carries every stage too
    assert "Lead generation: 2 open, $40,000, weighted $2,000, 1 stuck" in result.body["text"]


def test_board_follows_settings(bot):
    _deal(bot, "Big proposal", "20000", stage="proposal")
    bot.command("/sales", "settings currency:EUR", user="UADMIN")
    bot.command("/pipeline", "stage proposal probability:50%", user="UADMIN")
    # 20,000 x 50 % = 10,000
    table = _table(bot.command("/pipeline"))
    assert _line(table, "Proposal / price negotiation") == ["50%", "1", "€20,000", "€10,000", "0"]
    assert settings.get_settings(bot.services, REP).currency == "EUR"


def test_empty_board_and_share(bot):
    result = bot.command("/pipeline", "share")
    assert result.status == 200 and not result.ephemeral
    assert "0 open deals worth $0 (weighted $0); 0 stuck ($0)." in result.text
    assert not bot.command("/pipeline", "board share").ephemeral


def test_board_bad_input(bot):
    for text, phrase in (
        ("board mine", "takes no words other than `share`"),
        ("board colour:red", "Unknown option `colour:`"),
    ):
        result = bot.command("/pipeline", text)
        assert result.status == 200 and result.ephemeral
        assert phrase in result.text and "Usage: `/pipeline [board] [share]`" in result.text
    junk = bot.command("/pipeline", "lorem ipsum " * 400)
    assert junk.status == 200 and "Unknown subcommand `lorem`" in junk.text


def test_help(bot):
    result = bot.command("/pipeline", "help")
    for sub in ("board", "bottlenecks", "forecast", "stages", "stage"):
        assert f"/pipeline {sub}" in result.text or sub == "board"
    assert "/pipeline [board] [share]" in result.text
