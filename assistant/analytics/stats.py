"""Order statistics over the narrow lists the figures pull (SQLite has no percentile).

The definition is linear interpolation between closest ranks, the "inclusive" one: the same as
PostgreSQL's `percentile_cont`, NumPy's default `linear` method and Excel's PERCENTILE.INC.
For sorted values x[0..n-1] and a share p, h = (n - 1) * p and the result is
x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]). The median is p = 0.5, which for
an even count is the mean of the two middle values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(values: Iterable[float], share: float) -> float | None:
    """The `share` (0..1) percentile of `values`; None when there are none."""
    if not 0 <= share <= 1:
        raise ValueError(f"a percentile share is 0..1, got {share}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * share
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 0.5)


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (never a fake 0 %)."""
    return part / whole if whole else None
