"""Replies that read right (issue #15): a closed deal's card says Won or Lost, stages match
on any word of their label, a move reads its stage from the end of the text, and a typo'd
stage is called one even when the deal is someone else's."""

from __future__ import annotations


def test_a_closed_deal_card_says_won_and_where_it_closed_from(bot):
    bot.command("/deal", "new Acme renewal 12k stage:proposal")
    bot.command("/deal", "won Acme")
    card = bot.command("/deal", "show Acme")
    assert "*Status:* Won (closed from Proposal / price negotiation)" in card.text
    assert "*Stage:*" not in card.text
    assert ":tada: Won on" in card.text


def test_stages_match_on_any_word_of_their_label(bot):
    bot.command("/deal", "new Globex 5k")
    moved = bot.command("/deal", "move Globex negotiation")
    assert "to Proposal / price negotiation" in moved.text, moved.text


def test_a_move_reads_the_stage_from_the_end(bot):
    bot.command("/deal", "new Acme 5k")
    moved = bot.command("/deal", "move Acme sol dev")
    assert "Moved #1 Acme from Lead generation to Solution development" in moved.text, moved.text
    bot.command("/deal", "new Acme Sol Holdings 3k")
    moved = bot.command("/deal", "move Acme Sol Holdings next")
    assert "Moved #2 Acme Sol Holdings from Lead generation to Qualification" in moved.text


def test_an_unknown_stage_is_said_before_whose_deal_it_is(bot):
    bot.command("/deal", "new Initech 5k", user="UADMIN")
    refused = bot.command("/deal", "move 1 demo", user="UREP")
    assert "Unknown stage `demo`" in refused.text and "can't move" not in refused.text
    refused = bot.command("/deal", "move 1 next", user="UREP")
    assert "You can't move this deal" in refused.text


def test_an_unknown_source_is_named_with_what_there_is(bot):
    bot.command("/lead", 'new Jane Doe source:webinar campaign:"LinkedIn ABM"')
    result = bot.command("/funnel", "source:linkedin")
    assert "No source called `linkedin`." in result.text, result.text
    assert 'There is a campaign called `LinkedIn ABM`: `campaign:"LinkedIn ABM"`' in result.text
    assert "Sources: `webinar`." in result.text and "Leads created" not in result.text
    typo = bot.command("/lead", "list source:webinr")
    assert "Did you mean `webinar`?" in typo.text
