"""One comparable form for the product's digest data and the floor's: nested dicts of text.

Dataclasses become dicts of their fields, so the floor writes plain dicts with the same keys;
amounts are compared to the micro-unit (weighted values have six decimals), floats to nine
decimals (the same definitions computed in another order may differ in the last bit), times in
UTC. No import of the bot here: the floor's processes use this too.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def canon(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canon(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): canon(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canon(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, Decimal):
        return f"{value:.6f}"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{round(value, 9):.9f}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    key = getattr(value, "key", None)  # ZoneInfo
    if key is not None:
        return str(key)
    raise TypeError(f"no canonical form for {type(value).__name__}")


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two canonical values first differ, as `path: a != b`; None when equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return f"{path}.{key}: only on one side"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"
