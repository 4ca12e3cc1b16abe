"""Questions the bot answers, offered when it can't answer the one asked.

They name no stage, source or person, so they fit every workspace; the closest three to what
was asked are offered, each as a button that runs its command.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from assistant.ask.compose import render
from assistant.ask.model import MINE, Choice, Intent, Slots
from assistant.ask.vocabulary import Vocabulary

SUGGESTED = 3

EXAMPLES: tuple[tuple[str, Intent, Slots], ...] = (
    ("what's stuck?", Intent.STUCK, Slots()),
    ("win rate by rep last quarter", Intent.RESULTS, Slots("last quarter", segment="owner")),
    ("how's the funnel this month?", Intent.FUNNEL, Slots("this month")),
    ("my deals", Intent.DEALS, Slots(person=MINE)),
    ("deals over 50k", Intent.DEALS, Slots(amount="50k")),
    ("what did we win last month?", Intent.DEALS, Slots("last month", status="won")),
    ("how's the pipeline?", Intent.BOARD, Slots()),
    ("where's the bottleneck?", Intent.BOTTLENECKS, Slots()),
    ("forecast for this quarter", Intent.FORECAST, Slots("this quarter")),
    ("how accurate is our forecast?", Intent.FORECAST_ACCURACY, Slots()),
    ("how did we do this month?", Intent.RESULTS, Slots("this month")),
    ("which source brings the best leads?", Intent.SOURCES, Slots()),
    ("compare campaigns this quarter", Intent.CAMPAIGNS, Slots("this quarter")),
    ("how did last month's leads convert?", Intent.COHORTS, Slots("last month")),
    ("leads by month", Intent.COHORTS, Slots(segment="month")),
    ("new leads this week", Intent.LEADS, Slots("this week")),
    ("my leads", Intent.LEADS, Slots(person=MINE)),
    ("are we on target?", Intent.TARGETS, Slots()),
    ("what can you do?", Intent.HELP, Slots()),
)
_QUESTIONS = [question for question, _, _ in EXAMPLES]


def example(index: int, vocabulary: Vocabulary) -> Choice:
    question, intent, slots = EXAMPLES[index]
    return Choice(question, render(intent, slots, vocabulary))


def closest(words: str, vocabulary: Vocabulary) -> tuple[Choice, ...]:
    """The examples nearest to the words, one per intent; the first ones when nothing is near."""
    ranked = process.extract(words, _QUESTIONS, scorer=fuzz.token_set_ratio, limit=None)
    order = [index for _, score, index in ranked if score >= 50] if words.strip() else []
    order += range(len(EXAMPLES))
    chosen: list[int] = []
    for index in order:
        if all(EXAMPLES[index][1] != EXAMPLES[c][1] for c in chosen):
            chosen.append(index)
        if len(chosen) == SUGGESTED:
            break
    return tuple(example(index, vocabulary) for index in chosen)
