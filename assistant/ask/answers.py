"""The answers that are not simply a command: asking back (Clarify), not understanding, and
the changes (move, won, lost, note), whose deal and stage must be certain before a button."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.ask.changes import Change
from assistant.ask.clean import BOUNDARY, clean
from assistant.ask.compose import render
from assistant.ask.entries import Entry
from assistant.ask.examples import closest
from assistant.ask.lexicon import FILLER
from assistant.ask.model import (
    Choice,
    Clarify,
    Intent,
    NotUnderstood,
    Slots,
    Understood,
)
from assistant.ask.names import Matcher, matcher_for
from assistant.ask.phrases import find_names
from assistant.ask.reading import Reading
from assistant.ask.resolve import KINDS, SLOT_OF_KIND, Doubt, decide, slot_value
from assistant.ask.spoken import KIND_WORDS
from assistant.ask.vocabulary import Vocabulary
from assistant.ask.words import Words

EMPTY = "Ask me about your deals, the pipeline, the funnel or leads, in your own words."
CONFUSED = "I didn't understand that. These are questions I can answer:"
UNDER = "I can list deals over an amount, not under one. These are questions I can answer:"
_ANYTHING = ("deal", "stage", "source", "person")
_NOTHING = FILLER | {BOUNDARY}


def not_understood(reply: str, words: str, vocabulary: Vocabulary) -> NotUnderstood:
    return NotUnderstood(reply, closest(words, vocabulary))


def impossible_day(words: str, vocabulary: Vocabulary) -> NotUnderstood:
    reply = f"`{words[:40]}` names no day I can count from; try a date like `2026-10-01`."
    return not_understood(reply, "", vocabulary)


def _kinds_text(kinds: tuple[str, ...]) -> str:
    names = [KIND_WORDS[k] for k in kinds if k != "company"]
    names = list(dict.fromkeys("stage" if n == "funnel stage" else n for n in names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _known_as(entry: Entry) -> str:
    return f"`{entry.label}` ({KIND_WORDS[entry.kind]})"


def unknown(reading: Reading, vocabulary: Vocabulary, intent: Intent | None) -> NotUnderstood:
    """A word in the place of a name that names nothing: say so, with the nearest name."""
    words = reading.unknown or reading.strange
    if not words:
        return not_understood(CONFUSED, reading.said, vocabulary)
    word = words[0][:40]
    kinds = KINDS.get(intent, _ANYTHING) if intent else _ANYTHING
    reply = f"I don't know a {_kinds_text(kinds)} called `{word}`"
    near = matcher_for(vocabulary).suggest(word)
    reply += f"; did you mean {_known_as(near)}?" if near else "."
    return not_understood(reply, reading.said, vocabulary)


def clarify(intent: Intent, slots: Slots, doubt: Doubt, vocabulary: Vocabulary) -> Clarify:
    choices = []
    for entry in doubt.options:
        filled = replace(slots, **{SLOT_OF_KIND[entry.kind]: slot_value(entry)})
        choices.append(Choice(entry.label, render(intent, filled, vocabulary)))
    if doubt.rough:
        kinds = KINDS.get(intent, _ANYTHING)
        options = " or ".join(_known_as(e) for e in doubt.options)
        prompt = f"I don't know a {_kinds_text(kinds)} called `{doubt.text[:40]}`; "
        prompt += f"did you mean {options}?"
    else:
        kind = KIND_WORDS[doubt.options[0].kind]
        prompt = f"Which {kind}? " + " / ".join(e.label for e in doubt.options)
    return Clarify(prompt, tuple(choices))


def _find(text: str, kind: str, matcher: Matcher, whole: bool = False) -> Entry | Doubt | None:
    """What the text names of this kind; with `whole`, only if the name is all it says."""
    words = Words(clean(text).words)
    for phrase in find_names(matcher, words):
        decided = decide(phrase.text, [(e, s) for e, s in phrase.hits if e.kind == kind])
        rest = words.words[: phrase.start] + words.words[phrase.end :]
        if decided is not None and not (whole and any(w not in _NOTHING for w in rest)):
            return decided
    return None


def _stage(text: str, matcher: Matcher) -> str | Entry | Doubt | None:
    text = re.sub(r"^(?:the)\s+|\s+stage$", "", text.strip().casefold())
    if text in ("next", "next one", "back", "previous", "previous one", "won", "lost"):
        return {"previous": "back", "previous one": "back", "next one": "next"}.get(text, text)
    found = _find(text, "stage", matcher)
    if found is None and len(text) >= 2:
        # Where a stage is certain to be meant, a short start of one is enough, as in the
        # commands (`prop`); "pro" fits two and is asked about.
        starts = {
            e: 90.0 for e, form in matcher.forms if e.kind == "stage" and form[0].startswith(text)
        }
        found = decide(text, starts.items())
    return found


def change(
    change: Change, matcher: Matcher, vocabulary: Vocabulary
) -> Understood | Clarify | NotUnderstood | None:
    """The change as a command (to confirm), a Clarify, NotUnderstood, or None when the words
    turn out not to name a deal after all (then they are read as a question)."""
    intent = Intent(change.kind)
    # At most 40 digits (what a question's word may hold): the command then says the number
    # is too big, and int() never meets a pasted page of digits.
    number = re.fullmatch(r"(?:deal\s*)?#?\s*([0-9]{1,40})", change.deal_text, re.IGNORECASE)
    deal = (
        int(number[1]) if number else _find(change.deal_text, "deal", matcher, not change.explicit)
    )
    stage = _stage(change.stage_text, matcher) if change.stage_text is not None else None
    if deal is None or change.stage_text is not None and stage is None:
        if not change.explicit:
            return None
        what, text = ("deal", change.deal_text) if deal is None else ("stage", change.stage_text)
        reply = f"I don't know a {what} called `{(text or '')[:40]}`."
        return not_understood(reply, text or "", vocabulary)
    if stage in ("won", "lost"):  # "move #12 to won" is marking it won
        intent, stage = Intent(str(stage)), None
    slots = Slots(amount=change.amount, text=change.text)
    if isinstance(stage, (str, Entry)):
        slots = replace(slots, stage=stage if isinstance(stage, str) else stage.value)
    if isinstance(deal, Doubt):
        return clarify(intent, slots, deal, vocabulary)
    slots = replace(slots, deal=deal if isinstance(deal, int) else int(deal.value))
    if isinstance(stage, Doubt):
        return clarify(intent, slots, stage, vocabulary)
    return render(intent, slots, vocabulary)
