"""A digest is read in one session and laid out in one time zone: the subscription's.

The workspace is on UTC; a subscription in Auckland asks for its digest at 08:00 local time,
which is still the day before in UTC. Its title, "since" and periods are Auckland's, and the
digest says so.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from assistant.digests.compose import compose_digest, request_for
from assistant.services import deals
from assistant.services.context import Actor
from assistant.services.deals import NewDeal

REP = Actor("T_TEST", "UREP")
AUCKLAND = "Pacific/Auckland"


def test_the_digest_is_in_the_subscriptions_zone_and_says_so(services, clock):
    clock.set(datetime(2026, 3, 2, 18, 0, tzinfo=UTC))  # Tue 3 Mar, 07:00 in Auckland
    deals.create_deal(services, REP, NewDeal(name="Acme", amount=Decimal("5000")))
    request = replace(request_for(services, REP, "C0SALES", "pipeline"), timezone=AUCKLAND)
    text = compose_digest(services, request, charts=False).text
    assert text.startswith("Pipeline digest · Tue 03 Mar 2026")
    assert "Since Mon 2026-03-02 07:00" in text  # 24 h before, in Auckland
    assert f"Times and periods in {AUCKLAND}." in text


def test_the_digest_reads_in_one_session(services, clock):
    deals.create_deal(services, REP, NewDeal(name="Acme", amount=Decimal("5000")))
    request = request_for(services, REP, "C0SALES", "both")
    opened = []
    real = services.db.reading

    @contextmanager
    def counted():
        opened.append(1)
        with real() as session:
            yield session

    services.db.reading = counted
    try:
        compose_digest(services, request, charts=False)
    finally:
        services.db.reading = real
    assert len(opened) == 1
