"""What is asked: the intent of a question, from the patterns of `cues`.

Rules are tried in order and the first that fits wins; the order is the point. A question
about the forecast's accuracy mentions the forecast; "win rate per source" names a source
breakdown; "where do deals get stuck" is about stages, not a list of deals. What the words
ask for (`asked`) counts for more than what the names in them suggest (`implied`): a
follow-up keeps the previous intent unless it asks for another one.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.ask.cues import (
    ACCURACY,
    BOARD,
    BOTTLENECK,
    CAMPAIGN_WORDS,
    COHORTS,
    COMPARE,
    FORECAST,
    FUNNEL,
    HELP,
    HOW_DID_WE_DO,
    LEAD_WORDS,
    LEADS_FROM,
    LIST_WORDS,
    METRICS,
    MINE,
    SOURCE_WORDS,
    STUCK,
    TARGETS,
    UNSUPPORTED,
)
from assistant.ask.model import Intent


@dataclass(frozen=True)
class Clues:
    """What a question's reading found, as far as the choice of intent goes."""

    text: str  # the outline: the words, with the phrases understood as marks
    segment: str | None = None
    deal_number: bool = False
    kinds: frozenset[str] = frozenset()  # the kinds of names found
    person: bool = False  # a mention or a person's name ("my" is in the text)
    amount: bool = False
    status: str | None = None


def _compared(clues: Clues) -> Intent | None:
    """Sources or campaigns side by side: "which source brings the best leads"."""
    text = clues.text
    if LEADS_FROM.search(text):
        return Intent.SOURCES
    about_leads = FUNNEL.search(text) or LEAD_WORDS.search(text)
    for kind, words, intent in (
        ("source", SOURCE_WORDS, Intent.SOURCES),
        ("campaign", CAMPAIGN_WORDS, Intent.CAMPAIGNS),
    ):
        if clues.segment == kind and about_leads or words.search(text) and COMPARE.search(text):
            return intent
    return None


def asked(clues: Clues) -> Intent | None:
    """The intent the words ask for in so many words, or None."""
    text = clues.text
    if UNSUPPORTED.search(text):
        return None
    for pattern, intent in (
        (ACCURACY, Intent.FORECAST_ACCURACY),
        (FORECAST, Intent.FORECAST),
        (TARGETS, Intent.TARGETS),
        (BOTTLENECK, Intent.BOTTLENECKS),
        (STUCK, Intent.STUCK),
        (COHORTS, Intent.COHORTS),
        (METRICS, Intent.RESULTS),
    ):
        if pattern.search(text):
            return intent
    if clues.segment in ("month", "week") and LEAD_WORDS.search(text):
        return Intent.COHORTS
    if compared := _compared(clues):
        return compared
    if clues.segment == "stage" and FUNNEL.search(text) or HOW_DID_WE_DO.search(text):
        return Intent.RESULTS
    if FUNNEL.search(text):
        return Intent.FUNNEL
    if LEAD_WORDS.search(text):
        return Intent.LEADS
    if clues.segment == "stage":
        return Intent.BOARD  # "deals by stage" is the board, stage by stage
    if LIST_WORDS.search(text):
        return Intent.DEAL if "deal" in clues.kinds and not _filtered(clues) else Intent.DEALS
    if BOARD.search(text):
        return Intent.BOARD
    if HELP.search(text):
        return Intent.HELP
    return None


def implied(clues: Clues) -> Intent | None:
    """The intent the names and filters alone suggest: "acme?", "ana's", "over 50k"."""
    if UNSUPPORTED.search(clues.text):
        return None
    if clues.deal_number or "deal" in clues.kinds and not _filtered(clues):
        return Intent.DEAL
    if _filtered(clues) or MINE.search(clues.text):
        return Intent.DEALS
    if clues.kinds & {"source", "campaign"}:
        return Intent.FUNNEL
    if "funnel" in clues.kinds:
        return Intent.LEADS
    return None


def _filtered(clues: Clues) -> bool:
    """A filter only a list of deals has."""
    return bool(clues.person or clues.amount or clues.status or "stage" in clues.kinds)
