"""Follow-ups: "and by source?", "what about Q2?", "and for Ana?" after a question.

A follow-up keeps the previous question's intent and slots and replaces what it names. It
is one when it opens like one ("and …", "what about …", "same for …"), or when it asks for
no report of its own but adds something the previous one can use ("Q2?", "emma?").
"""

from __future__ import annotations

import re

from assistant.ask.cues import MINE
from assistant.ask.intents import Clues
from assistant.ask.model import Intent, Understood
from assistant.ask.reading import Reading
from assistant.ask.resolve import CONFIRM, KINDS

OPENER = re.compile(
    r"^(and|what about|how about|same|also|now|ok|okay|only|just|but|then|what if|for|by"
    r"|with|in|over)\b"
)
# Lists and reports that take a person, or a status ("and lost?", "only converted ones").
_PERSON_KINDS = (Intent.STUCK, Intent.DEALS, Intent.LEADS, Intent.RESULTS)
_SWITCH = {
    (Intent.SOURCES, "campaigns"): Intent.CAMPAIGNS,
    (Intent.CAMPAIGNS, "sources"): Intent.SOURCES,
    (Intent.FUNNEL, "source"): Intent.SOURCES,
    (Intent.FUNNEL, "campaign"): Intent.CAMPAIGNS,
}


def _adds_to(previous: Intent, reading: Reading) -> bool:
    """Does the follow-up name something the previous question can use?"""
    if reading.when or reading.segment or reading.over is not None:
        return True
    filters = reading.deal_status() or reading.lead_status() or MINE.search(reading.outline)
    if (filters or reading.mentions) and previous in _PERSON_KINDS:
        return True
    kinds = KINDS.get(previous, ())
    return any(e.kind in kinds and s >= CONFIRM for f in reading.found for e, s in f.hits)


def continues(previous: Understood, asked: Intent | None, reading: Reading) -> bool:
    if previous.changes_data:
        return False  # a change is never repeated by a follow-up
    if OPENER.match(reading.outline):
        return True
    return asked is None and _adds_to(previous.intent, reading)


def carried_intent(previous: Intent, asked: Intent | None, clues: Clues) -> Intent:
    """The follow-up's intent: what it asks for, else the previous one, moved within a family
    ("and campaigns?" after sources; "by source?" after the funnel)."""
    intent = asked or previous
    if clues.segment in ("source", "campaign"):
        intent = _SWITCH.get((intent, clues.segment), intent)
    for word in ("campaigns", "sources"):
        if re.search(rf"\b{word}\b", clues.text):
            intent = _SWITCH.get((intent, word), intent)
    return intent
