"""A one-line text progress bar for long imports and exports (no dependency needed)."""

from __future__ import annotations

import time
from typing import TextIO

WIDTH = 30
EVERY_S = 0.1


class Progress:
    """`\\rreading  [#########.....................]  31%  31,000/100,000`; silent if disabled."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream, self.enabled = stream, enabled
        self.label, self.total, self.done = "", 0, 0
        self._shown_at = 0.0
        self._open = False

    def start(self, label: str, total: int) -> None:
        self.finish()
        self.label, self.total, self.done = label, max(total, 0), 0
        self._draw(force=True)

    def advance(self, amount: int) -> None:
        self.set(self.done + amount)

    def set(self, done: int) -> None:
        self.done = done
        self._draw()

    def finish(self) -> None:
        if self._open:
            self.done = self.total
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
            self._open = False

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._shown_at < EVERY_S:
            return
        self._shown_at = now
        share = min(self.done / self.total, 1.0) if self.total else 0.0
        bar = "#" * int(share * WIDTH)
        counts = f"{self.done:,}/{self.total:,}" if self.label != "reading" else ""
        self.stream.write(f"\r{self.label:<8} [{bar:<{WIDTH}}] {share:4.0%}  {counts}")
        self.stream.flush()
        self._open = True
