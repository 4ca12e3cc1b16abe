"""Order statistics over the narrow lists the figures pull (SQLite has no percentile).

The definition is linear interpolation between closest ranks, the "inclusive" one: the same as
PostgreSQL's `percentile_cont`, NumPy's default `linear` method and Excel's PERCENTILE.INC.
For sorted values x[0..n-1] and a share p, h = (n - 1) * p and the result is
x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]). The median is p = 0.5, which for
an even count is the mean of the two middle values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from statistics import NormalDist


def percentile(values: Iterable[float], share: float) -> float | None:
    """The `share` (0..1) percentile of `values`; None when there are none."""
    ordered = sorted(values)
    return interpolated(len(ordered), share, ordered.__getitem__)


def interpolated(count: int, share: float, value_at: Callable[[int], float]) -> float | None:
    """The `share` (0..1) percentile of `count` values, of which it reads one or two:
    `value_at(rank)` is the value at 0-based `rank` in ascending order.

    The one formula: for `percentile` over a list, and for `analytics.ranks`, which fetches
    from SQL only the rows at the ranks this reads.
    """
    if not 0 <= share <= 1:
        raise ValueError(f"a percentile share is 0..1, got {share}")
    if not count:
        return None
    rank = (count - 1) * share
    low = math.floor(rank)
    high = min(low + 1, count - 1)
    at_low = value_at(low)
    return at_low + (rank - low) * (value_at(high) - at_low)


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 0.5)


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (never a fake 0 %)."""
    return part / whole if whole else None


def wilson_interval(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """The Wilson score interval of a proportion: better than p ± z·se for small samples
    and rates near 0 or 1 (it never leaves 0..1). `confidence` is two-sided, e.g. 0.90."""
    if trials <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)
