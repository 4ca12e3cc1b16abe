"""Calendar arithmetic for spoken periods, written out in the product's period grammar."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.ask.lexicon import MONTHS, WEEKDAYS
from assistant.domain.errors import InvalidInput
from assistant.domain.periods import looks_like_period, parse_period

# A fixed instant for turning calendar forms into their canonical text; none of them depends
# on "now" or on a time zone.
_UTC = ZoneInfo("UTC")
_ANY_NOW = datetime(2000, 1, 1, tzinfo=_UTC)


def canonical(text: str) -> str:
    """`2026-q3` -> `2026-Q3`, `2026/10/5` -> `2026-10-05..2026-10-05` (a one-day range, the
    form every command reads); an impossible date is kept as typed so the command explains."""
    if not looks_like_period(text):
        return text
    try:
        label = parse_period(text, _UTC, _ANY_NOW).label
    except InvalidInput:
        return text
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", label):
        return f"{label}..{label}"
    return label


def days(first: date, last: date) -> str:
    return f"{first.isoformat()}..{last.isoformat()}"


def month(year: int, number: int) -> str:
    return f"{year:04d}-{number:02d}"


def year_range(year: int) -> str:
    return days(date(year, 1, 1), date(year, 12, 31))


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def nearest_year(index: int, current: int, year: int, ahead: bool) -> int:
    """The year of the nearest month or quarter `index` not in the future (or, looking ahead,
    not in the past); the current one counts for both."""
    if ahead:
        return year if index >= current else year + 1
    return year if index <= current else year - 1


def unit_start(unit: str, today: date) -> date:
    if unit == "week":
        return today - timedelta(days=today.weekday())
    if unit == "month":
        return today.replace(day=1)
    if unit == "quarter":
        return today.replace(month=3 * (quarter_of(today) - 1) + 1, day=1)
    return today.replace(month=1, day=1)


def unit_before(unit: str, start: date) -> date:
    if unit == "week":
        return start - timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    index = start.year * 12 + start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def weekday_before(name: str, today: date) -> date:
    """The last such weekday before today: "since Monday" said on a Monday means a week ago."""
    back = (today.weekday() - WEEKDAYS[name]) % 7 or 7
    return today - timedelta(days=back)


_DAY_FIRST = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]+)(?: ([0-9]{4}))?")
_MONTH_FIRST = re.compile(r"([a-z]+) ([0-9]{1,2})(?:st|nd|rd|th)?(?: ([0-9]{4}))?")


def spoken_day(text: str, today: date) -> date | None:
    """`2026-10-01`, `oct 1`, `1st of october 2025`; without a year, the latest not after today."""
    try:
        if re.fullmatch(r"[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}", text):
            year, number, day = map(int, re.split("[-/]", text))
            return date(year, number, day)
        if match := _DAY_FIRST.fullmatch(text):
            day, name, year = int(match[1]), match[2], match[3]
        elif match := _MONTH_FIRST.fullmatch(text):
            name, day, year = match[1], int(match[2]), match[3]
        else:
            return None
        if name not in MONTHS:
            return None
        if year:
            return date(int(year), MONTHS[name], day)
        found = date(today.year, MONTHS[name], day)
        return found if found <= today else date(today.year - 1, MONTHS[name], day)
    except ValueError:
        return None
