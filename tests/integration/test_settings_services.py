"""Stages and workspace settings (admins only) on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.domain.errors import InvalidInput, NotAllowed
from assistant.services import deals, settings
from assistant.services.deals import NewDeal


def test_default_stages_are_seeded(services, rep):
    stages = settings.list_pipeline(services, rep)
    assert [s.key for s in stages] == [
        "prospecting", "qualification", "assessment", "solution", "proposal", "closing",
    ]  # fmt: skip
    assert [s.target_days for s in stages] == [7, 7, 14, 14, 10, 7]
    assert [s.probability for s in stages] == [
        Decimal(p) for p in ("0.05", "0.1", "0.2", "0.4", "0.6", "0.8")
    ]


def test_set_pipeline_keeps_existing_stages_by_label(services, admin):
    deals.create_deal(services, admin, NewDeal(name="A"))  # sits in prospecting
    stages = settings.set_pipeline(services, admin, ["Lead generation", "Demo", "Proposal"])
    assert [s.key for s in stages] == ["prospecting", "demo", "proposal"]
    assert stages[0].target_days == 7 and stages[2].probability == Decimal("0.6")


def test_set_pipeline_refuses_removing_occupied_stage(services, admin):
    deals.create_deal(services, admin, NewDeal(name="A", stage="assessment"))
    with pytest.raises(InvalidInput, match="assessment"):
        settings.set_pipeline(services, admin, ["prospecting", "closing"])


def test_configure_stage(services, admin, rep):
    view = settings.configure_stage(
        services, admin, "prop", target_days=21, probability=Decimal("0.55"), label="Negotiation"
    )
    assert (view.key, view.target_days, view.probability, view.label) == (
        "proposal", 21, Decimal("0.55"), "Negotiation",
    )  # fmt: skip
    with pytest.raises(NotAllowed, match="admins"):
        settings.configure_stage(services, rep, "prop", target_days=3)


def test_settings_round_trip(services, admin):
    updated = settings.update_settings(
        services, admin, timezone="America/New_York", currency="eur", feed_channel="C0FEED"
    )
    assert (updated.timezone, updated.currency, updated.feed_channel) == (
        "America/New_York", "EUR", "C0FEED",
    )  # fmt: skip
    assert settings.get_settings(services, admin) == updated
