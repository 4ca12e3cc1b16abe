"""Write validated records in one transaction: bulk inserts for new records, ORM updates for
records the workspace already has, and the history rows for both.

Matching (re-importing a file updates, never duplicates):
- deals: `Deal.external_id` = the vendor's record id; without one, the same name and the
  same creation time (only when that pair is unique in the file and in the database);
- leads: the email; without one, the same name and creation time (Lead has no external id).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Row, or_, select, update
from sqlalchemy.orm import Session

from assistant.domain.stages import LOST
from assistant.services import deals as deal_service
from assistant.services import leads as lead_service
from assistant.services.history import as_text
from assistant.storage.models import Change, Deal, Lead, Workspace
from assistant.transfer.bulk import append_rows, reserve_ids
from assistant.transfer.rows import Record
from assistant.transfer.timeline import Event

ACTOR = "import"
CHUNK = 2000


# -- matching ---------------------------------------------------------------------------------

# The columns an update compares; read narrowly, since most re-imported rows are unchanged.
DEAL_COMPARED = (
    "id", "external_id", "name", "created_at", "company", "amount", "owner_id", "close_date",
    "source", "campaign", "lost_reason", "stage_key", "status",
)  # fmt: skip
LEAD_COMPARED = (
    "id", "email", "name", "created_at", "company", "source", "campaign", "owner_id",
    "drop_reason", "stage_key", "status", "furthest_stage_key",
)  # fmt: skip


def match_existing(
    session: Session, kind: str, workspace_id: int | None, records: list[Record]
) -> dict[int, Row]:
    """Record line -> the existing row it updates (the compared columns only)."""
    if workspace_id is None:
        return {}
    model = Deal if kind == "deals" else Lead
    key_name = "external_id" if model is Deal else "email"
    keyed = {r.key: r for r in records if r.key and not r.key.startswith("id:")}
    by_pair: dict[tuple[str, str], list[Record]] = {}
    for r in records:
        if not r.key or r.key.startswith("id:"):
            by_pair.setdefault(_pair(r.values["name"], r.values["created_at"]), []).append(r)
    unique = {pair: rs[0] for pair, rs in by_pair.items() if len(rs) == 1}
    columns = [getattr(model, c) for c in (DEAL_COMPARED if model is Deal else LEAD_COMPARED)]
    query = select(*columns).where(model.workspace_id == workspace_id)
    if len(keyed) + len(unique) <= CHUNK:
        # Few records: look them up. Many: one pass over the workspace is cheaper than
        # many IN lists (Deal.external_id has no index of its own).
        times = {r.values["created_at"] for r in unique.values()}
        query = query.where(
            or_(getattr(model, key_name).in_(list(keyed)), model.created_at.in_(list(times)))
        )
    found: dict[int, Row] = {}
    pairs: dict[tuple[str, str], list[Row]] = {}
    for row in session.execute(query):
        key = getattr(row, key_name)
        if key in keyed:
            found[keyed[key].line] = row
        else:
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


# -- history rows -----------------------------------------------------------------------------


CHANGE_COLUMNS = (
    "workspace_id", "entity", "entity_id", "action", "field", "old_value", "new_value",
    "actor_id", "at",
)  # fmt: skip


def _event_action(event: Event, following: Event | None) -> str:
    if event.field == "status":
        if event.value == "open":
            return "reopen"
        return {"converted": "convert", "dropped": "drop"}.get(event.value, event.value)
    reopened = following and following.field == "status" and following.value == "open"
    return "reopen" if reopened and following.at == event.at else "move"


def history_rows(
    entity: str, entity_id: int, workspace_id: int, rec: Record, tracked: Sequence[str]
) -> list[tuple]:
    """The create rows plus one row per later stage/status event, as the services write.

    Rows are `CHANGE_COLUMNS` tuples with old/new already in `as_text` form. An import builds
    about ten per record, so this is written for speed: event values are already text (str),
    and only the create rows' values of other types go through `as_text`.
    """
    values, events = rec.values, rec.events
    created_at = values["created_at"]
    firsts: dict[str, Event] = {}
    for event in events:
        firsts.setdefault(event.field, event)
    rows = []
    for field in tracked:
        if field in firsts:
            value = firsts[field].value
        elif field in ("lost_reason", "drop_reason"):
            value = None  # set when the record is lost or dropped
        else:
            value = values.get(field)
        if value is not None:
            text = value if type(value) is str else as_text(value)
            rows.append(
                (workspace_id, entity, entity_id, "create", field, None, text, ACTOR, created_at)
            )
    if len(firsts) == len(events):
        return rows
    state = {field: event.value for field, event in firsts.items()}
    later = [e for e in events if firsts[e.field] is not e]
    # The reason goes with the record's last status change only.
    last_status = max((i for i, e in enumerate(later) if e.field == "status"), default=-1)
    reason_field = "lost_reason" if entity == "deal" else "drop_reason"
    reason = as_text(values.get(reason_field))
    for index, event in enumerate(later):
        field, new = event.field, event.value
        old = state.get(field)
        if old == new:
            continue
        following = later[index + 1] if index + 1 < len(later) else None
        action = _event_action(event, following)
        at = event.at
        rows.append((workspace_id, entity, entity_id, action, field, old, new, ACTOR, at))
        state[field] = new
        if new in (LOST, "dropped") and index >= last_status and reason:
            rows.append(
                (workspace_id, entity, entity_id, action, reason_field, None, reason, ACTOR, at)
            )
    return rows


# -- inserts ----------------------------------------------------------------------------------


def _bump(session: Session, workspace_id: int, column: str, count: int) -> int:
    """Reserve `count` numbers at once; returns the first."""
    seq = getattr(Workspace, column)
    last = session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values({column: seq + count})
        .returning(seq)
    ).scalar_one()
    return last - count + 1


def insert_new(
    session: Session,
    kind: str,
    workspace_id: int,
    records: list[Record],
    now: datetime,
    lead_ids: dict[str, int],
    tick: Callable[[int], None],
) -> int:
    if not records:
        return 0
    model, entity = (Deal, "deal") if kind == "deals" else (Lead, "lead")
    tracked = deal_service.TRACKED_FIELDS if model is Deal else lead_service.TRACKED_FIELDS
    columns = DEAL_COLUMNS if model is Deal else LEAD_COLUMNS
    first = _bump(session, workspace_id, "deal_seq" if model is Deal else "lead_seq", len(records))
    ids = reserve_ids(session, model.__table__, len(records))
    for start in range(0, len(records), CHUNK):
        batch = records[start : start + CHUNK]
        rows, changes = [], []
        for offset, rec in enumerate(batch, start):
            row = _row(model, ids[offset], workspace_id, first + offset, rec, now, lead_ids)
            rows.append(row)
            changes += history_rows(entity, ids[offset], workspace_id, rec, tracked)
        memo: dict = {}  # the records' times, converted once for both tables
        append_rows(session, model.__table__, columns, rows, memo)
        append_rows(session, Change.__table__, CHANGE_COLUMNS, changes, memo)
        tick(len(batch))
    return len(records)


COMMON_COLUMNS = (
    "id", "workspace_id", "number", "name", "name_folded", "company", "owner_id", "stage_key",
    "status", "source", "campaign", "created_by", "created_at", "updated_at", "version",
)  # fmt: skip
DEAL_COLUMNS = COMMON_COLUMNS + (
    "amount", "stage_entered_at", "lost_reason", "close_date", "closed_at", "external_id",
    "lead_id",
)  # fmt: skip
LEAD_COLUMNS = COMMON_COLUMNS + ("email", "furthest_stage_key", "drop_reason", "action_at")


def _row(model, row_id: int, workspace_id: int, number: int, rec: Record, now, lead_ids) -> tuple:
    v = rec.values
    common = (
        row_id, workspace_id, number, v["name"], v["name"].casefold(), v["company"],
        v["owner_id"], v["stage_key"], v["status"], v["source"], v["campaign"], ACTOR,
        v["created_at"], now, 1,
    )  # fmt: skip
    if model is Deal:
        lead_id = lead_ids.get(rec.lead_ref or "")
        return common + (
            v["amount"], v["stage_entered_at"], v["lost_reason"], v["close_date"],
            v["closed_at"], rec.key, lead_id,
        )  # fmt: skip
    return common + (v["email"], v["furthest_stage_key"], v["drop_reason"], v["action_at"])


def resolve_lead_refs(session: Session, workspace_id: int, refs: set[str]) -> dict[str, int]:
    """Our export names a deal's lead by email or `L<number>`."""
    emails = {r.lower() for r in refs if "@" in r}
    numbers = {int(r[1:]) for r in refs if r[:1] in "Ll" and r[1:].isdigit()}
    found: dict[str, int] = {}
    if emails:
        query = select(Lead.email, Lead.id).where(
            Lead.workspace_id == workspace_id, Lead.email.in_(emails)
        )
        found |= {email: lead_id for email, lead_id in session.execute(query)}
    if numbers:
        query = select(Lead.number, Lead.id).where(
            Lead.workspace_id == workspace_id, Lead.number.in_(numbers)
        )
        found |= {f"L{number}": lead_id for number, lead_id in session.execute(query)}
    return {
        ref: found[key]
        for ref in refs
        if (key := ref.lower() if "@" in ref else ref.upper()) in found
    }
