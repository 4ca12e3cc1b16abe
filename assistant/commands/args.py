"""Reading the words of a command: mentions, `key:value` options, periods, dates, numbers.

Each helper takes the remaining tokens and returns what it understood plus the rest, so a
handler reads its arguments in a few lines and the leftovers can be reported as errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from assistant.domain.errors import InvalidInput
from assistant.domain.periods import Period, looks_like_period, parse_period
from assistant.domain.references import parse_channel_mention, parse_user_mention
from assistant.domain.suggest import closest
from assistant.domain.tokens import split_key_value


def take_mentions(tokens: list[str]) -> tuple[list[str], list[str]]:
    users, rest = [], []
    for token in tokens:
        user = parse_user_mention(token)
        (users if user else rest).append(user or token)
    return users, rest


def take_channel(tokens: list[str]) -> tuple[str | None, list[str]]:
    channel, rest = None, []
    for token in tokens:
        found = parse_channel_mention(token)
        if found and channel is None:
            channel = found
        else:
            rest.append(token)
    return channel, rest


def take_options(tokens: list[str], allowed: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Split `key:value` tokens off; an unknown key is an error with a suggestion."""
    allowed = list(allowed)
    options: dict[str, str] = {}
    rest: list[str] = []
    for token in tokens:
        pair = split_key_value(token)
        if pair is None:
            rest.append(token)
            continue
        key, value = pair
        if key not in allowed:
            close = closest(key, allowed)
            hint = f" Did you mean `{close[0]}:`?" if close else ""
            known = ", ".join(f"`{k}:`" for k in allowed) or "none"
            raise InvalidInput(f"Unknown option `{key}:`.{hint} Options here: {known}.")
        if not value.strip():
            raise InvalidInput(f"`{key}:` needs a value, e.g. `{key}:something`.")
        options[key] = value.strip()
    return options, rest


def take_period(
    tokens: list[str], tz: ZoneInfo, now: datetime, *, default: str | None = "30d"
) -> tuple[Period | None, list[str]]:
    """Find a period anywhere in the tokens, including two-word ones (`last month`)."""
    for size in (3, 2, 1):
        for start in range(len(tokens) - size + 1):
            candidate = " ".join(tokens[start : start + size])
            if looks_like_period(candidate):
                period = parse_period(candidate, tz, now)
                return period, tokens[:start] + tokens[start + size :]
    if default is None:
        return None, tokens
    return parse_period(default, tz, now), tokens


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"`{text}` is not a date; use YYYY-MM-DD, e.g. `2026-12-31`.") from None


def parse_days(text: str) -> int:
    """`14d`, `14`, `14 days` -> 14."""
    digits = text.strip().lower().removesuffix("days").removesuffix("d").strip()
    if not digits.isdigit():
        raise InvalidInput(f"`{text}` is not a number of days; use e.g. `14d`.")
    return int(digits)


def parse_percent(text: str) -> Decimal:
    """`60%`, `60` -> 0.60."""
    try:
        value = Decimal(text.strip().rstrip("%").strip())
    except InvalidOperation:
        raise InvalidInput(f"`{text}` is not a percentage; use e.g. `60%`.") from None
    if not Decimal(0) <= value <= Decimal(100):
        raise InvalidInput(f"A probability is between 0% and 100% ({text} given).")
    return value / 100


def reject_leftovers(tokens: list[str]) -> None:
    if tokens:
        words = " ".join(tokens)
        raise InvalidInput(f"I don't know what to do with `{words[:200]}`.")
