"""One CSV row -> one validated record, or the list of what is wrong with it.

Nothing here touches the database: the workspace's stages, time zone and currency come in a
`RowContext`, so every row of a file is checked before anything is written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from assistant.domain.stages import LOST, WON
from assistant.records.leads import CONVERTED_STAGE
from assistant.storage.models import Deal, Lead
from assistant.transfer.columns import DEALS, ColumnMap
from assistant.transfer.stages_map import (
    DEAL_STATUSES,
    LEAD_STATUSES,
    StageNotFound,
    StageResolver,
    squash,
)
from assistant.transfer.timeline import (
    BadHistory,
    Event,
    deal_timeline,
    lead_timeline,
    parse_history,
    replay,
)
from assistant.transfer.values import (
    BadValue,
    clean_text,
    is_email,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_money,
    start_of_day,
    unescape_formula,
)

DEFAULT_OWNER = "unassigned"
ACTION_STAGE = "action"
DEAL_HISTORY_FIELDS = ("stage_key", "status")
LEAD_HISTORY_FIELDS = ("stage_key", "furthest_stage_key", "status")


@functools.cache
def _limit(model, column: str) -> int:
    return model.__table__.c[column].type.length


@dataclass
class RowContext:
    columns: ColumnMap
    stages: StageResolver
    zone: tzinfo
    currency: str
    now: datetime
    # Column index -> whether its numeric dates are day first (decided per column, from its
    # values, by the importer); a column not listed reads month first.
    day_first: dict[int, bool] = field(default_factory=dict)
    owner_map: dict[str, str] = field(default_factory=dict)  # squashed name -> owner id
    default_owner: str = DEFAULT_OWNER
    # (column index, stage key or outcome) of each dated stage column that maps to a stage.
    dated_columns: list[tuple[int, str]] = field(default_factory=list)


@dataclass(slots=True)
class Record:
    line: int
    key: str | None  # the vendor's record id (deals) or the email / record id (leads)
    values: dict[str, object]  # model attributes, final state
    present: frozenset[str]  # the attributes the file speaks about (an update sets only these)
    events: list[Event]
    lead_ref: str | None = None
    explicit_history: bool = False
    # Our own export's number (#12, L7): in the workspace it came from, it names the record.
    number: int | None = None


class RowProblems(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Row:
    """Reads cells by field name and collects every problem of the row."""

    def __init__(self, cells: list[str], ctx: RowContext) -> None:
        self.cells, self.ctx, self.problems = cells, ctx, []

    def raw(self, name: str) -> str:
        index = self.ctx.columns.fields.get(name)
        if index is None or index >= len(self.cells):
            return ""
        value = self.cells[index].strip()
        return unescape_formula(value) if value[:1] == "'" else value

    def parsed(self, name: str, parse: Callable[[str], object], what: str | None = None):
        text = self.raw(name)
        if not text:
            return None
        try:
            return parse(text)
        except (BadValue, StageNotFound, BadHistory) as err:
            problem = f"{what or 'bad value'} in {self._header(name)}: {err}"
            if problem not in self.problems:
                self.problems.append(problem)
            return None

    def text(self, name: str, model, column: str | None = None) -> str | None:
        return self.parsed(
            name, lambda t: clean_text(t, _limit(model, column or name), f"`{t[:30]}…`")
        )

    def when(self, name: str) -> datetime | None:
        day_first = self._day_first(self.ctx.columns.fields.get(name))
        return self.parsed(name, lambda t: parse_datetime(t, self.ctx.zone, day_first), "bad date")

    def _day_first(self, index: int | None) -> bool:
        return self.ctx.day_first.get(index, False) if index is not None else False

    def day(self, name: str) -> date | None:
        day_first = self._day_first(self.ctx.columns.fields.get(name))
        return self.parsed(name, lambda t: parse_date(t, self.ctx.zone, day_first), "bad date")

    def _header(self, name: str) -> str:
        return f'column "{self.ctx.columns.headers[self.ctx.columns.fields[name]]}"'

    def owner(self, model) -> str | None:
        text = self.raw("owner")
        if not text:
            return None
        owner = self.ctx.owner_map.get(squash(text), " ".join(text.split()))
        if len(owner) > _limit(model, "owner_id"):
            self.problems.append(
                f"owner `{owner}` is longer than {_limit(model, 'owner_id')} characters; map it "
                f'to a Slack user id with --owner-map "{owner}=U123ABC"'
            )
            return None
        return owner

    def dated_stages(self) -> list[tuple[datetime, str]]:
        dated = []
        for index, target in self.ctx.dated_columns:
            text = self.cells[index].strip() if index < len(self.cells) else ""
            if not text:
                continue
            try:
                day_first = self._day_first(index)
                dated.append((parse_datetime(text, self.ctx.zone, day_first), target))
            except BadValue as err:
                self.problems.append(f"bad date in the date entered `{target}` column: {err}")
        return dated


def parse_deal(cells: list[str], line: int, ctx: RowContext) -> Record:
    row = _Row(cells, ctx)
    columns = ctx.columns
    if columns.has("name"):
        name = row.text("name", Deal)
        if not row.raw("name"):
            row.problems.append("the deal has no name")
    else:
        name = _deal_name(row)
        if not name:
            row.problems.append("the deal has no name, company, product or record id")
    amount = row.parsed("amount", parse_money, "bad amount")
    currency = (row.raw("currency") or (amount[1] if amount else None) or ctx.currency).upper()
    if amount and currency != ctx.currency.upper():
        row.problems.append(
            f"the amount is in {currency}, the workspace's currency is {ctx.currency}"
        )
    stage = row.parsed("stage", ctx.stages.resolve, "unknown stage")
    status = _deal_status(row, stage)
    dated = row.dated_stages()
    created = row.when("created_at")
    close_date = row.day("close_date")
    changed_at = row.when("stage_changed_at")
    if stage in (WON, LOST):
        # The file's stage is the outcome: its last stage change is the close (Salesforce).
        closed, changed_at = _closing_time(row, status, dated, changed_at, close_date), None
    else:
        closed = _closing_time(row, status, dated, None, close_date)
    values: dict[str, object] = {
        "name": name,
        "company": row.text("company", Deal),
        "amount": amount[0] if amount else None,
        "owner_id": row.owner(Deal) or ctx.default_owner,
        "lost_reason": row.text("lost_reason", Deal) if status == LOST else None,
        "close_date": close_date,
        "source": row.text("source", Deal),
        "campaign": row.text("campaign", Deal),
    }
    external_id = row.text("external_id", Deal)
    number = row.parsed("number", parse_number, "bad number")
    history = row.parsed("stage_history", lambda t: parse_history(t, DEAL_HISTORY_FIELDS))
    if row.problems:
        raise RowProblems(row.problems)
    open_dated = [(at, key) for at, key in dated if key not in (WON, LOST)]
    open_stage = stage if stage not in (None, WON, LOST) else None
    if open_stage is None:
        open_stage = max(open_dated)[1] if open_dated else _default_stage(ctx, status)
    if history is not None:
        timeline_values = _explicit_deal(row, history, open_stage, status, created)
        events = history
    else:
        timeline = deal_timeline(
            created=created,
            first_stage=ctx.stages.keys[0],
            stage=open_stage,
            status=status,
            dated=open_dated,
            closed=closed,
            changed_at=changed_at,
            now=ctx.now,
        )
        events = timeline.events
        timeline_values = {
            "stage_key": timeline.stage_key,
            "status": status,
            "stage_entered_at": timeline.stage_entered_at,
            "closed_at": timeline.closed_at,
            "created_at": timeline.created_at,
        }
    if row.problems:
        raise RowProblems(row.problems)
    values |= timeline_values
    lead_ref = row.raw("lead") or None
    return Record(
        line, external_id, values, _deal_present(columns), events, lead_ref,
        history is not None, number,
    )  # fmt: skip


@functools.cache
def _deal_present(columns: ColumnMap) -> frozenset[str]:
    """The attributes an update of a deal from this file sets: those it has columns for."""
    present = {"name"}
    present |= {f for f in ("company", "amount", "lost_reason", "source", "campaign", "close_date")
                if columns.has(f)}  # fmt: skip
    if columns.has("owner"):
        present.add("owner_id")
    if columns.has("stage") or columns.has("status") or columns.has("is_won"):
        present |= {"stage_key", "status"}
    return frozenset(present)


@functools.cache
def _lead_present(columns: ColumnMap, dated: bool) -> frozenset[str]:
    present = {"name"}
    present |= {f for f in ("company", "email", "source", "campaign", "drop_reason")
                if columns.has(f)}  # fmt: skip
    if columns.has("owner"):
        present.add("owner_id")
    if columns.has("stage") or columns.has("status") or dated:
        present |= {"stage_key", "furthest_stage_key", "status"}
    return frozenset(present)


def _deal_name(row: _Row) -> str | None:
    """A name for a deal in a file without a name column: its company and product ("Acme —
    GTX Pro"), one of them, or its record id, so every deal can be found and told apart."""
    parts = [row.raw(f) for f in ("company", "product") if row.raw(f)]
    if parts:
        return clean_text(" — ".join(parts), _limit(Deal, "name"), "the name")
    record_id = row.raw("external_id")
    return f"Deal {record_id}"[: _limit(Deal, "name")] if record_id else None


def _default_stage(ctx: RowContext, status: str) -> str:
    # A closed deal whose file doesn't say where it closed from: the last stage, where deals
    # usually close; an open one without a stage: the first, as `/deal new` does.
    return ctx.stages.keys[-1] if status in (WON, LOST) else ctx.stages.keys[0]


def _deal_status(row: _Row, stage: str | None) -> str:
    status = row.parsed("status", _status_parser(DEAL_STATUSES), "unknown status")
    if status is None and row.ctx.columns.has("is_closed"):
        closed = row.parsed("is_closed", parse_bool)
        won = row.parsed("is_won", parse_bool)
        if closed is not None:
            status = (WON if won else LOST) if closed else "open"
    if status in (None, "open") and stage not in (WON, LOST):
        # A won (lost) date says the deal was won (lost), from the stage the file gives.
        dated = [outcome for outcome, name in ((WON, "won_at"), (LOST, "lost_at")) if row.raw(name)]
        if len(dated) == 2:
            row.problems.append("the deal has both a won date and a lost date")
        elif dated:
            return dated[0]
    if stage in (WON, LOST):
        if status not in (None, stage):
            row.problems.append(
                f"the status `{row.raw('status')}` contradicts the stage `{row.raw('stage')}`"
            )
        return stage
    return status or "open"


def _status_parser(mapping: dict[str, str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        status = mapping.get(squash(text))
        if status is None:
            choices = ", ".join(sorted(set(mapping.values())))
            raise BadValue(f"`{text}` is not a status ({choices})")
        return status

    return parse


def _closing_time(row: _Row, status: str, dated, last_change, close_date) -> datetime | None:
    if status not in (WON, LOST):
        return None
    explicit = row.when("won_at" if status == WON else "lost_at") or row.when("closed_at")
    if explicit:
        return explicit
    entered = [at for at, key in dated if key == status]
    if entered:
        return max(entered)
    if last_change:
        return last_change
    return start_of_day(close_date, row.ctx.zone) if close_date else None


def _explicit_deal(row: _Row, history: list[Event], stage: str, status: str, created) -> dict:
    """Our own export: the history is exact; it must agree with the row's columns."""
    for event in history:
        if event.field == "stage_key" and event.value not in row.ctx.stages.keys:
            row.problems.append(f"stage_history names the unknown stage `{event.value}`")
        if event.field == "status" and event.value not in ("open", WON, LOST):
            row.problems.append(f"stage_history names the unknown status `{event.value}`")
    state = replay(history)
    if "stage_key" not in state or "status" not in state:
        row.problems.append("stage_history lacks the stage or the status")
        return {}
    if (state["stage_key"][0], state["status"][0]) != (stage, status):
        row.problems.append("stage_history doesn't end in the row's stage and status")
    entered = max(e.at for e in history if e.field == "stage_key" or e.value == "open")
    entered = row.when("stage_changed_at") or entered
    return {
        "stage_key": stage,
        "status": status,
        "stage_entered_at": entered,
        "closed_at": (row.when("closed_at") or state["status"][1])
        if status in (WON, LOST)
        else None,
        "created_at": created or history[0].at,
    }


def parse_lead(cells: list[str], line: int, ctx: RowContext) -> Record:
    row = _Row(cells, ctx)
    columns = ctx.columns
    email = row.parsed("email", _email, "bad email")
    name = row.text("name", Lead)
    if name is None:
        parts = [row.text("first_name", Lead, "name"), row.text("last_name", Lead, "name")]
        name = " ".join(p for p in parts if p) or email
    namers = ("name", "first_name", "last_name", "email")
    if name is None and not any(columns.has(f) for f in namers):
        # A file with nothing that names a person (Olist's leads): its company or record id.
        record_id = row.raw("external_id")
        name = row.text("company", Lead) or (f"Lead {record_id}" if record_id else None)
    if name is None and not row.problems:
        row.problems.append("the lead has no name and no email")
    stage = row.parsed("stage", ctx.stages.resolve, "unknown stage")
    status = row.parsed("status", _status_parser(LEAD_STATUSES), "unknown status")
    dated = row.dated_stages()
    created = row.when("created_at")
    history = row.parsed("stage_history", lambda t: parse_history(t, LEAD_HISTORY_FIELDS))
    values: dict[str, object] = {
        "name": name,
        "company": row.text("company", Lead),
        "email": email,
        "source": row.text("source", Lead),
        "campaign": row.text("campaign", Lead),
        "owner_id": row.owner(Lead),
        "drop_reason": row.text("drop_reason", Lead),
    }
    external_id = row.parsed("external_id", lambda t: clean_text(t, 100, "the record id"))
    values["external_id"] = external_id
    number = row.parsed("number", parse_number, "bad number")
    if row.problems:
        raise RowProblems(row.problems)
    keys = ctx.stages.keys
    positions = {key: i for i, key in enumerate(keys)}
    if stage is None:
        stage = max(dated)[1] if dated else keys[0]
    if status is None:
        status = "converted" if stage == ACTION_STAGE else "open"
    # A vendor's converted lead was taken on by sales, as `/lead convert` moves it (an exact
    # history of our own says where it really is).
    converted = status == "converted" and CONVERTED_STAGE in positions and history is None
    if converted and positions[stage] < positions[CONVERTED_STAGE]:
        stage = CONVERTED_STAGE
    if history is not None:
        values |= _explicit_lead(row, history, stage, status, created)
        events = history
    else:
        timeline, furthest, action_at = lead_timeline(
            created=created,
            first_stage=keys[0],
            stage=stage,
            status=status,
            dated=dated,
            positions=positions,
            action_key=ACTION_STAGE,
            now=ctx.now,
        )
        events = timeline.events
        values |= {
            "stage_key": stage,
            "furthest_stage_key": furthest,
            "status": status,
            "action_at": action_at,
            "created_at": timeline.created_at,
        }
    if row.problems:
        raise RowProblems(row.problems)
    key = email or (f"id:{external_id}" if external_id else None)
    present = _lead_present(columns, bool(ctx.dated_columns))
    return Record(line, key, values, present, events, None, history is not None, number)


def parse_number(text: str) -> int:
    """`12`, `#12`, `L7`: the number our export gives a deal or lead."""
    digits = text.strip().lstrip("#").removeprefix("L").removeprefix("l")
    if not digits.isdigit() or len(digits) > 9:
        raise BadValue(f"`{text}` is not a deal or lead number")
    return int(digits)


def _email(text: str) -> str:
    email = text.strip().lower()
    if not is_email(email):
        raise BadValue(f"`{text}` is not an email address")
    return email


def _explicit_lead(row: _Row, history: list[Event], stage: str, status: str, created) -> dict:
    state = replay(history)
    keys = row.ctx.stages.keys
    for event in history:
        if "stage" in event.field and event.value not in keys:
            row.problems.append(f"stage_history names the unknown stage `{event.value}`")
    if "stage_key" not in state or "furthest_stage_key" not in state:
        row.problems.append("stage_history lacks the stage")
        return {}
    if (state["stage_key"][0], state.get("status", ("open",))[0]) != (stage, status):
        row.problems.append("stage_history doesn't end in the row's stage and status")
    furthest = row.parsed("furthest_stage", row.ctx.stages.resolve, "unknown stage")
    action = [e.at for e in history if e.field == "stage_key" and e.value == ACTION_STAGE]
    return {
        "stage_key": stage,
        "furthest_stage_key": furthest or state["furthest_stage_key"][0],
        "status": status,
        "action_at": row.when("action_at") or (min(action) if action else None),
        "created_at": created or history[0].at,
    }


__all__ = ["DEALS", "Record", "RowContext", "RowProblems", "parse_deal", "parse_lead"]
