"""Cell values as the vendors write them: dates, amounts, yes/no, text.

Every parser raises `BadValue` with a message for the person fixing the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from assistant.domain.amounts import CENT, MAX_AMOUNT, parse_amount
from assistant.domain.errors import InvalidInput


class BadValue(Exception):
    pass


# `2024-03-15`, `2024-03-15 14:33`, `2024-03-15T14:33:05.123Z`, `2024-03-15 14:33:05+01:00`
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
# `3/15/2024`, `15.03.2024`, `3/15/2024, 2:33 PM`, `15/03/2024 14:33`
_NUMERIC = re.compile(
    r"^(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
    r"(?:,?\s+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?)?$"
)
# Epoch milliseconds, as HubSpot's API-based exports sometimes write dates.
_EPOCH_MS = re.compile(r"^\d{12,13}$")


def parse_datetime(text: str, zone: tzinfo, day_first: bool = False) -> datetime:
    """An aware datetime; times without an offset are in `zone` (the workspace's time zone)."""
    value = text.strip()
    try:  # the common case, and fast: `2024-03-15 14:33`, `2024-03-15T14:33:05Z`
        parsed = datetime.fromisoformat(value)
    except ValueError:
        pass
    else:
        if len(value) >= 10:  # not the basic `20240315` forms fromisoformat also reads
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    if _ISO.match(value):
        try:
            parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError as err:
            raise BadValue(f"`{value}` is not a date ({err})") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    if _EPOCH_MS.match(value):
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    match = _NUMERIC.match(value)
    if match is None:
        raise BadValue(f"`{value}` is not a date; use YYYY-MM-DD (or M/D/YYYY)")
    day_first = day_first or match["sep"] == "."  # 15.03.2024 is always day first
    month, day = (
        (int(match["b"]), int(match["a"])) if day_first else (int(match["a"]), int(match["b"]))
    )
    year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
    if month > 12 and not day_first and day <= 12:
        raise BadValue(f"`{value}` looks like day/month/year; pass --day-first")
    hour, minute, second = int(match["h"] or 0), int(match["m"] or 0), int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise BadValue(f"`{value}` is not a time of day")
        hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError as err:
        raise BadValue(f"`{value}` is not a date ({err})") from None


class AmbiguousDates(Exception):
    """A column whose dates read either way (every day and month at most 12)."""


def dates_are_day_first(texts: Iterable[str]) -> bool | None:
    """How a column writes its numeric dates, from the values themselves: True when a first
    number above 12 shows day/month (`21-02-2018`), False when a second one does
    (`3/15/2024`), None when the column has no such dates (ISO dates say themselves). Raises
    AmbiguousDates when nothing tells (every value at most 12/12), ValueError when the column
    holds both orders."""
    day_first = month_first = numeric = False
    for text in texts:
        match = _NUMERIC.match(text.strip())
        if match is None:
            continue
        numeric = True
        if match["sep"] == "." or int(match["a"]) > 12:  # 15.03.2024 is always day first
            day_first = True
        elif int(match["b"]) > 12:
            month_first = True
        if day_first and month_first:
            raise ValueError("has dates written day first and others month first")
    if day_first or month_first:
        return day_first
    if numeric:
        raise AmbiguousDates
    return None


def parse_date(text: str, zone: tzinfo, day_first: bool = False) -> date:
    """The calendar date as written, whatever time or offset follows it."""
    return parse_datetime(text, zone, day_first).date()


def start_of_day(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


_CURRENCY_CODE = re.compile(
    r"^(?:(?P<pre>[A-Za-z]{3})\s+)?(?P<body>.+?)(?:\s+(?P<post>[A-Za-z]{3}))?$"
)


# Symbols that name one currency; `$` and `¥` name several, so they say nothing.
_SYMBOL_CODES = {"€": "EUR", "£": "GBP"}


_PLAIN_NUMBER = re.compile(r"^[0-9]{1,13}(?:\.[0-9]+)?$")


def parse_money(text: str) -> tuple[Decimal, str | None]:
    """An amount and the currency written with it, if any (`12000 EUR`, `€12,000`)."""
    if _PLAIN_NUMBER.match(text):  # what exports mostly hold; same result as parse_amount
        value = Decimal(text)
        if value <= MAX_AMOUNT:
            return value.quantize(CENT, rounding=ROUND_HALF_UP), None
    match = _CURRENCY_CODE.match(text.strip())
    body = match["body"] if match else text
    code = (match["pre"] or match["post"]) if match else None
    symbol = next((c for s, c in _SYMBOL_CODES.items() if s in body), None)
    code = code or symbol
    # Spreadsheets write thousands with a space or a no-break space: `12 000`.
    body = re.sub(r"(?<=\d)[\s\u00a0\u202f](?=\d{3}\b)", "", body)
    try:
        return parse_amount(body), code.upper() if code else None
    except InvalidInput as err:
        raise BadValue(err.message) from None


_TRUE = {"1", "true", "yes", "y", "t", "x"}
_FALSE = {"0", "false", "no", "n", "f", ""}


def parse_bool(text: str) -> bool:
    value = text.strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadValue(f"`{text}` is not yes/no (true/false, 1/0)")


def clean_text(text: str, limit: int, what: str) -> str | None:
    """Collapse whitespace; None for nothing."""
    value = " ".join(text.split())
    if len(value) > limit:
        raise BadValue(f"{what} is {len(value)} characters long; at most {limit} fit")
    return value or None


# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    return "'" + text if text[:1] in FORMULA_STARTS else text


def unescape_formula(text: str) -> str:
    """Undo `escape_formula` (ours, and the same habit of other exporters)."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text


def is_email(text: str) -> bool:
    local, _, domain = text.partition("@")
    return bool(local) and "." in domain and " " not in text and len(text) <= 254
