"""Readers of spoken periods: each turns one kind of phrase (its regex match in `when`) into
the product's period grammar, or None when the words turn out not to be a period."""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.ask import dates
from assistant.ask.lexicon import MONTHS, NUMBERS, ORDINALS


@dataclass(frozen=True)
class When:
    """`past` reads the words backwards from today (a report's "in March" is the last March);
    `ahead` forwards (a forecast's "in March" is the next one). Most periods read the same."""

    past: str
    ahead: str
    problem: str = ""  # words shaped like a date that name no real day ("since feb 30")

    @classmethod
    def same(cls, text: str) -> When:
        return cls(text, text)

    @classmethod
    def impossible(cls, words: str) -> When:
        return cls("", "", words)


def day_range(m: re.Match[str], today: date) -> When | None:
    first, last = dates.spoken_day(m["a"], today), dates.spoken_day(m["b"], today)
    if first is None or last is None:
        return When.impossible(m[0])
    if last < first and not re.search(r"[0-9]{4}", m["b"]):
        # "from Nov 28 to Dec 10": both read as past dates, but the end is in the same year.
        with suppress(ValueError):
            last = last.replace(year=first.year)
    return When.same(dates.days(first, last))


def explicit(m: re.Match[str], today: date) -> When:
    text = m[0].replace(" ", "")
    return When.same(text if text.endswith("d") else dates.canonical(text))


def since(m: re.Match[str], today: date) -> When | None:
    if m["unit"]:  # since the start of the month
        return When.same(f"this {m['unit']}")
    if m["last"]:  # since last week: from the start of last week
        start = dates.unit_before(m["last"], dates.unit_start(m["last"], today))
    elif m["wd"]:
        start = dates.weekday_before(m["wd"], today)
    elif m["month"]:
        number = MONTHS[m["month"]]
        year = m["year"] or dates.nearest_year(number, today.month, today.year, False)
        start = date(int(year), number, 1)
    elif m["yesterday"]:
        start = today - timedelta(days=1)
    else:
        start = dates.spoken_day(m["day"], today)  # type: ignore[assignment]
    if start is None or start > today:  # "since feb 30", "since 2030-01-01"
        return When.impossible(m[0])
    return When.same(dates.days(start, today))


def rolling(m: re.Match[str], today: date) -> When | None:
    number = m["n"] or m["n2"]
    count = int(number) if number.isdigit() else NUMBERS[number]
    unit = (m["unit"] or "days").removesuffix("s")
    if count < 1:
        return None
    if m["dir"] in ("next", "coming"):  # a forecast reads `Nd` forwards
        per_unit = {"hour": 0, "day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}
        return When.same(f"{max(1, count * per_unit[unit])}d")
    if unit in ("hour", "day"):
        return When.same(f"{max(1, count // 24) if unit == 'hour' else count}d")
    if unit == "week":
        return When.same(f"last {count} weeks" if count > 1 else "7d")
    months = count * {"month": 1, "quarter": 3, "year": 12}[unit]
    return When.same(f"last {months} month{'s' if months != 1 else ''}")


def past_unit(m: re.Match[str], today: date) -> When:
    return When.same({"week": "7d", "month": "30d", "quarter": "90d", "year": "365d"}[m["unit"]])


def calendar_unit(m: re.Match[str], today: date) -> When:
    which = {"current": "this", "previous": "last", "prior": "last", "coming": "next"}
    word, unit = which.get(m["dir"], m["dir"]), m["unit"]
    if word == "next" and unit == "year":  # the grammar has no `next year`; the dates say it
        return When.same(dates.year_range(today.year + 1))
    return When.same(f"{word} {unit}")


def named_quarter(m: re.Match[str], today: date) -> When:
    number = int(m["q"] or m["q2"] or ORDINALS[m["o"]])
    if year := m["y"] or m["y2"] or m["y3"]:
        return When.same(f"{year}-Q{number}")
    current = dates.quarter_of(today)
    past, ahead = (dates.nearest_year(number, current, today.year, a) for a in (False, True))
    return When(f"{past}-Q{number}", f"{ahead}-Q{number}")


def half_year(m: re.Match[str], today: date) -> When:
    half = int(m["h"]) if m["h"] else ORDINALS[m["o"]]
    year = int(m["y"] or m["y2"] or today.year)
    first = date(year, 1 if half == 1 else 7, 1)
    return When.same(dates.days(first, date(year, 6, 30) if half == 1 else date(year, 12, 31)))


def named_month(m: re.Match[str], today: date) -> When | None:
    if m["m"] == "may" and not (m["prep"] or m["y"]):
        return None  # "may" is mostly the verb; "in May" and "May 2026" are the month
    number = MONTHS[m["m"]]
    if m["y"]:
        return When.same(dates.month(int(m["y"]), number))
    past, ahead = (dates.nearest_year(number, today.month, today.year, a) for a in (False, True))
    return When(dates.month(past, number), dates.month(ahead, number))


def whole_year(m: re.Match[str], today: date) -> When:
    return When.same(dates.year_range(int(m["y"])))


def one_day(m: re.Match[str], today: date) -> When:
    if m["wd"]:
        day = dates.weekday_before(m["wd"], today)
        return When.same(dates.days(day, day))
    return When.same("yesterday" if m[0] == "yesterday" else "today")
