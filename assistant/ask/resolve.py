"""Which names of a question fill which slots, and when to ask instead of guessing.

A phrase fills a slot when its best match is sure (ACCEPT) and clearly ahead of the next one
(MARGIN). Two sure matches close together ("acme": two Acme deals) or only a rough one
("linkdin") become a Doubt, answered with a Clarify; the parser never picks silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assistant.ask.entries import Entry, Found
from assistant.ask.model import Intent
from assistant.ask.names import KEEP

ACCEPT = 88.0
CONFIRM = KEEP
MARGIN = 5.0
MAX_OPTIONS = 5

# The kinds of names each question reads; other names in it are known words, nothing more.
KINDS: dict[Intent, tuple[str, ...]] = {
    Intent.STUCK: ("stage", "person"),
    Intent.DEALS: ("stage", "person"),
    Intent.DEAL: ("deal",),
    Intent.FUNNEL: ("source", "campaign"),
    Intent.COHORTS: ("source",),
    Intent.LEADS: ("funnel", "source", "campaign", "person"),
    Intent.RESULTS: ("person",),  # "Ana's win rate": the results per rep, where she is
}
SLOT_OF_KIND = {
    "stage": "stage",
    "funnel": "funnel_stage",
    "source": "source",
    "campaign": "campaign",
    "company": "company",
    "deal": "deal",
    "person": "person",
}


@dataclass(frozen=True)
class Doubt:
    text: str  # what was typed
    options: tuple[Entry, ...]
    rough: bool  # True: only roughly like the options ("did you mean"); False: several fit


def slot_value(entry: Entry) -> str | int:
    return int(entry.value) if entry.kind == "deal" else entry.value


def decide(text: str, hits: Iterable[tuple[Entry, float]]) -> Entry | Doubt | None:
    """The one entry the phrase surely names, a Doubt, or None if it names none of these."""
    ranked = sorted(hits, key=lambda hit: -hit[1])
    if not ranked or ranked[0][1] < CONFIRM:
        return None
    best = ranked[0][1]
    close = [entry for entry, score in ranked if score >= best - MARGIN]
    if best < ACCEPT:
        return Doubt(text, tuple(close[:MAX_OPTIONS]), rough=True)
    if len(close) > 1 and all(e.kind == "deal" for e in close):
        # As the commands do: among several deals, the only open one is the one meant.
        open_ones = [e for e in close if e.status in ("", "open")]
        close = open_ones if len(open_ones) == 1 else close
    if len(close) == 1:
        return close[0]
    return Doubt(text, tuple(close[:MAX_OPTIONS]), rough=False)


def resolve(found: list[Found], kinds: Iterable[str]) -> tuple[dict[str, object], Doubt | None]:
    """Slot values from the phrases, and the first doubt among them (if any)."""
    wanted = set(kinds)
    values: dict[str, object] = {}
    doubt: Doubt | None = None
    for phrase in found:
        decided = decide(phrase.text, [(e, s) for e, s in phrase.hits if e.kind in wanted])
        if isinstance(decided, Doubt):
            doubt = doubt or decided
        elif decided is not None:
            values.setdefault(SLOT_OF_KIND[decided.kind], slot_value(decided))
    return values, doubt
