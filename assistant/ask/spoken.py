"""Periods and names in the words of a heading or a prompt: "March 2026", "@ana"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from assistant.ask.vocabulary import Vocabulary

KIND_WORDS = {
    "stage": "stage",
    "funnel": "funnel stage",
    "source": "source",
    "campaign": "campaign",
    "company": "company",
    "deal": "deal",
    "person": "rep",
}

_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _day(text: str) -> str:
    day = date.fromisoformat(text)
    return f"{day.day} {_MONTH_NAMES[day.month - 1][:3]} {day.year}"


def describe_period(period: str) -> str:
    """`2026-03` -> "March 2026", `30d` -> "the last 30 days", `2026-Q3` -> "Q3 2026"."""
    try:
        if match := re.fullmatch(r"([0-9]+)d", period):
            count = int(match[1])
            return "the last day" if count == 1 else f"the last {count} days"
        if re.fullmatch(r"last [0-9]+ \w+", period):
            return f"the {period}"
        if match := re.fullmatch(r"([0-9]{4})-([0-9]{2})", period):
            return f"{_MONTH_NAMES[int(match[2]) - 1]} {match[1]}"
        if match := re.fullmatch(r"([0-9]{4})-Q([1-4])", period):
            return f"Q{match[2]} {match[1]}"
        if match := re.fullmatch(r"([0-9-]{10})\.\.([0-9-]{10})", period):
            first, last = match[1], match[2]
            return _day(first) if first == last else f"{_day(first)} to {_day(last)}"
    except (ValueError, IndexError):
        pass  # an impossible date, kept as typed for the command to explain
    return period


@lru_cache(maxsize=64)
def _labels(vocabulary: Vocabulary) -> dict[tuple[str, str], str]:
    labels = {("stage", s.key): s.label for s in vocabulary.pipeline}
    labels |= {("funnel", s.key): s.label for s in vocabulary.funnel}
    labels |= {("deal", str(d.number)): f"#{d.number} {d.name}" for d in vocabulary.deals}
    labels |= {("person", p.user_id): f"@{p.handle}" for p in vocabulary.people}
    return labels


def kind_label(vocabulary: Vocabulary) -> Callable[[str, str], str]:
    """A function naming a stage, deal or person as people know it (`#12 Acme renewal`)."""
    labels = _labels(vocabulary)

    def label(kind: str, value: str) -> str:
        if kind == "deal":
            return labels.get((kind, value), f"#{value}")
        if kind == "person":
            return labels.get((kind, value), f"<@{value}>")
        return labels.get((kind, value), value)

    return label
