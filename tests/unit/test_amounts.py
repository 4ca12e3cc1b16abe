from decimal import Decimal

import pytest

from assistant.domain.amounts import format_amount, format_compact, looks_like_amount, parse_amount
from assistant.domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12000", "12000.00"),
        ("12,000", "12000.00"),
        ("1,234,567", "1234567.00"),
        ("12k", "12000.00"),
        ("12K", "12000.00"),
        ("1.5m", "1500000.00"),
        ("1.5M", "1500000.00"),
        ("2b", "2000000000.00"),
        ("$12k", "12000.00"),
        ("$12,000.50", "12000.50"),
        ("€5k", "5000.00"),
        ("£5k", "5000.00"),
        ("¥300", "300.00"),
        ("5k€", "5000.00"),  # European habit: symbol after the number
        ("$ 12k", "12000.00"),
        ("  7  ", "7.00"),
        ("\u00a012k\u00a0", "12000.00"),  # non-breaking spaces pasted from Slack
        (".5m", "500000.00"),
        ("0", "0.00"),
        ("007", "7.00"),
        ("1.005", "1.01"),  # ROUND_HALF_UP, not banker's rounding
        ("0.125", "0.13"),
        ("1.2345k", "1234.50"),  # decimals beyond 2 are fine once expanded
        ("1.23456789k", "1234.57"),
        ("1,000,000,000,000", "1000000000000.00"),  # exactly 10^12 is the ceiling
        ("1000b", "1000000000000.00"),
    ],
)
def test_parse_amount_accepts(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)
    assert str(parse_amount(text)) == expected
    assert looks_like_amount(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "twelve",
        "NaN",
        "nan",
        "Infinity",
        "inf",
        "1e6",
        "1,2,3",
        "12,00",
        "1234,567",
        ",000",
        "12.",
        "12.5.3",
        "1kk",
        "1km",
        "12 k",
        "$$5",
        "$5€",
        "k",
        "$",
        "٣٤",  # Arabic-Indic digits
        "１２",  # full-width digits
        "12%",
        "#12",
        "<@U123>",
        "stage:prop",
    ],
)
def test_parse_amount_rejects_non_numbers(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_amount(text)
    assert "12k" in str(err.value)  # the reply shows examples of what works
    assert not looks_like_amount(text)


@pytest.mark.parametrize("text", ["-5", "-$5", "$-5", "-12k", " -1,000 "])
def test_parse_amount_rejects_negative(text: str) -> None:
    with pytest.raises(InvalidInput, match="negative"):
        parse_amount(text)
    assert not looks_like_amount(text)


@pytest.mark.parametrize(
    "text", ["1000000000001", "1001b", "1.5t", "2000000m", "9" * 60, "1000000000000.01"]
)
def test_parse_amount_rejects_unrealistic(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_amount(text)


def test_error_names_the_text() -> None:
    with pytest.raises(InvalidInput, match="`lots`"):
        parse_amount("lots")


def test_error_shortens_a_pasted_paragraph() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_amount("x" * 500)
    assert len(str(err.value)) < 150


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("12000", "USD", "$12,000"),
        ("12000.00", "USD", "$12,000"),
        ("1250.5", "USD", "$1,250.50"),
        ("1250.50", "USD", "$1,250.50"),
        ("0.5", "USD", "$0.50"),
        ("1234567.891", "USD", "$1,234,567.89"),
        ("0.005", "USD", "$0.01"),
        ("0", "USD", "$0"),
        ("-5", "USD", "-$5"),
        ("-1250.5", "USD", "-$1,250.50"),
        ("-0.001", "USD", "$0"),  # rounds to zero: no minus sign
        ("12000", "EUR", "€12,000"),
        ("12000", "eur", "€12,000"),
        ("5000", "GBP", "£5,000"),
        ("5000", "JPY", "¥5,000"),
        ("12000", "CHF", "12,000 CHF"),
        ("-12000.5", "CHF", "-12,000.50 CHF"),
        ("1000000000000", "USD", "$1,000,000,000,000"),
    ],
)
def test_format_amount(value: str, currency: str, expected: str) -> None:
    assert format_amount(Decimal(value), currency) == expected


def test_format_amount_defaults_to_usd() -> None:
    assert format_amount(Decimal("42")) == "$42"


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("0", "USD", "$0"),
        ("0.4", "USD", "$0"),
        ("-0.4", "USD", "$0"),
        ("900", "USD", "$900"),
        ("999.4", "USD", "$999"),
        ("999.6", "USD", "$1k"),  # would be `$1000` otherwise
        ("1000", "USD", "$1k"),
        ("1234", "USD", "$1.2k"),
        ("1250", "USD", "$1.3k"),  # half up
        ("12500", "USD", "$12.5k"),
        ("99960", "USD", "$100k"),
        ("350000", "USD", "$350k"),
        ("123456", "USD", "$123k"),
        ("999960", "USD", "$1M"),  # not `$1000k`
        ("1200000", "USD", "$1.2M"),
        ("150000000", "USD", "$150M"),
        ("2500000000", "USD", "$2.5B"),
        ("1000000000000", "USD", "$1T"),
        ("-5000", "USD", "-$5k"),
        ("350000", "EUR", "€350k"),
        ("1200000", "CHF", "1.2M CHF"),
    ],
)
def test_format_compact(value: str, currency: str, expected: str) -> None:
    assert format_compact(Decimal(value), currency) == expected


def test_round_trip_of_typed_amounts() -> None:
    assert format_amount(parse_amount("$12k")) == "$12,000"
    assert format_amount(parse_amount("1.5m"), "EUR") == "€1,500,000"
    assert format_compact(parse_amount("1.5m")) == "$1.5M"
