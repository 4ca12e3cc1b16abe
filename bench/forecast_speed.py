"""How long a forecast takes at 10k open deals: `python -m bench.forecast_speed [OPEN] [ROUNDS]`.

A generated history (testkit/forecast_histories.py: two years, 40 new deals a day) plus
stale open deals up to OPEN (default 10 000) open at the cut. Timed, ROUNDS times (default 7)
after one warm-up: building the timeline from its history rows, rebuilding it from the
parsed rows a process keeps (analytics/histories.py), and the forecast itself (learned
chances, curves, the 2 000-run simulation). The floor is the simulation's own irreducible
part: drawing one random number per open deal and run. Target: the forecast under 300 ms at
10k open deals.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from assistant.analytics.forecasting.model import forecast_at
from assistant.analytics.forecasting.simulate import SIMULATIONS
from assistant.analytics.forecasting.timeline import DAY, Rows, Timeline
from testkit.forecast_histories import STAGES, generate

CONFIGURED = {"lead": 0.1, "demo": 0.2, "proposal": 0.5, "closing": 0.8}
DAYS = 720


def _history(open_deals: int) -> list[tuple]:
    generated = generate(seed=1, days=DAYS, per_day=40)
    rows = list(generated.rows)
    rng = np.random.default_rng(2)
    first = max(r[0] for r in rows) + 1
    for deal in range(first, first + open_deals):
        at = generated.at(float(rng.uniform(0, DAYS - 1)))
        stage = STAGES[int(rng.integers(0, len(STAGES)))]
        rows += [(deal, at, "stage_key", stage), (deal, at, "status", "open"),
                 (deal, at, "amount", f"{rng.lognormal(9, 0.6):.2f}")]  # fmt: skip
    return rows


def _median_ms(action, rounds: int) -> float:
    action()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main(open_deals: int = 10_000, rounds: int = 7) -> None:
    rows = _history(open_deals)
    ids, ats, fields, values = zip(*rows, strict=True)
    timeline = Timeline.from_lists(ids, ats, fields, values, STAGES)
    cut = (DAYS + 1) * DAY  # seconds from the timeline's origin, a day before its first row
    model = forecast_at(timeline, cut, cut + 90 * DAY, CONFIGURED)
    count = len(model.open.index)
    build = _median_ms(lambda: Timeline.from_lists(ids, ats, fields, values, STAGES), 3)
    parsed = Rows.parse(rows)
    rebuild = _median_ms(lambda: Timeline.from_rows(parsed, STAGES), 3)
    forecast = _median_ms(lambda: forecast_at(timeline, cut, cut + 90 * DAY, CONFIGURED), rounds)
    rng = np.random.default_rng(0)
    floor = _median_ms(lambda: rng.random((SIMULATIONS, count), dtype=np.float32), rounds)
    print(
        f"history rows: {len(rows):,}; deals: {timeline.deal_count:,}; open at the cut: {count:,}"
    )
    print(f"timeline from rows: {build:.0f} ms (once per process: the history is kept)")
    print(f"timeline from kept rows: {rebuild:.0f} ms (after new rows were written)")
    print(f"forecast (learn, curves, {SIMULATIONS} runs): {forecast:.0f} ms; target <= 300 ms")
    print(f"floor (one draw per open deal and run): {floor:.0f} ms; ratio {forecast / floor:.1f}")
    o = model.outcome
    print(f"P10/P50/P90: {o.p10:,.0f} / {o.p50:,.0f} / {o.p90:,.0f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
