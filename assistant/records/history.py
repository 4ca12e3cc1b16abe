"""The append-only history: the only code that writes `changes` rows.

Every change of a tracked field becomes one row (who, when, old, new), written in the same
transaction as the change. A change made by a person (a command, a button, the form) and a
change rebuilt from a file (an import) produce the same rows, because both come through here:
`changed()` for a change applied to a record, `timeline_rows()` for a record's whole history
at once (imports, generated data).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from assistant.domain.limits import MAX_HISTORY_DETAIL
from assistant.domain.stages import LOST, WON, DealStatus
from assistant.storage.bulk import append_rows
from assistant.storage.models import Change

CHANGE_COLUMNS = (
    "workspace_id", "entity", "entity_id", "action", "field", "old_value", "new_value",
    "actor_id", "at", "stay_stage", "stay_began_at",
)  # fmt: skip
NO_STAY = (None, None)
CLOSED = (WON, LOST)
OPEN = DealStatus.OPEN.value
# Rows written one by one (a command) go through an INSERT; many (an import) through the
# driver's bulk path. Below this, the bulk path's setup costs more than it saves.
BULK_FROM = 50


def as_text(value: object) -> str | None:
    """One canonical text form per value, so the history can be replayed exactly."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class Stay:
    """Where a deal's history stands, to tell which of its next rows end a stay in a stage.

    A stay ends at a `stage_key` change of an open deal (the stage left is the old value) or
    at a `status` change from open to won/lost (the stage left is the deal's stage); it began
    at the deal's previous `stage_key`/`status` row. That is the replay `analytics.stays`
    did over the table before the rows carried it (migration 0012 backfills the same), and
    `step` makes it as each row is written: every writer of deal history goes through here
    (`History.changed` with a `Stay`, `history_rows`), so a row that ends a stay always
    carries `stay_stage`/`stay_began_at` and the read keeps no fallback to the replay, which
    would bring back its per-row index reads.
    """

    __slots__ = ("stage", "closed", "entered")

    def __init__(self, stage: str | None, closed: bool, entered: datetime | None) -> None:
        self.stage = stage  # the stage the last stage_key row gave
        self.closed = closed  # the last stage_key/status row closed the deal
        self.entered = entered  # the time of that row: when the current stay began

    @classmethod
    def of(cls, deal) -> Stay:
        """The deal row before a change: its stage, status and when it entered the stage.

        Differs from the replay in two corner cases only, where the deal row is the truer
        account: a closed deal whose stage a re-import changed twice (`transfer.updates`) had
        its second change counted as a stay's end by the replay, which looked at the previous
        row only; and a deal imported from our own export with a `stage_entered_at` that
        contradicts its `stage_history` begins its stay at the former (what its card shows),
        where the replay took the history's time.
        """
        return cls(deal.stage_key, deal.status in CLOSED, deal.stage_entered_at)

    def step(self, field: str | None, old: str | None, new: str | None, at: datetime) -> tuple:
        """(stay_stage, stay_began_at) of a row about to be written, then the state after it."""
        if field == "stage_key":
            ends = (old, self.entered) if old is not None and not self.closed else NO_STAY
            self.stage = new
        elif field == "status":
            ends = (self.stage, self.entered) if old == OPEN and new in CLOSED else NO_STAY
        else:
            return NO_STAY
        if ends[1] is None:  # no row began it: the replay had no stay either
            ends = NO_STAY
        self.closed = field == "status" and new in CLOSED
        self.entered = at
        return ends


class History:
    """The history rows of one transaction, as `CHANGE_COLUMNS` tuples, written by `write`."""

    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id
        self.rows: list[tuple] = []

    def changed(
        self,
        entity: str,
        entity_id: int,
        action: str,
        actor_id: str | None,
        at: datetime,
        changes: Iterable[tuple[str, object, object]],
        stay: Stay | None = None,
    ) -> None:
        """One row per (field, old, new) whose value really changed. `stay`: where the deal's
        history stood before (`Stay.of` the deal before the change), for a deal's change."""
        for field, old, new in changes:
            old_text, new_text = as_text(old), as_text(new)
            if old_text != new_text:
                ends = stay.step(field, old_text, new_text, at) if stay else NO_STAY
                self.rows.append(
                    (self.workspace_id, entity, entity_id, action, field, old_text, new_text,
                     actor_id, at, *ends)
                )  # fmt: skip

    def event(
        self,
        entity: str,
        entity_id: int,
        action: str,
        actor_id: str | None,
        at: datetime,
        detail: str | None = None,
    ) -> None:
        """A change with no field of its own (a note added, a summary of settings)."""
        detail = detail[:MAX_HISTORY_DETAIL] if detail else detail
        self.rows.append(
            (self.workspace_id, entity, entity_id, action, None, None, detail, actor_id, at,
             None, None)
        )  # fmt: skip

    def write(self, session: Session) -> None:
        rows, self.rows = self.rows, []
        if len(rows) >= BULK_FROM:
            append_rows(session, Change.__table__, CHANGE_COLUMNS, rows)
        elif rows:
            session.execute(
                insert(Change.__table__), [dict(zip(CHANGE_COLUMNS, r, strict=True)) for r in rows]
            )


def record(
    session: Session,
    *,
    workspace_id: int,
    entity: str,
    entity_id: int,
    action: str,
    actor_id: str | None,
    at: datetime,
    changes: dict[str, tuple[object, object]],
) -> None:
    """Write the rows of one change at once: `changes` maps each field to (old, new).

    For the history of settings, stages, roles and the like: a deal's changes go through
    `records.deals`, which gives `History.changed` the deal's `Stay`.
    """
    if entity == "deal":
        raise ValueError("a deal's history is written by records.deals")
    history = History(workspace_id)
    history.changed(
        entity, entity_id, action, actor_id, at, ((f, o, n) for f, (o, n) in changes.items())
    )
    history.write(session)


# -- a whole history at once (imports, generated data) ------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    """One field of a record taking a value at a time: how a file's history is given."""

    field: str  # stage_key | status | furthest_stage_key
    value: str
    at: datetime


def _event_action(event: Event, following: Event | None) -> str:
    if event.field == "status":
        if event.value == "open":
            return "reopen"
        return {"converted": "convert", "dropped": "drop"}.get(event.value, event.value)
    reopened = following and following.field == "status" and following.value == "open"
    return "reopen" if reopened and following.at == event.at else "move"


def history_rows(
    entity: str,
    entity_id: int,
    workspace_id: int,
    values: dict[str, object],
    events: Sequence[Event],
    tracked: Sequence[str],
    actor: str,
) -> list[tuple]:
    """The rows the changes of a record's whole life would have written, one by one: the
    create rows, then one row per later stage/status event, with the actions `changed()` is
    given for them (move, won, lost, reopen, convert, drop).

    `values` is the record's final state; the events say what its stage and status were at
    first and when they changed. Rows are `CHANGE_COLUMNS` tuples with old/new already in
    `as_text` form. An import builds about ten per record, so this is written for speed:
    event values are already text (str), and only the create rows' other values go through
    `as_text`.
    """
    created_at = values["created_at"]
    # A deal's rows carry the stays they end (`Stay`), walked from nothing as the replay did.
    stay = Stay(None, False, None) if entity == "deal" else None
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
            if stay is not None:
                stay.step(field, None, text, created_at)  # a create row ends no stay
            rows.append(
                (workspace_id, entity, entity_id, "create", field, None, text, actor, created_at,
                 None, None)
            )  # fmt: skip
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
        ends = stay.step(field, old, new, at) if stay is not None else NO_STAY
        rows.append((workspace_id, entity, entity_id, action, field, old, new, actor, at, *ends))
        state[field] = new
        if new in (LOST, "dropped") and index >= last_status and reason:
            rows.append(
                (workspace_id, entity, entity_id, action, reason_field, None, reason, actor, at,
                 None, None)
            )  # fmt: skip
    return rows
