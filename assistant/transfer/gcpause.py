"""Pause Python's cyclic garbage collector while an import holds its rows in memory.

An import keeps every validated record (a dict of values, a list of events) until it has
written them all: millions of objects that live to the end. Each full collection walks all of
them and frees nothing, so at 20k-100k deals the collector took about a quarter of the
import's time. Those objects form no reference cycles (plain reference counting frees them
when the import returns), so collecting resumes, and catches up, right after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
