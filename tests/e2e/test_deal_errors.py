"""`/deal` with bad input and without permission: always HTTP 200, a friendly ephemeral reply
that says what was wrong, and not one row changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from assistant.storage.models import Change, Deal, Note

JUNK = ("x7$<@!& " * 500)[:4000]


def snapshot(bot) -> tuple:
    with bot.services.db.reading() as session:
        deals = session.execute(
            select(Deal.number, Deal.name, Deal.stage_key, Deal.status, Deal.amount,
                   Deal.owner_id, Deal.close_date, Deal.version).order_by(Deal.number)
        ).all()  # fmt: skip
        changes = session.scalar(select(func.count()).select_from(Change))
        notes = session.scalar(select(func.count()).select_from(Note))
    return deals, changes, notes


@pytest.fixture
def seeded(bot):
    bot.command("/deal", "new Acme renewal 12k")
    bot.command("/deal", "new Acme expansion 5k")
    return bot


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("move 99 next", "No deal matches `99`"),
        ("move acme next", "`acme` matches 2 records: #1 Acme renewal, #2 Acme expansion"),
        ("move 1 propsal", "Unknown stage `propsal`, did you mean `proposal`?"),
        ("move 1 back", "already at the first stage"),
        ("move 1", "Where to?"),
        ("move", "Which deal?"),
        ("won 1 12x", "`12x` isn't an amount"),
        ("won 1 -5", "can't be negative"),
        ("edit 1 amount:lots", "`lots` isn't an amount"),
        ("edit 1", "Nothing to change"),
        ("new Globex close:2026-13-45", "`2026-13-45` is not a date"),
        ("edit 1 close:tomorrow", "`tomorrow` is not a date"),
        ("new Globex colour:red", "Unknown option `colour:`"),
        ("new Globex stage:propsal", "did you mean `proposal`?"),
        ("new Globex 5k 6k", "Two amounts"),
        ("new Acme 2026 12k", "quote it"),
        ("new 12k", "Start with the deal's name"),
        ("new Globex <@U0ANA|ana> <@U0BOB|bob>", "Name one owner"),
        ("assign 1", "Name the new owner"),
        ("note 1", "The note is empty"),
        ("reopen 1", "already open"),
        ("list propsal", "Unknown stage `propsal`, did you mean `proposal`?"),
        ("list won stuck", "Only open deals can be stuck"),
        ("list 2026-02-30..2026-03-01", "isn't a period"),
        ("show", "Which deal?"),
        ("mvoe 1 next", "Did you mean `/deal move`?"),
        ("lost 1 " + "r" * 600, "A reason can be at most 500 characters"),
        ("new Globex source:" + "s" * 150, "A source can be at most 100 characters"),
        ("new " + "n" * 300, "A name can be at most 200 characters"),
        ("note 1 " + "n" * 3990, "A note can be at most 3000 characters"),
        (JUNK, "Unknown subcommand"),
        ("new " + JUNK, "A name can be at most 200 characters"),
        ("move " + JUNK, "is too long to name a deal"),
        ("show " + JUNK, "is too long to name a deal"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(seeded, text, expected):
    before = snapshot(seeded)
    result = seeded.command("/deal", text)
    assert result.status == 200 and result.ephemeral
    assert expected in result.text
    assert "Usage:" in result.text or "Unknown subcommand" in result.text
    assert "Traceback" not in result.raw
    assert snapshot(seeded) == before


def test_empty_text_shows_help(bot):
    result = bot.command("/deal", "")
    assert result.status == 200 and result.ephemeral
    assert "/deal move &lt;deal&gt;" in result.text


def test_rep_is_refused_on_someone_elses_deal_and_a_manager_is_allowed(bot):
    bot.command("/deal", "new Acme 12k", user="UREP")
    before = snapshot(bot)
    for text in (
        "move 1 next",
        "won 1",
        "lost 1",
        "assign 1 <@U0BOB|bob>",
        "edit 1 5k",
        "note 1 hi",
    ):
        refused = bot.command("/deal", text, user="U0BOB")
        assert refused.status == 200 and refused.ephemeral
        assert "only the deal's owner, managers and admins can" in refused.text, text
    assert snapshot(bot) == before
    made = bot.command("/sales", "role <@U0MGR|mgr> manager", user="UADMIN")
    assert "is now *manager*" in made.text
    allowed = bot.command("/deal", "move 1 next", user="U0MGR")
    assert "Moved #1 Acme from Lead generation to Qualification" in allowed.text
    with bot.services.db.reading() as session:
        assert session.scalar(select(Deal.stage_key)) == "qualification"


def test_marketers_cannot_create_deals_and_get_no_form(bot):
    bot.command("/sales", "role <@U0MKT|mkt> marketer", user="UADMIN")
    refused = bot.command("/deal", "new Acme 12k", user="U0MKT")
    assert "You can't create deals: only reps, managers and admins can." in refused.text
    form = bot.command("/deal", "new", user="U0MKT")
    assert "You can't create deals" in form.text
    assert bot.fake.calls_to("views.open") == []
    assert snapshot(bot)[0] == []
