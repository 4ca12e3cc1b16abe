"""The funnel digest composed from a small story, figures worked out by hand (PRODUCT.md §5).

T0 = Monday 2026-03-02 09:00 UTC. Daily digests look at the last 7 days, [T0-7d, T0); a
monthly one at the calendar month that just ended (February).
  T0-10d  P1 Google, no campaign, awareness            (the previous 7 days' cohort)
  T0-2d   G1 Google/fall, G2 Google/fall: awareness     furthest awareness
          G3 Google, no campaign, -> interest           furthest interest
          L1 LinkedIn/spring, created at action         furthest action, 0 days
          L2 LinkedIn/fall, awareness                   furthest awareness
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.digests.compose import compose_digest, request_for
from assistant.domain.schedule import Schedule
from assistant.services import leads, subscriptions
from assistant.services.context import Actor
from assistant.services.leads import NewLead

REP = Actor("T_TEST", "UREP")
CHARTS = Path("/tmp/digest-charts")


def _lead(services, name, source=None, campaign=None, stage=None):
    leads.create_lead(services, REP, NewLead(name, source=source, campaign=campaign, stage=stage))


@pytest.fixture
def story(services, clock):
    t0 = clock.now
    clock.set(t0 - timedelta(days=10))
    _lead(services, "P1", "Google")
    clock.set(t0 - timedelta(days=2))
    _lead(services, "G1", "Google", "fall")
    _lead(services, "G2", "Google", "fall")
    _lead(services, "G3", "Google")
    _lead(services, "L1", "LinkedIn", "spring", stage="action")
    _lead(services, "L2", "LinkedIn", "fall")
    leads.move_lead(services, REP, "G3", "interest")
    clock.set(t0)
    return t0


def _request(services, **changes):
    return replace(request_for(services, REP, "C0SALES", "funnel"), **changes)


def test_funnel_digest_by_hand(services, story):
    message = compose_digest(services, _request(services))
    text = message.text
    # Cohort G1 G2 G3 L1 L2 = 5 against P1 alone before: ▲4.
    assert "• Leads created: *5* (▲4 vs previous 7 days)" in text
    # Reached action: L1 only, 1 / 5 = 20%; before 0 / 1 = 0%: ▲20 pts.
    assert "• Reached Action (purchase): *20% (▲20 pts vs previous 7 days)*" in text
    assert "• Median time to action: under an hour" in text  # L1 was created at action
    # Reached: awareness 5; interest G3, L1 = 2 (40%); consideration L1 = 1 (50%); action 1.
    assert "Interest: 2 reached, 40% of the stage before" in text
    assert "Consideration: 1 reached, 50% of the stage before" in text
    assert "Action (purchase): 1 reached, 100% of the stage before" in text
    # Google G1 G2 G3 = 0 / 3 (P1 is the previous period's); LinkedIn L1 L2 = 1 / 2 = 50%.
    assert "*Sources*: no best or worst yet: fewer than two sources with 30 leads or more." in text
    # spring 1 / 1 = 100%; fall G1 G2 L2 = 0 / 3; G3 has no campaign and is not ranked.
    assert (
        "*Campaigns*: no best or worst yet: fewer than two campaigns with 30 leads or more." in text
    )
    assert "2026-02-23 09:00 to 2026-03-02 09:00 (UTC)" in text
    blocks = [b.to_dict() for b in message.blocks]
    assert blocks[0]["text"]["text"] == "Funnel digest · last 7 days"
    table = next(b["text"]["text"] for b in blocks if "```" in b.get("text", {}).get("text", ""))
    # Before: P1 reached awareness only, so interest was 0 / 1 = 0% of it: +40 pts now.
    assert "Interest                 2      +2   40%  +40 pts" in table
    assert "Consideration            1      +1   50%        —" in table  # 0 / 0 before: none
    (name, png, title) = message.charts[0]
    assert (name, title) == ("funnel-2026-03-02.png", "Funnel, last 7 days")
    CHARTS.mkdir(parents=True, exist_ok=True)
    (CHARTS / "funnel-digest.png").write_bytes(png)


def test_monthly_digest_reports_last_month(services, story, admin):
    monthly = Schedule(frequency="monthly", at_time="09:00", timezone="UTC")
    view = subscriptions.subscribe(services, admin, "C0SALES", "funnel", monthly)
    first_of_march = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    request = _request(services, subscription_id=view.id, occurrence_at=first_of_march)
    text = compose_digest(services, request, charts=False).text
    # February holds P1 (Feb 20) and the five of Feb 28: 6 leads; January none.
    assert text.startswith("Funnel digest · last month")
    assert "• Leads created: *6* (▲6 vs previous 28 days)" in text
    assert "Leads created 2026-02-01 to 2026-02-28 (UTC)" in text


def test_a_subscription_of_another_workspace_does_not_steer_the_period(services, story, admin):
    monthly = Schedule(frequency="monthly", at_time="09:00", timezone="UTC")
    elsewhere = subscriptions.subscribe(
        services, Actor("T_OTHER", "UADMIN"), "C0SALES", "funnel", monthly
    )
    text = compose_digest(services, _request(services, subscription_id=elsewhere.id)).text
    assert text.startswith("Funnel digest · last 7 days")
