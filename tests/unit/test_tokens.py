import pytest

from assistant.domain.tokens import split_args, split_key_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   ", []),
        ("new Acme 12k", ["new", "Acme", "12k"]),
        ("  new   Acme\t12k \n", ["new", "Acme", "12k"]),
        ("new\u00a0Acme\u202f12k", ["new", "Acme", "12k"]),  # non-breaking spaces
        ("new\u200bAcme", ["new", "Acme"]),  # zero-width space pasted from rich text
        ('"Acme 2024 renewal" 12k', ["Acme 2024 renewal", "12k"]),
        ("'Acme 2024' 12k", ["Acme 2024", "12k"]),
        ("“Acme Corp” 5k", ["Acme Corp", "5k"]),  # Slack/macOS smart quotes
        ("”Acme Corp” 5k", ["Acme Corp", "5k"]),
        ("„Acme Corp“ 5k", ["Acme Corp", "5k"]),
        ("‘Acme Corp’ 5k", ["Acme Corp", "5k"]),
        ('name:"two words" x', ["name:two words", "x"]),
        ("name:“two words”", ["name:two words"]),
        ("name:'two words'", ["name:two words"]),
        ('"unbalanced quote 12k', ["unbalanced quote 12k"]),
        ("a 'unbalanced", ["a", "unbalanced"]),
        ('"" x', ["", "x"]),
        ('name:""', ["name:"]),
        ('"  Acme   Corp  "', ["Acme Corp"]),
        ('"foo"bar', ["foobar"]),
        ("Mario's pizza 5k", ["Mario's", "pizza", "5k"]),  # apostrophes are letters
        ("Mario’s pizza 5k", ["Mario’s", "pizza", "5k"]),
        ("'Mario's pizza' 5k", ["Mario's pizza", "5k"]),
        ('12" screen deal', ['12"', "screen", "deal"]),
        ("<@U1> <#C2|sales>", ["<@U1>", "<#C2|sales>"]),
        ("assign #3 <@U1|Jo Smith>", ["assign", "#3", "<@U1|Jo Smith>"]),
        ("<mailto:a@b.com|a@b.com> x", ["<mailto:a@b.com|a@b.com>", "x"]),
        ("<3 deal", ["<3", "deal"]),
        ("Ünïcödé ✓ 日本", ["Ünïcödé", "✓", "日本"]),
    ],
)
def test_split_args(text: str, expected: list[str]) -> None:
    assert split_args(text) == expected


@pytest.mark.parametrize("text", ['"', "'", "“", '"""', "<", "<@", ":", "\\", "' '"])
def test_split_args_never_raises(text: str) -> None:
    assert isinstance(split_args(text), list)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("stage:prop", ("stage", "prop")),
        ("Stage:Prop", ("stage", "Prop")),
        ("close:2026-01-31", ("close", "2026-01-31")),
        ("name:two words", ("name", "two words")),
        ("campaign:spring:2026", ("campaign", "spring:2026")),
        ("source_name:web", ("source_name", "web")),
        ("company:", ("company", "")),
        ("tz:America/New_York", ("tz", "America/New_York")),
    ],
)
def test_split_key_value(token: str, expected: tuple[str, str]) -> None:
    assert split_key_value(token) == expected


@pytest.mark.parametrize(
    "token",
    [
        "<@U1|x>",
        "<#C1|sales>",
        "http://example.com",
        "https://example.com/a:b",
        "09:00",
        "12:30pm",
        ":smile:",
        "plain",
        "",
        "key-name:x",
        "stage2:x",
        "clé:valeur",
        "<mailto:a@b.com|a@b.com>",
    ],
)
def test_not_key_value(token: str) -> None:
    assert split_key_value(token) is None
