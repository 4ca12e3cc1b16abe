"""`/lead` refusals: every bad input gets HTTP 200, an ephemeral explanation with the usage,
and leaves the database exactly as it was."""

from __future__ import annotations

import random
import string

import pytest

from testkit.dbdump import dump as full_dump

JANE = "new Jane Doe company:Acme email:jane@acme.com source:webinar campaign:spring"


@pytest.fixture
def seeded(bot):
    """Two leads named Jane (for ambiguity), one converted lead, one dropped lead."""
    bot.command("/lead", JANE)  # L1
    bot.command("/lead", "new Jane Roe")  # L2
    bot.command("/lead", "new Conrad company:Beta")  # L3
    bot.command("/lead", "convert L3 5k")  # deal #1
    bot.command("/lead", "new Dropped Dan")  # L4
    bot.command("/lead", "drop L4 gone")
    return bot


def dump(database) -> str:
    # Every request is recorded for retry deduplication; that is not a change of sales data.
    lines = full_dump(database).splitlines()
    return "\n".join(line for line in lines if not line.startswith("processed_requests:"))


def refused(bot, text: str, *phrases: str, user: str = "UREP"):
    before = dump(bot.services.db)
    result = bot.command("/lead", text, user=user)
    assert result.status == 200 and result.ephemeral, text
    assert ":warning:" in result.text and "Usage: `/lead" in result.text, result.text
    for phrase in phrases:
        assert phrase in result.text, (phrase, result.text)
    assert "Traceback" not in result.raw and "went wrong" not in result.text
    assert dump(bot.services.db) == before, f"{text!r} changed the database"
    return result


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("move L99 next", "No lead matches `L99`"),
        ("show nobody-by-this-name", "No lead matches `nobody-by-this-name`"),
        ("drop L99 because", "No lead matches `L99`"),
        ("convert L99 5k", "No lead matches `L99`"),
        ("move jane next", "`jane` matches 2 records: L1 Jane Doe, L2 Jane Roe"),
        ("new Max email:max-at-acme", "`max-at-acme` is not an email address"),
        ("new Max email:<mailto:jane@acme.com|jane@acme.com>", "already exists: L1"),
        ("new Max stage:intrest", "Unknown stage `intrest`, did you mean `interest`?"),
        ("move L1 considr", "did you mean `consideration`?"),
        ("move L1 awareness", "already in `awareness`"),
        ("move L1 back", "already at the first stage"),
        ("convert L3", "L3 is already converted"),
        ("move L4 next", "L4 is dropped; it can't move"),
        ("drop L4 again", "already dropped"),
        ("new Max compnay:Acme", "Unknown option `compnay:`. Did you mean `company:`?"),
        ("new Max company:Acme Corp", "`Corp`; quote values that have spaces"),
        ("new Max <@U0A|a> <@U0B|b>", "Name one owner"),
        ("new email:max@acme.com", "A lead needs a name"),
        ("convert L1 stage:propsal", "did you mean `proposal`?"),
        ("convert L1 5k 7k", "I don't know what to do with `7k`"),
        ("list intrest", "did you mean `interest`?"),
        ("list 2026-Q5", "quarters are Q1 to Q4"),
        ("list source:", "`source:` needs a value"),
        ("new", "A lead needs a name"),
        ('new "" source:ads', "A lead needs a name"),
        ("move", "Name the lead and the stage"),
        ("move L1", "Name the lead and the stage"),
        ("convert", "Which lead?"),
        ("drop", "Which lead?"),
        ("show", "Which lead?"),
    ],
)
def test_bad_input_changes_nothing(seeded, text, phrase):
    refused(seeded, text, phrase)


def test_convert_twice_makes_one_deal(bot):
    bot.command("/lead", JANE)
    assert "converted into deal *#1*" in bot.command("/lead", "convert L1 10k").text
    refused(bot, "convert L1 10k", "already converted")


def test_unknown_subcommand_suggests(bot):
    result = bot.command("/lead", "nwe Jane")
    assert result.status == 200 and "Did you mean `/lead new`?" in result.text


def test_names_are_escaped(bot):
    result = bot.command("/lead", "new <!channel> & <@U0ANA|ana>friends company:<b>Co</b>")
    assert result.status == 200
    assert "&lt;!channel&gt; &amp;" in result.text and "&lt;b&gt;Co&lt;/b&gt;" in result.text
    assert "<!channel>" not in result.raw


@pytest.mark.parametrize("sub", ["new", "move", "convert", "drop", "show", "list", ""])
def test_four_thousand_characters_of_junk(seeded, sub):
    rng = random.Random(sub)
    alphabet = string.ascii_letters + string.digits + string.punctuation + "     "
    junk = "".join(rng.choice(alphabet) for _ in range(4000))
    for text in (f"{sub} {junk}", f"{sub} " + "lorem ipsum " * 350, f"{sub} L1 " + "x" * 3990):
        before = dump(seeded.services.db)
        result = seeded.command("/lead", text.strip())
        assert result.status == 200 and result.ephemeral
        assert ":warning:" in result.text and "went wrong" not in result.text
        assert "Usage: `/lead" in result.text or "Unknown subcommand" in result.text
        assert len(result.raw) < 45_000
        assert dump(seeded.services.db) == before
