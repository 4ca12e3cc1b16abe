import pytest

from assistant.domain.errors import InvalidInput
from assistant.domain.references import (
    DealRef,
    LeadRef,
    parse_channel_mention,
    parse_deal_ref,
    parse_lead_ref,
    parse_user_mention,
)


@pytest.mark.parametrize(
    ("text", "number"),
    [("#12", 12), ("12", 12), (" #12 ", 12), ("# 12", 12), ("#007", 7), ("1", 1)],
)
def test_deal_ref_number(text: str, number: int) -> None:
    ref = parse_deal_ref(text)
    assert ref.number == number
    assert ref.fragment is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Acme", "acme"),
        ("  ACME Corp  ", "acme corp"),
        ("acme\u00a0  corp", "acme corp"),  # non-breaking and repeated spaces
        ("Straße", "strasse"),  # casefold, not lower
        ("Café Müller", "café müller"),
        ("#acme", "#acme"),
        ("12k", "12k"),
        ("#12a", "#12a"),
        ("١٢", "١٢"),  # non-ASCII digits are a name, not a number
        ("Acme 2024", "acme 2024"),
    ],
)
def test_deal_ref_fragment(text: str, fragment: str) -> None:
    ref = parse_deal_ref(text)
    assert ref.number is None
    assert ref.fragment == fragment


def test_deal_ref_keeps_raw_text_for_replies() -> None:
    assert parse_deal_ref(" ACME  Corp ") == DealRef(None, "acme corp", "ACME Corp")
    assert parse_deal_ref("#12") == DealRef(12, None, "#12")


@pytest.mark.parametrize("text", ["", "   ", "\u00a0", "#"])
def test_deal_ref_empty(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_deal_ref(text)


def test_deal_ref_huge_number() -> None:
    with pytest.raises(InvalidInput):
        parse_deal_ref("#99999999999999999999")


@pytest.mark.parametrize(("text", "number"), [("L7", 7), ("l7", 7), ("#L7", 7), ("#l12", 12)])
def test_lead_ref_number(text: str, number: int) -> None:
    assert parse_lead_ref(text) == LeadRef(number, None, None, text)


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("jo@acme.com", "jo@acme.com"),
        ("Jo.Smith@Acme.CO.uk", "jo.smith@acme.co.uk"),
        ("<mailto:jo@acme.com|jo@acme.com>", "jo@acme.com"),
        ("<mailto:Jo@Acme.com>", "jo@acme.com"),
        (" jo+leads@acme.io ", "jo+leads@acme.io"),
    ],
)
def test_lead_ref_email(text: str, email: str) -> None:
    ref = parse_lead_ref(text)
    assert ref.email == email
    assert ref.number is None
    assert ref.fragment is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Jo Smith", "jo smith"),
        ("7", "7"),  # leads are numbered `L7`; a bare number is part of a name
        ("Lisa", "lisa"),
        ("L7x", "l7x"),
        ("jo@acme", "jo@acme"),  # no dot after the @
        ("jo@acme.", "jo@acme."),
        ("@jo", "@jo"),
        ("Jo  @ Acme.com", "jo @ acme.com"),
    ],
)
def test_lead_ref_fragment(text: str, fragment: str) -> None:
    ref = parse_lead_ref(text)
    assert ref.fragment == fragment
    assert ref.number is None
    assert ref.email is None


@pytest.mark.parametrize("text", ["", "  "])
def test_lead_ref_empty(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_lead_ref(text)


@pytest.mark.parametrize(
    ("token", "user_id"),
    [
        ("<@U123>", "U123"),
        ("<@U123|jo>", "U123"),
        ("<@U123|Jo Smith>", "U123"),
        ("<@W123ABC>", "W123ABC"),
        (" <@U123> ", "U123"),
        ("<@U123|>", "U123"),
    ],
)
def test_user_mention(token: str, user_id: str) -> None:
    assert parse_user_mention(token) == user_id


@pytest.mark.parametrize(
    "token",
    ["@jo", "U123", "<@U123", "<@>", "<#C123>", "<@u123>", "<@B123>", "<!here>", "x<@U1>", ""],
)
def test_not_a_user_mention(token: str) -> None:
    assert parse_user_mention(token) is None


@pytest.mark.parametrize(
    ("token", "channel_id"),
    [("<#C123>", "C123"), ("<#C123|sales>", "C123"), ("<#G0AB|private>", "G0AB")],
)
def test_channel_mention(token: str, channel_id: str) -> None:
    assert parse_channel_mention(token) == channel_id


@pytest.mark.parametrize("token", ["#sales", "C123", "<#C123", "<@U123>", "<#>", ""])
def test_not_a_channel_mention(token: str) -> None:
    assert parse_channel_mention(token) is None
