"""A fast path for the deal rows of our own export (`exporter.py`, with `stage_history`).

`rows.parse_deal` reads any vendor's file: every cell goes through a closure that collects
problems, which costs more than writing the row. Our own export is the big file people move
between workspaces, and its rows are regular. This parser gives exactly `parse_deal`'s Record
for a valid row and gives up (None) at the first thing it doesn't handle or any problem, so
`parse_deal` then reads the row again and reports the problems in its own words. It never
reports an error itself, so the import's per-row messages can't differ.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import repeat
from operator import itemgetter

from assistant.domain.stages import LOST, WON
from assistant.storage.models import Deal
from assistant.transfer.rows import DEAL_HISTORY_FIELDS, Record, RowContext, _deal_present, _limit
from assistant.transfer.stages_map import DEAL_STATUSES, StageNotFound, squash
from assistant.transfer.timeline import BadHistory, parse_history, replay
from assistant.transfer.values import BadValue, parse_money, unescape_formula

_TEXT_FIELDS = ("name", "company", "lost_reason", "source", "campaign", "external_id")
_CLOSED = (WON, LOST)


class _GiveUp(Exception):
    """The row needs `parse_deal` (a problem to report, or a case not handled here)."""


def own_deal_parser(ctx: RowContext) -> Callable[[list[str], int], Record | None] | None:
    """A parser for this file's rows, or None when the file isn't in our own format."""
    columns = ctx.columns
    # Without a history (or with vendor "date entered" columns) parse_deal rebuilds a
    # timeline; that and the is_won/is_closed flags are left to it.
    if not columns.has("stage_history") or ctx.dated_columns or not columns.has("status"):
        return None
    names = tuple(columns.fields)
    indexes = tuple(columns.fields.values())
    width = max(indexes) + 1
    pick = itemgetter(*indexes) if len(indexes) > 1 else lambda cells: (cells[indexes[0]],)
    limits = {name: _limit(Deal, name) for name in _TEXT_FIELDS}
    owner_limit = _limit(Deal, "owner_id")
    present = _deal_present(columns)
    keys = set(ctx.stages.keys)
    first_stage, last_stage = ctx.stages.keys[0], ctx.stages.keys[-1]
    workspace_currency = ctx.currency.upper()
    zone = ctx.zone  # day_first only matters for forms left to parse_deal
    statuses: dict[str, str] = {}  # cell -> status, as parse_deal's status parser
    owners: dict[str, str] = {}  # cell -> owner id, as _Row.owner

    def when(text: str) -> datetime | None:
        # parse_datetime's first branch; its other forms are left to parse_deal.
        if not text:
            return None
        if len(text) < 10:
            raise _GiveUp
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise _GiveUp from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)

    def text(raw: dict[str, str], name: str) -> str | None:
        value = " ".join(raw.get(name, "").split())
        if len(value) > limits[name]:
            raise _GiveUp
        return value or None

    def parse(cells: list[str], line: int) -> Record | None:
        try:
            return _parse(cells, line)
        except (_GiveUp, BadValue, StageNotFound, BadHistory):
            return None

    def _parse(cells: list[str], line: int) -> Record:
        if len(cells) < width:
            raise _GiveUp
        # _Row.raw for every mapped column at once, in C but for the rare `'` prefix.
        stripped = list(map(str.strip, pick(cells)))
        raw = dict(zip(names, stripped, strict=True))
        if any(map(str.startswith, stripped, repeat("'"))):
            raw = {name: unescape_formula(value) for name, value in raw.items()}
        name = text(raw, "name")
        if name is None:
            raise _GiveUp
        amount = parse_money(raw["amount"]) if raw.get("amount") else None
        currency = raw.get("currency") or (amount[1] if amount else None) or ctx.currency
        if amount and currency.upper() != workspace_currency:
            raise _GiveUp
        stage = ctx.stages.resolve(raw["stage"]) if raw.get("stage") else None
        status = _status(raw["status"], stage)
        created = when(raw.get("created_at", ""))
        close_date = raw.get("close_date", "")
        if close_date:
            if len(close_date) < 10:
                raise _GiveUp
            close_date = _date(close_date)
        changed_at = when(raw.get("stage_changed_at", ""))
        closed_at = None
        if status in _CLOSED:
            # parse_deal reads these (and reports their problems) for a closed deal only.
            when(raw.get("won_at" if status == WON else "lost_at", ""))
            closed_at = when(raw.get("closed_at", ""))
        values: dict[str, object] = {
            "name": name,
            "company": text(raw, "company"),
            "amount": amount[0] if amount else None,
            "owner_id": _owner(raw.get("owner", "")) or ctx.default_owner,
            "lost_reason": text(raw, "lost_reason") if status == LOST else None,
            "close_date": close_date or None,
            "source": text(raw, "source"),
            "campaign": text(raw, "campaign"),
        }
        external_id = text(raw, "external_id")
        history_text = raw["stage_history"]
        if not history_text:
            raise _GiveUp  # a timeline to rebuild
        history = parse_history(history_text, DEAL_HISTORY_FIELDS)
        open_stage = stage if stage not in (None, WON, LOST) else None
        if open_stage is None:
            open_stage = last_stage if status in _CLOSED else first_stage
        values |= _explicit(history, open_stage, status, created, changed_at, closed_at)
        number = raw.get("number")
        if number and (not number.isdigit() or len(number) > 9):
            raise _GiveUp  # `#12` and bad ones: parse_deal reads them
        lead_ref = raw.get("lead") or None
        number = int(number) if number else None
        return Record(line, external_id, values, present, history, lead_ref, True, number)

    def _date(cell: str):
        try:
            parsed = datetime.fromisoformat(cell)
        except ValueError:
            raise _GiveUp from None
        return parsed.date()

    def _status(cell: str, stage: str | None) -> str:
        if not cell:
            raise _GiveUp  # parse_deal may read is_won / is_closed
        status = statuses.get(cell)
        if status is None:
            status = DEAL_STATUSES.get(squash(cell))
            if status is None:
                raise _GiveUp
            statuses[cell] = status
        if stage in _CLOSED and status != stage:
            raise _GiveUp  # the status contradicts the stage
        return status

    def _owner(cell: str) -> str | None:
        if not cell:
            return None
        owner = owners.get(cell)
        if owner is None:
            owner = ctx.owner_map.get(squash(cell), " ".join(cell.split()))
            if len(owner) > owner_limit:
                raise _GiveUp
            owners[cell] = owner
        return owner

    def _explicit(history, stage: str, status: str, created, changed_at, closed_at) -> dict:
        # rows._explicit_deal for a history without problems.
        for event in history:
            if event.field == "stage_key":
                if event.value not in keys:
                    raise _GiveUp
            elif event.value not in ("open", WON, LOST):
                raise _GiveUp
        state = replay(history)
        if "stage_key" not in state or "status" not in state:
            raise _GiveUp
        if (state["stage_key"][0], state["status"][0]) != (stage, status):
            raise _GiveUp
        entered = max(e.at for e in history if e.field == "stage_key" or e.value == "open")
        return {
            "stage_key": stage,
            "status": status,
            "stage_entered_at": changed_at or entered,
            "closed_at": (closed_at or state["status"][1]) if status in _CLOSED else None,
            "created_at": created or history[0].at,
        }

    return parse
