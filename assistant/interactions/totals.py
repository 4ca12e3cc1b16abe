"""Workspace totals for the App Home: open count, open value, weighted value (PRODUCT.md §4).

This is the one place they are computed outside the analytics module; when analytics offers
the same figures as an SQL aggregate, replace the body of `open_totals` with a call to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assistant.services.context import Actor, Services
from assistant.services.queries import DealFilter, list_deals


@dataclass(frozen=True)
class OpenTotals:
    count: int
    value: Decimal
    weighted: Decimal
    # list_deals returns at most LIST_LIMIT rows; past that the sums cover only those rows.
    complete: bool


def open_totals(services: Services, actor: Actor) -> OpenTotals:
    page = list_deals(services, actor, DealFilter())
    value = sum((d.amount or Decimal(0) for d in page.items), Decimal(0))
    weighted = sum((d.amount * d.probability for d in page.items if d.amount), Decimal(0))
    return OpenTotals(page.total, value, weighted, complete=len(page.items) == page.total)
