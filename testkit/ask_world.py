"""The fixed world of tests/data/ask_corpus.yaml: its vocabulary, its "now", and a shorthand
for asking a question in it and reading the answer back as one comparable value."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from assistant.ask import Answer, Clarify, NotUnderstood, Understood, Vocabulary, understand

CORPUS = Path(__file__).parent.parent / "tests" / "data" / "ask_corpus.yaml"


@cache
def corpus() -> dict[str, Any]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


@cache
def vocabulary() -> Vocabulary:
    words = corpus()["vocabulary"]
    return Vocabulary.of(
        pipeline=words["pipeline"],
        funnel=words["funnel"],
        sources=words["sources"],
        campaigns=words["campaigns"],
        companies=words["companies"],
        deals=words["deals"],
        people=words["people"],
        asker=words["asker"],
    )


TZ = ZoneInfo(corpus()["timezone"])
NOW = datetime.fromisoformat(corpus()["now"]).replace(tzinfo=TZ)


def ask(text: str, previous: Understood | None = None, **changes: Any) -> Answer:
    """The answer in the corpus world; `changes` replace fields of its vocabulary."""
    words = vocabulary()
    if changes:
        words = replace(words, **changes)
    return understand(text, words, NOW, TZ, previous)


def outcome(answer: Answer) -> str | tuple[str, tuple[str, ...]]:
    """A command line, ("clarify", its choices' command lines sorted), or "not_understood"."""
    if isinstance(answer, Understood):
        return answer.command_line
    if isinstance(answer, Clarify):
        return ("clarify", tuple(sorted(c.understood.command_line for c in answer.choices)))
    assert isinstance(answer, NotUnderstood)
    return "not_understood"


def expected(case: dict[str, Any]) -> str | tuple[str, tuple[str, ...]]:
    if case["expect"] == "clarify":
        return ("clarify", tuple(sorted(case["choices"])))
    return case["expect"]
