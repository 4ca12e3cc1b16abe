"""Stage definitions: the pipeline (sales' process) and the funnel (the customer's journey).

Stages are configurable per workspace; these are the defaults of PRODUCT.md §1 and §4 that a
workspace is seeded with the first time the bot sees it.
"""

from __future__ import annotations

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
    key: str
    label: str
    position: int
    probability: Decimal = Decimal("0")  # 0..1, pipeline only
    target_days: int | None = None  # pipeline only: a deal over it is stuck


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
