"""Lead use cases on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.domain.errors import InvalidTransition, NotAllowed
from assistant.domain.roles import Role
from assistant.services import deals, leads, queries, roles
from assistant.services.context import Actor
from assistant.services.leads import NewLead


def test_create_defaults_and_numbers(services, rep):
    lead = leads.create_lead(services, rep, NewLead(name="Jane Doe", email="Jane@Acme.com"))
    assert (lead.number, lead.stage_key, lead.status) == (1, "awareness", "open")
    assert lead.email == "jane@acme.com" and lead.owner_id == "UREP"
    assert queries.lead_card(services, rep, "jane@acme.com").number == 1
    assert queries.lead_card(services, rep, "L1").name == "Jane Doe"


def test_moving_back_keeps_the_furthest_stage(services, rep):
    leads.create_lead(services, rep, NewLead(name="Jane", stage="consideration"))
    moved = leads.move_lead(services, rep, "L1", "back")
    assert moved.lead.stage_key == "interest"
    assert moved.lead.furthest_stage_key == "consideration"


def test_convert_keeps_source_and_campaign_and_win_reaches_action(services, rep):
    leads.create_lead(
        services, rep, NewLead(name="Jane", company="Acme", source="webinar", campaign="q1")
    )
    converted = leads.convert_lead(services, rep, "L1", amount=Decimal("5000"))
    assert converted.lead.status == "converted"
    assert converted.lead.stage_key == "consideration"
    assert converted.deal.source == "webinar" and converted.deal.campaign == "q1"
    assert converted.deal.lead_number == 1 and converted.deal.amount == Decimal("5000.00")
    deals.win_deal(services, rep, f"#{converted.deal.number}")
    lead = queries.lead_card(services, rep, "L1")
    assert (lead.stage_key, lead.furthest_stage_key) == ("action", "action")
    assert lead.deal_numbers == [converted.deal.number]


def test_dropped_lead_cannot_move(services, rep):
    leads.create_lead(services, rep, NewLead(name="Jane"))
    dropped = leads.drop_lead(services, rep, "jane", "no budget")
    assert dropped.status == "dropped" and dropped.drop_reason == "no budget"
    with pytest.raises(InvalidTransition):
        leads.move_lead(services, rep, "L1", "next")


def test_lead_permissions(services, rep, other_rep, admin):
    leads.create_lead(services, rep, NewLead(name="Jane"))
    with pytest.raises(NotAllowed):
        leads.move_lead(services, other_rep, "L1", "next")
    roles.set_role(services, admin, "UMKT", Role.MARKETER)
    marketer = Actor("T_TEST", "UMKT")
    assert leads.move_lead(services, marketer, "L1", "next").to_stage == "interest"
    # Converting creates a deal, which marketers don't: sales takes the lead on.
    with pytest.raises(NotAllowed, match="create deals"):
        leads.convert_lead(services, marketer, "L1", owner_id="UREP")
    assert leads.convert_lead(services, rep, "L1").deal.owner_id == "UREP"


def test_list_leads_filters(services, rep, clock):
    leads.create_lead(services, rep, NewLead(name="A", source="Ads"))
    clock.advance(days=40)
    leads.create_lead(services, rep, NewLead(name="B", source="ads", campaign="spring"))
    leads.create_lead(services, rep, NewLead(name="C"))
    page = queries.list_leads(services, rep, queries.LeadFilter(source="ADS"))
    assert [lead.name for lead in page.items] == ["B", "A"] and page.total == 2
    page = queries.list_leads(services, rep, queries.LeadFilter(campaign="spring"))
    assert [lead.name for lead in page.items] == ["B"]
