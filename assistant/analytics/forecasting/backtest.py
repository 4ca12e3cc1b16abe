"""Scoring a forecast against what happened, and replaying history at cut after cut.

At each cut the forecast of the period [cut, end) is made from the rows before the cut only
(`forecast_at` never reads later rows), then compared with the whole timeline's wins in it:
- inside: the actual won value within P10..P90 (about 80 % of cuts, when calibrated);
- error: (P50 - actual) / actual, its absolute value averaged over cuts for the mean absolute
  % error;
- Brier scores of the win chances of the deals open at the cut that have closed since (won
  = 1, lost = 0): the learned chance of each one's stage against the configured one. Lower is
  better; always saying 50 % scores 0.25.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.analytics.forecasting.model import Model, actual_won, forecast_at
from assistant.analytics.forecasting.simulate import SIMULATIONS
from assistant.analytics.forecasting.timeline import LOST, SHIFT, WON, Timeline

LAST = (1 << SHIFT) - 1  # the latest time a timeline holds


@dataclass(frozen=True)
class Score:
    cut: int
    end: int
    p10: float
    p50: float
    p90: float
    actual: float
    expected_count: float  # deals forecast to be won in the period
    won_count: int
    open_count: int
    scored_deals: int  # open at the cut and closed since: what the Brier scores cover
    brier_learned: float | None
    brier_configured: float | None

    @property
    def inside(self) -> bool:
        return self.p10 <= self.actual <= self.p90

    @property
    def error(self) -> float | None:
        """(P50 - actual) / actual: how far off the likely figure was; None when nothing was
        won (a share of nothing)."""
        return (self.p50 - self.actual) / self.actual if self.actual > 0 else None


def closed_outcomes(timeline: Timeline, deals: np.ndarray) -> tuple:
    """Of `deals` (indexes), the ones closed by the end of the timeline, and whether each of
    those was won (their last status)."""
    status = timeline.status.at(deals, LAST, -1, inclusive=True)
    closed = (status == WON) | (status == LOST)
    return closed, status == WON


def brier_score(chances, outcomes) -> float:
    """The Brier score: the mean squared gap between each chance and what happened (1 won,
    0 lost); 0 is perfect, 0.25 is a coin toss's. The one definition, for backtests and the
    stored forecasts' record alike."""
    gaps = np.asarray(chances, dtype=float) - np.asarray(outcomes, dtype=float)
    return float(np.mean(gaps**2))


def brier(model: Model, timeline: Timeline) -> tuple[int, float | None, float | None]:
    """(deals scored, Brier of the learned chances, Brier of the configured ones)."""
    closed, won = closed_outcomes(timeline, model.open.index)
    if not closed.any():
        return 0, None, None
    chances = [model.stages[k].chance for k in timeline.stage_keys]
    learned = np.array([c.learned for c in chances])[model.open.stage[closed]]
    configured = np.array([c.configured for c in chances])[model.open.stage[closed]]
    truth = won[closed].astype(float)
    return int(closed.sum()), brier_score(learned, truth), brier_score(configured, truth)


def score(
    timeline: Timeline,
    cut: int,
    end: int,
    configured: Mapping[str, float],
    modes: Mapping[str, str | None] | None = None,
    sims: int = SIMULATIONS,
) -> Score:
    model = forecast_at(timeline, cut, end, configured, modes, sims=sims)
    count, actual = actual_won(timeline, cut, end)
    scored, learned, configured_score = brier(model, timeline)
    o = model.outcome
    return Score(cut, end, o.p10, o.p50, o.p90, actual, o.expected_count, count,
                 int((model.p > 0).sum()), scored, learned, configured_score)  # fmt: skip


@dataclass(frozen=True)
class Totals:
    cuts: int
    coverage: float | None  # share of cuts whose actual fell inside P10..P90
    mape: float | None  # mean |P50 - actual| / actual over cuts with something won
    brier_learned: float | None  # over every scored deal of every cut
    brier_configured: float | None
    scored_deals: int
    expected_count: float = 0.0  # deals forecast to be won, over every cut
    won_count: int = 0  # deals won, over every cut


def totals(scores: Sequence[Score]) -> Totals:
    if not scores:
        return Totals(0, None, None, None, None, 0)
    errors = [abs(s.error) for s in scores if s.error is not None]
    weights = [s.scored_deals for s in scores if s.brier_learned is not None]
    learned = [s.brier_learned for s in scores if s.brier_learned is not None]
    configured = [s.brier_configured for s in scores if s.brier_configured is not None]
    scored = sum(weights)
    return Totals(
        len(scores),
        float(np.mean([s.inside for s in scores])),
        float(np.mean(errors)) if errors else None,
        float(np.average(learned, weights=weights)) if scored else None,
        float(np.average(configured, weights=weights)) if scored else None,
        scored,
        float(sum(s.expected_count for s in scores)),
        sum(s.won_count for s in scores),
    )
