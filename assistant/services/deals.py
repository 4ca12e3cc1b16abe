"""Deal use cases: create, move, win, lose, reopen, assign, edit, annotate.

Each public function is one transaction. The deal row is locked before it is read for a
change, so two people changing one deal at once are applied one after the other and
neither update is lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm import Session

from assistant.domain.errors import ChangedMeanwhile, InvalidInput, InvalidTransition
from assistant.domain.roles import require_deal_change, require_deal_creator
from assistant.domain.stage_match import match_stage
from assistant.domain.stages import LOST, WON, DealStatus, StageKind
from assistant.services.context import Actor, Services
from assistant.services.deal_views import days_between, one_deal_view
from assistant.services.history import record, record_event
from assistant.services.lookup import find_deal
from assistant.services.roles import role_in
from assistant.services.views import DealView, MoveResult
from assistant.services.workspaces import ensure_workspace, read_stages, stage_defs
from assistant.storage.models import Deal, Note, Workspace

MAX_NAME = 200  # names and companies: the width of their columns
MAX_LABEL = 100  # sources and campaigns
MAX_REASON = 500  # lost reasons
MAX_TEXT = 3000  # notes
TRACKED_FIELDS = (
    "name", "company", "amount", "owner_id", "stage_key", "status",
    "lost_reason", "close_date", "source", "campaign",
)  # fmt: skip


@dataclass(frozen=True)
class NewDeal:
    name: str
    amount: Decimal | None = None
    owner_id: str | None = None
    stage: str | None = None
    company: str | None = None
    close_date: date | None = None
    source: str | None = None
    campaign: str | None = None
    lead_id: int | None = None


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("A name is needed, e.g. `Acme renewal`.")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"A name can be at most {MAX_NAME} characters ({len(name)} given).")
    return name


def create_deal(services: Services, actor: Actor, new: NewDeal) -> DealView:
    now = services.now()
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, actor.team_id, now, services.default_timezone)
        require_deal_creator(role_in(session, services, workspace, actor))
        deal = insert_deal(session, workspace, actor.user_id, new, now)
        return one_deal_view(session, deal, now)


def insert_deal(session: Session, workspace: Workspace, actor_id: str, new: NewDeal, now) -> Deal:
    """The creation shared by `/deal new`, lead conversion and imports."""
    stages = stage_defs(read_stages(session, workspace.id, StageKind.PIPELINE))
    stage_key = match_stage(new.stage, stages) if new.stage else stages[0].key
    name = clean_name(new.name)
    deal = Deal(
        workspace_id=workspace.id,
        number=_next_number(session, workspace.id),
        name=name,
        name_folded=name.casefold(),
        company=clean_optional(new.company, MAX_NAME, "company"),
        amount=new.amount,
        owner_id=new.owner_id or actor_id,
        stage_key=stage_key,
        stage_entered_at=now,
        status=DealStatus.OPEN.value,
        close_date=new.close_date,
        source=clean_optional(new.source, MAX_LABEL, "source"),
        campaign=clean_optional(new.campaign, MAX_LABEL, "campaign"),
        lead_id=new.lead_id,
        created_by=actor_id,
        created_at=now,
        updated_at=now,
    )
    session.add(deal)
    session.flush()
    record(
        session,
        workspace_id=workspace.id,
        entity="deal",
        entity_id=deal.id,
        action="create",
        actor_id=actor_id,
        at=now,
        changes={f: (None, getattr(deal, f)) for f in TRACKED_FIELDS},
    )
    return deal


def _next_number(session: Session, workspace_id: int) -> int:
    return session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(deal_seq=Workspace.deal_seq + 1)
        .returning(Workspace.deal_seq)
    ).scalar_one()


def clean_optional(text: str | None, limit: int = MAX_NAME, what: str = "text") -> str | None:
    """Collapse spaces; refuse text longer than its column holds, saying which field."""
    if text is None:
        return None
    text = " ".join(text.split())
    if len(text) > limit:
        raise InvalidInput(f"The {what} can be at most {limit} characters ({len(text)} given).")
    return text or None


@dataclass
class _Change:
    """A deal locked for change inside an open transaction."""

    session: Session
    workspace: Workspace
    deal: Deal
    actor: Actor
    now: datetime

    def snapshot(self) -> dict[str, object]:
        return {f: getattr(self.deal, f) for f in TRACKED_FIELDS}

    def save(self, history_action: str, before: dict[str, object]) -> DealView:
        self.deal.updated_at = self.now
        self.session.flush()
        record(
            self.session,
            workspace_id=self.workspace.id,
            entity="deal",
            entity_id=self.deal.id,
            action=history_action,
            actor_id=self.actor.user_id,
            at=self.now,
            changes={f: (before[f], getattr(self.deal, f)) for f in TRACKED_FIELDS},
        )
        return one_deal_view(self.session, self.deal, self.now)


@contextmanager
def _changing_deal(
    services: Services, actor: Actor, ref: str, action: str, version: int | None = None
) -> Iterator[_Change]:
    """Open a transaction, find and lock the deal, check the caller may change it."""
    now = services.now()
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, actor.team_id, now, services.default_timezone)
        deal = find_deal(session, workspace.id, ref, lock=True)
        # A button carries the version of the card it was on: pressing it on a stale card
        # must not act on a deal that has moved since.
        if version is not None and deal.version != version:
            raise ChangedMeanwhile(f"Deal #{deal.number}")
        role = role_in(session, services, workspace, actor)
        require_deal_change(role, actor.user_id, deal.owner_id, action)
        yield _Change(session, workspace, deal, actor, now)


def move_deal(
    services: Services, actor: Actor, ref: str, stage_text: str, version: int | None = None
) -> MoveResult:
    """Move to a stage, `next` or `back`; `won`/`lost` typed here close the deal."""
    with _changing_deal(services, actor, ref, "move this deal", version) as change:
        deal = change.deal
        _require_open(deal)
        stages = stage_defs(read_stages(change.session, change.workspace.id, StageKind.PIPELINE))
        target = match_stage(stage_text, stages, current_key=deal.stage_key, allow_outcomes=True)
        if target in (WON, LOST):
            return _close(change, target)
        if target == deal.stage_key:
            raise InvalidTransition(f"Deal #{deal.number} is already in `{target}`.")
        before = change.snapshot()
        days = days_between(deal.stage_entered_at, change.now)
        deal.stage_key = target
        deal.stage_entered_at = change.now
        return MoveResult(change.save("move", before), before["stage_key"], target, days)


def win_deal(
    services: Services, actor: Actor, ref: str, amount: Decimal | None = None, version=None
) -> MoveResult:
    with _changing_deal(services, actor, ref, "close this deal", version) as change:
        _require_open(change.deal)
        return _close(change, WON, amount=amount)


def lose_deal(
    services: Services, actor: Actor, ref: str, reason: str | None = None, version=None
) -> MoveResult:
    with _changing_deal(services, actor, ref, "close this deal", version) as change:
        _require_open(change.deal)
        return _close(change, LOST, reason=reason)


def _close(
    change: _Change, outcome: str, *, amount: Decimal | None = None, reason: str | None = None
) -> MoveResult:
    """Won or lost, by `/deal won|lost`, a button, or `/deal move #12 won`: one path."""
    deal = change.deal
    before = change.snapshot()
    days = days_between(deal.stage_entered_at, change.now)
    if amount is not None:
        deal.amount = amount
    if outcome == LOST:
        deal.lost_reason = clean_optional(reason, MAX_REASON, "reason")
    deal.status = outcome
    deal.closed_at = change.now
    view = change.save(outcome, before)
    if outcome == WON:
        # Imported here: leads builds on deals (conversion creates a deal), not the reverse.
        from assistant.services.leads import mark_lead_won

        mark_lead_won(change.session, deal, change.actor.user_id, change.now)
    return MoveResult(view, before["stage_key"], outcome, days)


def reopen_deal(
    services: Services, actor: Actor, ref: str, stage_text: str | None = None
) -> MoveResult:
    with _changing_deal(services, actor, ref, "reopen this deal") as change:
        deal = change.deal
        if deal.status == DealStatus.OPEN:
            raise InvalidTransition(f"Deal #{deal.number} is already open.")
        stages = stage_defs(read_stages(change.session, change.workspace.id, StageKind.PIPELINE))
        active = {s.key for s in stages}
        if stage_text:
            target = match_stage(stage_text, stages)
        else:
            target = deal.stage_key if deal.stage_key in active else stages[0].key
        before = change.snapshot()
        days = days_between(deal.closed_at or change.now, change.now)
        deal.status = DealStatus.OPEN.value
        deal.closed_at = None
        deal.lost_reason = None
        deal.stage_key = target
        deal.stage_entered_at = change.now
        return MoveResult(change.save("reopen", before), before["status"], target, days)


def assign_deal(services: Services, actor: Actor, ref: str, owner_id: str) -> DealView:
    with _changing_deal(services, actor, ref, "reassign this deal") as change:
        if change.deal.owner_id == owner_id:
            raise InvalidInput(f"That person already owns deal #{change.deal.number}.")
        before = change.snapshot()
        change.deal.owner_id = owner_id
        return change.save("assign", before)


def edit_deal(
    services: Services,
    actor: Actor,
    ref: str,
    *,
    name=UNSET,
    amount=UNSET,
    company=UNSET,
    close_date=UNSET,
    source=UNSET,
    campaign=UNSET,
) -> DealView:
    edits = {
        "name": name, "amount": amount, "company": company,
        "close_date": close_date, "source": source, "campaign": campaign,
    }  # fmt: skip
    edits = {k: v for k, v in edits.items() if v is not UNSET}
    if not edits:
        raise InvalidInput("Nothing to change: give an amount, `close:`, `name:` or `company:`.")
    with _changing_deal(services, actor, ref, "edit this deal") as change:
        before = change.snapshot()
        for field, value in edits.items():
            if field == "name":
                value = clean_name(value)
                change.deal.name_folded = value.casefold()
            elif isinstance(value, str):
                limit = MAX_LABEL if field in ("source", "campaign") else MAX_NAME
                value = clean_optional(value, limit, field)
            setattr(change.deal, field, value)
        return change.save("edit", before)


def add_note(services: Services, actor: Actor, ref: str, text: str) -> DealView:
    text = _clean_text(text)
    with _changing_deal(services, actor, ref, "add notes to this deal") as change:
        change.session.add(
            Note(
                workspace_id=change.workspace.id,
                deal_id=change.deal.id,
                author_id=actor.user_id,
                text=text,
                created_at=change.now,
            )
        )
        record_event(
            change.session,
            workspace_id=change.workspace.id,
            entity="deal",
            entity_id=change.deal.id,
            action="note",
            actor_id=actor.user_id,
            at=change.now,
            detail=text[:200],
        )
        change.deal.updated_at = change.now
        change.session.flush()
        return one_deal_view(change.session, change.deal, change.now)


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("The note is empty: `/deal note #12 Called, they want a demo`.")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"A note can be at most {MAX_TEXT} characters ({len(text)} given).")
    return text


def _require_open(deal: Deal) -> None:
    if deal.status != DealStatus.OPEN:
        raise InvalidTransition(
            f"Deal #{deal.number} is {deal.status}; reopen it first: `/deal reopen #{deal.number}`."
        )
