"""A team's first morning with the bot, through HTTP, on a fresh database (both kinds).

Each step checks that the reply states the facts a user needs: numbers, stages, days,
owners; and the refusals change nothing.
"""

from __future__ import annotations

from testkit.dbdump import dump

ANA = "U0ANA"  # a rep
BEN = "U0BEN"  # another rep
MIA = "U0MIA"  # the manager


def test_a_morning_with_the_bot(bot):
    clock = bot.services.clock
    made = bot.command("/sales", f"role <@{MIA}|mia> manager", user="UADMIN")
    assert "is now *manager*" in made.text

    first = bot.command("/deal", f'new "Acme renewal" 12k company:Acme <@{ANA}|ana>', user=ANA)
    assert "#1" in first.text and "$12,000" in first.text and "Lead generation" in first.text
    second = bot.command("/deal", "new Globex expansion $40,000 stage:proposal", user=BEN)
    assert "#2" in second.text and "$40,000" in second.text and "Proposal" in second.text

    clock.advance(days=3, hours=12)
    forward = bot.command("/deal", "move #1 next", user=ANA)
    assert "Lead generation" in forward.text and "Qualification" in forward.text
    assert "3.5 days" in forward.text
    back = bot.command("/deal", "move acme back", user=ANA)
    assert "Qualification" in back.text and "Lead generation" in back.text

    before = dump(bot.services.db)
    typo = bot.command("/deal", "move #1 propsal", user=ANA)
    assert "did you mean `proposal`?" in typo.text and typo.ephemeral
    refused = bot.command("/deal", "move #2 next", user=ANA)
    assert "only the deal's owner, managers and admins" in refused.text
    assert _without_request_keys(dump(bot.services.db)) == _without_request_keys(before)

    allowed = bot.command("/deal", "move #2 next", user=MIA)
    assert "Proposal / price negotiation" in allowed.text and "Closing" in allowed.text
    won = bot.command("/deal", "won #2 42k", user=MIA)
    assert "#2" in won.text and "$42,000" in won.text
    lost = bot.command("/deal", "lost #1 went with a competitor", user=ANA)
    assert "#1" in lost.text and "competitor" in lost.text

    clock.advance(minutes=5)
    listed = bot.command("/deal", "list won", user=ANA)
    assert "#2" in listed.text and "$42,000" in listed.text
    card = bot.command("/deal", "show #2", user=ANA)
    assert "Globex expansion" in card.text and f"<@{BEN}>" in card.text and "Won" in card.text

    lead = bot.command("/lead", "new Jane Doe company:Initech source:webinar campaign:q4", user=ANA)
    assert "L1" in lead.text and "Awareness" in lead.text
    converted = bot.command("/lead", "convert L1 8k", user=ANA)
    assert "#3" in converted.text and "webinar" in converted.text and "q4" in converted.text

    board = bot.command("/pipeline", user=MIA)
    # Open now: only #3 ($8,000 in Lead generation at 5 %): weighted $400.
    assert "$8,000" in board.text and "$400" in board.text


def _without_request_keys(text: str) -> str:
    # Each delivery's id is recorded to refuse replays; that row is the request, not a change.
    return "\n".join(line for line in text.splitlines() if not line.startswith("processed_"))
