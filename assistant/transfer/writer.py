"""Which records of a file the workspace already has, and the leads its deals name.

New records are written by `records.batch`, changes to existing ones by `transfer.updates`,
both through the write path in `assistant/records/`.

Matching (re-importing a file updates, never duplicates):
- deals: `Deal.external_id` = the vendor's record id; without one, the same name and the
  same creation time (only when that pair is unique in the file and in the database);
- leads: the email; without one, the same name and creation time (Lead has no external id).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from assistant.records.history import as_text
from assistant.storage.models import Deal, Lead
from assistant.transfer.rows import Record

CHUNK = 2000


# -- matching ---------------------------------------------------------------------------------

# The columns an update compares; read narrowly, since most re-imported rows are unchanged.
DEAL_COMPARED = (
    "id", "external_id", "name", "created_at", "company", "amount", "owner_id", "close_date",
    "source", "campaign", "lost_reason", "stage_key", "status",
)  # fmt: skip
LEAD_COMPARED = (
    "id", "email", "external_id", "name", "created_at", "company", "source", "campaign", "owner_id",
    "drop_reason", "stage_key", "status", "furthest_stage_key",
)  # fmt: skip


def match_existing(
    session: Session, kind: str, workspace_id: int | None, records: list[Record]
) -> dict[int, Row]:
    """Record line -> the existing row it updates (the compared columns only).

    A record is found by its key (a deal's record id, a lead's email), else by the number our
    own export gave it. A record with neither falls back to the same name and creation time,
    only where that pair is unique in the file and in the workspace, and only to a row that
    has no key of its own either (a row the file could name by its key is never guessed at).
    Two lines that name one row are reported by `importer` before anything is written.
    """
    if workspace_id is None:
        return {}
    model = Deal if kind == "deals" else Lead
    key_name = "external_id" if model is Deal else "email"
    keyed = {r.key: r for r in records if r.key and not r.key.startswith("id:")}
    if model is Lead:  # a lead without an e-mail is found by its record id
        by_id = {r.key.removeprefix("id:"): r for r in records if r.key and r.key.startswith("id:")}
    else:
        by_id = {}
    keyed_lines = {r.line for r in keyed.values()} | {r.line for r in by_id.values()}
    numbered = {r.number: r for r in records if r.line not in keyed_lines and r.number}
    by_pair: dict[tuple[str, str], list[Record]] = {}
    for r in records:
        if r.line in keyed_lines or r.number:
            continue
        by_pair.setdefault(_pair(r.values["name"], r.values["created_at"]), []).append(r)
    unique = {pair: rs[0] for pair, rs in by_pair.items() if len(rs) == 1}
    columns = [getattr(model, c) for c in (DEAL_COMPARED if model is Deal else LEAD_COMPARED)]
    query = select(*columns, model.number).where(model.workspace_id == workspace_id)
    if len(keyed) + len(numbered) + len(unique) <= CHUNK:
        # Few records: look them up. Many: one pass over the workspace is cheaper than
        # many IN lists (Deal.external_id has no index of its own).
        times = {r.values["created_at"] for r in unique.values()}
        query = query.where(
            or_(
                getattr(model, key_name).in_(list(keyed)),
                model.external_id.in_(list(by_id)),
                model.number.in_(list(numbered)),
                model.created_at.in_(list(times)),
            )
        )
    found: dict[int, Row] = {}
    pairs: dict[tuple[str, str], list[Row]] = {}
    for row in session.execute(query):
        key = getattr(row, key_name)
        if key in keyed:
            found[keyed[key].line] = row
        elif model is Lead and row.external_id in by_id:
            found[by_id[row.external_id].line] = row
        if row.number in numbered:  # as well: two lines naming one row are reported
            found[numbered[row.number].line] = row
        if key is None and row.external_id is None and row.number not in numbered:
            pairs.setdefault(_pair(row.name, row.created_at), []).append(row)
    for pair, rows in pairs.items():
        if pair in unique and len(rows) == 1:
            found[unique[pair].line] = rows[0]
    return found


def _pair(name: str, created: datetime) -> tuple[str, str]:
    return name.casefold(), as_text(created)


def load_for_update(session: Session, kind: str, ids: list[int]) -> dict[int, Deal | Lead]:
    """The ORM rows to change, locked, so a concurrent edit waits instead of being lost."""
    model = Deal if kind == "deals" else Lead
    loaded: dict[int, Deal | Lead] = {}
    for start in range(0, len(ids), CHUNK):
        query = select(model).where(model.id.in_(ids[start : start + CHUNK])).with_for_update()
        loaded |= {row.id: row for row in session.scalars(query)}
    return loaded


def resolve_lead_refs(session: Session, workspace_id: int, refs: set[str]) -> dict[str, int]:
    """A deal's lead, named by its e-mail, `L<number>` (our export) or its record id (a
    vendor's: Olist's MQL id, a HubSpot contact id)."""
    emails = {r.lower() for r in refs if "@" in r}
    numbers = {int(r[1:]) for r in refs if r[:1] in "Ll" and r[1:].isdigit()}
    record_ids = {r for r in refs if "@" not in r}
    found: dict[str, int] = {}
    lookups = (
        (Lead.email, emails, lambda email: email),
        (Lead.number, numbers, lambda number: f"L{number}"),
        (Lead.external_id, record_ids, lambda record_id: f"id:{record_id}"),
    )
    for column, wanted, name in lookups:
        if wanted:
            query = select(column, Lead.id).where(
                Lead.workspace_id == workspace_id, column.in_(wanted)
            )
            found |= {name(value): lead_id for value, lead_id in session.execute(query)}
    resolved = {}
    for ref in refs:
        key = ref.lower() if "@" in ref else ref.upper()
        lead_id = found.get(key) or found.get(f"id:{ref}")
        if lead_id is not None:
            resolved[ref] = lead_id
    return resolved
