"""The funnel, per cohort, source and campaign, worked out by hand (PRODUCT.md §4).

Funnel stages: awareness (0), interest (1), consideration (2), action (3).
The story (T0 = Monday 2 March 2026, 09:00 UTC; the period is [T0, T0+7d)):
  T0-1d  L1 Google, no campaign, awareness                    (previous period's cohort)
  T0     L2 Google/spring awareness, stays                     furthest awareness
         L3 google/spring awareness, -> interest at T0+1d      furthest interest
         L4 LinkedIn, no campaign, created at interest,
            -> consideration T0+1d, dropped T0+2d              furthest consideration
         L5 no source, spring, awareness, converted T0+1d
            (-> consideration), its deal won T0+3d             furthest action, 3 days
         L6 LinkedIn/fall created at action                    furthest action, 0 days
         L7 Google, no campaign, -> consideration T0+1d,
            back to interest T0+2d                             furthest consideration
  T0+7d  L8 Google (at the period's end: in neither cohort)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from assistant import analytics
from assistant.domain.periods import Period, parse_period
from assistant.services import deals, leads, reports, settings
from assistant.services.leads import NewLead
from assistant.storage.models import Workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PERIOD = Period(T0, T0 + timedelta(days=7), "7 days")
FUNNEL = ["awareness", "interest", "consideration", "action"]


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def lead(services, actor, name, source=None, campaign=None, stage=None):
    new = NewLead(name=name, source=source, campaign=campaign, stage=stage)
    return leads.create_lead(services, actor, new)


@pytest.fixture
def story(services, rep, clock):
    clock.set(day(-1))
    lead(services, rep, "One", "Google")
    clock.set(day(0))
    lead(services, rep, "Two", "Google", "spring")
    lead(services, rep, "Three", "google", "spring")
    lead(services, rep, "Four", "LinkedIn", stage="interest")
    lead(services, rep, "Five", campaign="spring")
    lead(services, rep, "Six", "LinkedIn", "fall", stage="action")
    lead(services, rep, "Seven", "Google")
    clock.set(day(1))
    leads.move_lead(services, rep, "L3", "interest")
    leads.move_lead(services, rep, "L4", "consideration")
    converted = leads.convert_lead(services, rep, "L5")
    leads.move_lead(services, rep, "L7", "consideration")
    clock.set(day(2))
    leads.drop_lead(services, rep, "L4", "no budget")
    leads.move_lead(services, rep, "L7", "back")
    clock.set(day(3))
    deals.win_deal(services, rep, f"#{converted.deal.number}")
    clock.set(day(7))
    lead(services, rep, "Eight", "Google")


def reached(funnel):
    return [(s.key, s.reached.current) for s in funnel.steps]


def test_funnel(services, rep, story):
    f = reports.funnel(services, rep, PERIOD)
    # Cohort L2..L7 = 6. reached(awareness) 6; interest: all but L2 = 5; consideration: L4,
    # L5, L6, L7 = 4; action: L5, L6 = 2.
    assert f.cohort.current == 6
    assert reached(f) == [("awareness", 6), ("interest", 5), ("consideration", 4), ("action", 2)]
    steps = {s.key: s for s in f.steps}
    # Step conversions 5/6, 4/5, 2/4; none for the first stage. Overall 2 / 6.
    assert steps["awareness"].step_conversion.current is None
    assert steps["interest"].step_conversion.current == pytest.approx(5 / 6)
    assert steps["consideration"].step_conversion.current == pytest.approx(4 / 5)
    assert steps["action"].step_conversion.current == pytest.approx(2 / 4)
    assert f.overall.current == pytest.approx(2 / 6)
    # Days to action: L5 3 days, L6 0 (created there) -> median 1.5.
    assert f.median_days_to_action.current == pytest.approx(1.5)
    # Previous cohort [T0-7d, T0): L1, at awareness. interest 0/1 = 0, then 0/0 = none.
    assert f.cohort.previous == 1
    assert [s.reached.previous for s in f.steps] == [1, 0, 0, 0]
    assert steps["interest"].step_conversion.previous == 0.0
    assert steps["consideration"].step_conversion.previous is None
    assert f.overall.previous == 0.0
    assert f.overall.change == pytest.approx(1 / 3)
    assert f.median_days_to_action.previous is None
    assert f.cohort.change == 5


def test_funnel_filtered_by_source_and_campaign(services, rep, story):
    # Source matches case-insensitively: L2, L3, L7 (and L1 before).
    f = reports.funnel(services, rep, PERIOD, source="GOOGLE")
    assert (f.cohort.current, f.cohort.previous) == (3, 1)
    assert reached(f) == [("awareness", 3), ("interest", 2), ("consideration", 1), ("action", 0)]
    assert f.overall.current == 0.0
    assert f.source == "GOOGLE"
    # Campaign spring: L2, L3, L5 -> action 1 of 3.
    f = reports.funnel(services, rep, PERIOD, campaign="spring")
    assert reached(f) == [("awareness", 3), ("interest", 2), ("consideration", 1), ("action", 1)]
    assert f.overall.current == pytest.approx(1 / 3)
    # Both: Google and spring: L2, L3.
    f = reports.funnel(services, rep, PERIOD, source="google", campaign="spring")
    assert f.cohort.current == 2


def test_funnel_by_source(services, rep, story):
    groups = reports.funnel_groups(services, rep, PERIOD, "source")
    assert groups.by == "source"
    by_name = {g.group: g for g in groups.groups}
    # Google (Google, google): L2, L3, L7 -> 3; LinkedIn: L4, L6 -> 2; (none): L5 -> 1.
    assert [(g.group, g.cohort.current) for g in groups.groups] == [
        ("Google", 3),
        ("LinkedIn", 2),
        ("(none)", 1),
    ]
    google = by_name["Google"]
    assert reached(google) == [
        ("awareness", 3),
        ("interest", 2),
        ("consideration", 1),
        ("action", 0),
    ]
    assert google.cohort.previous == 1  # L1
    assert google.overall.current == 0.0
    linkedin = by_name["LinkedIn"]
    # L4 created at interest, dropped at consideration; L6 created at action.
    assert reached(linkedin) == [
        ("awareness", 2),
        ("interest", 2),
        ("consideration", 2),
        ("action", 1),
    ]
    assert linkedin.overall.current == pytest.approx(0.5)
    assert linkedin.median_days_to_action.current == 0.0
    assert linkedin.cohort.previous == 0
    none = by_name["(none)"]
    assert none.overall.current == 1.0
    assert none.median_days_to_action.current == pytest.approx(3)
    # LinkedIn 50 % and Google 0 %, but of a handful of leads: too few to name a best or a
    # worst (MIN_SAMPLE; test_best_and_worst_need_enough_leads has enough).
    assert (groups.best, groups.worst) == (None, None)


def test_funnel_by_campaign(services, rep, story):
    groups = reports.funnel_groups(services, rep, PERIOD, "campaign")
    # spring: L2, L3, L5 -> 3 (action 1); (none): L4, L7 -> 2 (and L1 before); fall: L6 -> 1.
    assert [(g.group, g.cohort.current, g.cohort.previous) for g in groups.groups] == [
        ("spring", 3, 0),
        ("(none)", 2, 1),
        ("fall", 1, 0),
    ]
    overall = {g.group: g.overall.current for g in groups.groups}
    assert overall == {"spring": pytest.approx(1 / 3), "(none)": 0.0, "fall": 1.0}
    assert (groups.best, groups.worst) == (None, None)  # too few leads each to compare


def test_groups_that_only_had_leads_before_are_kept(services, rep, clock):
    clock.set(day(-3))
    lead(services, rep, "Old", "Webinar")
    clock.set(day(1))
    lead(services, rep, "New", "Ads")
    groups = reports.funnel_groups(services, rep, PERIOD, "source")
    assert [(g.group, g.cohort.current, g.cohort.previous) for g in groups.groups] == [
        ("Ads", 1, 0),
        ("Webinar", 0, 1),
    ]
    webinar = groups.groups[1]
    assert webinar.overall.current is None
    # Only one named group has leads now: nothing to compare, so no best or worst.
    assert (groups.best, groups.worst) == (None, None)


def test_empty_funnel(services, rep):
    f = reports.funnel(services, rep, PERIOD)
    assert [s.key for s in f.steps] == FUNNEL
    assert f.cohort.current == 0
    assert all(s.reached.current == 0 for s in f.steps)
    assert all(s.step_conversion.current is None for s in f.steps)
    assert f.overall.current is None
    assert f.median_days_to_action.current is None
    groups = reports.funnel_groups(services, rep, PERIOD, "campaign")
    assert groups.groups == ()
    assert groups.best is None


def test_funnel_groups_reject_other_groupings(services, rep):
    with pytest.raises(ValueError):
        reports.funnel_groups(services, rep, PERIOD, "owner")


def test_funnel_cohort_at_a_local_midnight(services, rep, admin, clock):
    """Tokyo is UTC+9: its 5 March starts at 4 March 15:00 UTC."""
    settings.update_settings(services, admin, timezone="Asia/Tokyo")
    tokyo = ZoneInfo("Asia/Tokyo")
    clock.set(datetime(2026, 3, 4, 14, 59, 59, tzinfo=UTC))  # Mar 4 23:59:59 local
    lead(services, rep, "Late on the 4th")
    clock.set(datetime(2026, 3, 4, 15, 0, 0, tzinfo=UTC))  # Mar 5 00:00 local
    lead(services, rep, "Midnight", stage="interest")
    clock.set(datetime(2026, 3, 5, 14, 59, 59, tzinfo=UTC))  # Mar 5 23:59:59 local
    lead(services, rep, "Last second", stage="action")
    clock.set(datetime(2026, 3, 5, 15, 0, 0, tzinfo=UTC))  # Mar 6 00:00 local
    lead(services, rep, "Next day")
    period = parse_period("2026-03-05..2026-03-05", tokyo, clock.now)
    f = reports.funnel(services, rep, period)
    # Mar 5 (local): "Midnight" (interest) and "Last second" (action); the day before: one.
    assert (f.cohort.current, f.cohort.previous) == (2, 1)
    assert reached(f) == [("awareness", 2), ("interest", 2), ("consideration", 1), ("action", 1)]
    assert f.median_days_to_action.current == 0.0


def test_digest_reads_the_funnel_and_its_groups_from_one_cohort(services, rep, story, db):
    """`funnel_with_groups` (what a funnel digest shows) gives what the three reports give."""
    with db.reading() as session:
        ws = session.scalar(select(Workspace.id).where(Workspace.team_id == rep.team_id))
        whole, sources, campaigns = analytics.funnel_with_groups(session, ws, PERIOD)
    assert whole == reports.funnel(services, rep, PERIOD)
    assert sources == reports.funnel_groups(services, rep, PERIOD, "source")
    assert campaigns == reports.funnel_groups(services, rep, PERIOD, "campaign")
    # "Google" and "google" are one group, shown with the least spelling across all parts.
    assert [g.group for g in sources.groups] == ["Google", "LinkedIn", "(none)"]
