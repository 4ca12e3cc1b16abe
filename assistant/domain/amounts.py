"""Money as users type it in Slack (`12k`, `$1.5m`, `12,000`) and as replies show it.

Amounts are exact `Decimal`s with two places, never floats: a deal's value is summed, weighted
and compared, and a rounding drift of a cent would show up in digests.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from assistant.domain.errors import InvalidInput

CENT = Decimal("0.01")
# A single deal above a trillion is a typo (an extra `m`, digits pasted twice), not a sale.
MAX_AMOUNT = Decimal(10) ** 12

_EXAMPLES = "`12000`, `12,000`, `12k`, `1.5m` or `$12k`"
_SUFFIXES = {"k": 3, "m": 6, "b": 9}
# Symbols users prefix (or, in much of Europe, suffix) to an amount; the currency itself is the
# workspace's, so the symbol is only tolerated, never converted.
_SYMBOLS = "$€£¥"
# ASCII digits only: `\d` would accept Arabic-Indic and other digits that users never mean.
_AMOUNT_RE = re.compile(
    r"""
    (?P<number>
        (?:[0-9]{1,3}(?:,[0-9]{3})+ | [0-9]+)   # 12,000 (commas only in thousands groups) or 12000
        (?:\.[0-9]+)?                            # optional decimals
      | \.[0-9]+                                 # .5m
    )
    (?P<suffix>[kmb])?
    """,
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)


def _shown(text: str) -> str:
    # Echo what was typed, but a pasted paragraph should not become a wall of text in the reply.
    return text if len(text) <= 40 else text[:37] + "..."


def _strip_symbol(text: str) -> str:
    # One currency symbol, at either end; `$$5` or `$5€` stays invalid.
    text = text.strip()
    if text[:1] and text[0] in _SYMBOLS:
        text = text[1:]
    elif text[-1:] and text[-1] in _SYMBOLS:
        text = text[:-1]
    return text.strip()


def parse_amount(text: str) -> Decimal:
    """Parse `12000`, `12,000`, `12k`, `1.5m`, `$12k`, `€5k`, `2b`; two decimals, half up."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(f"The amount is empty. Try {_EXAMPLES}.")
    # A minus may come before or after the symbol (`-$5`, `$-5`); it gets its own message.
    negative = cleaned.startswith("-")
    body = _strip_symbol(cleaned[1:] if negative else cleaned)
    if body.startswith("-"):
        negative, body = True, _strip_symbol(body[1:])
    match = _AMOUNT_RE.fullmatch(body)
    if match is None:
        raise InvalidInput(f"`{_shown(cleaned)}` isn't an amount. Try {_EXAMPLES}.")
    if negative:
        raise InvalidInput(f"`{_shown(cleaned)}`: an amount can't be negative. Try {_EXAMPLES}.")
    number = Decimal(match["number"].replace(",", ""))
    suffix = (match["suffix"] or "").lower()
    if number > MAX_AMOUNT:  # checked before scaling so a 60-digit paste can't overflow below
        raise InvalidInput(f"`{_shown(cleaned)}` is more than 1 trillion; check the amount.")
    # Enough precision that scaling by a suffix is exact before the one rounding to cents.
    with localcontext() as ctx:
        ctx.prec = len(match["number"]) + 20
        value = number.scaleb(_SUFFIXES.get(suffix, 0))
        if value > MAX_AMOUNT:
            raise InvalidInput(f"`{_shown(cleaned)}` is more than 1 trillion; check the amount.")
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


def looks_like_amount(token: str) -> bool:
    """True when `parse_amount` accepts the token; lets `/deal new` find where the name ends."""
    try:
        parse_amount(token)
    except InvalidInput:
        return False
    return True


_PREFIX_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def _with_currency(sign: str, digits: str, currency: str) -> str:
    code = currency.strip().upper()
    symbol = _PREFIX_SYMBOLS.get(code)
    if symbol is not None:
        return f"{sign}{symbol}{digits}"
    # Currencies without a well-known symbol read unambiguously as `12,000 CHF`.
    return f"{sign}{digits} {code}"


def format_amount(value: Decimal, currency: str = "USD") -> str:
    """`$12,000`, `$1,250.50` (cents only when there are some), `-$5`, `12,000 CHF`."""
    cents = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    # Compare the rounded value so that -0.001 shows as `$0`, not `-$0`.
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    digits = f"{cents:,.0f}" if cents == cents.to_integral_value() else f"{cents:,.2f}"
    return _with_currency(sign, digits, currency)


_COMPACT_UNITS = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


def format_compact(value: Decimal, currency: str = "USD") -> str:
    """`$1.2M`, `$12.5k`, `$350k`, `$900`: at most three significant digits, for charts/tables."""
    amount = Decimal(value)
    sign = "-" if amount.quantize(Decimal(1), rounding=ROUND_HALF_UP) < 0 else ""
    amount = abs(amount)
    units = (*_COMPACT_UNITS, (Decimal(1000), "k"), (Decimal(1), ""))
    for index, (scale, unit) in enumerate(units):
        if amount < scale and scale != 1:
            continue
        scaled = amount / scale
        # One decimal below 100 (`12.5k`), none above (`350k`), none for plain units (`$900`).
        places = Decimal("0.1") if scaled < 100 and unit else Decimal(1)
        rounded = scaled.quantize(places, rounding=ROUND_HALF_UP)
        if rounded >= 1000 and index > 0:
            # 999,960 would print as `1000k`; the next unit up says it better: `1M`.
            bigger_scale, bigger_unit = units[index - 1]
            rounded = (amount / bigger_scale).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            unit = bigger_unit
        text = f"{rounded:f}".removesuffix(".0")
        if text == "0":
            sign = ""
        return _with_currency(sign, f"{text}{unit}", currency)
    raise AssertionError("unreachable: the last unit accepts every amount")
