"""How long a plain-word question takes to parse: `python -m bench.ask_speed [ROUNDS]`.

Every question and follow-up of tests/data/ask_corpus.yaml, plus pasted pages, parsed ROUNDS
times (default 20) after one warm-up round that builds the vocabulary's matcher, as the bot
does once per workspace. Prints the mean, the median, the 99th percentile and the slowest.
"""

from __future__ import annotations

import statistics
import sys
import time

from assistant.ask import Understood
from testkit.ask_world import ask, corpus

PASTES = ["a" * 10_000, "deals " * 2_000, "what's stuck in proposal " + "x" * 9_000]


def _timings(rounds: int) -> list[float]:
    questions = [case["q"] for case in corpus()["questions"]] + PASTES
    followups = [(case["first"], case["then"]) for case in corpus()["followups"]]
    timings: list[float] = []
    for round_number in range(rounds + 1):
        for question in questions:
            started = time.perf_counter()
            ask(question)
            timings.append(time.perf_counter() - started)
        for first, then in followups:
            previous = ask(first)
            started = time.perf_counter()
            ask(then, previous if isinstance(previous, Understood) else None)
            timings.append(time.perf_counter() - started)
        if round_number == 0:
            timings.clear()  # the warm-up: the matcher is built once per vocabulary
    return timings


def main(rounds: int = 20) -> None:
    timings = sorted(_timings(rounds))
    in_ms = [t * 1000 for t in timings]
    p99 = in_ms[int(len(in_ms) * 0.99) - 1]
    print(
        f"{len(in_ms)} parses: mean {statistics.mean(in_ms):.2f} ms, "
        f"median {statistics.median(in_ms):.2f} ms, p99 {p99:.2f} ms, max {in_ms[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
