"""Time and memory of one call, inside a child process made for that one case.

A fresh process per case keeps cases from polluting each other's memory figures: `peak RSS`
is the child's whole resident peak (VmHWM: interpreter and libraries included), `base` what
it held before the first call, and `heap` the peak of Python allocations during one call
(tracemalloc, in an extra untimed call since tracing slows everything down). Also the child
processes the other benchmarks start: `run_child` (one JSON answer) and `Child` (a server
or scheduler that prints lines and stops when its stdin closes).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import resource
import statistics
import subprocess
import sys
import threading
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


def child_env(**extra: str) -> dict[str, str]:
    """This environment, with the repository importable (`bench`, `testkit`, `assistant`)."""
    path = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    return dict(os.environ, PYTHONPATH=path, **extra)


def run_child(module: str, args: dict[str, Any], timeout: float = 900) -> dict[str, Any]:
    """`python -m <module> child <json>`; the child prints one JSON object as its last line."""
    env = child_env()
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


class Child:
    """A `python -m module [config]` child: lines of stdout, stderr to a file, stop = EOF."""

    def __init__(self, module: str, config: Path | None, work: Path) -> None:
        self.err_path = work / f"{module}-{id(self)}.log"
        self._err = self.err_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, *([str(config)] if config else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._err,
            text=True, cwd=ROOT, env=child_env(),
        )  # fmt: skip
        self.tail: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self._lines.put(line.strip())
        self._lines.put(None)

    def line(self, timeout: float) -> str:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            line = None
        if line is None:
            raise RuntimeError(f"child printed nothing:\n{self.stderr_tail()}")
        return line

    def stop(self, timeout: float) -> dict | None:
        """Close stdin and wait; the child's last JSON line, if it printed one."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()  # type: ignore[union-attr]
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._err.close()
        self.tail = self.stderr_tail()
        last = None
        while (line := self._lines.get()) is not None:
            last = line
        return json.loads(last) if last and last.startswith("{") else None

    def stderr_tail(self, lines: int = 20) -> list[str]:
        if self._err.closed:
            return self.tail
        self._err.flush()
        text = self.err_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return text[-lines:]
