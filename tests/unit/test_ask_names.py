"""Names of the workspace in a question, matched with rapidfuzz, and the thresholds that
decide between using a name, asking which one, and not knowing it."""

from __future__ import annotations

import pytest

from assistant.ask.clean import clean
from assistant.ask.entries import Entry
from assistant.ask.names import KEEP, Matcher, matcher_for
from assistant.ask.phrases import find_names
from assistant.ask.resolve import ACCEPT, CONFIRM, Doubt, decide
from assistant.ask.vocabulary import Vocabulary
from assistant.ask.words import Words
from testkit.ask_world import vocabulary

MATCHER = matcher_for(vocabulary())


def best(text: str, kind: str) -> tuple[str, float] | None:
    """The best entry of this kind the words name, with its score."""
    hits = [(e, s) for f in find_names(MATCHER, Words(clean(text).words)) for e, s in f.hits]
    hits = [(e, s) for e, s in hits if e.kind == kind]
    return max(((e.value, s) for e, s in hits), key=lambda hit: hit[1], default=None)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("proposal", "stage", "proposal"),
        ("Proposal / Price Negotiation", "stage", "proposal"),
        ("propsal", "stage", "proposal"),  # a typo of the whole name
        ("qualificaton", "stage", "qualification"),
        ("negotiation", "stage", "proposal"),  # a later word of the label
        ("sol dev", "stage", "solution"),  # prefixes of its words
        ("lead gen", "stage", "prospecting"),
        ("prop", "stage", "proposal"),
        ("paid", "source", "Paid search"),  # the first word of a longer name
        ("PAID SEARCH", "source", "Paid search"),
        ("paid serch", "source", "Paid search"),
        ("organic", "source", "Organic search"),
        ("abm", "campaign", "LinkedIn ABM"),
        ("hooli cloud migration", "deal", "25"),
        ("globex", "deal", "7"),
        ("daniel kim", "person", "U0DAN"),
        ("dan", "person", "U0DAN"),  # the display name `dan.kim` reads as two words
        ("chloe martn", "person", "U0CHLOE"),
    ],
)
def test_sure_matches(text: str, kind: str, value: str) -> None:
    found = best(text, kind)
    assert found is not None and found[0] == value and found[1] >= ACCEPT


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("linkdin", "campaign", "LinkedIn ABM"),  # a typo of one word of a longer name
        ("globx", "deal", "7"),
        ("porposal", "stage", "proposal"),
    ],
)
def test_rough_matches_are_only_offered(text: str, kind: str, value: str) -> None:
    found = best(text, kind)
    assert found is not None and found[0] == value and CONFIRM <= found[1] < ACCEPT


@pytest.mark.parametrize(
    "text",
    [
        "long",  # 73 % like "closing": short words need more than that
        "lead conversion",  # words that ask something are a name only when exactly one
        "leads converting",
        "tiktok",
        "europe",
        "the",
        "way",  # too short a start for "Wayne Enterprises"
    ],
)
def test_words_that_name_nothing(text: str) -> None:
    assert find_names(MATCHER, Words(clean(text).words)) == []


def test_a_word_that_asks_something_names_only_its_exact_match() -> None:
    found = find_names(MATCHER, Words(clean("closing").words))
    assert [(e.kind, e.value) for e, _ in found[0].hits] == [("stage", "closing")]


def _entry(value: str, score: float, status: str = "open") -> tuple[Entry, float]:
    return Entry("deal", value, f"#{value}", status), score


def test_decide_uses_a_sure_and_clear_match() -> None:
    decided = decide("acme", [_entry("12", 96), _entry("31", 80)])
    assert isinstance(decided, Entry) and decided.value == "12"


def test_decide_asks_which_when_two_are_close() -> None:
    decided = decide("acme", [_entry("12", 96), _entry("31", 94)])
    assert isinstance(decided, Doubt) and not decided.rough
    assert [e.value for e in decided.options] == ["12", "31"]


def test_decide_prefers_the_only_open_deal_as_the_commands_do() -> None:
    decided = decide("acme", [_entry("12", 96, "won"), _entry("31", 96)])
    assert isinstance(decided, Entry) and decided.value == "31"


def test_decide_confirms_a_rough_match() -> None:
    decided = decide("acmee", [_entry("12", 80)])
    assert isinstance(decided, Doubt) and decided.rough


def test_decide_ignores_what_is_below_the_bar() -> None:
    assert decide("x", [_entry("12", KEEP - 1)]) is None
    assert decide("x", []) is None


def test_accents_and_case_do_not_matter() -> None:
    words = Vocabulary.of(companies=["Café Noir"], deals=[(3, "Café Noir pilot", "open")])
    matcher = Matcher(words)
    found = find_names(matcher, Words(clean("how is CAFE NOIR going").words))
    assert found and found[0].hits[0][0].value in ("Café Noir", "3")


def test_the_matcher_is_built_once_per_vocabulary() -> None:
    assert matcher_for(vocabulary()) is MATCHER
    assert matcher_for(Vocabulary.of(sources=["Ads"])) is not MATCHER


def test_did_you_mean_needs_a_close_name() -> None:
    suggestion = MATCHER.suggest("linkdin")
    assert suggestion is not None and suggestion.value == "LinkedIn ABM"
    assert MATCHER.suggest("tiktok") is None
    assert MATCHER.suggest("script") is None  # 71 % like "security": not worth saying
