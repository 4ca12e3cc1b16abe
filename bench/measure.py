"""Time and memory of one call, inside a child process made for that one case.

A fresh process per case keeps cases from polluting each other's memory figures: `peak RSS`
is the child's whole resident peak (VmHWM) (interpreter and libraries included), `base` what it held
before the first call, and `heap` the peak of Python allocations during one call
(tracemalloc, in an extra untimed call since tracing slows everything down).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def rss_now() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def rss_peak() -> int:
    """This process's resident peak. Not getrusage's ru_maxrss: Linux carries that over
    `exec` from the forked parent, so a small child would report its parent's size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(call: Callable[[], Any], repeat: int) -> tuple[Any, dict[str, float]]:
    """Run `call` once cold, `repeat` times timed, once traced; the last result and figures."""
    base = rss_now()
    started = time.perf_counter()
    result = call()
    first = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    peak = rss_peak()
    tracemalloc.start()
    call()
    heap = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    figures = {
        "first": first,
        "median": statistics.median(times) if times else first,
        "best": min(times) if times else first,
        "base_mb": base / MB,
        "peak_mb": peak / MB,
        "heap_mb": heap / MB,
    }
    return result, figures


def run_child(module: str, args: dict[str, Any], timeout: float = 900) -> dict[str, Any]:
    """`python -m <module> child <json>`; the child prints one JSON object as its last line."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(
        [sys.executable, "-m", module, "child", json.dumps(args, default=str)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
