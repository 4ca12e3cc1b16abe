"""`understand`: what comes back for a question, asking back, not understanding, changes and
follow-ups, in the corpus world (now: Friday 4 December 2026 in Berlin; the asker is Ben)."""

from __future__ import annotations

import pytest

from assistant.ask import Clarify, Intent, NotUnderstood, Slots, Understood, Vocabulary
from assistant.ask.examples import EXAMPLES
from testkit.ask_world import ask, outcome


def understood(text: str, previous: Understood | None = None, **changes: object) -> Understood:
    answer = ask(text, previous, **changes)
    assert isinstance(answer, Understood), answer
    return answer


def test_an_answer_carries_command_display_heading_and_slots() -> None:
    answer = understood("win rate by rep last quarter")
    assert answer.intent == Intent.RESULTS
    assert (answer.command, answer.text) == ("/pipeline", "results last quarter by:owner")
    assert answer.command_line == answer.display == "/pipeline results last quarter by:owner"
    assert answer.heading == "Win rate and results by rep, last quarter"
    assert answer.slots == Slots(period="last quarter", segment="owner")
    assert not answer.changes_data


def test_people_are_mentions_in_the_command_and_names_in_the_display() -> None:
    answer = understood("Ana's deals in negotiation")
    assert answer.text == "list <@U0ANA> proposal"
    assert answer.display == "/deal list @ana proposal"
    assert answer.heading == "Deals of @ana in Proposal / price negotiation"
    assert understood("stuck deals for <@U0DAN|dan.kim>").display == "/deal list stuck @dan.kim"


def test_values_with_spaces_are_quoted() -> None:
    answer = understood("funnel for paid search and linkedin abm last month")
    assert answer.text == 'last month source:"Paid search" campaign:"LinkedIn ABM"'
    assert understood("leads from the webinar").text == "list source:webinar"


def test_my_deals_are_the_askers() -> None:
    assert understood("my deals").text == "list mine"
    assert understood("my stuck deals").heading == "Your stuck deals"
    assert understood("show me the pipeline").command_line == "/pipeline"  # "me" is no filter


def test_a_forecast_reads_year_less_periods_forwards() -> None:
    assert understood("what's closing in March?").command_line == "/pipeline forecast 2027-03"
    assert understood("win rate in March").command_line == "/pipeline results 2026-03"


def test_two_deals_alike_are_asked_about() -> None:
    answer = ask("how is acme going")
    assert isinstance(answer, Clarify)
    assert answer.prompt == "Which deal? #12 Acme renewal / #31 Acme expansion"
    assert [c.label for c in answer.choices] == ["#12 Acme renewal", "#31 Acme expansion"]
    assert [c.understood.text for c in answer.choices] == ["show #12", "show #31"]


def test_a_rough_match_is_asked_about_not_used() -> None:
    answer = ask("funnel for linkdin")
    assert isinstance(answer, Clarify)
    assert answer.prompt == (
        "I don't know a source or campaign called `linkdin`; "
        "did you mean `LinkedIn ABM` (campaign)?"
    )
    assert answer.choices[0].understood.text == 'campaign:"LinkedIn ABM"'


def test_an_unknown_name_is_said_with_three_questions_it_can_answer() -> None:
    answer = ask("funnel for tiktok")
    assert isinstance(answer, NotUnderstood)
    assert answer.reply == "I don't know a source or campaign called `tiktok`."
    assert len(answer.suggestions) == 3
    assert answer.suggestions[0].understood.command == "/funnel"  # the nearest example
    assert all(isinstance(s.understood, Understood) for s in answer.suggestions)


def test_an_unknown_name_close_to_a_known_one_says_so() -> None:
    answer = ask("deals for chleo martinez")
    assert isinstance(answer, NotUnderstood | Clarify)
    text = answer.reply if isinstance(answer, NotUnderstood) else answer.prompt
    assert "`@chloe` (rep)" in text


def test_deals_under_an_amount_are_not_silently_all_deals() -> None:
    answer = ask("deals under 10k")
    assert isinstance(answer, NotUnderstood) and "not under" in answer.reply


@pytest.mark.parametrize(
    ("text", "command", "heading"),
    [
        ("move Acme renewal to proposal", "/deal move #12 proposal",
         "Move #12 Acme renewal to Proposal / price negotiation"),
        ("mark globex as won for $48,000", "/deal won #7 48k",
         "Mark #7 Globex platform won at 48k"),
        ("#18 lost - Went with a competitor", "/deal lost #18 Went with a competitor",
         "Mark #18 Initech onboarding lost: Went with a competitor"),
        ("note on Hooli: <@U0ANA> calls their CFO Monday",
         "/deal note #25 <@U0ANA> calls their CFO Monday",
         "Add a note to #25 Hooli cloud migration"),
    ],
)  # fmt: skip
def test_changes_need_a_confirm_click(text: str, command: str, heading: str) -> None:
    answer = understood(text)
    assert answer.changes_data
    assert (answer.command_line, answer.heading) == (command, heading)


def test_a_note_keeps_its_words_and_links() -> None:
    answer = understood("add a note to #12: see <https://docs.example.com/q|the quote> & call")
    assert answer.text == "note #12 see <https://docs.example.com/q|the quote> & call"


def test_an_explicit_change_of_an_unknown_deal_is_refused() -> None:
    answer = ask("move zorblax to proposal")
    assert isinstance(answer, NotUnderstood)
    assert answer.reply == "I don't know a deal called `zorblax`."


def test_loose_change_words_that_name_no_deal_are_a_question() -> None:
    assert outcome(ask("deals we lost last quarter")) == "/deal list lost last quarter"
    assert outcome(ask("chloe won big this year")) != "/deal won"


def test_a_stage_start_is_enough_when_a_stage_is_certain() -> None:
    assert outcome(ask("move #7 to qual")) == "/deal move #7 qualification"
    answer = ask("move #7 to pro")
    assert isinstance(answer, Clarify)
    assert answer.prompt == "Which stage? Lead generation / Proposal / price negotiation"


@pytest.mark.parametrize(
    ("first", "then", "command"),
    [
        ("win rate last quarter", "and by source?", "/pipeline results last quarter by:source"),
        ("win rate last quarter", "what about Q2?", "/pipeline results 2026-Q2"),
        ("what's stuck in proposal?", "and for Ana?", "/deal list stuck proposal <@U0ANA>"),
        ("funnel for webinar", "same for last month", "/funnel last month source:webinar"),
        ("funnel last month", "by campaign", "/funnel campaigns last month"),
        ("how is globex going", "and initech?", "/deal show #18"),
        ("win rate this year", "Q3?", "/pipeline results 2026-Q3"),
        ("win rate this year", "and for emma", "/pipeline results this year by:owner"),
    ],
)
def test_follow_ups_change_what_they_name(first: str, then: str, command: str) -> None:
    assert understood(then, understood(first)).command_line == command


def test_a_new_question_after_another_starts_afresh() -> None:
    previous = understood("funnel for webinar this month")
    assert understood("what's stuck in proposal?", previous).slots.source is None
    assert understood("how is globex going", previous).command_line == "/deal show #7"


def test_a_change_is_never_repeated_by_a_follow_up() -> None:
    previous = understood("move #12 to proposal")
    assert outcome(ask("and #31?", previous)) == "/deal show #31"


def test_the_workspaces_own_stages_are_understood() -> None:
    stages = (("demo", "Demo call"), ("trial", "Free trial"), ("contract", "Contract sent"))
    custom = Vocabulary.of(pipeline=stages).pipeline
    assert understood("what's stuck in the trial?", pipeline=custom).text == "list stuck trial"
    assert understood("deals in demo", pipeline=custom).text == "list demo"
    answer = ask("what's stuck in proposal?", pipeline=custom)
    assert isinstance(answer, NotUnderstood)  # no such stage here: said, not ignored


@pytest.mark.parametrize(("question", "intent", "slots"), EXAMPLES)
def test_every_suggested_question_means_its_command(
    question: str, intent: Intent, slots: Slots
) -> None:
    answer = understood(question)
    assert (answer.intent, answer.slots) == (intent, slots)
