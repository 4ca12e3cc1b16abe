"""Replay a generated plan through the services, and dump tables to compare with the generator.

`replay(spec, url)` calls the same use cases a Slack command would (create_lead, move_deal,
win_deal, ...), in time order, with the clock at each op's time. `table_dump(url)` reads
every table through the raw driver, so the comparison also covers storage formats (times as
text in SQLite, cents, dates). History ids differ by construction (the services number them
in global time order, the bulk writer record by record), so history is compared in each
record's own order without its ids; every other id must be equal. Columns that say who wrote
a row and when it was last touched (an import's rows are by one actor, as of the import) and
history that no figure reads (notes, reassignments, edited amounts) are left out.
"""

from __future__ import annotations

from assistant.services import deals as D
from assistant.services import leads as L
from assistant.services.context import Actor, Services
from assistant.storage.database import Database
from assistant.storage.models import Base
from bench.dbs import raw_connect
from testkit import workspace_plan as P
from testkit.generate import setup_workspace

# What a bulk write records differently from a person's changes one by one, by design.
SKIPPED = {"created_by", "updated_at", "version", "action", "actor_id"}
# The stays and outcomes every figure is computed from. (Reasons are not compared: a record
# given whole, as an import gives it, knows only its last reason, so a deal lost, reopened
# and won has no history of the first reason.)
COMPARED_HISTORY = ("stage_key", "status", "furthest_stage_key")


class _Clock:
    def __init__(self, now) -> None:
        self.now = now

    def __call__(self):
        return self.now


def _ops_in_time_order(spec: P.Spec) -> list[tuple]:
    """(key, record plan, op) for every op; keys order them as the bulk writer numbers."""
    events = []
    converted = []
    for lp in P.leads(spec):
        for k, op in enumerate(lp.ops):
            events.append(((op[1], 0, lp.index, k), lp, op))
        if lp.deal is not None:
            converted.append(lp.deal)
            for k, op in enumerate(lp.deal.ops[1:], start=1):
                events.append(((op[1], 0, lp.index, 1000 + k), lp.deal, op))
    for dp in P.deals_in_order(spec, converted):
        if dp.lead_index is None:
            for k, op in enumerate(dp.ops):
                events.append(((op[1], 1, dp.key[2], k), dp, op))
    events.sort(key=lambda event: event[0])
    return events


def replay(spec: P.Spec, url: str) -> None:
    clock = _Clock(spec.setup_at)
    db = Database(url)
    services = Services(db=db, clock=clock, admins=frozenset({P.ADMIN}))
    setup_workspace(services)
    numbers: dict[int, int] = {}  # id(plan) -> its deal or lead number
    for _key, record, op in _ops_in_time_order(spec):
        at, actor_id = op[1], op[2]
        clock.now = at
        actor = Actor(team_id=P.TEAM_ID, user_id=actor_id)
        if isinstance(record, P.LeadPlan):
            _lead_op(services, actor, record, op, numbers)
        else:
            _deal_op(services, actor, record, op, numbers)
    db.dispose()


def _lead_op(services, actor, lp: P.LeadPlan, op: tuple, numbers: dict) -> None:
    kind = op[0]
    if kind == "create":
        f = op[3]
        new = L.NewLead(
            name=f["name"],
            company=f["company"],
            email=f["email"],
            source=f["source"],
            campaign=f["campaign"],
            stage=f["stage"],
            owner_id=f["owner_id"],
        )
        numbers[id(lp)] = L.create_lead(services, actor, new).number
        return
    ref = f"L{numbers[id(lp)]}"
    if kind == "move":
        L.move_lead(services, actor, ref, op[3])
    elif kind == "drop":
        L.drop_lead(services, actor, ref, op[3])
    elif kind == "convert":
        result = L.convert_lead(services, actor, ref, amount=op[3], stage=op[4])
        numbers[id(lp.deal)] = result.deal.number


def _deal_op(services, actor, dp: P.DealPlan, op: tuple, numbers: dict) -> None:
    kind = op[0]
    if kind == "create":
        f = op[3]
        new = D.NewDeal(
            name=f["name"],
            amount=f["amount"],
            owner_id=f["owner_id"],
            stage=f["stage"],
            company=f["company"],
            close_date=f["close_date"],
            source=f["source"],
            campaign=f["campaign"],
        )
        numbers[id(dp)] = D.create_deal(services, actor, new).number
        return
    ref = f"#{numbers[id(dp)]}"
    if kind == "move":
        D.move_deal(services, actor, ref, op[3])
    elif kind == "won":
        D.win_deal(services, actor, ref, op[3])
    elif kind == "lost":
        D.lose_deal(services, actor, ref, op[3])
    elif kind == "reopen":
        D.reopen_deal(services, actor, ref)
    elif kind == "assign":
        D.assign_deal(services, actor, ref, op[3])
    elif kind == "edit":
        D.edit_deal(services, actor, ref, amount=op[3])
    elif kind == "note":
        D.add_note(services, actor, ref, op[3])


def table_dump(url: str) -> dict[str, list[tuple]]:
    """Every table's raw rows, in a comparable order (see the module's docstring)."""
    connection = raw_connect(url)
    found = {}
    try:
        for table in Base.metadata.sorted_tables:
            if table.name == "notes":
                continue
            names = [c.name for c in table.columns if c.name not in SKIPPED]
            listing = ", ".join(f'"{n}"' for n in names)
            rows = connection.execute(f'SELECT {listing} FROM "{table.name}"').fetchall()
            if table.name == "changes":
                field = names.index("field")
                rows = [r for r in rows if r[field] in COMPARED_HISTORY]
                keys = [names.index(k) for k in ("entity", "entity_id", "id")]
                rows.sort(key=lambda r: tuple(r[i] for i in keys))
                rows = [tuple(v for n, v in zip(names, r, strict=True) if n != "id") for r in rows]
            else:
                rows = sorted((tuple(r) for r in rows), key=lambda r: tuple(map(str, r)))
            found[table.name] = rows
    finally:
        connection.close()
    return found


def differences(a: dict[str, list[tuple]], b: dict[str, list[tuple]], limit: int = 5) -> list[str]:
    """Human-readable differences between two dumps; empty when they are equal."""
    problems = []
    for name in a:
        left, right = a[name], b.get(name, [])
        if left == right:
            continue
        problems.append(f"{name}: {len(left)} rows vs {len(right)}")
        shown = 0
        for x, y in zip(left, right, strict=False):
            if x != y and shown < limit:
                problems.append(f"  {x}\n  {y}")
                shown += 1
    return problems
