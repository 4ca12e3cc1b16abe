"""Kaplan-Meier survival, own numpy implementation (tests compare it to lifelines').

`durations` are days from entering a stage to closing (`observed` True) or to the cut time for
deals still open then (`observed` False, right-censored: known to last at least that long).

Wins and losses are competing ends of a stay, and they don't take the same time (a deal that
is won goes through every later stage; many losses come early), so the chance to be *won*
inside a window is read from the cumulative incidence of wins (Aalen-Johansen: at each close
time, the share still open just before it x the share of those at risk won then), not from
P(win) x P(close).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Fewer closes than this after entering a stage, and the timing of its deals comes from their
# own close dates instead of the (too thin) curve.
MIN_CLOSES = 5


@dataclass(frozen=True)
class Survival:
    """S(t) = share of deals still open t days after entering, a step function."""

    times: np.ndarray  # distinct event times, ascending
    survival: np.ndarray  # S just after each of `times`
    won: np.ndarray  # cumulative incidence of wins just after each of `times`
    closes: int  # observed closes
    wins: int  # of them, wins
    exposure: float  # total days observed (closed and censored)

    @classmethod
    def fit(
        cls, durations: np.ndarray, observed: np.ndarray, won: np.ndarray | None = None
    ) -> Survival:
        durations = np.maximum(np.asarray(durations, dtype=float), 0.0)
        observed = np.asarray(observed, dtype=bool)
        won = observed & (np.zeros(len(durations), bool) if won is None else np.asarray(won))
        ordered = np.sort(durations)
        times, index, deaths = np.unique(
            durations[observed], return_inverse=True, return_counts=True
        )
        wins = np.bincount(index[won[observed]], minlength=len(times)).astype(float)
        at_risk = len(ordered) - np.searchsorted(ordered, times, side="left")
        survival = np.cumprod(1.0 - deaths / at_risk)
        before = np.concatenate(([1.0], survival[:-1]))
        incidence = np.cumsum(before * wins / at_risk)
        return cls(times, survival, incidence, int(observed.sum()), int(won.sum()),
                   float(durations.sum()))  # fmt: skip

    @property
    def usable(self) -> bool:
        return self.closes >= MIN_CLOSES

    @property
    def hazard(self) -> float:
        """Closes per day observed: the constant rate used past the curve's last close."""
        return self.closes / self.exposure if self.exposure > 0 else 0.0

    def at(self, t: np.ndarray | float) -> np.ndarray:
        index = np.searchsorted(self.times, t, side="right")
        return np.concatenate(([1.0], self.survival))[index]

    def won_at(self, t: np.ndarray | float) -> np.ndarray:
        index = np.searchsorted(self.times, t, side="right")
        return np.concatenate(([0.0], self.won))[index]

    @property
    def win_share(self) -> float | None:
        """Of the deals that closed, the share won, corrected for the ones still open."""
        if not self.closes:
            return None
        return float(self.won[-1] / (1.0 - self.survival[-1]))

    def win_within(self, age: np.ndarray, horizon: float | np.ndarray) -> np.ndarray:
        """P(won in the next `horizon` days | still open after `age` days), from the curve
        (past its last close: the average rate x the share won)."""
        age = np.maximum(np.asarray(age, dtype=float), 0.0)
        horizon = np.maximum(np.asarray(horizon, dtype=float), 0.0)
        flat = (1.0 - np.exp(-self.hazard * horizon)) * (self.win_share or 0.0)
        if not len(self.times):
            return np.broadcast_to(flat, np.broadcast(age, horizon).shape).copy()
        now = self.at(age)
        gained = self.won_at(age + horizon) - self.won_at(age)
        with np.errstate(divide="ignore", invalid="ignore"):
            curve = np.where(now > 0, gained / np.where(now > 0, now, 1.0), flat)
        return np.where(age >= self.times[-1], flat, curve)

    def quantile(self, q: float) -> float | None:
        """Days by which a share `q` of the deals have closed (None when the curve never gets
        there: too many deals still open)."""
        reached = np.nonzero(1.0 - self.survival >= q - 1e-12)[0]
        return float(self.times[reached[0]]) if len(reached) else None

    def close_within(self, age: np.ndarray, horizon: float | np.ndarray) -> np.ndarray:
        """P(closes in the next `horizon` days | still open after `age` days).

        Inside the curve that is (S(age) - S(age + horizon)) / S(age). Past the last close the
        curve knows nothing (it stays flat), so a deal older than every close seen gets the
        stage's average rate instead: 1 - exp(-hazard x horizon).
        """
        age = np.maximum(np.asarray(age, dtype=float), 0.0)
        horizon = np.maximum(np.asarray(horizon, dtype=float), 0.0)
        flat = 1.0 - np.exp(-self.hazard * horizon)
        if not len(self.times):
            return np.broadcast_to(flat, np.broadcast(age, horizon).shape).copy()
        now, later = self.at(age), self.at(age + horizon)
        with np.errstate(divide="ignore", invalid="ignore"):
            curve = np.where(now > 0, (now - later) / np.where(now > 0, now, 1.0), flat)
        return np.where(age >= self.times[-1], flat, curve)
