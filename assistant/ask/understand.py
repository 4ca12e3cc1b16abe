"""`understand`: a question in plain words -> the slash command that answers it.

Deterministic and quick (no language model): the words are read phrase by phrase (reading),
the intent comes from ordered rules (cues), names are matched with rapidfuzz (names) and
either fill the command's slots or make the parser ask (resolve); the command is written in
each command's own grammar (compose).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from assistant.ask import answers, followup
from assistant.ask.changes import read_change
from assistant.ask.clean import clean
from assistant.ask.compose import render
from assistant.ask.cues import PER_PERSON
from assistant.ask.intents import asked, implied
from assistant.ask.model import MINE, Answer, Intent, Slots, Understood
from assistant.ask.names import matcher_for
from assistant.ask.reading import Reading, read
from assistant.ask.resolve import KINDS, resolve
from assistant.ask.vocabulary import Vocabulary
from assistant.logsafe import clip

log = logging.getLogger(__name__)

# "me" as the one asked about, not the one shown something: "show me the pipeline" is no filter.
_MINE = re.compile(r"\b(my|mine|myself|i)\b|(?<!show )(?<!give )(?<!tell )(?<!help )\bme\b")
_SEGMENTS = {
    Intent.RESULTS: ("owner", "source", "campaign", "company", "stage"),
    Intent.COHORTS: ("month", "week"),
}
_TAKES_PERIOD = {
    Intent.DEALS, Intent.BOTTLENECKS, Intent.FORECAST, Intent.RESULTS, Intent.FUNNEL,
    Intent.SOURCES, Intent.CAMPAIGNS, Intent.COHORTS, Intent.LEADS,
}  # fmt: skip


def understand(
    text: str,
    vocabulary: Vocabulary,
    now: datetime,
    tz: ZoneInfo,
    previous: Understood | None = None,
) -> Answer:
    """The command a question means, a question back (Clarify), or NotUnderstood. Never raises."""
    try:
        return _understand(text, vocabulary, now, tz, previous)
    except Exception:  # a question must never break the bot; it is one it didn't understand
        log.exception("could not read the question %s", clip(text))
        return answers.not_understood(answers.CONFUSED, "", vocabulary)


def _understand(
    text: str, vocabulary: Vocabulary, now: datetime, tz: ZoneInfo, previous: Understood | None
) -> Answer:
    matcher = matcher_for(vocabulary)
    question = clean(text, matcher.people, matcher.people_names)
    if not question.words:
        return answers.not_understood(answers.EMPTY, "", vocabulary)
    change = read_change(question.raw)
    if change and (answer := answers.change(change, matcher, vocabulary)) is not None:
        return answer
    reading = read(question, matcher, now.astimezone(tz).date())
    return _question(reading, vocabulary, previous)


def _question(reading: Reading, vocabulary: Vocabulary, previous: Understood | None) -> Answer:
    if reading.when and reading.when.problem:
        return answers.impossible_day(reading.when.problem, vocabulary)
    clues = reading.clues()
    intent = asked(clues)
    base = Slots()
    if previous is not None and followup.continues(previous, intent, reading):
        intent, base = followup.carried_intent(previous.intent, intent, clues), previous.slots
    intent = intent or implied(clues)
    if intent is None:
        return answers.unknown(reading, vocabulary, None)
    if reading.under and intent == Intent.DEALS:
        return answers.not_understood(answers.UNDER, reading.said, vocabulary)
    named, doubt = resolve(reading.found, KINDS.get(intent, ()))
    if reading.unknown and intent in KINDS and doubt is None:
        return answers.unknown(reading, vocabulary, intent)
    slots = _slots(intent, base, reading, named)
    if doubt is not None:
        return answers.clarify(intent, slots, doubt, vocabulary)
    if intent == Intent.DEAL and slots.deal is None:
        return answers.unknown(reading, vocabulary, intent)
    return render(intent, slots, vocabulary)


def _slots(intent: Intent, base: Slots, reading: Reading, named: dict[str, object]) -> Slots:
    """The slots this question names, over those of the question it follows (if any)."""
    new: dict[str, object] = dict(named)
    if reading.when and intent in _TAKES_PERIOD:
        new["period"] = reading.when.ahead if intent == Intent.FORECAST else reading.when.past
    if reading.mentions:
        new["person"] = reading.mentions[0]
    elif "person" not in new and _MINE.search(reading.outline):
        new["person"] = MINE
    if intent == Intent.DEALS:
        new["status"] = reading.deal_status()
        new["amount"] = reading.over
    if intent == Intent.LEADS:
        new["status"] = reading.lead_status()
    if reading.segment in _SEGMENTS.get(intent, ()):
        new["segment"] = reading.segment
    per_person = new.get("person") or PER_PERSON.search(reading.outline)
    if intent == Intent.RESULTS and per_person and not (new.get("segment") or base.segment):
        new["segment"] = "owner"  # results are per team; a person's are in the per-rep view
    if reading.deal_number is not None:
        new["deal"] = reading.deal_number
    return replace(base, **{key: value for key, value in new.items() if value is not None})
