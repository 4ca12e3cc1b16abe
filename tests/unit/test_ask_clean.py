"""Reading Slack's text: markup, mentions, quotes, a leading mention of the bot, clipping."""

from __future__ import annotations

import pytest

from assistant.ask.clean import MAX_CHARS, MAX_WORDS, clean, fold

PEOPLE, NAMES = {"U0ANA"}, {"ana", "ana lopez"}


def words(text: str) -> list[str]:
    return list(clean(text, PEOPLE, NAMES).words)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What’s stuck in “Proposal”?", ["what", "stuck", "in", "proposal", "|"]),
        ("Ana's deals", ["ana", "deals"]),
        ("deals that haven't moved", ["deals", "that", "have", "not", "moved"]),
        ("whats stuck w/ dan", ["what", "stuck", "with", "dan"]),
        ("deals > 40k", ["deals", ">", "40k"]),
        ("deals 100k+ over $10,000", ["deals", "100k+", "over", "$10,000"]),
        ("2026/10/01..2026/10/31", ["2026/10/01..2026/10/31"]),
        ("follow-up on lead-gen", ["follow", "up", "on", "lead", "gen"]),
        ("win rate Q3 '26", ["win", "rate", "q3", "2026"]),
        ("pls show qtr opps", ["show", "quarter", "deals"]),
        ("#18 lost - no budget", ["#18", "lost", "|", "no", "budget"]),
        ("soylent → closing", ["soylent", "->", "closing"]),
        ("ﬁnal CAFÉ", ["final", "cafe"]),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_mentions_are_one_word_each_and_other_markup_goes() -> None:
    text = "deals for <@U0EMMA|emma> <#C1|sales> <https://x.io|link> <!here> :tada: &amp; more"
    assert words(text) == ["deals", "for", "@@u0emma", "and", "more"]
    assert clean(text).raw == text  # notes are copied from the text as delivered


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("<@UBOT> what's stuck?", "what's stuck?"),
        ("<@UBOT|sales>, win rate", "win rate"),
        ("@Sales what's stuck?", "what's stuck?"),
        ("<@U0ANA> deals", "<@U0ANA> deals"),  # a known person is asked about
        ("@ana deals", "@ana deals"),
    ],
)
def test_a_leading_mention_of_the_bot_is_dropped(text: str, raw: str) -> None:
    assert clean(text, PEOPLE, NAMES).raw == raw


def test_a_pasted_page_is_clipped() -> None:
    question = clean("deals " * 5000)
    assert len(question.raw) <= MAX_CHARS
    assert len(question.words) <= MAX_WORDS


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", ":tada:", "<@UBOT>", "\x00\x07", "“”"])
def test_nothing_to_read(text: str) -> None:
    assert words(text) == []


def test_fold_makes_accents_and_case_alike() -> None:
    assert fold("Straße Café İstanbul") == fold("STRASSE cafe istanbul")
