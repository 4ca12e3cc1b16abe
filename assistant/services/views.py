"""Plain results handed back to the edge; no ORM object leaves a transaction.

Each carries the workspace's `Facts` (currency, time zone, stage labels) read in the same
transaction, so the reply is rendered from the result alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

from assistant.analytics.outlook import DealChance
from assistant.domain.facts import Facts
from assistant.domain.stages import StageDef

T = TypeVar("T")
NO_FACTS = Facts()


@dataclass(frozen=True)
class DealView:
    number: int
    name: str
    company: str | None
    amount: Decimal | None
    owner_id: str
    stage_key: str
    stage_label: str
    stage_entered_at: datetime
    status: str
    lost_reason: str | None
    close_date: date | None
    closed_at: datetime | None
    source: str | None
    campaign: str | None
    lead_number: int | None
    created_at: datetime
    version: int
    target_days: int | None
    probability: Decimal
    days_in_stage: float
    # The workspace's currency, zone and stage labels, read with the deal: what its reply shows.
    facts: Facts = NO_FACTS

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def overdue_days(self) -> float:
        """Days past the stage's target (0 when on time or closed); PRODUCT.md §4."""
        return overdue_days(self.is_open, self.days_in_stage, self.target_days)

    @property
    def is_stuck(self) -> bool:
        return self.overdue_days > 0


def overdue_days(is_open: bool, days_in_stage: float, target_days: int | None) -> float:
    """A deal's days past its stage's target: 0 when on time, closed, or without a target."""
    if not is_open or target_days is None:
        return 0.0
    return max(0.0, days_in_stage - target_days)


@dataclass(frozen=True)
class ListSummary:
    """What a list says of all the deals it matched: their value and how many are stuck."""

    value: Decimal
    stuck: int

    @classmethod
    def of(cls, deals: Iterable[tuple[Decimal | None, float]]) -> ListSummary:
        """From each deal's amount and days overdue."""
        value, stuck = Decimal(0), 0
        for amount, overdue in deals:
            value += amount or Decimal(0)
            stuck += overdue > 0
        return cls(value, stuck)


@dataclass(frozen=True)
class NoteView:
    author_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class StageStay:
    """One visit of a deal to a stage, for the deal card's history."""

    stage_key: str
    stage_label: str
    entered_at: datetime
    left_at: datetime | None

    def days(self, now: datetime) -> float:
        return ((self.left_at or now) - self.entered_at).total_seconds() / 86400


@dataclass(frozen=True)
class DealCard:
    deal: DealView
    stays: list[StageStay]
    notes: list[NoteView]
    next_stage: StageDef | None
    now: datetime
    chance: DealChance | None = None  # an open deal's own chance, learned from history

    @property
    def facts(self) -> Facts:
        return self.deal.facts


@dataclass(frozen=True)
class MoveResult:
    deal: DealView
    from_stage: str
    to_stage: str
    days_in_previous: float


@dataclass(frozen=True)
class LeadView:
    number: int
    name: str
    company: str | None
    email: str | None
    source: str | None
    campaign: str | None
    stage_key: str
    stage_label: str
    furthest_stage_key: str
    status: str
    drop_reason: str | None
    owner_id: str | None
    created_at: datetime
    version: int
    deal_numbers: list[int] = field(default_factory=list)
    facts: Facts = NO_FACTS


@dataclass(frozen=True)
class LeadMoveResult:
    lead: LeadView
    from_stage: str
    to_stage: str


@dataclass(frozen=True)
class ConversionResult:
    lead: LeadView
    deal: DealView


@dataclass(frozen=True)
class Page(Generic[T]):
    """A slice of a longer list: `total` says how many there are in all."""

    items: list[T]
    total: int
    facts: Facts = NO_FACTS
    # Open deals' chances to be won, by stage key (services/chances.py); None when not
    # asked for or not known yet.
    chances: dict[str, float] | None = None
    # Of every deal matched, when all of them were read (`queries.list_deals`).
    summary: ListSummary | None = None
