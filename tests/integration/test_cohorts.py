"""Funnel cohorts against a computation by hand over the same leads (issue #16)."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from assistant.domain.periods import parse_period
from assistant.services import leads, reports, settings
from assistant.services.context import Actor
from assistant.services.leads import NewLead
from assistant.storage.models import Lead

REP = Actor("T_TEST", "UREP")
ZONE = ZoneInfo("Europe/Berlin")
ORDER = ("awareness", "interest", "consideration", "action")


@pytest.fixture
def history(services, clock, admin):
    settings.update_settings(services, admin, timezone="Europe/Berlin")  # months are local
    rng = random.Random(7)
    steps = []
    for i in range(120):
        created = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(24 * 150))
        reach = rng.choice((0, 0, 1, 1, 2, 3))
        source = rng.choice(("webinar", "ads"))
        steps.append((created, i, "new", source))
        for step in range(1, reach + 1):
            created += timedelta(hours=rng.randrange(1, 24 * 20))
            steps.append((created, i, ORDER[step], None))
    for when, i, what, source in sorted(steps, key=lambda s: s[0]):
        clock.set(when)
        if what == "new":
            leads.create_lead(services, REP, NewLead(name=f"Lead {i}", source=source))
        else:
            leads.move_lead(services, REP, f"Lead {i}", what)
    clock.set(datetime(2026, 7, 1, 12, tzinfo=UTC))
    with services.db.reading() as session:
        return [
            (lead.created_at, lead.furthest_stage_key, lead.action_at, lead.source)
            for lead in session.scalars(select(Lead))
        ]


@pytest.mark.parametrize("source", [None, "webinar"])
def test_monthly_cohorts_match_a_count_by_hand(services, clock, history, source):
    period = parse_period("2026-01-01..2026-05-31", ZONE, clock())
    found = reports.cohorts(services, REP, period, "month", source)
    assert [row.label for row in found.rows] == ["2026-01", "2026-02", "2026-03", "2026-04",
                                                 "2026-05"]  # fmt: skip
    for row in found.rows:
        month = [
            (furthest, action_at, created)
            for created, furthest, action_at, lead_source in history
            if created.astimezone(ZONE).strftime("%Y-%m") == row.label
            and (source is None or lead_source == source)
        ]
        assert row.size == len(month)
        for index in range(len(ORDER)):
            assert row.reached[index] == sum(1 for f, _, _ in month if ORDER.index(f) >= index)
        waits = [(a - c).total_seconds() / 86400 for _, a, c in month if a is not None]
        if waits:
            assert row.median_days_to_action == pytest.approx(statistics.median(waits))
        else:
            assert row.median_days_to_action is None


def test_weekly_cohorts_start_on_monday(services, clock, history):
    period = parse_period("2026-03-01..2026-03-31", ZONE, clock())
    found = reports.cohorts(services, REP, period, "week")
    assert found.rows[0].label == "2026-02-23" and found.rows[0].start == period.start
    assert all(datetime.fromisoformat(r.label).weekday() == 0 for r in found.rows)
    assert sum(r.size for r in found.rows) == sum(
        1 for created, *_ in history if period.start <= created < period.end
    )


def test_a_month_just_begun_without_leads_is_left_out(services, clock, history):
    # Leads were created up to late May; on 1 July at noon, July has none yet, while June
    # (empty too, but over) stays: a month without leads is worth seeing.
    found = reports.cohorts(services, REP, parse_period("last 3 months", ZONE, clock()), "month")
    assert [row.label for row in found.rows] == ["2026-04", "2026-05", "2026-06"]
    assert found.rows[-1].size == 0
