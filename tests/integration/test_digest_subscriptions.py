"""Digest subscriptions on both databases: who may, what is stored, workspace boundaries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from assistant.domain.errors import InvalidInput, NotAllowed, NotFound
from assistant.domain.roles import Role
from assistant.domain.schedule import Schedule
from assistant.services import roles, subscriptions
from assistant.services.context import Actor
from assistant.storage.models import DigestSubscription

WEEKDAYS_9 = Schedule(frequency="weekdays", at_time="09:00", timezone="Europe/Berlin")
MANAGER = Actor("T_TEST", "UMGR")
MARKETER = Actor("T_TEST", "UMKT")
ELSEWHERE = Actor("T_OTHER", "UADMIN")


@pytest.fixture
def staffed(services, admin):
    roles.set_role(services, admin, "UMGR", Role.MANAGER)
    roles.set_role(services, admin, "UMKT", Role.MARKETER)
    return services


def count(services) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(DigestSubscription))


def test_manager_subscribes_and_lists(staffed, clock):
    clock.set(datetime(2026, 3, 6, 12, tzinfo=UTC))  # a Friday
    view = subscriptions.subscribe(staffed, MANAGER, "C_SALES", "Pipeline", WEEKDAYS_9)
    assert (view.channel_id, view.kind, view.schedule) == ("C_SALES", "pipeline", WEEKDAYS_9)
    assert view.created_by == "UMGR"
    assert view.next_occurrence_at == datetime(2026, 3, 9, 8, tzinfo=UTC)  # Monday 09:00 CET
    listed = subscriptions.list_subscriptions(staffed, MANAGER)
    assert [s.id for s in listed] == [view.id]
    assert listed[0].last_delivery is None
    with staffed.db.reading() as session:
        row = session.get(DigestSubscription, view.id)
        assert (row.frequency, row.weekday, row.at_time, row.timezone, row.active) == (
            "weekdays", None, "09:00", "Europe/Berlin", True,
        )  # fmt: skip


def test_weekly_keeps_its_day(services, admin):
    weekly = Schedule(frequency="weekly", weekday=4, at_time="16:30", timezone="UTC")
    view = subscriptions.subscribe(services, admin, "C_SALES", "both", weekly)
    assert view.schedule.weekday == 4
    assert subscriptions.list_subscriptions(services, admin)[0].schedule == weekly


def test_rep_may_not_subscribe_and_nothing_is_written(services, rep):
    with pytest.raises(NotAllowed, match="managers and admins"):
        subscriptions.subscribe(services, rep, "C_SALES", "pipeline", WEEKDAYS_9)
    assert count(services) == 0


def test_marketer_may_subscribe_to_funnel_digests_only(staffed):
    subscriptions.subscribe(staffed, MARKETER, "C_MKT", "funnel", WEEKDAYS_9)
    for kind in ("pipeline", "both"):
        with pytest.raises(NotAllowed):
            subscriptions.subscribe(staffed, MARKETER, "C_MKT", kind, WEEKDAYS_9)
    assert count(staffed) == 1


def test_same_digest_twice_in_a_channel_is_refused(services, admin):
    first = subscriptions.subscribe(services, admin, "C_SALES", "pipeline", WEEKDAYS_9)
    with pytest.raises(InvalidInput, match=f"#{first.id}"):
        subscriptions.subscribe(services, admin, "C_SALES", "pipeline", WEEKDAYS_9)
    # Another time, kind or channel is another subscription.
    later = Schedule(frequency="weekdays", at_time="17:00", timezone="Europe/Berlin")
    subscriptions.subscribe(services, admin, "C_SALES", "pipeline", later)
    subscriptions.subscribe(services, admin, "C_SALES", "funnel", WEEKDAYS_9)
    subscriptions.subscribe(services, admin, "C_OTHER", "pipeline", WEEKDAYS_9)
    assert count(services) == 4


@pytest.mark.parametrize(("channel", "kind"), [("C_SALES", "weather"), ("#sales", "pipeline")])
def test_bad_kind_or_channel(services, admin, channel, kind):
    with pytest.raises(InvalidInput):
        subscriptions.subscribe(services, admin, channel, kind, WEEKDAYS_9)
    assert count(services) == 0


def test_unsubscribe_stops_it_and_keeps_the_row(staffed, admin):
    view = subscriptions.subscribe(staffed, admin, "C_SALES", "pipeline", WEEKDAYS_9)
    stopped = subscriptions.unsubscribe(staffed, MANAGER, f"#{view.id}")
    assert stopped.id == view.id
    assert subscriptions.list_subscriptions(staffed, admin) == []
    with staffed.db.reading() as session:
        assert session.get(DigestSubscription, view.id).active is False
    with pytest.raises(NotFound, match="/digest list"):
        subscriptions.unsubscribe(staffed, admin, view.id)


def test_unsubscribe_needs_the_role(staffed, admin, rep):
    pipeline = subscriptions.subscribe(staffed, admin, "C_SALES", "pipeline", WEEKDAYS_9)
    funnel = subscriptions.subscribe(staffed, admin, "C_SALES", "funnel", WEEKDAYS_9)
    with pytest.raises(NotAllowed):
        subscriptions.unsubscribe(staffed, rep, pipeline.id)
    with pytest.raises(NotAllowed):
        subscriptions.unsubscribe(staffed, MARKETER, pipeline.id)
    subscriptions.unsubscribe(staffed, MARKETER, funnel.id)
    assert [s.id for s in subscriptions.list_subscriptions(staffed, admin)] == [pipeline.id]


@pytest.mark.parametrize("reference", ["999", "abc", "", "99999999999999999999"])
def test_unknown_subscription_is_a_friendly_not_found(services, admin, reference):
    with pytest.raises(NotFound, match="no digest subscription"):
        subscriptions.unsubscribe(services, admin, reference)


def test_other_workspaces_cannot_see_or_stop_it(services, admin):
    view = subscriptions.subscribe(services, admin, "C_SALES", "pipeline", WEEKDAYS_9)
    assert subscriptions.list_subscriptions(services, ELSEWHERE) == []
    with pytest.raises(NotFound):
        subscriptions.unsubscribe(services, ELSEWHERE, view.id)
    assert [s.id for s in subscriptions.list_subscriptions(services, admin)] == [view.id]
