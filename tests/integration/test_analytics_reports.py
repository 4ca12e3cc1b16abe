"""Report use cases for digests: everything PRODUCT.md §5 lists, by workspace id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from assistant import analytics
from assistant.domain.errors import NotFound
from assistant.domain.periods import Period
from assistant.services import deals, leads, reports, settings
from assistant.services.deals import NewDeal
from assistant.services.leads import NewLead
from assistant.storage.models import Workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def workspace_id(db, team_id: str = "T_TEST") -> int:
    with db.reading() as session:
        return session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))


def test_pipeline_digest_data(services, rep, other_rep, db, clock):
    clock.set(day(0))
    deals.create_deal(services, rep, NewDeal(name="A", amount=Decimal("10000")))
    deals.create_deal(services, other_rep, NewDeal(name="B", amount=Decimal("20000")))
    clock.set(day(1))
    deals.move_deal(services, other_rep, "#2", "qualification")
    clock.set(day(2))
    deals.win_deal(services, rep, "#1")
    clock.set(day(3))
    deals.create_deal(services, rep, NewDeal(name="C", amount=Decimal("5000")))
    data = reports.pipeline_digest_data(services, workspace_id(db), day(12), since=day(2))
    # Open: B (qualification since day 1) and C (prospecting since day 3): 25,000, weighted
    # 20,000 x 10 % + 5,000 x 5 % = 2,250.
    totals = data.board.totals
    assert (totals.open_count, totals.open_value, totals.weighted_value) == (
        2,
        Decimal("25000"),
        Decimal("2250"),
    )
    # Since day 2 (the previous digest): C created; A won (10,000), at day 2 itself.
    m = data.movement
    assert (m.new_count, m.new_value, m.advances, m.won_count, m.won_value, m.lost_count) == (
        1,
        Decimal("5000"),
        0,
        1,
        Decimal("10000"),
        0,
    )
    # B: 11 days in a 7-day stage (4 over); C: 9 in 7 (2 over): qualification, owned by UREP2.
    assert data.bottlenecks.bottleneck.key == "qualification"
    assert [(d.number, d.owner_id) for d in data.bottlenecks.top_stuck] == [
        (2, "UREP2"),
        (3, "UREP"),
    ]
    # Last 30 days: A won after 2 days, nothing lost: win rate 1, cycle 2 days.
    assert data.period.end == day(12)
    assert data.period.start == day(12) - timedelta(days=30)
    assert data.outcomes.win_rate.current == 1.0
    assert data.outcomes.sales_cycle_days.current == pytest.approx(2)
    assert data.bottlenecks.period == data.period
    assert (data.currency, data.timezone) == ("USD", ZoneInfo("UTC"))


def test_funnel_digest_data(services, rep, admin, db, clock):
    settings.update_settings(services, admin, timezone="Europe/Berlin")
    clock.set(day(0))
    # Best and worst need 30 leads a group: 30 from Ads (spring), half buying; 30 from Blog
    # (fall), none buying; one with neither source nor campaign.
    for n in range(30):
        ads = NewLead(
            name=f"A{n}", source="Ads", campaign="spring", stage="action" if n % 2 else None
        )
        leads.create_lead(services, rep, ads)
        blog = NewLead(name=f"B{n}", source="Blog", campaign="fall", stage="interest")
        leads.create_lead(services, rep, blog)
    leads.create_lead(services, rep, NewLead(name="E"))
    clock.set(day(1))
    ws = workspace_id(db)
    period = reports.daily_funnel_period(services, ws, clock.now)
    assert period.duration == timedelta(days=7)
    assert period.start.tzinfo == ZoneInfo("Europe/Berlin")
    data = reports.funnel_digest_data(services, ws, period)
    # Cohort 61; action: the 15 odd Ads leads.
    assert data.funnel.cohort.current == 61
    assert data.funnel.overall.current == pytest.approx(15 / 61)
    # Sources: Ads 15/30 = 50 %, Blog 0/30 = 0 %; (none) is never best or worst.
    assert (data.best_source.group, data.worst_source.group) == ("Ads", "Blog")
    assert (data.best_campaign.group, data.worst_campaign.group) == ("spring", "fall")


def test_digest_data_for_an_unknown_workspace(services):
    with pytest.raises(NotFound):
        reports.pipeline_digest_data(services, 999, T0, T0 - timedelta(days=1))
    with pytest.raises(NotFound):
        reports.funnel_digest_data(services, 999, Period(T0 - timedelta(days=1), T0, "x"))


def test_reports_create_the_workspace_on_first_sight(services, rep, db):
    assert workspace_id(db) is None
    assert reports.workspace_timezone(services, rep) == ZoneInfo("UTC")
    assert workspace_id(db) is not None


def test_workspaces_do_not_see_each_other(services, rep, clock):
    from assistant.services.context import Actor

    clock.set(T0)
    other = Actor(team_id="T_OTHER", user_id="UOTHER")
    deals.create_deal(services, other, NewDeal(name="Theirs", amount=Decimal("999")))
    leads.create_lead(services, other, NewLead(name="Their lead", source="Ads"))
    deals.create_deal(services, rep, NewDeal(name="Ours", amount=Decimal("1")))
    assert reports.board(services, rep).totals.open_value == Decimal("1")
    period = Period(T0 - timedelta(days=1), T0 + timedelta(days=1), "x")
    assert reports.funnel(services, rep, period).cohort.current == 0
    assert reports.funnel_groups(services, rep, period, "source").groups == ()
    assert reports.forecast(services, rep, period).no_close_date_count == 1


def test_pipeline_digest_reads_the_open_pipeline_once(services, rep, other_rep, db, clock):
    """The digest's board and bottleneck report share one read of the open deals and still
    equal the stand-alone reports; a read taken at another instant is refused."""
    clock.set(day(0))
    deals.create_deal(services, rep, NewDeal(name="A", amount=Decimal("10000")))
    deals.create_deal(services, other_rep, NewDeal(name="B", amount=Decimal("20000")))
    clock.set(day(1))
    deals.move_deal(services, other_rep, "#2", "qualification")
    clock.set(day(12))
    ws = workspace_id(db)
    data = reports.pipeline_digest_data(services, ws, day(12), since=day(2))
    assert data.board == reports.board(services, rep)
    assert data.bottlenecks == reports.bottlenecks(services, rep, data.period)
    with db.reading() as session:
        earlier = analytics.open_pipeline(session, ws, day(11))
        with pytest.raises(ValueError):
            analytics.board(session, ws, day(12), earlier)
        with pytest.raises(ValueError):
            analytics.bottleneck_report(session, ws, data.period, day(12), pipeline=earlier)
