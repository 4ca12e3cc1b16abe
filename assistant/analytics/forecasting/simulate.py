"""The seeded Monte Carlo of a period's won value.

Each open deal is won inside the period with probability p = P(win) x P(closes inside the
period); deals not created yet add a Poisson number of wins, each worth an amount drawn from
the recent wins. The same inputs and seed give the same figures.

Deals are not independent: a good quarter lifts many at once (a market, a season, a product).
So each simulated period draws one shared factor (lognormal, mean 1, relative spread `spread`)
that scales every chance in it; `model.overdispersion` measures that spread from how much the
team's wins per period varied beyond chance. With `spread` 0 the deals are independent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIMULATIONS = 1000
CHUNK = 200  # simulations drawn at once: bounds the memory to CHUNK x open deals
NORMAL_FROM = 50  # expected new wins from which their sum is drawn as one normal number
SEED = 20_190  # fixed: a forecast is the same every time it is asked on the same data


@dataclass(frozen=True)
class Outcome:
    totals: np.ndarray  # won value of each simulation, sorted
    expected_count: float
    expected_value: float

    def percentile(self, q: float) -> float:
        return float(np.quantile(self.totals, q)) if len(self.totals) else 0.0

    @property
    def p10(self) -> float:
        return self.percentile(0.10)

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p90(self) -> float:
        return self.percentile(0.90)

    def chance_to_reach(self, amount: float) -> float:
        """Share of simulations whose won value reaches `amount`."""
        if not len(self.totals):
            return 0.0
        return float(len(self.totals) - np.searchsorted(self.totals, amount, "left")) / len(
            self.totals
        )


def simulate(
    p: np.ndarray,
    amounts: np.ndarray,
    new_wins: float = 0.0,
    new_amounts: np.ndarray | None = None,
    sims: int = SIMULATIONS,
    seed: int = SEED,
    spread: float = 0.0,
) -> Outcome:
    """`p`: each open deal's chance to be won inside the period; `amounts`: their values (nan
    counts as 0); `new_wins`: the expected number of deals created and won inside it, whose
    values are drawn from `new_amounts`."""
    rng = np.random.default_rng(seed)
    p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    values = np.nan_to_num(np.asarray(amounts, dtype=float))
    live = p > 0
    p, values = p[live], values[live]
    # float32 halves the memory traffic; a sum of 10k amounts stays within a unit or two.
    threshold, values32 = p.astype(np.float32), values.astype(np.float32)
    sigma = np.sqrt(np.log1p(spread * spread))
    factor = np.exp(rng.normal(-sigma * sigma / 2, sigma, sims)) if spread > 0 else np.ones(sims)
    totals = np.zeros(sims)
    # Buffers reused chunk after chunk: the draws, the chances they are compared with, and
    # the 0/1 outcomes (as float32, ready for the product with the amounts).
    draws = np.empty((min(CHUNK, sims), len(p)), dtype=np.float32)
    chances, won = np.empty_like(draws), np.empty_like(draws)
    for start in range(0, sims, CHUNK):
        size = min(CHUNK, sims - start)
        u, c, w = draws[:size], chances[:size], won[:size]
        rng.random(out=u, dtype=np.float32)
        np.multiply(threshold, factor[start : start + size, None].astype(np.float32), out=c)
        np.less(u, c, out=w, casting="unsafe")
        # einsum, not @: BLAS threads only fight over a busy machine's cores here.
        totals[start : start + size] = np.einsum("ij,j->i", w, values32) if len(p) else 0.0
    pool = np.nan_to_num(np.asarray(new_amounts if new_amounts is not None else [], dtype=float))
    new_value = 0.0
    if new_wins > 0 and len(pool):
        totals += _new_deal_wins(rng, new_wins * factor, pool, sims)
        new_value = new_wins * float(pool.mean())
    return Outcome(
        np.sort(totals), float(p.sum() + max(new_wins, 0.0)), float(p @ values) + new_value
    )


def _new_deal_wins(rng, expected: np.ndarray, pool: np.ndarray, sims: int) -> np.ndarray:
    """Each run's value of wins from deals not created yet: a Poisson count (mean `expected`
    of the run) of amounts drawn from `pool`. Past `NORMAL_FROM` expected wins the sum is
    normal to a fraction of a percent (mean λ E[X], variance λ E[X²]), and drawing each win
    would cost more than the rest."""
    if expected.mean() >= NORMAL_FROM:
        mean, spread = expected * pool.mean(), np.sqrt(expected * np.mean(pool * pool))
        return np.maximum(rng.normal(mean, spread, sims), 0.0)
    counts = rng.poisson(expected, sims)
    draws = pool[rng.integers(0, len(pool), counts.sum())]
    return np.bincount(np.repeat(np.arange(sims), counts), draws, minlength=sims)


def swing(p: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """How much each deal moves the outcome: its share of the variance, amount² p (1 - p)."""
    values = np.nan_to_num(np.asarray(amounts, dtype=float))
    return values * values * p * (1.0 - p)
