"""One pass over a question's words: the period, amounts, breakdown, deal number, mentions
and names, each taken in turn; what is left are filler words and unknown ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from assistant.ask import quantities
from assistant.ask.clean import MENTION_PREFIX, Question
from assistant.ask.entries import Found
from assistant.ask.intents import Clues
from assistant.ask.lexicon import CUES, FILLER, KEYWORDS, MONTHS, NUMBERS, WEEKDAYS
from assistant.ask.names import Matcher
from assistant.ask.phrases import find_names
from assistant.ask.resolve import CONFIRM
from assistant.ask.when import When, take_when
from assistant.ask.words import Words

_PLAIN = FILLER | CUES | frozenset(MONTHS) | frozenset(WEEKDAYS) | frozenset(NUMBERS)
# Words after which a name is expected: "funnel for tiktok" names something it doesn't know.
_BEFORE_NAMES = frozenset(["for", "from", "in", "of", "with", "about", "on", "at"])
_WON = re.compile(r"\b(won|win|wins|winning|closed)\b|\bdid \S+ close\b")
_LOST = re.compile(r"\b(lost|lose|loses|losing)\b")
_LEAD_STATUSES = {
    "converted": re.compile(r"\bconverted\b"),
    "dropped": re.compile(r"\b(dropped|lost)\b"),
    "open": re.compile(r"\bopen\b"),
}


@dataclass
class Reading:
    words: Words
    when: When | None
    over: str | None
    under: bool
    segment: str | None
    deal_number: int | None
    mentions: list[str]
    found: list[Found]
    strange: list[str]  # words no list knows and no name matches
    unknown: list[str]  # those of them in the place of a name ("funnel for tiktok")

    @property
    def outline(self) -> str:
        return self.words.outline()

    @property
    def said(self) -> str:
        """The words as read, for comparing with example questions."""
        return " ".join(self.words.words)

    def clues(self) -> Clues:
        kinds = {e.kind for f in self.found for e, score in f.hits if score >= CONFIRM}
        return Clues(
            text=self.outline,
            segment=self.segment,
            deal_number=self.deal_number is not None,
            kinds=frozenset(kinds),
            person=bool(self.mentions) or "person" in kinds,
            amount=self.over is not None or self.under,
            status=self.deal_status(),
        )

    def deal_status(self) -> str | None:
        if _LOST.search(self.outline):
            return "lost"
        return "won" if _WON.search(self.outline) else None

    def lead_status(self) -> str | None:
        outline = self.outline
        return next((status for status, rx in _LEAD_STATUSES.items() if rx.search(outline)), None)


def _corrected(words: tuple[str, ...], matcher: Matcher) -> list[str]:
    """Typos of the words that say what is asked ("forcast", "botleneck") set right; names
    are left to the name matcher, which knows the workspace's spellings."""
    fixed = []
    for word in words:
        if len(word) >= 3 and word.isalpha() and word not in _PLAIN | matcher.known_words:
            cutoff = 85 if len(word) <= 4 else 80
            best = process.extractOne(word, KEYWORDS, scorer=fuzz.ratio, score_cutoff=cutoff)
            word = best[0] if best else word
        fixed.append(word)
    return fixed


def read(question: Question, matcher: Matcher, today: date) -> Reading:
    words = Words(_corrected(question.words, matcher))
    when = take_when(words, today)
    over = quantities.take_over(words)
    under = quantities.take_under(words)
    segment = quantities.take_segment(words)
    deal_number = quantities.take_deal_number(words)
    mentions = []
    for index, word in enumerate(words.words):
        if word.startswith(MENTION_PREFIX):
            mentions.append(word[len(MENTION_PREFIX) :].upper())
            words.take((index, index + 1), "~name")
    found = find_names(matcher, words)
    for phrase in found:
        single_cue = phrase.end - phrase.start == 1 and phrase.text in CUES
        words.take((phrase.start, phrase.end), phrase.text if single_cue else "~name")
    strange = [i for i, word in enumerate(words.words) if _strange(words, i, word, matcher)]
    return Reading(
        words=words,
        when=when,
        over=over,
        under=under,
        segment=segment,
        deal_number=deal_number,
        mentions=mentions,
        found=found,
        strange=[words.words[i] for i in strange],
        unknown=[words.words[i] for i in strange if _before_name(words, i)],
    )


def _strange(words: Words, index: int, word: str, matcher: Matcher) -> bool:
    known = word in _PLAIN or word in matcher.known_words
    return not words.taken[index] and word.isalpha() and not known


def _before_name(words: Words, index: int) -> bool:
    previous = [w for w in words.words[:index] if w not in ("the", "a", "an", "our")]
    return bool(previous) and previous[-1] in _BEFORE_NAMES
