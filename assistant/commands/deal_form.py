"""Reading the new-deal form's `view.state.values` into a `NewDeal`, one error per field.

The same rules as `/deal new` apply (the name via `clean_name`, amounts via `parse_amount`);
a past close date is allowed, since deals are often entered after the fact.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.blocks.deal_form import FIELD
from assistant.domain.amounts import parse_amount
from assistant.domain.errors import InvalidInput
from assistant.domain.limits import MAX_LABEL, MAX_NAME
from assistant.domain.text import one_line
from assistant.services.deals import NewDeal, clean_name

LIMITS = {"company": MAX_NAME, "source": MAX_LABEL, "campaign": MAX_LABEL}


def _state(values: dict[str, Any], block: str) -> dict[str, Any]:
    return (values.get(block) or {}).get(FIELD) or {}


def _text(values: dict[str, Any], block: str) -> str:
    return one_line(_state(values, block).get("value") or "")


def _plain(message: str) -> str:
    # Inline errors are plain text: the backticks of chat replies would show as-is.
    return message.replace("`", "")


def read_form(values: dict[str, Any], user_id: str) -> tuple[NewDeal | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = _text(values, "name")
    try:
        name = clean_name(name)
    except InvalidInput as err:
        errors["name"] = (
            "Give the deal a name, e.g. Acme renewal." if not name else _plain(err.message)
        )
    amount = None
    if raw := _text(values, "amount"):
        try:
            amount = parse_amount(raw)
        except InvalidInput as err:
            errors["amount"] = _plain(err.message)
    close = None
    if raw := _state(values, "close").get("selected_date"):
        try:
            close = date.fromisoformat(raw)
        except ValueError:
            errors["close"] = "Pick a date from the calendar."
    extra = {field: _text(values, field) or None for field in LIMITS}
    for field, limit in LIMITS.items():
        if extra[field] and len(extra[field]) > limit:
            errors[field] = f"At most {limit} characters ({len(extra[field])} given)."
    stage = (_state(values, "stage").get("selected_option") or {}).get("value")
    if errors:
        return None, errors
    owner = _state(values, "owner").get("selected_user") or user_id
    return NewDeal(
        name=name, amount=amount, owner_id=owner, stage=stage, close_date=close, **extra
    ), {}
