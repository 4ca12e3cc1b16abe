"""A rep may create a deal for a colleague (or give one away): it is the colleague's from then
on, and they hear of it in a DM with the deal's card (issue #14, item 9)."""

from __future__ import annotations


def dms_to(bot, user: str) -> list:
    return [c for c in bot.fake.calls_to("chat.postMessage") if c.args.get("channel") == user]


def test_a_deal_made_for_a_colleague_reaches_them_with_its_card(bot):
    made = bot.command("/deal", "new Acme renewal 12k <@UREP2|bea>", user="UREP")
    assert "owned by <@UREP2>" in made.text
    bot.fake.wait_for("chat.postMessage", 1)
    (dm,) = dms_to(bot, "UREP2")
    assert "<@UREP> gave you this deal" in dm.args["text"] and "#1 Acme renewal" in dm.args["text"]
    buttons = [b for b in dm.args["blocks"] if b["type"] == "actions"]
    assert buttons, "the card comes with its buttons"
    # From now on it is the colleague's: the maker may not move it, the owner may.
    refused = bot.command("/deal", "move 1 next", user="UREP")
    assert "can't move this deal" in refused.text
    assert "Moved #1" in bot.command("/deal", "move 1 next", user="UREP2").text


def test_own_deals_and_assignments_to_oneself_send_no_dm(bot):
    bot.command("/deal", "new Acme 12k", user="UREP")
    bot.command("/deal", "new Globex 5k <@UREP|me>", user="UREP")
    bot.fake.wait_for("views.publish", 2)
    bot.runtime.followups.shutdown(wait=True)
    assert dms_to(bot, "UREP") == []


def test_assigning_a_deal_tells_the_new_owner(bot):
    bot.command("/deal", "new Acme 12k", user="UREP")
    result = bot.command("/deal", "assign 1 <@UREP2|bea>", user="UREP")
    assert "now belongs to <@UREP2>" in result.text
    bot.fake.wait_for("chat.postMessage", 1)
    (dm,) = dms_to(bot, "UREP2")
    assert "gave you this deal" in dm.args["text"]
