"""Learned stage probabilities: of the deals that reached a stage and have since closed, the
share won, blended with the configured probability by a Beta prior worth `PRIOR_WEIGHT` deals.

With w = PRIOR_WEIGHT and p0 the configured probability, the learned figure is
(won + w p0) / (closed + w): a new workspace starts at its defaults and moves to its own
history as deals close (at 20 closed deals, half way; at 200, 91 % its own).
"""

from __future__ import annotations

from dataclasses import dataclass

PRIOR_WEIGHT = 20  # the configured probability counts as this many closed deals
LEARNED_FROM = 30  # closed deals from which the forecast uses the learned figure by default

LEARNED, CONFIGURED = "learned", "configured"


@dataclass(frozen=True)
class StageChance:
    configured: float
    won: int  # deals that reached the stage and were won (by the cut)
    closed: int  # deals that reached the stage and closed, won or lost
    mode: str | None = None  # admin's choice: learned | configured | None (the default)

    @property
    def learned(self) -> float:
        return (self.won + PRIOR_WEIGHT * self.configured) / (self.closed + PRIOR_WEIGHT)

    @property
    def observed(self) -> float | None:
        """The raw share won, without the prior (None before any deal closed)."""
        return self.won / self.closed if self.closed else None

    @property
    def uses_learned(self) -> bool:
        if self.mode is not None:
            return self.mode == LEARNED
        return self.closed >= LEARNED_FROM

    @property
    def used(self) -> float:
        return self.learned if self.uses_learned else self.configured
