"""Turning Deal rows into DealViews, with the stage facts the figures need."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.analytics.stages import workspace_facts
from assistant.domain.facts import Facts
from assistant.domain.stages import (
    LOST_PROBABILITY,
    WON_PROBABILITY,
    DealStatus,
    StageDef,
    StageKind,
)
from assistant.services.views import NO_FACTS, DealView
from assistant.services.workspaces import read_stages
from assistant.storage.models import Deal, Lead


def days_between(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 86400)


def stage_map(session: Session, workspace_id: int) -> dict[str, StageDef]:
    """All pipeline stages, hidden ones too, since old deals may still sit in them."""
    stages = read_stages(session, workspace_id, StageKind.PIPELINE, include_inactive=True)
    return {s.key: s for s in stages}


def deal_view(
    deal, stages: dict[str, StageDef], now: datetime, lead_number=None, facts: Facts = NO_FACTS
) -> DealView:
    stage = stages.get(deal.stage_key)
    if deal.status == DealStatus.WON:
        probability = WON_PROBABILITY
    elif deal.status == DealStatus.LOST:
        probability = LOST_PROBABILITY
    else:
        probability = stage.probability if stage else LOST_PROBABILITY
    return DealView(
        number=deal.number,
        name=deal.name,
        company=deal.company,
        amount=deal.amount,
        owner_id=deal.owner_id,
        stage_key=deal.stage_key,
        stage_label=stage.label if stage else deal.stage_key,
        stage_entered_at=deal.stage_entered_at,
        status=deal.status,
        lost_reason=deal.lost_reason,
        close_date=deal.close_date,
        closed_at=deal.closed_at,
        source=deal.source,
        campaign=deal.campaign,
        lead_number=lead_number,
        created_at=deal.created_at,
        version=deal.version,
        target_days=stage.target_days if stage else None,
        probability=probability,
        days_in_stage=days_between(deal.stage_entered_at, deal.closed_at or now),
        facts=facts,
    )


def deal_views(
    session: Session,
    deals: list[Deal],
    workspace_id: int,
    now: datetime,
    facts: Facts | None = None,
):
    """Views of `deals`, laid out by `facts` (read from the workspace if not given)."""
    facts = facts or workspace_facts(session, workspace_id)
    stages = facts.pipeline.by_key
    # A row read for a card has its lead's number already (`lookup.find_deal_row`).
    numbers = {d.lead_id: d.lead_number for d in deals if getattr(d, "lead_number", None)}
    lead_ids = {d.lead_id for d in deals if d.lead_id is not None} - numbers.keys()
    if lead_ids:
        rows = session.execute(select(Lead.id, Lead.number).where(Lead.id.in_(lead_ids)))
        numbers.update(rows.tuples().all())
    return [deal_view(d, stages, now, numbers.get(d.lead_id), facts) for d in deals]


def one_deal_view(
    session: Session, deal: Deal, now: datetime, facts: Facts | None = None
) -> DealView:
    return deal_views(session, [deal], deal.workspace_id, now, facts)[0]
