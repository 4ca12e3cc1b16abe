"""Many new deals or leads at once, with their whole histories: what an import writes.

The rows are the ones `deals.insert_deal` / `leads.insert_lead` and the changes after them
would have written one by one (`history.history_rows` builds the history from each record's
events), appended in bulk (`storage.bulk`: COPY on PostgreSQL, the driver's executemany on
SQLite). The rules that reach beyond the record itself run here too, in their batch form: a
deal that was won from a lead makes that lead reach `action` (`leads.reach_action`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from assistant.domain.stages import WON
from assistant.records import deals, history, leads
from assistant.records.history import CHANGE_COLUMNS, Event
from assistant.records.numbers import DEAL_NUMBERS, LEAD_NUMBERS, reserve_numbers
from assistant.storage.bulk import append_rows, reserve_ids
from assistant.storage.models import Change, Deal, Lead

CHUNK = 2000
COMMON_COLUMNS = (
    "id", "workspace_id", "number", "name", "name_folded", "company", "owner_id", "stage_key",
    "status", "source", "campaign", "created_by", "created_at", "updated_at", "version",
)  # fmt: skip
DEAL_COLUMNS = COMMON_COLUMNS + (
    "amount", "stage_entered_at", "lost_reason", "close_date", "closed_at", "external_id",
    "lead_id",
)  # fmt: skip
LEAD_COLUMNS = COMMON_COLUMNS + (
    "email", "furthest_stage_key", "drop_reason", "action_at", "external_id",
)  # fmt: skip


class NewRecord(Protocol):
    """A record to insert: its final values (model attributes), the events of its stage and
    status history, the vendor's record id (deals), and the lead it came from (deals)."""

    values: dict[str, object]
    events: list[Event]
    key: str | None
    lead_ref: str | None


def insert_new(
    session: Session,
    kind: str,
    workspace_id: int,
    records: Sequence[NewRecord],
    now: datetime,
    *,
    lead_ids: dict[str, int] | None = None,
    actor: str = "import",
    tick: Callable[[int], None] = lambda _count: None,
) -> int:
    """Insert `records` (kind `deals` or `leads`) with their histories; how many there were.

    `lead_ids` maps a deal's `lead_ref` to the lead's id. `actor` is who the rows are by.
    """
    if not records:
        return 0
    model = Deal if kind == "deals" else Lead
    counter = DEAL_NUMBERS if model is Deal else LEAD_NUMBERS
    first = reserve_numbers(session, workspace_id, counter, len(records))
    ids = reserve_ids(session, model.__table__, len(records))
    wins: list[tuple[int, str, datetime]] = []
    for start in range(0, len(records), CHUNK):
        batch = records[start : start + CHUNK]
        rows, changes = build_rows(
            model, batch, ids[start:], first + start, workspace_id, now, lead_ids or {}, actor
        )
        memo: dict = {}  # the records' times, converted once for both tables
        append_rows(session, model.__table__, _columns(model), rows, memo)
        append_rows(session, Change.__table__, CHANGE_COLUMNS, changes, memo)
        if model is Deal:
            wins += won_from_leads(rows, actor)
        tick(len(batch))
    leads.reach_action(session, wins)
    return len(records)


def _columns(model) -> tuple[str, ...]:
    return DEAL_COLUMNS if model is Deal else LEAD_COLUMNS


def build_rows(
    model,
    records: Sequence[NewRecord],
    ids: Sequence[int],
    first_number: int,
    workspace_id: int,
    now: datetime,
    lead_ids: dict[str, int],
    actor: str,
) -> tuple[list[tuple], list[tuple]]:
    """The table rows (in `*_COLUMNS` order) and history rows of `records`."""
    entity, tracked = (
        (deals.ENTITY, deals.TRACKED) if model is Deal else (leads.ENTITY, leads.TRACKED)
    )
    rows, changes = [], []
    for offset, rec in enumerate(records):
        row_id = ids[offset]
        v = rec.values
        common = (
            row_id, workspace_id, first_number + offset, v["name"], v["name"].casefold(),
            v["company"], v["owner_id"], v["stage_key"], v["status"], v["source"],
            v["campaign"], actor, v["created_at"], now, 1,
        )  # fmt: skip
        if model is Deal:
            lead_id = lead_ids.get(rec.lead_ref or "")
            rows.append(
                common + (v["amount"], v["stage_entered_at"], v["lost_reason"], v["close_date"],
                          v["closed_at"], rec.key, lead_id)
            )  # fmt: skip
        else:
            rows.append(
                common + (v["email"], v["furthest_stage_key"], v["drop_reason"], v["action_at"],
                          v.get("external_id"))
            )  # fmt: skip
        # Through the module, so a test can make this step fail half-way.
        changes += history.history_rows(entity, row_id, workspace_id, v, rec.events, tracked, actor)
    return rows, changes


_STATUS = DEAL_COLUMNS.index("status")
_CLOSED_AT = DEAL_COLUMNS.index("closed_at")
_LEAD_ID = DEAL_COLUMNS.index("lead_id")


def won_from_leads(deal_rows: Sequence[tuple], actor: str) -> list[tuple[int, str, datetime]]:
    """(lead id, actor, when won) of the won deals among `deal_rows` that came from a lead."""
    return [
        (row[_LEAD_ID], actor, row[_CLOSED_AT])
        for row in deal_rows
        if row[_STATUS] == WON and row[_LEAD_ID] is not None
    ]
