"""Read-only use cases: the deal card, deal and lead lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from assistant.analytics.outlook import deal_chance, stage_outlook
from assistant.analytics.pipeline import matched_summary, stuck_condition
from assistant.analytics.stages import workspace_facts
from assistant.domain.facts import Facts
from assistant.domain.limits import LIST_LIMIT
from assistant.domain.periods import Period
from assistant.domain.stages import DealStatus, StageDef
from assistant.services.chances import from_history, stage_chances
from assistant.services.context import Actor, Services
from assistant.services.deal_views import days_between, deal_view, one_deal_view
from assistant.services.labels import require_known
from assistant.services.leads import lead_view, lead_views
from assistant.services.lookup import find_deal_row, find_lead
from assistant.services.views import (
    DealCard,
    LeadView,
    ListSummary,
    NoteView,
    Page,
    StageStay,
    overdue_days,
)
from assistant.services.workspaces import (
    workspace_for_reading,
)
from assistant.storage.models import Change, Deal, Lead, Note
from assistant.storage.prebuilt import run

NOTES_ON_CARD = 3


def deal_card(services: Services, actor: Actor, ref: str) -> DealCard:
    now = services.now()
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        deal = find_deal_row(session, workspace.id, ref)
        view = one_deal_view(session, deal, now)
        pipeline = view.facts.pipeline
        notes = run(session, _NOTES, deal_id=deal.id)
        keys = [s.key for s in pipeline.active]
        following = None
        if deal.status == DealStatus.OPEN and deal.stage_key in keys:
            index = keys.index(deal.stage_key)
            following = pipeline.active[index + 1] if index + 1 < len(keys) else None
        return DealCard(
            deal=view,
            stays=stage_stays(session, deal.id, workspace.id, pipeline.by_key),
            notes=[NoteView(n.author_id, n.text, n.created_at) for n in notes],
            next_stage=following,
            now=now,
            chance=(
                _chance(
                    services,
                    session,
                    workspace.id,
                    deal,
                    now,
                    pipeline.labels.get(deal.stage_key, deal.stage_key),
                )
                if view.is_open
                else None
            ),
        )


STAGE_FIGURES_FRESH_FOR = 300  # seconds a stage's learned figures serve its deal cards


def _chance(
    services: Services, session: Session, workspace_id: int, deal, now: datetime, label: str
):
    """The deal's chance, or None while its workspace's history is long and not read yet
    (a card must not wait seconds for it; `chances.read_history` reads it after the answer)."""
    # Kept in a 1-tuple: a stage without figures (a key no stage row describes) is a figure
    # too, answered with its configured chance, not "not read yet".
    kept = from_history(
        services, session, workspace_id, ("stage figures", workspace_id, deal.stage_key),
        lambda: (stage_outlook(session, workspace_id, deal.stage_key, now, services.histories),),
        STAGE_FIGURES_FRESH_FOR,
    )  # fmt: skip
    if kept is None:
        return None
    return deal_chance(session, workspace_id, deal, now, kept[0], label)


_NOTES = (
    select(Note.author_id, Note.text, Note.created_at)
    .where(Note.deal_id == bindparam("deal_id"))
    .order_by(Note.created_at.desc(), Note.id.desc())
    .limit(NOTES_ON_CARD)
)
_STAGE_CHANGES = (
    select(Change.field, Change.new_value, Change.at)
    .where(
        Change.workspace_id == bindparam("workspace_id"),
        Change.entity == "deal",
        Change.entity_id == bindparam("deal_id"),
        Change.field.in_(("stage_key", "status")),
    )
    .order_by(Change.id)
)


def stage_stays(
    session: Session, deal_id: int, workspace_id: int, stages: dict[str, StageDef]
) -> list[StageStay]:
    """Replay the deal's stage and status changes into visits to stages."""
    rows = run(session, _STAGE_CHANGES, workspace_id=workspace_id, deal_id=deal_id).all()
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


# What `deal_view` reads of a deal, by name, plus its lead's number: rows, not entities, since
# a list can be hundreds of deals and entities cost several times more to load.
LISTED = (
    Deal.number, Deal.name, Deal.company, Deal.amount, Deal.owner_id, Deal.stage_key,
    Deal.stage_entered_at, Deal.status, Deal.lost_reason, Deal.close_date, Deal.closed_at,
    Deal.source, Deal.campaign, Deal.created_at, Deal.version, Lead.number.label("lead_number"),
)  # fmt: skip


def list_deals(
    services: Services,
    actor: Actor,
    deal_filter: DealFilter | Callable[[Facts], DealFilter],
    shown: int = LIST_LIMIT,
) -> Page:
    """The first LIST_LIMIT deals of the filter, in its order, and how many match in all,
    as views of the first `shown`. The summary (value, stuck) is of every deal matched when
    they were all read (always for `stuck`), or summed in SQL when more match than `shown` <
    LIST_LIMIT: a list shows 40 deals, and reading and making views of 500 to sum them was
    most of its time.

    `deal_filter` may be a function of the workspace's facts (a command's words read in its
    time zone and stages), called with the facts this read takes anyway."""
    now = services.now()
    with services.db.reading() as session:
        workspace = workspace_for_reading(services, session, actor.team_id)
        facts = workspace_facts(session, workspace.id)
        if callable(deal_filter):
            deal_filter = deal_filter(facts)
        stages = facts.pipeline.by_key
        where = _deal_conditions(deal_filter, workspace.id, facts.pipeline, now)
        order = (Deal.closed_at.desc(),) if deal_filter.status in ("won", "lost") else ()
        query = (
            select(*LISTED)
            .outerjoin(Lead, Lead.id == Deal.lead_id)
            .where(*where)
            .order_by(*order, Deal.number)
        )
        summary = None
        if deal_filter.stuck_only:
            # Most overdue first is DealView's own rule (days in stage past the target); the
            # stuck are few enough to sort here, which keeps that rule in one place.
            rows = session.execute(query).all()
            overdue = [_overdue(row, stages, now) for row in rows]
            ranked = sorted(range(len(rows)), key=lambda i: -overdue[i])
            rows = [rows[i] for i in ranked]
            total = len(rows)  # all of them read: the summary is of every one
            summary = ListSummary.of(zip((r.amount for r in rows), overdue, strict=True))
            rows = rows[:LIST_LIMIT]
        else:
            limit = min(shown, LIST_LIMIT)
            rows = session.execute(query.limit(limit)).all()
            total = len(rows)
            if total == limit and limit < LIST_LIMIT:  # more than shown: summed in SQL
                total, value, stuck = matched_summary(session, where, facts.pipeline, now)
                summary = ListSummary(value, stuck)
            elif total == LIST_LIMIT:  # a full page: count the rest
                total = session.scalar(select(func.count()).select_from(Deal).where(*where))
            if total == len(rows):
                overdue = [_overdue(row, stages, now) for row in rows]
                summary = ListSummary.of(zip((r.amount for r in rows), overdue, strict=True))
        views = [deal_view(r, stages, now, r.lead_number, facts) for r in rows[:shown]]
        chances = None
        if deal_filter.status == "open" and views:
            chances = stage_chances(services, session, workspace.id, facts.pipeline, now)
        return Page(views, total, facts, chances, summary)


def _overdue(row, stages: dict, now) -> float:
    """A listed row's days past its stage's target, by the rule `DealView.overdue_days` has."""
    stage = stages.get(row.stage_key)
    days = days_between(row.stage_entered_at, row.closed_at or now)
    return overdue_days(row.status == DealStatus.OPEN, days, stage.target_days if stage else None)


def _deal_conditions(deal_filter: DealFilter, workspace_id: int, stages, now) -> list:
    where = [Deal.workspace_id == workspace_id]
    if deal_filter.status:
        where.append(Deal.status == deal_filter.status)
    if deal_filter.owner_id:
        where.append(Deal.owner_id == deal_filter.owner_id)
    if deal_filter.stage_key:
        where.append(Deal.stage_key == deal_filter.stage_key)
    if deal_filter.period:
        when = Deal.closed_at if deal_filter.status in ("won", "lost") else Deal.created_at
        where += [when >= deal_filter.period.start, when < deal_filter.period.end]
    if deal_filter.stuck_only:
        # The board's definition of stuck (analytics.pipeline), so the two always agree.
        where += [Deal.status == DealStatus.OPEN.value, stuck_condition(stages, now)]
    return where


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
        require_known(session, workspace.id, "source", lead_filter.source)
        require_known(session, workspace.id, "campaign", lead_filter.campaign)
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
