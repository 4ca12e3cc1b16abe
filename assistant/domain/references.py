"""How users point at things in a command: deals, leads, users and channels.

These only classify the text (a number, an email, a name fragment, a Slack ID); looking the
record up, and complaining when nothing or several things match, is the services' job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.domain.errors import InvalidInput

# Larger numbers are typos or pastes, and would overflow an SQL integer column downstream.
MAX_NUMBER = 2**31 - 1

_DEAL_NUMBER_RE = re.compile(r"#?\s*([0-9]+)", re.ASCII)
_LEAD_NUMBER_RE = re.compile(r"#?\s*l\s*([0-9]+)", re.ASCII | re.IGNORECASE)
# Slack wraps typed emails as <mailto:a@b.com|a@b.com>; the part after `mailto:` is the address.
_MAILTO_RE = re.compile(r"<mailto:([^|>]*)(?:\|[^>]*)?>", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[^@\s<>|]+@[^@\s<>|]+\.[^@\s<>|.][^@\s<>|]*")
# Member IDs start with U, or W on Enterprise Grid; the optional `|name` is Slack's escaping.
_USER_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# Public channels start with C; G is a private channel in older workspaces.
_CHANNEL_RE = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class DealRef:
    """Exactly one of `number` and `fragment` is set; `raw` is what was typed, for replies."""

    number: int | None
    fragment: str | None
    raw: str


@dataclass(frozen=True)
class LeadRef:
    """Exactly one of `number`, `email` and `fragment` is set."""

    number: int | None
    email: str | None
    fragment: str | None
    raw: str


def _fragment(text: str) -> str:
    # Casefold (not lower) so `STRASSE` finds "Straße"; the lookup must casefold names too.
    return " ".join(text.split()).casefold()


def _number(digits: str, raw: str, what: str) -> int:
    number = int(digits)
    if number > MAX_NUMBER:
        raise InvalidInput(f"`{raw}` isn't a {what} number I could have; check the number.")
    return number


def parse_deal_ref(text: str) -> DealRef:
    """`#12` or `12` -> number 12; anything else is a name fragment (casefolded)."""
    raw = " ".join(text.split())
    if not raw:
        raise InvalidInput("Which deal? Give its number (`#12`) or part of its name.")
    if match := _DEAL_NUMBER_RE.fullmatch(raw):
        return DealRef(_number(match[1], raw, "deal"), None, raw)
    if raw == "#":
        raise InvalidInput("`#` needs a deal number after it, e.g. `#12`.")
    return DealRef(None, _fragment(raw), raw)


def _unwrap_mailto(text: str) -> str:
    match = _MAILTO_RE.fullmatch(text)
    return match[1] if match else text


def parse_lead_ref(text: str) -> LeadRef:
    """`L7`/`#L7` -> number 7; `a@b.com` (or Slack's mailto link) -> email; else a fragment."""
    raw = " ".join(text.split())
    if not raw:
        raise InvalidInput("Which lead? Give its number (`L7`), email, or part of its name.")
    if match := _LEAD_NUMBER_RE.fullmatch(raw):
        return LeadRef(_number(match[1], raw, "lead"), None, None, raw)
    candidate = _unwrap_mailto(raw).strip()
    if _EMAIL_RE.fullmatch(candidate):
        return LeadRef(None, candidate.lower(), None, raw)
    return LeadRef(None, None, _fragment(candidate), raw)


def parse_user_mention(token: str) -> str | None:
    """`<@U123>` or `<@U123|name>` -> "U123"; anything else (plain `@name` too) -> None."""
    match = _USER_RE.fullmatch(token.strip())
    return match[1] if match else None


def parse_channel_mention(token: str) -> str | None:
    """`<#C123>` or `<#C123|name>` -> "C123"; anything else (plain `#name` too) -> None."""
    match = _CHANNEL_RE.fullmatch(token.strip())
    return match[1] if match else None
