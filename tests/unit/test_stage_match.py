from decimal import Decimal

import pytest

from assistant.domain.errors import InvalidInput, InvalidTransition, UnknownStage
from assistant.domain.stage_match import AmbiguousStage, match_stage
from assistant.domain.stages import DEFAULT_FUNNEL, DEFAULT_PIPELINE, StageDef

PIPELINE_KEYS = ["prospecting", "qualification", "assessment", "solution", "proposal", "closing"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("proposal", "proposal"),
        ("PROPOSAL", "proposal"),
        ("  closing  ", "closing"),
        ("Lead generation", "prospecting"),
        ("lead GENERATION", "prospecting"),
        ("Proposal / price negotiation", "proposal"),
        ("proposal/price negotiation", "proposal"),
        ("Solution development", "solution"),
        ("prop", "proposal"),
        ("sol", "solution"),
        ("lead gen", "prospecting"),
        ("lead-gen", "prospecting"),
        ("lead", "prospecting"),
        ("pros", "prospecting"),
        ("qual", "qualification"),
        ("q", "qualification"),
        ("a", "assessment"),
        ("c", "closing"),
        ("closing.", "closing"),
        # Any word of a label, or the starts of its words (issue #15).
        ("negotiation", "proposal"),
        ("price neg", "proposal"),
        ("sol dev", "solution"),
        ("development", "solution"),
    ],
)
def test_match_by_key_label_or_prefix(text: str, key: str) -> None:
    assert match_stage(text, DEFAULT_PIPELINE) == key


@pytest.mark.parametrize("text", ["p", "pr", "pro", " PRO "])
def test_ambiguous_prefix_lists_candidates(text: str) -> None:
    with pytest.raises(UnknownStage) as err:
        match_stage(text, DEFAULT_PIPELINE)
    assert isinstance(err.value, AmbiguousStage)
    assert err.value.suggestion is None
    assert len(err.value.candidates) >= 2
    for candidate in err.value.candidates:
        assert f"`{candidate}`" in str(err.value)


def test_ambiguous_p_names_both() -> None:
    with pytest.raises(AmbiguousStage) as err:
        match_stage("p", DEFAULT_PIPELINE)
    assert err.value.candidates == ["prospecting", "proposal"]


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("propsal", "proposal"),
        ("qualifcation", "qualification"),
        ("closng", "closing"),
        ("Asessment", "assessment"),
        ("lead generaton", "prospecting"),
        ("xyzzy", None),
    ],
)
def test_unknown_stage_suggests_closest(text: str, suggestion: str | None) -> None:
    with pytest.raises(UnknownStage) as err:
        match_stage(text, DEFAULT_PIPELINE)
    assert not isinstance(err.value, AmbiguousStage)
    assert err.value.suggestion == suggestion
    assert err.value.choices == PIPELINE_KEYS
    assert err.value.text == text


def test_unknown_stage_message_reads_well() -> None:
    with pytest.raises(UnknownStage) as err:
        match_stage("propsal", DEFAULT_PIPELINE)
    assert "did you mean `proposal`?" in str(err.value)


@pytest.mark.parametrize(
    ("text", "current", "key"),
    [
        ("next", "prospecting", "qualification"),
        ("NEXT", "proposal", "closing"),
        (" next ", "qualification", "assessment"),
        ("back", "closing", "proposal"),
        ("Back", "qualification", "prospecting"),
    ],
)
def test_relative_moves(text: str, current: str, key: str) -> None:
    assert match_stage(text, DEFAULT_PIPELINE, current_key=current) == key


def test_next_past_last_stage_says_to_use_won() -> None:
    with pytest.raises(InvalidTransition, match="`won`"):
        match_stage("next", DEFAULT_PIPELINE, current_key="closing", allow_outcomes=True)


def test_next_past_last_funnel_stage_does_not_mention_won() -> None:
    with pytest.raises(InvalidTransition) as err:
        match_stage("next", DEFAULT_FUNNEL, current_key="action")
    assert "last stage" in str(err.value)
    assert "won" not in str(err.value)


def test_back_from_first_stage() -> None:
    with pytest.raises(InvalidTransition, match="already at the first stage"):
        match_stage("back", DEFAULT_PIPELINE, current_key="prospecting")


@pytest.mark.parametrize("text", ["next", "back"])
def test_relative_without_current_stage(text: str) -> None:
    with pytest.raises(InvalidInput):
        match_stage(text, DEFAULT_PIPELINE)


@pytest.mark.parametrize("current", ["won", "lost"])
def test_relative_from_a_closed_deal(current: str) -> None:
    with pytest.raises(InvalidTransition, match="reopen"):
        match_stage("next", DEFAULT_PIPELINE, current_key=current, allow_outcomes=True)


def test_relative_from_a_removed_stage() -> None:
    with pytest.raises(InvalidTransition, match="no longer exists"):
        match_stage("next", DEFAULT_PIPELINE, current_key="demo")


@pytest.mark.parametrize(("text", "key"), [("won", "won"), ("LOST", "lost"), (" Won ", "won")])
def test_outcomes_when_allowed(text: str, key: str) -> None:
    assert match_stage(text, DEFAULT_PIPELINE, allow_outcomes=True) == key


@pytest.mark.parametrize("text", ["won", "lost"])
def test_outcomes_not_allowed(text: str) -> None:
    with pytest.raises(UnknownStage):
        match_stage(text, DEFAULT_PIPELINE)


def test_outcome_typo_suggested_when_allowed() -> None:
    with pytest.raises(UnknownStage) as err:
        match_stage("wom", DEFAULT_PIPELINE, allow_outcomes=True)
    assert err.value.suggestion == "won"
    assert err.value.choices == [*PIPELINE_KEYS, "won", "lost"]


@pytest.mark.parametrize("text", ["", "   ", "/", "--"])
def test_empty_stage(text: str) -> None:
    with pytest.raises(InvalidInput):
        match_stage(text, DEFAULT_PIPELINE)


@pytest.mark.parametrize(
    ("text", "key"),
    [("aware", "awareness"), ("Action (purchase)", "action"), ("cons", "consideration")],
)
def test_funnel_stages(text: str, key: str) -> None:
    assert match_stage(text, DEFAULT_FUNNEL) == key


def test_custom_stages_follow_position_not_sequence_order() -> None:
    stages = [
        StageDef("demo_call", "Demo call", 2),
        StageDef("demo", "Demo", 1),
        StageDef("intro", "Intro", 0, Decimal("0.1")),
    ]
    assert match_stage("demo", stages) == "demo"  # exact key beats a longer key's prefix
    assert match_stage("demo call", stages) == "demo_call"
    assert match_stage("demo_c", stages) == "demo_call"
    assert match_stage("next", stages, current_key="intro") == "demo"
    assert match_stage("back", stages, current_key="demo_call") == "demo"
    with pytest.raises(UnknownStage) as err:
        match_stage("dmeo", stages)
    assert err.value.choices == ["intro", "demo", "demo_call"]


def test_unicode_labels() -> None:
    stages = [StageDef("erstgespraech", "Erstgespräch", 0), StageDef("angebot", "Angebot", 1)]
    assert match_stage("ERSTGESPRÄCH", stages) == "erstgespraech"
    assert match_stage("erstg", stages) == "erstgespraech"
