"""A figure over a period next to the same figure over the previous period of equal length."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

N = TypeVar("N", int, float, Decimal)


@dataclass(frozen=True)
class Delta(Generic[N]):
    """`current` vs `previous`; either is None when the figure is undefined (no data)."""

    current: N | None
    previous: N | None

    @property
    def change(self) -> N | None:
        """current - previous (percentage points for shares); None if either is missing."""
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def relative(self) -> float | None:
        """The change as a share of the previous value; None when that is 0 or missing."""
        change = self.change
        if change is None or not self.previous:
            return None
        return float(change) / float(self.previous)
