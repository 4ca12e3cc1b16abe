"""Figures worth keeping for a few minutes in the process that computed them.

A deal card shows its stage's learned chance and closing time, computed from the history of
every deal that reached the stage: hundreds of thousands of rows in a large workspace, far
too many to read on each `/deal show`. The figure is a statistic over many deals, so one a
few minutes old says the same; it is kept per (workspace, stage) and shared by the cards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
MAX_KEPT = 4096  # entries; the oldest go first (a stage's figures are a few kilobytes)


class Memo:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._kept: dict[Hashable, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def peek(self, key: Hashable, fresh_for: float) -> object | None:
        """The kept value if it is fresh, else None (nothing computed)."""
        with self._lock:
            found = self._kept.get(key)
        if found is not None and self._clock() - found[0] < fresh_for:
            return found[1]
        return None

    def get(self, key: Hashable, fresh_for: float, compute: Callable[[], T]) -> T:
        now = self._clock()
        with self._lock:
            found = self._kept.get(key)
        if found is not None and now - found[0] < fresh_for:
            return found[1]  # type: ignore[return-value]
        value = compute()  # outside the lock: two cards may compute it at once, both right
        with self._lock:
            self._kept.pop(key, None)
            self._kept[key] = (now, value)
            while len(self._kept) > MAX_KEPT:
                self._kept.pop(next(iter(self._kept)))
        return value

    def forget(self) -> None:
        with self._lock:
            self._kept.clear()
