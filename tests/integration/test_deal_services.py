"""Deal use cases on both databases: the effects are read back from the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from assistant.domain.errors import (
    AmbiguousReference,
    ChangedMeanwhile,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    UnknownDeal,
    UnknownStage,
)
from assistant.domain.roles import Role
from assistant.services import deals, queries, roles
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from assistant.storage.models import Change, Deal


def test_create_deal_defaults_to_caller_and_first_stage(services, rep):
    view = deals.create_deal(services, rep, NewDeal(name="Acme renewal", amount=Decimal("12000")))
    assert view.number == 1
    assert view.owner_id == "UREP"
    assert view.stage_key == "prospecting"
    assert view.stage_label == "Lead generation"
    assert view.amount == Decimal("12000.00")
    assert view.probability == Decimal("0.05")
    with services.db.reading() as session:
        deal = session.scalar(select(Deal))
        assert deal.name == "Acme renewal"
        fields = set(session.scalars(select(Change.field).where(Change.entity == "deal")))
    assert fields >= {"name", "amount", "owner_id", "stage_key", "status"}


def test_numbers_are_per_workspace(services, rep):
    other = Actor(team_id="T_OTHER", user_id="UREP")
    assert deals.create_deal(services, rep, NewDeal(name="A")).number == 1
    assert deals.create_deal(services, rep, NewDeal(name="B")).number == 2
    assert deals.create_deal(services, other, NewDeal(name="C")).number == 1


def test_move_reports_from_to_and_days(services, rep, clock):
    deals.create_deal(services, rep, NewDeal(name="Acme"))
    clock.advance(days=3, hours=12)
    result = deals.move_deal(services, rep, "#1", "next")
    assert (result.from_stage, result.to_stage) == ("prospecting", "qualification")
    assert result.days_in_previous == pytest.approx(3.5)
    result = deals.move_deal(services, rep, "acme", "prop")
    assert result.to_stage == "proposal"
    result = deals.move_deal(services, rep, "1", "back")
    assert result.to_stage == "solution"


def test_mistyped_stage_suggests_and_changes_nothing(services, rep):
    deals.create_deal(services, rep, NewDeal(name="Acme"))
    with pytest.raises(UnknownStage) as err:
        deals.move_deal(services, rep, "#1", "propsal")
    assert err.value.suggestion == "proposal"
    assert queries.deal_card(services, rep, "#1").deal.stage_key == "prospecting"


def test_ambiguous_fragment_lists_candidates(services, rep):
    deals.create_deal(services, rep, NewDeal(name="Acme renewal"))
    deals.create_deal(services, rep, NewDeal(name="Acme expansion"))
    with pytest.raises(AmbiguousReference) as err:
        deals.move_deal(services, rep, "acme", "next")
    assert err.value.candidates == ["#1 Acme renewal", "#2 Acme expansion"]


def test_fragment_prefers_open_deals_and_exact_names(services, rep):
    deals.create_deal(services, rep, NewDeal(name="Acme"))
    deals.create_deal(services, rep, NewDeal(name="Acme two"))
    deals.lose_deal(services, rep, "#2")
    assert deals.move_deal(services, rep, "acme", "next").deal.number == 1
    assert deals.move_deal(services, rep, "ACME", "next").deal.number == 1


def test_unicode_fragment_is_case_insensitive(services, rep):
    deals.create_deal(services, rep, NewDeal(name="Müller GmbH"))
    assert queries.deal_card(services, rep, "MÜLLER").deal.number == 1


def test_unknown_deal(services, rep):
    with pytest.raises(UnknownDeal):
        deals.move_deal(services, rep, "#99", "next")


def test_win_lose_reopen(services, rep, clock):
    deals.create_deal(services, rep, NewDeal(name="Acme", amount=Decimal(100), stage="proposal"))
    clock.advance(days=2)
    won = deals.win_deal(services, rep, "#1", Decimal("150"))
    assert won.deal.status == "won" and won.deal.amount == Decimal("150.00")
    assert won.deal.probability == Decimal("1")
    with pytest.raises(InvalidTransition):
        deals.move_deal(services, rep, "#1", "next")
    reopened = deals.reopen_deal(services, rep, "#1")
    assert reopened.deal.status == "open" and reopened.deal.stage_key == "proposal"
    lost = deals.lose_deal(services, rep, "#1", "budget cut")
    assert lost.deal.lost_reason == "budget cut"
    assert deals.reopen_deal(services, rep, "#1", "qual").deal.stage_key == "qualification"


def test_rep_cannot_change_someone_elses_deal_but_manager_can(services, rep, other_rep, admin):
    deals.create_deal(services, rep, NewDeal(name="Acme"))
    with pytest.raises(NotAllowed) as err:
        deals.move_deal(services, other_rep, "#1", "next")
    assert "owner" in str(err.value)
    roles.set_role(services, admin, "UMGR", Role.MANAGER)
    manager = Actor("T_TEST", "UMGR")
    assert deals.move_deal(services, manager, "#1", "next").to_stage == "qualification"


def test_marketer_cannot_create_deals(services, admin):
    roles.set_role(services, admin, "UMKT", Role.MARKETER)
    with pytest.raises(NotAllowed):
        deals.create_deal(services, Actor("T_TEST", "UMKT"), NewDeal(name="X"))


def test_stale_version_is_refused(services, rep):
    view = deals.create_deal(services, rep, NewDeal(name="Acme"))
    deals.move_deal(services, rep, "#1", "next", version=view.version)
    with pytest.raises(ChangedMeanwhile):
        deals.move_deal(services, rep, "#1", "next", version=view.version)


def test_edit_assign_note_and_card(services, rep, clock):
    deals.create_deal(services, rep, NewDeal(name="Acme"))
    deals.edit_deal(services, rep, "#1", amount=Decimal(5000), company="Acme Inc", name="Acme 2027")
    deals.add_note(services, rep, "#1", "Called; they want a demo")
    clock.advance(days=8)
    deals.move_deal(services, rep, "#1", "next")
    deals.assign_deal(services, rep, "#1", "UREP2")
    card = queries.deal_card(services, rep, "#1")
    assert card.deal.name == "Acme 2027" and card.deal.owner_id == "UREP2"
    assert [n.text for n in card.notes] == ["Called; they want a demo"]
    assert [(s.stage_key, round(s.days(card.now))) for s in card.stays] == [
        ("prospecting", 8),
        ("qualification", 0),
    ]
    assert card.next_stage.key == "assessment"
    with pytest.raises(InvalidInput):
        deals.edit_deal(services, rep, "#1")


def test_stuck_list(services, rep, clock):
    deals.create_deal(services, rep, NewDeal(name="Old"))
    clock.advance(days=5)
    deals.create_deal(services, rep, NewDeal(name="New"))
    clock.advance(days=4)  # Old: 9 days in prospecting (target 7) -> stuck by 2
    page = queries.list_deals(services, rep, queries.DealFilter(stuck_only=True))
    assert [(v.number, round(v.overdue_days)) for v in page.items] == [(1, 2)]
