"""Generated deal histories with known true probabilities, as `changes` rows.

Deals are created at a steady rate in the first stage. In stage k a deal stays an exponential
number of days, then closes with probability CLOSE[k] (won with probability WIN[k]) or moves on;
the last stage always closes. So the true chance to win of a deal that reached stage k is
r[k] = CLOSE[k] WIN[k] + (1 - CLOSE[k]) r[k+1] (`true_chances`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

STAGES = ("lead", "demo", "proposal", "closing")
CLOSE = (0.35, 0.3, 0.3, 1.0)
WIN = (0.2, 0.35, 0.5, 0.65)
MEAN_STAY_DAYS = 12.0
START = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
DAY = 86_400


def true_chances() -> dict[str, float]:
    chances, later = {}, 0.0
    for k in reversed(range(len(STAGES))):
        later = CLOSE[k] * WIN[k] + (1 - CLOSE[k]) * later
        chances[STAGES[k]] = later
    return chances


@dataclass(frozen=True)
class Generated:
    rows: list[tuple[int, int, str, str | None]]  # (deal id, epoch seconds, field, value)

    def at(self, day: float) -> int:
        return START + int(day * DAY)


def generate(seed: int, days: int = 720, per_day: float = 4.0) -> Generated:
    rng = np.random.default_rng(seed)
    count = rng.poisson(per_day * days)
    created = np.sort(rng.uniform(0, days, count))
    amounts = np.round(rng.lognormal(np.log(8000), 0.6, count), 2)
    rows: list[tuple[int, int, str, str | None]] = []
    for deal, (day, amount) in enumerate(zip(created, amounts, strict=True), start=1):
        t = START + int(day * DAY)
        rows += [(deal, t, "stage_key", STAGES[0]), (deal, t, "status", "open"),
                 (deal, t, "amount", f"{amount:.2f}")]  # fmt: skip
        for k in range(len(STAGES)):
            t += int(rng.exponential(MEAN_STAY_DAYS) * DAY)
            if rng.random() < CLOSE[k]:
                rows.append((deal, t, "status", "won" if rng.random() < WIN[k] else "lost"))
                break
            rows.append((deal, t, "stage_key", STAGES[k + 1]))
    return Generated(rows)
