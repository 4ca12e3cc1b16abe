"""Amounts ("over 50k"), breakdowns ("by rep") and deal numbers ("#12") in a question."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.ask import quantities
from assistant.ask.clean import clean
from assistant.ask.words import Words


def read(text: str) -> Words:
    return Words(clean(text).words)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("deals over 50k", "50k"),
        ("above $10,000", "10k"),
        ("bigger than 1.5m", "1.5m"),
        ("more than 1.5 million", "1.5m"),
        ("worth more than 75k", "75k"),
        ("> 40k", "40k"),
        ("100k+", "100k"),
        ("at least 12,500", "12.5k"),
        ("over 12345", "12345"),
        ("over 2 grand", "2k"),
        # more than the commands take is passed on as typed, for the command to say so
        ("over 99999999999999999999999k", "99999999999999999999999k"),
    ],
)
def test_over_an_amount(text: str, amount: str) -> None:
    words = read(text)
    assert quantities.take_over(words) == amount
    assert "~amount" in words.outline()


@pytest.mark.parametrize("text", ["50k deals", "deals for 2026", "the 3 deals"])
def test_a_bare_number_is_no_filter(text: str) -> None:
    assert quantities.take_over(read(text)) is None


def test_under_an_amount_is_noticed() -> None:
    assert quantities.take_under(read("deals under 10k"))
    assert not quantities.take_under(read("deals over 10k"))


@pytest.mark.parametrize(
    ("value", "text"),
    [("50000", "50k"), ("1500000", "1.5m"), ("12500", "12.5k"), ("999", "999"), ("2e9", "2b")],
)
def test_compact(value: str, text: str) -> None:
    assert quantities.compact(Decimal(value)) == text


@pytest.mark.parametrize(
    ("text", "amount"),
    [("48k", "48k"), ("$120,000", "120k"), ("1.5 million", "1.5m"), ("-5k", "-5k"), ("yay", None)],
)
def test_a_final_amount_typed_alone(text: str, amount: str | None) -> None:
    assert quantities.read_amount(text) == amount


@pytest.mark.parametrize(
    ("text", "segment"),
    [
        ("win rate by rep", "owner"),
        ("per salesperson", "owner"),
        ("rep by rep", "owner"),
        ("for each owner", "owner"),
        ("by lead source", "source"),
        ("per channel", "source"),
        ("broken down by campaign", "campaign"),
        ("by account", "company"),
        ("per customer", "company"),
        ("by stage", "stage"),
        ("leads by month", "month"),
        ("weekly cohorts", "week"),
        ("win rate", None),
    ],
)
def test_breakdowns(text: str, segment: str | None) -> None:
    assert quantities.take_segment(read(text)) == segment


@pytest.mark.parametrize(
    ("text", "number"),
    [("#12", 12), ("status of #7", 7), ("show deal 40", 40), ("deal #58", 58), ("12 deals", None)],
)
def test_deal_numbers(text: str, number: int | None) -> None:
    assert quantities.take_deal_number(read(text)) == number
