"""The question corpus: plain-word questions and the exact command each must become.

The bar is 95 % of the questions and follow-ups answered exactly; the failure message lists
every miss, so a change that breaks a wording shows which ones.
"""

from __future__ import annotations

from assistant.ask import Understood
from testkit.ask_world import ask, corpus, expected, outcome

PASS_MARK = 0.95


def _misses() -> tuple[int, list[str]]:
    cases, misses = 0, []
    for case in corpus()["questions"]:
        cases += 1
        got = outcome(ask(case["q"]))
        if got != expected(case):
            misses.append(f"{case['q']!r}\n    want {expected(case)}\n    got  {got}")
    for case in corpus()["followups"]:
        cases += 1
        first = ask(case["first"])
        previous = first if isinstance(first, Understood) else None
        got = outcome(ask(case["then"], previous))
        if got != case["expect"]:
            asked = f"{case['first']!r} then {case['then']!r}"
            misses.append(f"{asked}\n    want {case['expect']}\n    got  {got}")
    return cases, misses


def test_the_corpus_is_answered() -> None:
    cases, misses = _misses()
    score = 1 - len(misses) / cases
    report = "\n".join(misses)
    assert score >= PASS_MARK, f"{score:.1%} of {cases} exact ({len(misses)} misses):\n{report}"


def _kind(expect: str) -> str:
    """`/deal list stuck proposal` -> `/deal list`; clarify and not_understood as they are."""
    return " ".join(expect.split()[:2])


def test_the_corpus_is_big_and_varied() -> None:
    questions, followups = corpus()["questions"], corpus()["followups"]
    assert len(questions) >= 220 and len(followups) >= 20
    # Every command and subcommand a question can become, asking back, and not understanding.
    assert len({_kind(case["expect"]) for case in questions}) >= 15
    assert len({case["q"] for case in questions}) == len(questions)  # no question twice
