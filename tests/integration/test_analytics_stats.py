"""The order statistics and the period comparison every figure uses (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.analytics.comparison import Delta
from assistant.analytics.stats import mean, median, percentile, share


def test_median_of_odd_and_even_counts():
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 2]) == 2.5  # (2 + 3) / 2
    assert median([7]) == 7
    assert median([]) is None


def test_percentile_interpolates_between_closest_ranks():
    # [1, 2, 3, 4]: rank (4 - 1) x 0.9 = 2.7 -> 3 + 0.7 x (4 - 3) = 3.7
    assert percentile([4, 3, 2, 1], 0.9) == pytest.approx(3.7)
    # [10, 20]: rank 0.9 -> 10 + 0.9 x 10 = 19
    assert percentile([10, 20], 0.9) == pytest.approx(19)
    assert percentile([10, 20], 0) == 10
    assert percentile([10, 20], 1) == 20
    assert percentile([42], 0.9) == 42
    assert percentile([], 0.9) is None
    with pytest.raises(ValueError):
        percentile([1], 90)


def test_mean_and_share():
    assert mean([1, 2, 6]) == 3
    assert mean([]) is None
    assert share(1, 4) == 0.25
    assert share(0, 0) is None


def test_delta():
    assert Delta(3, 1).change == 2
    assert Delta(3, 2).relative == pytest.approx(0.5)
    assert Delta(0.75, 0.5).change == pytest.approx(0.25)
    assert Delta(Decimal("10.50"), Decimal("4")).change == Decimal("6.50")
    assert Delta(None, 1).change is None
    assert Delta(5, 0).relative is None
    assert Delta(5, None).relative is None
