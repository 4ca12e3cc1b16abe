"""Amounts ("over 50k"), breakdowns ("by rep", "per source") and deal numbers ("#12")."""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.ask.words import Words, whole_words
from assistant.domain.amounts import parse_amount
from assistant.domain.errors import InvalidInput

_NUMBER = r"[$€£]?[0-9][0-9,]*(?:\.[0-9]+)?"
_SCALE_WORDS = {"thousand": "k", "grand": "k", "million": "m", "mil": "m", "mn": "m"}
_SCALE_WORDS |= {"billion": "b", "bn": "b"}
_AMOUNT = rf"(?P<number>{_NUMBER})(?P<suffix>[kmb])?(?: (?P<scale>{'|'.join(_SCALE_WORDS)}))?"
_OVER = (
    r"over|above|more than|greater than|bigger than|larger than|exceeding|north of|>=?"
    r"|at least|upwards of|min|minimum"
)
_UNDER = r"under|below|less than|smaller than|lower than|<=?|at most|max|maximum"
_OVER_RE = whole_words(
    rf"(?:(?:worth |valued |of )?(?P<over>{_OVER}) )?{_AMOUNT}(?P<plus>\+| or more| and up| plus)?"
)
_UNDER_RE = whole_words(rf"(?:worth |valued |of )?(?:{_UNDER}) {_AMOUNT}")
_AMOUNT_RE = re.compile(_AMOUNT)


def compact(value: Decimal) -> str:
    """The shortest exact way to type an amount: 50000 -> `50k`, 1500000 -> `1.5m`."""
    for scale, suffix in ((Decimal(10) ** 9, "b"), (Decimal(10) ** 6, "m"), (Decimal(1000), "k")):
        scaled = value / scale
        if scaled >= 1 and scaled == scaled.quantize(Decimal("0.01")):
            return f"{scaled.normalize():f}{suffix}"
    return f"{value.normalize():f}"


def amount_of(match: re.Match[str]) -> str:
    """The compact amount a match of `_AMOUNT` names; one the commands will refuse (more than
    a trillion) stays as typed, so the command says what is wrong instead of it going unsaid."""
    text = match["number"].replace("+", "") + (match["suffix"] or "")
    if match["scale"]:
        text += _SCALE_WORDS[match["scale"]]
    try:
        return compact(parse_amount(text))
    except InvalidInput:
        return text


def read_amount(text: str) -> str | None:
    """`48k`, `$120,000`, `1.5 million` typed on their own (a won deal's final amount); any
    other text with a digit is passed on as typed (`-5k`), for the command to explain."""
    words = " ".join(text.casefold().replace("+", "").split())
    if match := _AMOUNT_RE.fullmatch(words):
        return amount_of(match)
    return words if re.search(r"[0-9]", words) and " " not in words else None


def take_over(words: Words) -> str | None:
    """`over 50k`, `above $10,000`, `100k+`: a bare amount is not a filter, so it stays."""
    for phrase in words.find(_OVER_RE):
        if phrase.match["over"] or phrase.match["plus"]:
            words.take(phrase, "~amount")
            return amount_of(phrase.match)
    return None


def take_under(words: Words) -> bool:
    """Deals under an amount: the commands can't filter that way; the caller says so."""
    return words.take_first(_UNDER_RE, "~amount") is not None


_SEGMENTS = {
    "owner": r"reps?|owners?|sales ?(?:person|people|reps?)|salespeople|sellers?|persons?|people"
    r"|aes?|account executives?|users?|team members?|members?",
    "source": r"(?:lead )?sources?|channels?",
    "campaign": r"campaigns?",
    "company": r"company|companies|accounts?|customers?|clients?",
    "stage": r"stages?",
    "month": r"months?",
    "week": r"weeks?",
}
_GROUP_WORDS = (
    r"by|per|for each|for every|each|across|across all|broken down by|split by|grouped by|for all"
)
_SEGMENT_RE = {
    kind: whole_words(rf"(?:{_GROUP_WORDS}) (?:the )?(?:{words})|(?:{words}) by (?:{words})")
    for kind, words in _SEGMENTS.items()
}
_CADENCE_RE = {"month": whole_words("monthly"), "week": whole_words("weekly")}


def take_segment(words: Words) -> str | None:
    """`by rep` -> owner, `per source` -> source, `by month` and `monthly` -> month."""
    found = [(p, kind) for kind, rx in _SEGMENT_RE.items() if (p := words.first(rx))]
    found = found or [(p, kind) for kind, rx in _CADENCE_RE.items() if (p := words.first(rx))]
    if not found:
        return None
    phrase, kind = min(found, key=lambda pair: pair[0].start)
    words.take(phrase, "~by")
    return kind


_DEAL_NUMBER_RE = whole_words(
    r"(?:deal (?:number |no |nr |num )?)?(?:#(?P<hash>[0-9]+)|(?P<bare>(?<=deal )[0-9]+))"
)


def take_deal_number(words: Words) -> int | None:
    """`#12`, `deal 12`, `deal #12`: the number of a deal."""
    phrase = words.take_first(_DEAL_NUMBER_RE, "~deal")
    if phrase is None:
        return None
    return int(phrase.match["hash"] or phrase.match["bare"])
