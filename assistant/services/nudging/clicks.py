"""What a click in a nudge does: the deal changes through the one write path (the deal
services, credited to whoever clicked), and the item records it, once.

An item is claimed by a compare-and-set on its state before the deal is touched, so a double
click (or two devices) changes the deal once; the second click is told what the first did.
A click on a deal that moved or closed since the nudge changes nothing and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assistant.analytics.stages import pipeline_stages
from assistant.domain import nudging
from assistant.domain.errors import InvalidInput
from assistant.domain.stages import DealStatus
from assistant.services import deals
from assistant.services.context import Actor, Services
from assistant.services.nudging.prefs import zone_of
from assistant.services.views import DealView, MoveResult
from assistant.storage.models import Deal, NudgeItem, NudgeSend, NudgeSnooze, Workspace

NEXT, WON, LOST, SNOOZE, NOTE = "next", "won", "lost", "snooze", "note"
STALE = "This button isn't from a nudge I know; nothing was changed."
ELSEWHERE = "This button comes from another workspace; nothing was changed."
NOT_YOURS = "This nudge was sent to someone else; only they can act on it."
# An item in these states may still be acted on (a click on yesterday's ignored line counts).
OPEN_STATES = (nudging.SENT, nudging.IGNORED, nudging.ESCALATED)


@dataclass(frozen=True)
class Clicked:
    send_id: int
    outcome: str
    deal: DealView | None = None
    move: MoveResult | None = None


@dataclass(frozen=True)
class _Target:
    item_id: int
    send_id: int
    state: str
    outcome: str | None
    stage_key: str
    workspace_id: int
    number: int
    status: str
    deal_stage: str
    timezone: str


def item_id_of(value: str | None) -> int:
    head = (value or "").split(":", 1)[0]
    if not head.isdigit():
        raise InvalidInput(STALE)
    return int(head)


def check(services: Services, actor: Actor, item_id: int) -> _Target:
    """The item a button names, if it is the actor's, in the actor's workspace."""
    with services.db.reading() as session:
        row = session.execute(
            select(NudgeItem.id, NudgeItem.send_id, NudgeItem.state, NudgeItem.outcome,
                   NudgeItem.stage_key, NudgeItem.workspace_id, NudgeSend.slack_user_id,
                   Workspace.team_id, Workspace.timezone, Deal.number, Deal.status,
                   Deal.stage_key.label("deal_stage"))
            .join(NudgeSend, NudgeSend.id == NudgeItem.send_id)
            .join(Workspace, Workspace.id == NudgeItem.workspace_id)
            .join(Deal, Deal.id == NudgeItem.deal_id)
            .where(NudgeItem.id == item_id)
        ).first()  # fmt: skip
    if row is None:
        raise InvalidInput(STALE)
    if row.team_id != actor.team_id:
        raise InvalidInput(ELSEWHERE)  # says nothing of the deal behind it
    if row.slack_user_id != actor.user_id:
        raise InvalidInput(NOT_YOURS)
    return _Target(row.id, row.send_id, row.state, row.outcome, row.stage_key, row.workspace_id,
                   row.number, row.status, row.deal_stage, row.timezone)  # fmt: skip


def press(services: Services, actor: Actor, action: str, value: str | None) -> Clicked:
    """Next stage, won, lost, or a snooze (`value` "item:3d", "item:1w", "item:YYYY-MM-DD")."""
    target = check(services, actor, item_id_of(value))
    _require_open_item(target)
    _require_unmoved(services, target, action)
    if action == SNOOZE:
        choice = (value or "").split(":", 1)[1] if ":" in (value or "") else ""
        return _snooze(services, actor, target, choice)
    previous = _claim(services, target, actor)
    ref = f"#{target.number}"
    try:
        if action == NEXT:
            move = deals.move_deal(services, actor, ref, "next")
        elif action == WON:
            move = deals.win_deal(services, actor, ref)
        elif action == LOST:
            move = deals.lose_deal(services, actor, ref)
        else:
            raise InvalidInput(STALE)
    except Exception:
        _release(services, target.item_id, previous)  # nothing changed: the line stays
        raise
    outcome = _moved(services, target.workspace_id, move)
    _settle(services, target.item_id, outcome)
    return Clicked(target.send_id, outcome, move.deal, move)


def add_note(services: Services, actor: Actor, item_id: int, text: str) -> Clicked:
    """A note from the nudge's modal; the item counts as acted on (once)."""
    target = check(services, actor, item_id)
    if target.status != DealStatus.OPEN.value:
        raise InvalidInput(f"Deal #{target.number} is {target.status} now; the note was not added.")
    view = deals.add_note(services, actor, f"#{target.number}", text)
    with services.db.transaction() as session:
        session.execute(
            update(NudgeItem)
            .where(NudgeItem.id == item_id, NudgeItem.state.in_(OPEN_STATES))
            .values(state=nudging.ACTED, acted_at=services.now(), acted_by=actor.user_id,
                    outcome="note added")
        )  # fmt: skip
    return Clicked(target.send_id, "note added", view)


def _require_open_item(target: _Target) -> None:
    if target.state == nudging.ACTED:
        done = f" ({target.outcome})" if target.outcome else ""
        raise InvalidInput(f"Already done{done}; nothing was changed this time.")
    if target.state == nudging.SNOOZED:
        raise InvalidInput(f"Deal #{target.number} is already snoozed ({target.outcome}).")


def _require_unmoved(services: Services, target: _Target, action: str) -> None:
    if target.status != DealStatus.OPEN.value:
        what = "snooze" if action == SNOOZE else "change"
        raise InvalidInput(
            f"Deal #{target.number} was marked {target.status} since this nudge; "
            f"nothing to {what}, nothing was changed."
        )
    if target.deal_stage != target.stage_key:
        with services.db.reading() as session:
            label = pipeline_stages(session, target.workspace_id).label(target.deal_stage)
        raise InvalidInput(
            f"Deal #{target.number} has moved on to {label} since this nudge; nothing was changed."
        )


def _claim(services: Services, target: _Target, actor: Actor) -> str:
    with services.db.transaction() as session:
        claimed = session.execute(
            update(NudgeItem)
            .where(NudgeItem.id == target.item_id, NudgeItem.state == target.state)
            .values(state=nudging.ACTED, acted_at=services.now(), acted_by=actor.user_id)
        ).rowcount
    if claimed != 1:  # a second click racing the first
        raise InvalidInput("Already done by your other click; nothing was changed this time.")
    return target.state


def _release(services: Services, item_id: int, previous: str) -> None:
    with services.db.transaction() as session:
        session.execute(
            update(NudgeItem)
            .where(NudgeItem.id == item_id)
            .values(state=previous, acted_at=None, acted_by=None)
        )


def _settle(services: Services, item_id: int, outcome: str) -> None:
    with services.db.transaction() as session:
        session.execute(update(NudgeItem).where(NudgeItem.id == item_id).values(outcome=outcome))


def _moved(services: Services, workspace_id: int, move: MoveResult) -> str:
    if move.to_stage in (DealStatus.WON.value, DealStatus.LOST.value):
        return f"marked {move.to_stage}"
    with services.db.reading() as session:
        return f"moved to {pipeline_stages(session, workspace_id).label(move.to_stage)}"


def _snooze(services: Services, actor: Actor, target: _Target, choice: str) -> Clicked:
    now = services.now()
    with services.db.transaction() as session:
        zone = _zone(session, target, actor.user_id)
        until = nudging.snooze_until(now, zone, choice)
        outcome = f"snoozed until {until.astimezone(zone):%a %d %b}"
        claimed = session.execute(
            update(NudgeItem)
            .where(NudgeItem.id == target.item_id, NudgeItem.state == target.state)
            .values(state=nudging.SNOOZED, acted_at=now, acted_by=actor.user_id, outcome=outcome)
        ).rowcount
        if claimed != 1:
            raise InvalidInput("Already done by your other click; nothing was changed this time.")
        deal_id = session.scalar(select(NudgeItem.deal_id).where(NudgeItem.id == target.item_id))
        snooze = session.scalar(
            select(NudgeSnooze).where(
                NudgeSnooze.workspace_id == target.workspace_id, NudgeSnooze.deal_id == deal_id
            )
        )
        if snooze is None:
            snooze = NudgeSnooze(workspace_id=target.workspace_id, deal_id=deal_id)
            session.add(snooze)
        snooze.until, snooze.snoozed_by, snooze.created_at = until, actor.user_id, now
    return Clicked(target.send_id, outcome)


def _zone(session: Session, target: _Target, user_id: str) -> ZoneInfo:
    return zone_of(session, target.workspace_id, target.timezone, user_id)


def message_of(services: Services, send_id: int) -> tuple[str | None, str | None]:
    """Where the nudge was posted: (channel, ts), to update it in place."""
    with services.db.reading() as session:
        send = session.get(NudgeSend, send_id)
        return (send.channel_id, send.message_ts) if send else (None, None)
