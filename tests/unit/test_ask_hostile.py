"""Whatever is typed, `understand` answers and never raises: empty text, emoji, a pasted page,
Slack's markup, smart quotes, control characters, numbers too big for anything."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ask import Answer, Clarify, NotUnderstood, Understood
from assistant.ask.clean import MAX_CHARS
from testkit.ask_world import ask, outcome

HOSTILE = [
    "",
    "   \n\t ",
    "\x00\x01\x1b[31m",
    "🙂" * 5000,
    "a" * 10_000,
    "deals " * 2000,
    "what's stuck in proposal " + "x" * 9000,
    "#99999999999999999999",
    "move #" + "9" * 5000 + " to proposal",
    "deals over 99999999999999999999999k",
    "<@U0ANA> <@U0EMMA> <@UNOBODY> deals",
    "<!here> <!channel> <#C123|general> <https://example.com|link> <mailto:a@b.c|a@b.c>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "“”‘’„«»`´",
    "'''\"\"\"",
    "->->->",
    "mark",
    "note on",
    "move to",
    "2026-02-30..2026-13-45",
    "since feb 30",
    "last 0 weeks",
    "ﬁnal İstanbul Straße",
    "\u200b\u200b\u200b",
    "?" * 3000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_gets_an_answer(text: str) -> None:
    answer = ask(text)
    assert isinstance(answer, Understood | Clarify | NotUnderstood)
    if isinstance(answer, Understood):
        assert len(answer.text) <= MAX_CHARS and "\x00" not in answer.text


@pytest.mark.parametrize("text", [None, 12345, b"bytes"])
def test_not_even_text_gets_an_answer(text: object) -> None:
    assert isinstance(ask(text), NotUnderstood)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "🙂🙂🙂", ":tada: :tada:", "<@UBOT>", "???"])
def test_nothing_to_read_is_met_with_three_questions_to_ask(text: str) -> None:
    answer = ask(text)
    assert isinstance(answer, NotUnderstood) and len(answer.suggestions) == 3


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("<@UBOT> what's stuck in proposal?", "/deal list stuck proposal"),
        ("<@UBOT|sales>   WIN RATE by REP", "/pipeline results by:owner"),
        ("@Sales what’s stuck in “proposal”?", "/deal list stuck proposal"),
        ("<@U0ANA>'s deals", "/deal list <@U0ANA>"),  # a person first is asked about
        ("funnel for paid search <https://example.com/x|report> <#C1|marketing>",
         '/funnel source:"Paid search"'),
        ("win\u00a0rate\u200b this\tquarter", "/pipeline results this quarter"),
        ("deals over 99999999999999999999999k", "/deal list over:99999999999999999999999k"),
    ],
)  # fmt: skip
def test_markup_and_typography_are_read_through(text: str, command: str) -> None:
    assert outcome(ask(text)) == command


def test_a_long_note_is_kept_up_to_the_clip() -> None:
    answer = ask("note on #12: " + "word " * 2000)
    assert isinstance(answer, Understood) and answer.text.startswith("note #12 word word")
    assert len(answer.text) <= MAX_CHARS


def test_the_bot_is_addressed_not_asked_about() -> None:
    # Even when the caller lists the bot among the people, a leading mention of it is dropped.
    assert outcome(ask("<@U0ANA> deals", bot_user_id="U0ANA")) == "/deal list"
    assert outcome(ask("deals for <@U0ANA>", bot_user_id="U0ANA")) == "/deal list <@U0ANA>"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer(text: str) -> None:
    answer: Answer = ask(text)
    assert isinstance(answer, Understood | Clarify | NotUnderstood)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(
    ["deals", "stuck", "in", "proposal", "acme", "over", "50k", "last", "quarter", "by", "rep",
     "and", "for", "ana", "<@U0ANA>", "#12", "move", "to", "won", "note", "on", ":", "funnel",
     "since", "monday", "q3", "leads", "from", "webinar", "2026-02-30", "?", "'s", "->"]
), max_size=12))  # fmt: skip
def test_any_mix_of_known_words_gets_an_answer(words: list[str]) -> None:
    answer = ask(" ".join(words))
    assert isinstance(answer, Understood | Clarify | NotUnderstood)
    assert outcome(ask(" ".join(words))) == outcome(answer)  # and the same one every time
