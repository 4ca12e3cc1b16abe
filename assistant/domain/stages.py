"""Stage definitions: the pipeline (sales' process) and the funnel (the customer's journey).

Stages are configurable per workspace; these are the defaults of PRODUCT.md §1 and §4 that a
workspace is seeded with the first time the bot sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class StageKind(StrEnum):
    PIPELINE = "pipeline"
    FUNNEL = "funnel"


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class LeadStatus(StrEnum):
    OPEN = "open"
    CONVERTED = "converted"
    DROPPED = "dropped"


# The two pipeline outcomes are statuses of a deal, not configurable stages, but users type
# them where a stage is expected (`/deal move #3 won`), so the parsers know their names.
WON = "won"
LOST = "lost"
WON_PROBABILITY = Decimal("1")
LOST_PROBABILITY = Decimal("0")


@dataclass(frozen=True)
class StageDef:
    """A stage as configured in a workspace (or a default); the one stage record."""

    key: str
    label: str
    position: int
    probability: Decimal = Decimal("0")  # 0..1, pipeline only
    target_days: int | None = None  # pipeline only: a deal over it is stuck
    # A stage removed from the pipeline while deals still sat in it is hidden, not deleted,
    # so those deals and their history keep a meaning.
    active: bool = True
    # The admin's choice of the chance the forecast uses: learned | configured | None (the
    # default: learned once enough deals closed from the stage).
    forecast_uses: str | None = None


# Deals can sit in a stage key no stage row describes (a hand-edited import, say); such a key
# sorts after every real stage and weighs nothing.
UNKNOWN_POSITION = 10_000


@dataclass(frozen=True)
class StageSet:
    """A workspace's stages of one kind: the active ones in order, and all of them by key."""

    active: tuple[StageDef, ...]
    by_key: dict[str, StageDef]

    @classmethod
    def of(cls, stages: Iterable[StageDef]) -> StageSet:
        ordered = sorted(stages, key=_order)
        return cls(tuple(s for s in ordered if s.active), {s.key: s for s in ordered})

    def get(self, key: str) -> StageDef:
        known = self.by_key.get(key)
        if known is not None:
            return known
        return StageDef(key, key, UNKNOWN_POSITION, Decimal(0), None, False)

    def label(self, key: str) -> str:
        return self.get(key).label

    @property
    def labels(self) -> dict[str, str]:
        return {key: stage.label for key, stage in self.by_key.items()}

    def laid_out(self, seen: Iterable[str]) -> list[StageDef]:
        """The active stages, then any other stage that holds data, so no figure is lost."""
        active = {s.key for s in self.active}
        extra = sorted({self.get(k) for k in seen if k not in active}, key=_order)
        return [*self.active, *extra]


def _order(stage: StageDef) -> tuple[int, str]:
    return stage.position, stage.key


DEFAULT_PIPELINE: tuple[StageDef, ...] = (
    StageDef("prospecting", "Lead generation", 0, Decimal("0.05"), 7),
    StageDef("qualification", "Qualification", 1, Decimal("0.10"), 7),
    StageDef("assessment", "Assessment", 2, Decimal("0.20"), 14),
    StageDef("solution", "Solution development", 3, Decimal("0.40"), 14),
    StageDef("proposal", "Proposal / price negotiation", 4, Decimal("0.60"), 10),
    StageDef("closing", "Closing", 5, Decimal("0.80"), 7),
)

DEFAULT_FUNNEL: tuple[StageDef, ...] = (
    StageDef("awareness", "Awareness", 0),
    StageDef("interest", "Interest", 1),
    StageDef("consideration", "Consideration", 2),
    StageDef("action", "Action (purchase)", 3),
)

FUNNEL_ACTION = "action"
