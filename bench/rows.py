"""The rows of one generated record: what the services write for a deal's or a lead's ops.

`lead_rows` and `deal_rows` replay a record's ops (see `bench.plan`) the way
`services.leads`, `services.deals` and `services.history` apply them: the final row, with
its version and `updated_at`, and one `changes` row per tracked field that really changed,
in the order of the services' `TRACKED_FIELDS`. `bench.replay` proves it on a small size.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from assistant.records import deals as deal_service
from assistant.records import leads as lead_service
from assistant.records.history import as_text
from assistant.storage.models import Change, Deal, Lead, Note
from bench import plan as P

DEAL_TRACKED = deal_service.TRACKED
LEAD_TRACKED = lead_service.TRACKED
FUNNEL_POSITION = {key: i for i, key in enumerate(P.FUNNEL)}
DEAL_COLUMNS = tuple(c.name for c in Deal.__table__.columns)
LEAD_COLUMNS = tuple(c.name for c in Lead.__table__.columns)
CHANGE_COLUMNS = tuple(c.name for c in Change.__table__.columns if c.name != "id")
NOTE_COLUMNS = tuple(c.name for c in Note.__table__.columns if c.name != "id")


def cents(amount: Decimal | None) -> int | None:
    if amount is None:
        return None
    return int((Decimal(amount) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def _naive(at):
    return at.replace(tzinfo=None)


# -- rows of one lead ---------------------------------------------------------------------------


def lead_rows(lp: P.LeadPlan, ws: int) -> tuple[tuple, list[tuple]]:
    lead_id = lp.index + 1
    _, created, creator, f = lp.ops[0]
    stage = f["stage"] or P.FUNNEL[0]
    st = {
        "name": f["name"],
        "company": f["company"],
        "email": f["email"],
        "source": f["source"],
        "campaign": f["campaign"],
        "stage_key": stage,
        "furthest_stage_key": stage,
        "status": "open",
        "drop_reason": None,
        "owner_id": f["owner_id"] or creator,
    }
    at_n = _naive(created)
    changes = [
        (ws, "lead", lead_id, "create", name, None, st[name], creator, at_n)
        for name in LEAD_TRACKED
        if st[name] is not None
    ]
    action_at = created if stage == "action" else None
    version, updated = 1, created

    def change(action: str, at, actor: str, names: Iterable[str], before: dict) -> None:
        nonlocal version, updated
        n = _naive(at)
        for name in names:
            old, new = before[name], st[name]
            if old != new:
                changes.append((ws, "lead", lead_id, action, name, old, new, actor, n))
        version, updated = version + 1, at

    def advance(key: str, at) -> None:
        nonlocal action_at
        st["stage_key"] = key
        if FUNNEL_POSITION[key] > FUNNEL_POSITION[st["furthest_stage_key"]]:
            st["furthest_stage_key"] = key
        if key == "action" and action_at is None:
            action_at = at

    for op in lp.ops[1:]:
        kind, at, actor = op[0], op[1], op[2]
        before = dict(st)
        if kind == "move":
            advance(op[3], at)
            change("move", at, actor, ("stage_key", "furthest_stage_key"), before)
        elif kind == "drop":
            st["status"] = "dropped"
            st["drop_reason"] = (op[3] or "").strip()[:500] or None
            change("drop", at, actor, ("status", "drop_reason"), before)
        elif kind == "convert":
            if FUNNEL_POSITION[st["stage_key"]] < FUNNEL_POSITION["consideration"]:
                advance("consideration", at)
            st["status"] = "converted"
            change("convert", at, actor, ("stage_key", "furthest_stage_key", "status"), before)
            win = next((o for o in lp.deal.ops if o[0] == "won"), None) if lp.deal else None
            if win is not None and st["stage_key"] != "action":
                # services.leads.mark_lead_won, inside the deal's win
                before = dict(st)
                advance("action", win[1])
                change("won", win[1], win[2], ("stage_key", "furthest_stage_key"), before)
    row = {
        "id": lead_id,
        "workspace_id": ws,
        "number": lead_id,
        "name": st["name"],
        "name_folded": st["name"].casefold(),
        "company": st["company"],
        "email": st["email"],
        "source": st["source"],
        "campaign": st["campaign"],
        "stage_key": st["stage_key"],
        "furthest_stage_key": st["furthest_stage_key"],
        "status": st["status"],
        "drop_reason": st["drop_reason"],
        "owner_id": st["owner_id"],
        "external_id": None,
        "action_at": _naive(action_at) if action_at else None,
        "created_by": creator,
        "created_at": at_n,
        "updated_at": _naive(updated),
        "version": version,
    }
    return tuple(row[c] for c in LEAD_COLUMNS), changes


# -- rows of one deal ---------------------------------------------------------------------------


def deal_rows(dp: P.DealPlan, deal_id: int, ws: int) -> tuple[tuple, list[tuple], list[tuple]]:
    _, created, creator, f = dp.ops[0]
    st = {
        "name": f["name"],
        "company": f["company"],
        "amount": f["amount"],
        "owner_id": f["owner_id"] or creator,
        "stage_key": f["stage"] or P.PIPELINE[0],
        "status": "open",
        "lost_reason": None,
        "close_date": f["close_date"],
        "source": f["source"],
        "campaign": f["campaign"],
    }
    at_n = _naive(created)
    changes = [
        (ws, "deal", deal_id, "create", name, None, as_text(st[name]), creator, at_n)
        for name in DEAL_TRACKED
        if st[name] is not None
    ]
    notes: list[tuple] = []
    version, updated, entered, closed_at = 1, created, created, None
    for op in dp.ops[1:]:
        kind, at, actor = op[0], op[1], op[2]
        n = _naive(at)
        before = dict(st)
        if kind == "note":
            notes.append((ws, deal_id, actor, op[3], n))
            changes.append((ws, "deal", deal_id, "note", None, None, op[3][:200], actor, n))
            version, updated = version + 1, at
            continue
        if kind == "move":
            st["stage_key"], entered = op[3], at
        elif kind == "won":
            if op[3] is not None:
                st["amount"] = op[3]
            st["status"], closed_at = "won", at
        elif kind == "lost":
            st["status"], closed_at, st["lost_reason"] = "lost", at, op[3]
        elif kind == "reopen":
            st["status"], closed_at, st["lost_reason"], entered = "open", None, None, at
        elif kind == "assign":
            st["owner_id"] = op[3]
        elif kind == "edit":
            st["amount"] = op[3]
        for name in DEAL_TRACKED:
            old, new = as_text(before[name]), as_text(st[name])
            if old != new:
                changes.append((ws, "deal", deal_id, kind, name, old, new, actor, n))
        version, updated = version + 1, at
    row = {
        "id": deal_id,
        "workspace_id": ws,
        "number": deal_id,
        "name": st["name"],
        "name_folded": st["name"].casefold(),
        "company": st["company"],
        "amount": cents(st["amount"]),
        "owner_id": st["owner_id"],
        "stage_key": st["stage_key"],
        "stage_entered_at": _naive(entered),
        "status": st["status"],
        "lost_reason": st["lost_reason"],
        "close_date": st["close_date"],
        "closed_at": _naive(closed_at) if closed_at else None,
        "source": st["source"],
        "campaign": st["campaign"],
        "lead_id": None if dp.lead_index is None else dp.lead_index + 1,
        "external_id": None,
        "created_by": creator,
        "created_at": at_n,
        "updated_at": _naive(updated),
        "version": version,
    }
    return tuple(row[c] for c in DEAL_COLUMNS), changes, notes
