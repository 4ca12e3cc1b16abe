"""Lead use cases: create, move along the funnel, convert into a deal, drop.

A lead's `furthest_stage_key` only ever moves forward: the funnel counts how far each lead
got, so moving a lead back or dropping it never un-reaches a stage.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.analytics.stages import workspace_facts
from assistant.domain.errors import InvalidInput, InvalidTransition
from assistant.domain.limits import MAX_EMAIL, MAX_LABEL, MAX_NAME, MAX_REASON
from assistant.domain.roles import require_deal_creator, require_lead_change
from assistant.domain.stage_match import match_stage
from assistant.domain.stages import LeadStatus, StageKind
from assistant.records import leads as records
from assistant.services.context import Actor, Services
from assistant.services.deal_views import one_deal_view
from assistant.services.deals import NewDeal, clean_name, clean_optional, insert_deal
from assistant.services.lookup import find_lead
from assistant.services.roles import role_in
from assistant.services.views import ConversionResult, LeadMoveResult, LeadView
from assistant.services.workspaces import ensure_workspace, read_stages
from assistant.storage.models import Deal, Lead, Stage, Workspace


@dataclass(frozen=True)
class NewLead:
    name: str
    company: str | None = None
    email: str | None = None
    source: str | None = None
    campaign: str | None = None
    stage: str | None = None
    owner_id: str | None = None


def create_lead(services: Services, actor: Actor, new: NewLead) -> LeadView:
    now = services.now()
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, actor.team_id, now, services.default_timezone)
        role_in(session, services, workspace, actor)  # every role may create leads
        lead = insert_lead(session, workspace, actor.user_id, new, now)
        return lead_view(session, lead)


def insert_lead(session: Session, workspace: Workspace, actor_id: str, new: NewLead, now) -> Lead:
    stages = read_stages(session, workspace.id, StageKind.FUNNEL)
    stage_key = match_stage(new.stage, stages) if new.stage else stages[0].key
    email = _clean_email(new.email)
    if email:
        existing = session.scalar(
            select(Lead.number).where(Lead.workspace_id == workspace.id, Lead.email == email)
        )
        if existing is not None:
            raise InvalidInput(f"A lead with email {email} already exists: L{existing}.")
    values = {
        "name": clean_name(new.name),
        "company": clean_optional(new.company, MAX_NAME, "company"),
        "email": email,
        "source": clean_optional(new.source, MAX_LABEL, "source"),
        "campaign": clean_optional(new.campaign, MAX_LABEL, "campaign"),
        "stage_key": stage_key,
        "owner_id": new.owner_id or actor_id,
    }
    return records.insert_lead(
        session, workspace_id=workspace.id, values=values, actor_id=actor_id, at=now
    )


def _clean_email(email: str | None) -> str | None:
    if not email:
        return None
    email = email.strip().lower()
    if email.startswith("<mailto:"):
        email = email[len("<mailto:") :].split("|")[0].rstrip(">")
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > MAX_EMAIL:
        raise InvalidInput(f"`{email}` is not an email address.")
    return email


@dataclass
class _LeadChange:
    session: Session
    workspace: Workspace
    lead: Lead
    now: datetime


@contextmanager
def _changing_lead(services: Services, actor: Actor, ref: str, action: str):
    with services.db.transaction() as session:
        workspace = ensure_workspace(
            session, actor.team_id, services.now(), services.default_timezone
        )
        lead = find_lead(session, workspace.id, ref, lock=True)
        now = services.now()  # under the lock, as for deals: history in time order
        role = role_in(session, services, workspace, actor)
        require_lead_change(role, actor.user_id, lead.owner_id, action)
        yield _LeadChange(session, workspace, lead, now)


def move_lead(services: Services, actor: Actor, ref: str, stage_text: str) -> LeadMoveResult:
    with _changing_lead(services, actor, ref, "move this lead") as change:
        lead = change.lead
        if lead.status != LeadStatus.OPEN:
            raise InvalidTransition(f"Lead L{lead.number} is {lead.status}; it can't move.")
        stages = read_stages(change.session, change.workspace.id, StageKind.FUNNEL)
        target = match_stage(stage_text, stages, current_key=lead.stage_key)
        if target == lead.stage_key:
            raise InvalidTransition(f"Lead L{lead.number} is already in `{target}`.")
        source = lead.stage_key
        records.move(change.session, lead, target, actor.user_id, change.now)
        return LeadMoveResult(lead_view(change.session, lead), source, target)


def convert_lead(
    services: Services,
    actor: Actor,
    ref: str,
    amount: Decimal | None = None,
    owner_id: str | None = None,
    stage: str | None = None,
) -> ConversionResult:
    """Sales takes the lead on: a linked deal keeps its source and campaign."""
    with _changing_lead(services, actor, ref, "convert this lead") as change:
        lead, session = change.lead, change.session
        # Converting creates a deal: only those who create deals may, whoever will own it.
        require_deal_creator(role_in(session, services, change.workspace, actor))
        if lead.status != LeadStatus.OPEN:
            raise InvalidTransition(f"Lead L{lead.number} is already {lead.status}.")
        new_deal = NewDeal(
            name=f"{lead.company} — {lead.name}" if lead.company else lead.name,
            amount=amount,
            owner_id=owner_id or actor.user_id,
            stage=stage,
            company=lead.company,
            source=lead.source,
            campaign=lead.campaign,
            lead_id=lead.id,
        )
        deal = insert_deal(session, change.workspace, actor.user_id, new_deal, change.now)
        records.convert(session, lead, actor.user_id, change.now)
        return ConversionResult(lead_view(session, lead), one_deal_view(session, deal, change.now))


def drop_lead(services: Services, actor: Actor, ref: str, reason: str | None) -> LeadView:
    reason = (reason or "").strip()[:MAX_REASON] or None
    with _changing_lead(services, actor, ref, "drop this lead") as change:
        lead = change.lead
        if lead.status != LeadStatus.OPEN:
            raise InvalidTransition(f"Lead L{lead.number} is already {lead.status}.")
        records.drop(change.session, lead, reason, actor.user_id, change.now)
        return lead_view(change.session, lead)


def lead_view(session: Session, lead: Lead) -> LeadView:
    return lead_views(session, [lead])[0]


def lead_views(session: Session, leads: list[Lead]) -> list[LeadView]:
    """Views for many leads in two queries, not two per lead (lists show hundreds)."""
    if not leads:
        return []
    facts = workspace_facts(session, leads[0].workspace_id)
    labels = dict(
        session.execute(
            select(Stage.key, Stage.label).where(
                Stage.workspace_id == leads[0].workspace_id,
                Stage.kind == StageKind.FUNNEL.value,
            )
        )
        .tuples()
        .all()
    )
    deal_numbers: dict[int, list[int]] = {}
    rows = session.execute(
        select(Deal.lead_id, Deal.number)
        .where(Deal.lead_id.in_([lead.id for lead in leads]))
        .order_by(Deal.number)
    )
    for lead_id, number in rows.tuples():
        deal_numbers.setdefault(lead_id, []).append(number)
    return [_view(lead, labels, deal_numbers.get(lead.id, []), facts) for lead in leads]


def _view(lead: Lead, labels: dict[str, str], deal_numbers: list[int], facts) -> LeadView:
    return LeadView(
        number=lead.number,
        name=lead.name,
        company=lead.company,
        email=lead.email,
        source=lead.source,
        campaign=lead.campaign,
        stage_key=lead.stage_key,
        stage_label=labels.get(lead.stage_key, lead.stage_key),
        furthest_stage_key=lead.furthest_stage_key,
        status=lead.status,
        drop_reason=lead.drop_reason,
        owner_id=lead.owner_id,
        created_at=lead.created_at,
        version=lead.version,
        deal_numbers=deal_numbers,
        facts=facts,
    )
