"""Deal use cases: create, move, win, lose, reopen, assign, edit, annotate.

Each public function is one transaction. The deal row is locked before it is read for a
change, so two people changing one deal at once are applied one after the other and
neither update is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from assistant.analytics.stages import pipeline_stages, read_stage_defs
from assistant.domain.errors import ChangedMeanwhile, InvalidInput, InvalidTransition
from assistant.domain.facts import Facts
from assistant.domain.limits import MAX_LABEL, MAX_NAME, MAX_NOTE, MAX_REASON
from assistant.domain.roles import require_deal_change, require_deal_creator
from assistant.domain.stage_match import match_stage
from assistant.domain.stages import LOST, WON, DealStatus, StageKind, StageSet
from assistant.records import deals as records
from assistant.services.context import Actor, Services
from assistant.services.deal_views import days_between, one_deal_view
from assistant.services.lookup import find_deal
from assistant.services.roles import role_in
from assistant.services.views import DealView, MoveResult
from assistant.services.workspaces import ensure_workspace, read_stages
from assistant.storage.models import Deal, Workspace


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
        workspace = ensure_workspace(
            session, actor.team_id, now, services.default_timezone, actor.user_id
        )
        require_deal_creator(role_in(session, services, workspace, actor))
        deal = insert_deal(session, workspace, actor.user_id, new, now)
        return _Change(session, workspace, deal, actor, now).view()


def insert_deal(session: Session, workspace: Workspace, actor_id: str, new: NewDeal, now) -> Deal:
    """The creation shared by `/deal new`, the form and lead conversion."""
    stages = read_stages(session, workspace.id, StageKind.PIPELINE)
    stage_key = match_stage(new.stage, stages) if new.stage else stages[0].key
    values = {
        "name": clean_name(new.name),
        "company": clean_optional(new.company, MAX_NAME, "company"),
        "amount": new.amount,
        "owner_id": new.owner_id or actor_id,
        "stage_key": stage_key,
        "close_date": new.close_date,
        "source": clean_optional(new.source, MAX_LABEL, "source"),
        "campaign": clean_optional(new.campaign, MAX_LABEL, "campaign"),
        "lead_id": new.lead_id,
    }
    return records.insert_deal(
        session, workspace_id=workspace.id, values=values, actor_id=actor_id, at=now
    )


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
    stages: StageSet | None = None  # the pipeline, if the change read it already

    def view(self) -> DealView:
        """The deal as changed. The workspace row and (for a move) the stages are in hand:
        reading them again would only lengthen the write transaction."""
        stages = self.stages or pipeline_stages(self.session, self.workspace.id)
        terms = self.workspace
        facts = Facts(terms.currency or "USD", terms.timezone or "UTC", stages)
        return one_deal_view(self.session, self.deal, self.now, facts)


@contextmanager
def _changing_deal(
    services: Services,
    actor: Actor,
    ref: str,
    action: str,
    version: int | None = None,
    check: Callable[[Session, Workspace, Deal], None] = lambda *_: None,
) -> Iterator[_Change]:
    """Open a transaction, find and lock the deal, check the caller may change it.

    `check` looks at what was typed first (a stage that exists, say): "unknown stage" is
    what a rep who typed one should hear, not that the deal is someone else's."""
    with services.db.transaction() as session:
        workspace = ensure_workspace(
            session, actor.team_id, services.now(), services.default_timezone, actor.user_id
        )
        deal = find_deal(session, workspace.id, ref, lock=True)
        # The time is read under the lock: of two changes to one deal, the one applied second
        # is then also the later one, so its history rows follow in time as they do in order.
        now = services.now()
        # A button carries the version of the card it was on: pressing it on a stale card
        # must not act on a deal that has moved since.
        if version is not None and deal.version != version:
            raise ChangedMeanwhile(f"Deal #{deal.number}")
        check(session, workspace, deal)
        role = role_in(session, services, workspace, actor)
        require_deal_change(role, actor.user_id, deal.owner_id, action)
        yield _Change(session, workspace, deal, actor, now)


def move_deal(
    services: Services, actor: Actor, ref: str, stage_text: str, version: int | None = None
) -> MoveResult:
    """Move to a stage, `next` or `back`; `won`/`lost` typed here close the deal."""

    found: dict[str, object] = {}

    def target_of(session: Session, workspace: Workspace, deal: Deal) -> None:
        every = read_stage_defs(session, workspace.id, StageKind.PIPELINE)
        stages = [s for s in every if s.active]  # as `read_stages` gives them
        current = deal.stage_key if deal.status == DealStatus.OPEN else deal.status
        found["target"] = match_stage(stage_text, stages, current_key=current, allow_outcomes=True)
        found["stages"] = StageSet.of(every)

    with _changing_deal(services, actor, ref, "move this deal", version, target_of) as change:
        change.stages = found["stages"]
        deal = change.deal
        _require_open(deal)
        target = found["target"]
        if target in (WON, LOST):
            return _close(change, target)
        if target == deal.stage_key:
            raise InvalidTransition(f"Deal #{deal.number} is already in `{target}`.")
        source, days = deal.stage_key, days_between(deal.stage_entered_at, change.now)
        records.move(change.session, deal, target, actor.user_id, change.now)
        return MoveResult(change.view(), source, target, days)


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
    source, days = deal.stage_key, days_between(deal.stage_entered_at, change.now)
    reason = clean_optional(reason, MAX_REASON, "reason") if outcome == LOST else None
    records.close(
        change.session, deal, outcome, change.actor.user_id, change.now,
        amount=amount, reason=reason,
    )  # fmt: skip
    return MoveResult(change.view(), source, outcome, days)


def reopen_deal(
    services: Services, actor: Actor, ref: str, stage_text: str | None = None
) -> MoveResult:
    with _changing_deal(services, actor, ref, "reopen this deal") as change:
        deal = change.deal
        if deal.status == DealStatus.OPEN:
            raise InvalidTransition(f"Deal #{deal.number} is already open.")
        stages = read_stages(change.session, change.workspace.id, StageKind.PIPELINE)
        active = {s.key for s in stages}
        if stage_text:
            target = match_stage(stage_text, stages)
        else:
            target = deal.stage_key if deal.stage_key in active else stages[0].key
        status, days = deal.status, days_between(deal.closed_at or change.now, change.now)
        records.reopen(change.session, deal, target, actor.user_id, change.now)
        return MoveResult(change.view(), status, target, days)


def assign_deal(services: Services, actor: Actor, ref: str, owner_id: str) -> DealView:
    with _changing_deal(services, actor, ref, "reassign this deal") as change:
        if change.deal.owner_id == owner_id:
            raise InvalidInput(f"That person already owns deal #{change.deal.number}.")
        records.change(
            change.session, change.deal, "assign", actor.user_id, change.now, owner_id=owner_id
        )
        return change.view()


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
    for field, value in edits.items():
        if field == "name":
            edits[field] = clean_name(value)
        elif isinstance(value, str):
            limit = MAX_LABEL if field in ("source", "campaign") else MAX_NAME
            edits[field] = clean_optional(value, limit, field)
    with _changing_deal(services, actor, ref, "edit this deal") as change:
        records.change(change.session, change.deal, "edit", actor.user_id, change.now, **edits)
        return change.view()


def add_note(services: Services, actor: Actor, ref: str, text: str) -> DealView:
    text = _clean_text(text)
    with _changing_deal(services, actor, ref, "add notes to this deal") as change:
        records.add_note(change.session, change.deal, text, actor.user_id, change.now)
        return change.view()


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("The note is empty: `/deal note #12 Called, they want a demo`.")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"A note can be at most {MAX_NOTE} characters ({len(text)} given).")
    return text


def _require_open(deal: Deal) -> None:
    if deal.status != DealStatus.OPEN:
        raise InvalidTransition(
            f"Deal #{deal.number} is {deal.status}; reopen it first: `/deal reopen #{deal.number}`."
        )
