"""Rebuild a record's stage history from the dates an export carries.

A vendor export says when a record was created, when it entered some stages ("Date entered"
columns, "Became a ... Date") and when it closed. From those we write the same `Change` rows
the bot writes itself (create, move, won/lost), so `queries.stage_stays` replays an imported
deal into the right stays and the figures of PRODUCT.md §4 count it correctly.

Rules where a file is incomplete or inconsistent (documented for users in the report):
- a record is created in the earliest stage it is known to have entered; if it entered that
  stage only after its creation, it spent the time before in the first stage (where
  `/deal new` puts a deal);
- a stage the file dates after the record's current stage is dropped (it can't be true);
- the current stage is entered at its own date, else at the "last stage change" date, else
  at the latest date known before it, else at creation;
- times before creation are moved to creation and times in the future to now.
Our own export carries the exact history instead (`stage_history`), replayed as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assistant.domain.stages import LOST, WON
from assistant.records.history import Event


@dataclass(frozen=True, slots=True)
class Timeline:
    events: list[Event]
    stage_key: str
    stage_entered_at: datetime
    closed_at: datetime | None
    created_at: datetime


def _ordered_stays(dated: list[tuple[datetime, str]], current: str, changed_at):
    """Stays as (entered, key): sorted, merged, ending with the current stage."""
    stays: list[tuple[datetime, str]] = []
    for at, key in sorted(dated):
        if not stays or stays[-1][1] != key:
            stays.append((at, key))
    last = max((i for i, (_, key) in enumerate(stays) if key == current), default=None)
    if last is not None:
        return stays[: last + 1]
    entered = changed_at or (stays[-1][0] if stays else None)
    if entered is None:
        return [(None, current)]
    stays = [(at, key) for at, key in stays if at <= entered]
    if stays and stays[-1][1] == current:
        return stays
    return [*stays, (entered, current)]


def _from_creation(stays, created: datetime, first_stage: str):
    entered, key = stays[0]
    if entered is not None and entered > created and key != first_stage:
        return [(created, first_stage), *stays]
    return stays


def deal_timeline(
    *,
    created: datetime | None,
    first_stage: str,
    stage: str,
    status: str,
    dated: list[tuple[datetime, str]],
    closed: datetime | None,
    changed_at: datetime | None,
    now: datetime,
) -> Timeline:
    """`dated`: (when, stage key) pairs of open stages; `closed`: when it was won or lost."""
    stays = _ordered_stays(dated, stage, changed_at)
    known = [at for at, _ in stays if at is not None]
    created = min(created or (known[0] if known else closed or now), now)
    stays = _from_creation(stays, created, first_stage)

    def clamp(at: datetime | None, floor: datetime) -> datetime:
        return min(max(at or floor, floor), now)

    events = [Event("stage_key", stays[0][1], created), Event("status", "open", created)]
    entered = created
    for at, key in stays[1:]:
        entered = clamp(at, entered)
        events.append(Event("stage_key", key, entered))
    closed_at = None
    if status in (WON, LOST):
        closed_at = clamp(closed, entered)
        events.append(Event("status", status, closed_at))
    return Timeline(events, stage, entered, closed_at, created)


def lead_timeline(
    *,
    created: datetime | None,
    first_stage: str,
    stage: str,
    status: str,
    dated: list[tuple[datetime, str]],
    positions: dict[str, int],
    action_key: str,
    now: datetime,
) -> tuple[Timeline, str, datetime | None]:
    """Also returns the furthest stage reached and when the lead reached `action_key`."""
    stays = _ordered_stays(dated, stage, None)
    known = [at for at, _ in stays if at is not None]
    created = min(created or (known[0] if known else now), now)
    stays = _from_creation(stays, created, first_stage)
    furthest = stays[0][1]
    events = [
        Event("stage_key", furthest, created),
        Event("furthest_stage_key", furthest, created),
        Event("status", "open", created),
    ]
    entered = created
    action_at = created if furthest == action_key else None
    for at, key in stays[1:]:
        entered = min(max(at or entered, entered), now)
        events.append(Event("stage_key", key, entered))
        if positions.get(key, -1) > positions.get(furthest, -1):
            furthest = key
            events.append(Event("furthest_stage_key", key, entered))
        if key == action_key and action_at is None:
            action_at = entered
    # A date proves the lead got there even if it later went back (dropped leads keep it).
    for at, key in dated:
        if positions.get(key, -1) > positions.get(furthest, -1):
            furthest = key
            events.append(Event("furthest_stage_key", key, entered))
            if key == action_key:
                action_at = min(max(at, created), now)
    if status != "open":
        events.append(Event("status", status, entered))
    return Timeline(events, stage, entered, None, created), furthest, action_at


def format_history(events: list[Event]) -> str:
    return "; ".join(f"{e.field}:{e.value}@{e.at.isoformat()}" for e in events)


class BadHistory(Exception):
    pass


def parse_history(text: str, fields: tuple[str, ...]) -> list[Event]:
    events = []
    add, parse_time = events.append, datetime.fromisoformat  # ~10 entries a row, 1M a file
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        head, at_sign, when = part.rpartition("@")
        name, colon, value = head.partition(":")
        if not (at_sign and colon and value) or name not in fields:
            raise BadHistory(f"stage_history entry `{part}` is not `<field>:<value>@<time>`")
        try:
            at = parse_time(when)
        except ValueError:
            raise BadHistory(f"stage_history entry `{part}` has a bad time") from None
        if at.tzinfo is None:
            raise BadHistory(f"stage_history entry `{part}` has no UTC offset")
        add(Event(name, value, at))
    if not events:
        raise BadHistory("stage_history is empty")
    return events


def replay(events: list[Event]) -> dict[str, tuple[str, datetime]]:
    """The last value of each field and when it was set."""
    state: dict[str, tuple[str, datetime]] = {}
    for event in events:
        state[event.field] = (event.value, event.at)
    return state
