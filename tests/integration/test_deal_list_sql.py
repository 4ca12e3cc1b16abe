"""`list_deals` counts, filters (stuck too) and cuts in SQL: the same page as building every
matching deal's view and cutting in Python, the way it used to be done."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from assistant.domain.periods import parse_period
from assistant.services import leads
from assistant.services.deal_views import deal_views
from assistant.services.deals import NewDeal, insert_deal
from assistant.services.leads import NewLead
from assistant.services.queries import LIST_LIMIT, DealFilter, list_deals
from assistant.services.views import ListSummary
from assistant.services.workspaces import ensure_workspace
from assistant.storage.models import Deal, Workspace

STAGES = ("prospecting", "qualification", "assessment", "solution", "proposal", "closing")
OWNERS = ("UREP", "UREP2", "UMGR")
DEALS = 800  # over LIST_LIMIT open deals, so the page is cut and the rest counted


def seed(services, rep) -> None:
    for n in range(3):  # a few deals come from leads: their rows carry the lead's number
        leads.create_lead(services, rep, NewLead(name=f"Lead {n}"))
        leads.convert_lead(services, rep, f"L{n + 1}", Decimal(500))
    rng = random.Random(7)
    now = services.now()
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, rep.team_id, now, "UTC")
        for i in range(DEALS):
            new = NewDeal(name=f"Deal {i}", amount=Decimal(rng.randint(1, 90) * 1000))
            deal = insert_deal(session, workspace, rep.user_id, new, now)
            deal.owner_id = rng.choice(OWNERS)
            deal.stage_key = rng.choice(STAGES)
            # Whole days often (ties in how overdue: by number), odd microseconds sometimes.
            ago = timedelta(days=rng.randint(0, 40), microseconds=rng.choice((0, 0, 17, 999)))
            deal.stage_entered_at = deal.created_at = now - ago
            fate = rng.random()
            if fate < 0.12 or fate > 0.9:
                deal.status = "won" if fate < 0.12 else "lost"
                deal.closed_at = now - timedelta(days=rng.randint(0, 60), hours=i % 24)
        for deal in session.scalars(select(Deal).where(Deal.lead_id.is_not(None))):
            deal.stage_entered_at = now - timedelta(days=30)  # stuck, and listed


def as_before(services, actor, deal_filter: DealFilter):
    """Every matching deal as an entity, every view, then the stuck kept (the page uncut)."""
    now = services.now()
    with services.db.reading() as session:
        workspace_id = session.scalar(select(Workspace.id).where(Workspace.team_id == "T_TEST"))
        query = select(Deal).where(Deal.workspace_id == workspace_id)
        if deal_filter.status:
            query = query.where(Deal.status == deal_filter.status)
        if deal_filter.owner_id:
            query = query.where(Deal.owner_id == deal_filter.owner_id)
        if deal_filter.stage_key:
            query = query.where(Deal.stage_key == deal_filter.stage_key)
        if deal_filter.period:
            when = Deal.closed_at if deal_filter.status in ("won", "lost") else Deal.created_at
            query = query.where(when >= deal_filter.period.start, when < deal_filter.period.end)
        order = (Deal.closed_at.desc(),) if deal_filter.status in ("won", "lost") else ()
        found = list(session.scalars(query.order_by(*order, Deal.number)))
        views = deal_views(session, found, workspace_id, now)
    if deal_filter.stuck_only:
        views = sorted((v for v in views if v.is_stuck), key=lambda v: -v.overdue_days)
    return views, len(views)


def test_every_filter_gives_the_page_it_used_to(services, rep, clock):
    seed(services, rep)
    clock.advance(hours=5)
    utc = ZoneInfo("UTC")
    filters = [
        DealFilter(),
        DealFilter(status=None),
        DealFilter(owner_id="UREP"),
        DealFilter(stage_key="proposal"),
        DealFilter(stuck_only=True),
        DealFilter(stuck_only=True, owner_id="UREP2"),
        DealFilter(stuck_only=True, stage_key="prospecting"),
        DealFilter(period=parse_period("7d", utc, clock.now)),
        DealFilter(status="won", period=parse_period("30d", utc, clock.now)),
        DealFilter(status="lost", period=parse_period("this quarter", utc, clock.now)),
    ]
    for deal_filter in filters:
        page = list_deals(services, rep, deal_filter)
        items, total = as_before(services, rep, deal_filter)
        assert (page.items, page.total) == (items[:LIST_LIMIT], total), deal_filter
        assert total > 0, deal_filter  # the case means something
        # The summary of all matched: from every view, from the rows read, or summed in SQL
        # when the list shows 40 (`shown`); and no summary when only 500 of more were read.
        every = ListSummary.of((v.amount, v.overdue_days) for v in items)
        whole = total <= LIST_LIMIT or deal_filter.stuck_only  # stuck: every row is read
        assert page.summary == (every if whole else None), deal_filter
        shown = list_deals(services, rep, deal_filter, shown=40)
        assert (shown.items, shown.total, shown.summary) == (items[:40], total, every)
    assert list_deals(services, rep, DealFilter()).total > LIST_LIMIT
    assert any(v.lead_number for v in list_deals(services, rep, DealFilter(stuck_only=True)).items)


@pytest.mark.parametrize("count", [LIST_LIMIT - 1, LIST_LIMIT, LIST_LIMIT + 1])
def test_the_total_at_the_page_edge(services, rep, clock, count):
    with services.db.transaction() as session:
        workspace = ensure_workspace(session, rep.team_id, services.now(), "UTC")
        for i in range(count):
            insert_deal(session, workspace, rep.user_id, NewDeal(name=f"D{i}"), services.now())
    page = list_deals(services, rep, DealFilter())
    assert (len(page.items), page.total) == (min(count, LIST_LIMIT), count)
    clock.advance(days=30)  # every one past its stage's target
    stuck = list_deals(services, rep, DealFilter(stuck_only=True))
    assert (len(stuck.items), stuck.total) == (min(count, LIST_LIMIT), count)
    assert stuck.summary is not None and stuck.summary.stuck == count  # of all, even past 500
