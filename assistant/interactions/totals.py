"""Workspace totals for the App Home: the board's totals, from the analytics module.

Kept behind this small function so the Home asks for exactly the three figures it shows
(PRODUCT.md §4: open count, open value, weighted value), all from one SQL aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assistant.services import reports
from assistant.services.context import Actor, Services


@dataclass(frozen=True)
class OpenTotals:
    count: int
    value: Decimal
    weighted: Decimal


def open_totals(services: Services, actor: Actor) -> OpenTotals:
    totals = reports.board(services, actor).totals
    return OpenTotals(totals.open_count, totals.open_value, totals.weighted_value)
