"""The tally behind docs/RELIABILITY.md: what the trust suite tried, per database.

A plain module (not the conftest) so that tests importing it directly and the fixture
share one registry; conftest writes it to tests/trust/out/figures.json at the end.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).parent / "out" / "figures.json"

_tally: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
_lock = threading.Lock()


class Tally:
    """`tally("cases", "/deal")` counts one case of /deal on this test's database."""

    def __init__(self, backend: str) -> None:
        self.backend = backend

    def __call__(self, section: str, key: str, n: int = 1) -> None:
        with _lock:
            bucket = _tally[section][key]
            bucket[self.backend] = bucket.get(self.backend, 0) + n


def write() -> None:
    if not _tally:
        return
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = {
        section: {key: dict(sorted(v.items())) for key, v in sorted(keys.items())}
        for section, keys in sorted(_tally.items())
    }
    OUT.write_text(json.dumps(data, indent=2) + "\n")
