"""An understood question as JSON and back: kept per conversation for follow-ups, and carried
in buttons (a choice, a Confirm) so the click runs exactly what was offered."""

from __future__ import annotations

import json
from dataclasses import asdict, fields

from assistant.ask.model import Intent, Slots, Understood

_SLOTS = {f.name for f in fields(Slots)}


def dumps(understood: Understood) -> str:
    return json.dumps(asdict(understood), separators=(",", ":"), ensure_ascii=False)


def loads(text: str | None) -> Understood | None:
    """The Understood in `text`, or None for anything else (an old format, a forged value)."""
    try:
        data = json.loads(text or "")
        slots = {k: v for k, v in (data.get("slots") or {}).items() if k in _SLOTS}
        return Understood(
            intent=Intent(data["intent"]),
            command=_text(data["command"]),
            text=_text(data["text"]),
            display=_text(data["display"]),
            heading=_text(data["heading"]),
            slots=Slots(**slots),
            changes_data=bool(data.get("changes_data")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value
