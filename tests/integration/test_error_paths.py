"""Every refused change leaves the database byte-for-byte as it was."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.domain.errors import DomainError
from assistant.domain.roles import Role
from assistant.services import deals, leads, roles, settings
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from assistant.services.leads import NewLead
from testkit.dbdump import dump

REP = Actor("T_TEST", "UREP")
OTHER = Actor("T_TEST", "UREP2")
ADMIN = Actor("T_TEST", "UADMIN")
MARKETER = Actor("T_TEST", "UMKT")
STRANGER = Actor("T_ELSEWHERE", "UREP")

FAILING_CALLS = {
    "unknown deal": lambda s: deals.move_deal(s, REP, "#404", "next"),
    "ambiguous": lambda s: deals.move_deal(s, REP, "acme", "next"),
    "mistyped stage": lambda s: deals.move_deal(s, REP, "#1", "propsal"),
    "back from first stage": lambda s: deals.move_deal(s, REP, "#1", "back"),
    "same stage": lambda s: deals.move_deal(s, REP, "#1", "prospecting"),
    "someone else's deal": lambda s: deals.move_deal(s, OTHER, "#1", "next"),
    "stale card": lambda s: deals.win_deal(s, REP, "#1", version=99),
    "closed deal move": lambda s: deals.move_deal(s, REP, "#3", "next"),
    "reopen open deal": lambda s: deals.reopen_deal(s, REP, "#1"),
    "empty name": lambda s: deals.create_deal(s, REP, NewDeal(name="   ")),
    "huge name": lambda s: deals.create_deal(s, REP, NewDeal(name="x" * 5000)),
    "bad stage on create": lambda s: deals.create_deal(s, REP, NewDeal(name="A", stage="nope")),
    "marketer creates deal": lambda s: deals.create_deal(s, MARKETER, NewDeal(name="A")),
    "empty note": lambda s: deals.add_note(s, REP, "#1", "  "),
    "edit nothing": lambda s: deals.edit_deal(s, REP, "#1"),
    "assign to owner": lambda s: deals.assign_deal(s, REP, "#1", "UREP"),
    "other workspace": lambda s: deals.move_deal(s, STRANGER, "#1", "next"),
    "duplicate email": lambda s: leads.create_lead(s, REP, NewLead(name="B", email="a@x.io")),
    "bad email": lambda s: leads.create_lead(s, REP, NewLead(name="B", email="nope")),
    "unknown lead": lambda s: leads.move_lead(s, REP, "L99", "next"),
    "nonsense lead stage": lambda s: leads.move_lead(s, REP, "L1", "next next"),
    "convert twice": lambda s: leads.convert_lead(s, REP, "L2"),
    "rep sets role": lambda s: roles.set_role(s, REP, "UXX", Role.ADMIN),
    "rep changes settings": lambda s: settings.update_settings(s, REP, currency="EUR"),
    "bad time zone": lambda s: settings.update_settings(s, ADMIN, timezone="Mars/Base"),
    "stage with open deals removed": lambda s: settings.set_pipeline(s, ADMIN, ["a", "b"]),
    "one stage": lambda s: settings.set_pipeline(s, ADMIN, ["only"]),
    "bad target": lambda s: settings.configure_stage(s, ADMIN, "qual", target_days=0),
}


@pytest.fixture
def seeded(services):
    deals.create_deal(services, REP, NewDeal(name="Acme one", amount=Decimal(100)))
    deals.create_deal(services, REP, NewDeal(name="Acme two"))
    deals.create_deal(services, REP, NewDeal(name="Closed"))
    deals.win_deal(services, REP, "#3")
    leads.create_lead(services, REP, NewLead(name="Ann", email="a@x.io"))
    leads.create_lead(services, REP, NewLead(name="Bob"))
    leads.convert_lead(services, REP, "L2")
    roles.set_role(services, ADMIN, "UMKT", Role.MARKETER)
    return services


@pytest.mark.parametrize("case", sorted(FAILING_CALLS))
def test_refused_change_changes_nothing(seeded, case):
    before = dump(seeded.db)
    with pytest.raises(DomainError) as err:
        FAILING_CALLS[case](seeded)
    assert err.value.message  # every refusal says why
    assert dump(seeded.db) == before
