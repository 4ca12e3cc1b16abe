"""Periods as people say them ("last quarter", "in March", "since Monday", "q3", "ytd"),
found among a question's words and written in the product's period grammar (`last quarter`,
`2026-03`, `2026-11-30..2026-12-04`). The first pattern that fits (in the order below) and
reads as a real period wins: a range before its dates, "since March" before "March", "since
2026-10-01" before the day alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from assistant.ask import period_readers as read
from assistant.ask.lexicon import MONTHS, NUMBERS, WEEKDAYS, alternatives
from assistant.ask.period_readers import When
from assistant.ask.words import Words, whole_words

MARK = "~when"

_M = alternatives(MONTHS)
_WD = alternatives(WEEKDAYS)
_N = r"[0-9]{1,3}|" + alternatives(NUMBERS)
_UNIT = r"week|month|quarter|year"
_YEAR = r"(?:19|20)[0-9]{2}"
_ISO = r"[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY = "|".join(
    (
        _ISO,
        rf"(?:{_M}) [0-9]{{1,2}}{_ORDINAL}(?: {_YEAR})?",  # oct 1, october 1st 2025
        rf"[0-9]{{1,2}}{_ORDINAL}(?: of)? (?:{_M})(?: {_YEAR})?",  # 1 oct, 1st of october
    )
)
_PREP = r"(?:(?:in|during|for|of|from|throughout|over) (?:the )?)?"
_DOTS = r"(?:\.\.|…)"


def _either(*patterns: str) -> str:
    return "|".join(patterns)


_PATTERNS: tuple[tuple[str, Callable[[re.Match[str], date], When | None]], ...] = (
    (
        rf"(?:from |between )?(?P<a>{_DAY}) (?:to|until|till|through|thru|and|{_DOTS}|->) "
        rf"(?P<b>{_DAY})",
        read.day_range,
    ),
    (
        "since (?:"
        + _either(
            rf"(?:the )?(?:start|beginning) of (?:the |this )?(?P<unit>{_UNIT})",
            rf"last (?P<last>{_UNIT})",
            rf"(?:last )?(?P<wd>{_WD})",
            rf"(?P<day>{_DAY})",  # before the month: "since dec 24" is not "since December"
            rf"(?P<month>{_M})(?: (?P<year>{_YEAR}))?",
            r"(?P<yesterday>yesterday)",
        )
        + ")",
        read.since,
    ),
    (
        _either(
            rf"{_ISO} ?{_DOTS} ?{_ISO}",
            rf"{_ISO}(?:{_DOTS}{_ISO})?",
            r"[0-9]{4}[-/]?q[1-4]",
            r"[0-9]{4}[-/][0-9]{1,2}",
            r"[0-9]{1,4} ?d",
        ),
        read.explicit,
    ),
    (
        _either(
            rf"{_PREP}(?:the )?(?P<dir>last|past|previous|prior|next|coming) (?P<n>{_N}) "
            r"(?P<unit>hours?|days?|weeks?|months?|quarters?|years?)",
            r"(?P<n2>[0-9]{1,3}) days",
        ),
        read.rolling,
    ),
    (rf"{_PREP}(?:the )?past (?P<unit>{_UNIT})", read.past_unit),
    (
        r"(?:so far )?(?P<dir>this|current|last|previous|prior|next|coming|upcoming) "
        rf"(?P<unit>{_UNIT})(?: so far| to date)?",
        read.calendar_unit,
    ),
    (
        _either(
            rf"{_PREP}(?:the )?(?P<o>first|second|third|fourth|1st|2nd|3rd|4th) quarter"
            rf"(?: of)?(?: (?P<y>{_YEAR}))?",
            rf"{_PREP}q(?P<q>[1-4])(?: of)?(?: (?P<y2>{_YEAR}))?",
            rf"{_PREP}(?P<y3>{_YEAR}) q(?P<q2>[1-4])",
        ),
        read.named_quarter,
    ),
    (
        _either(
            rf"{_PREP}h(?P<h>[12])(?: (?P<y>{_YEAR}))?",
            rf"{_PREP}(?:the )?(?P<o>first|second) half(?: of)?(?: the year)?"
            rf"(?: (?P<y2>{_YEAR}))?",
        ),
        read.half_year,
    ),
    (
        rf"(?:(?P<prep>in|during|for|of|from|over) (?:the month of )?)?(?P<m>{_M})"
        rf"(?: (?P<y>{_YEAR}))?",
        read.named_month,
    ),
    (rf"(?:in|during|for|of|from|throughout) (?P<y>{_YEAR})", read.whole_year),
    (
        rf"today|tonight|this morning|this afternoon|yesterday|(?:on |last )(?P<wd>{_WD})",
        read.one_day,
    ),
)
_READERS = tuple((whole_words(pattern), reader) for pattern, reader in _PATTERNS)
_TO_DATE = {"ytd": "this year", "qtd": "this quarter", "mtd": "this month", "wtd": "this week"}
_TO_DATE_RE = whole_words(r"(?:year|quarter|month|week) to date|ytd|qtd|mtd|wtd")


def take_when(words: Words, today: date) -> When | None:
    """Find the first period the words name, take its words, and say it in the grammar."""
    if phrase := words.take_first(_TO_DATE_RE, MARK):
        word = phrase.match[0]
        return When.same(_TO_DATE.get(word) or f"this {word.split()[0]}")
    for pattern, reader in _READERS:
        for phrase in words.find(pattern):
            if (when := reader(phrase.match, today)) is not None:
                words.take(phrase, MARK)
                return when
    return None
