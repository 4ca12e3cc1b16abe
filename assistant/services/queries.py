"""Read-only use cases: the deal card, deal and lead lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.domain.periods import Period
from assistant.domain.stages import DealStatus, StageKind
from assistant.services.context import Actor, Services
from assistant.services.deal_views import deal_views, one_deal_view, stage_map
from assistant.services.leads import lead_view, lead_views
from assistant.services.lookup import find_deal, find_lead
from assistant.services.views import DealCard, LeadView, NoteView, Page, StageStay
from assistant.services.workspaces import (
    load_stages,
    stage_view,
    workspace_for_reading,
)
from assistant.storage.models import Change, Deal, Lead, Note, Stage

NOTES_ON_CARD = 3


def deal_card(services: Services, actor: Actor, ref: str) -> DealCard:
    now = services.now()
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        deal = find_deal(session, workspace.id, ref)
        view = one_deal_view(session, deal, now)
        stages = stage_map(session, workspace.id)
        notes = session.scalars(
            select(Note)
            .where(Note.deal_id == deal.id)
            .order_by(Note.created_at.desc(), Note.id.desc())
            .limit(NOTES_ON_CARD)
        )
        active = load_stages(session, workspace.id, StageKind.PIPELINE)
        keys = [s.key for s in active]
        following = None
        if deal.status == DealStatus.OPEN and deal.stage_key in keys:
            index = keys.index(deal.stage_key)
            following = stage_view(active[index + 1]) if index + 1 < len(keys) else None
        return DealCard(
            deal=view,
            stays=stage_stays(session, deal.id, workspace.id, stages),
            notes=[NoteView(n.author_id, n.text, n.created_at) for n in notes],
            next_stage=following,
            now=now,
        )


def stage_stays(
    session: Session, deal_id: int, workspace_id: int, stages: dict[str, Stage]
) -> list[StageStay]:
    """Replay the deal's stage and status changes into visits to stages."""
    rows = session.execute(
        select(Change.field, Change.new_value, Change.at)
        .where(
            Change.workspace_id == workspace_id,
            Change.entity == "deal",
            Change.entity_id == deal_id,
            Change.field.in_(("stage_key", "status")),
        )
        .order_by(Change.id)
    ).all()
    stays: list[StageStay] = []
    stage: str | None = None
    entered: datetime | None = None
    is_open = False
    for field, value, at in rows:
        closes_stay = field == "stage_key" or value in (DealStatus.WON, DealStatus.LOST)
        if closes_stay and is_open and stage is not None:
            stays.append(_stay(stages, stage, entered, at))
        if field == "stage_key":
            stage, entered = value, at
        elif value == DealStatus.OPEN:
            is_open, entered = True, at
        else:
            is_open = False
    if is_open and stage is not None:
        stays.append(_stay(stages, stage, entered, None))
    return stays


def _stay(stages, key: str, entered: datetime, left: datetime | None) -> StageStay:
    label = stages[key].label if key in stages else key
    return StageStay(key, label, entered, left)


@dataclass(frozen=True)
class DealFilter:
    status: str | None = DealStatus.OPEN.value  # None: all
    owner_id: str | None = None
    stage_key: str | None = None
    stuck_only: bool = False
    period: Period | None = None  # closed in (won/lost lists) or created in (others)


LIST_LIMIT = 500


def list_deals(services: Services, actor: Actor, deal_filter: DealFilter) -> Page:
    now = services.now()
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        query = select(Deal).where(Deal.workspace_id == workspace.id)
        if deal_filter.status:
            query = query.where(Deal.status == deal_filter.status)
        if deal_filter.owner_id:
            query = query.where(Deal.owner_id == deal_filter.owner_id)
        if deal_filter.stage_key:
            query = query.where(Deal.stage_key == deal_filter.stage_key)
        if deal_filter.period:
            when = Deal.closed_at if deal_filter.status in ("won", "lost") else Deal.created_at
            query = query.where(when >= deal_filter.period.start, when < deal_filter.period.end)
        if deal_filter.stuck_only:
            query = query.where(Deal.stage_key.in_(_stuck_candidates(session, workspace.id)))
        order = (Deal.closed_at.desc(),) if deal_filter.status in ("won", "lost") else ()
        deals = list(session.scalars(query.order_by(*order, Deal.number)))
        views = deal_views(session, deals, workspace.id, now)
    if deal_filter.stuck_only:
        views = sorted((v for v in views if v.is_stuck), key=lambda v: -v.overdue_days)
    return Page(views[:LIST_LIMIT], len(views))


def _stuck_candidates(session: Session, workspace_id: int) -> list[str]:
    return [s.key for s in load_stages(session, workspace_id, StageKind.PIPELINE) if s.target_days]


@dataclass(frozen=True)
class LeadFilter:
    status: str | None = None
    owner_id: str | None = None
    stage_key: str | None = None
    source: str | None = None
    campaign: str | None = None
    period: Period | None = None


def list_leads(
    services: Services, actor: Actor, lead_filter: LeadFilter, limit: int = LIST_LIMIT
) -> Page:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        query = select(Lead).where(Lead.workspace_id == workspace.id)
        for column, value in (
            (Lead.status, lead_filter.status),
            (Lead.owner_id, lead_filter.owner_id),
            (Lead.stage_key, lead_filter.stage_key),
        ):
            if value:
                query = query.where(column == value)
        for column, value in (
            (Lead.source, lead_filter.source),
            (Lead.campaign, lead_filter.campaign),
        ):
            if value:
                query = query.where(func.lower(column) == value.lower())
        if lead_filter.period:
            query = query.where(
                Lead.created_at >= lead_filter.period.start,
                Lead.created_at < lead_filter.period.end,
            )
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        leads = session.scalars(query.order_by(Lead.number.desc()).limit(limit))
        return Page(lead_views(session, list(leads)), total)


def lead_card(services: Services, actor: Actor, ref: str) -> LeadView:
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        return lead_view(session, find_lead(session, workspace.id, ref))
