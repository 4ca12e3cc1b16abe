"""`/deal` end to end, the happy paths: what the user reads, and what the database holds."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from assistant.storage.models import Deal, Note


def deal(bot, number: int) -> Deal:
    with bot.services.db.reading() as session:
        found = session.scalar(select(Deal).where(Deal.number == number))
        session.expunge_all()
        return found


def test_new_parses_name_amount_owner_and_options(bot):
    result = bot.command(
        "/deal",
        'new Acme renewal 12k <@U0ANA|ana> stage:qual company:"Acme Inc" close:2026-06-30 '
        "source:web campaign:spring",
    )
    assert result.status == 200 and result.ephemeral
    assert "Created *#1 Acme renewal*: $12,000, in Qualification, owned by <@U0ANA>" in result.text
    assert "company Acme Inc" in result.text and "expected close 2026-06-30" in result.text
    row = deal(bot, 1)
    assert (row.name, row.amount, row.owner_id, row.stage_key) == (
        "Acme renewal", Decimal("12000.00"), "U0ANA", "qualification",
    )  # fmt: skip
    assert (row.company, row.close_date, row.source, row.campaign) == (
        "Acme Inc", date(2026, 6, 30), "web", "spring",
    )  # fmt: skip


def test_new_quoted_name_keeps_digits_and_defaults(bot):
    result = bot.command("/deal", 'new "Acme 2026 rollout" $1.5m')
    assert "#1 Acme 2026 rollout*: $1,500,000, in Lead generation, owned by <@UREP>" in result.text
    row = deal(bot, 1)
    assert (row.name, row.amount, row.owner_id) == ("Acme 2026 rollout", Decimal(1500000), "UREP")


def test_move_says_from_to_and_days(bot):
    bot.command("/deal", "new Acme renewal 12k stage:proposal")
    bot.services.clock.advance(days=3, hours=12)
    result = bot.command("/deal", "move #1 next")
    assert result.text.startswith(
        "Moved #1 Acme renewal from Proposal / price negotiation to Closing after 3.5 days."
    )
    assert deal(bot, 1).stage_key == "closing"
    result = bot.command("/deal", "move acme renewal back")
    assert "from Closing to Proposal / price negotiation after under an hour" in result.text
    assert bot.command("/deal", "move 1 Proposal / price negotiation").status == 200


def test_won_with_final_amount_and_lost_with_reason(bot):
    bot.command("/deal", "new Acme 12k")
    bot.command("/deal", "new Globex 8k")
    bot.services.clock.advance(days=2)
    won = bot.command("/deal", "won acme 15k")
    assert ":tada: Won #1 Acme for $15,000, from Lead generation after 2 days there." in won.text
    lost = bot.command("/deal", "lost #2 went with a competitor")
    assert "Lost #2 Globex ($8,000) from Lead generation after 2 days there." in lost.text
    assert "Reason: went with a competitor." in lost.text
    assert (deal(bot, 1).status, deal(bot, 1).amount) == ("won", Decimal("15000.00"))
    assert (deal(bot, 2).status, deal(bot, 2).lost_reason) == ("lost", "went with a competitor")


def test_reopen_returns_to_a_stage(bot):
    bot.command("/deal", "new Acme 12k stage:closing")
    bot.command("/deal", "lost 1")
    bot.services.clock.advance(days=4)
    result = bot.command("/deal", "reopen 1 proposal")
    assert "Reopened #1 Acme (was lost for 4 days); it is now in Proposal" in result.text
    assert (deal(bot, 1).status, deal(bot, 1).stage_key) == ("open", "proposal")


def test_show_is_the_card_with_target_history_notes_and_buttons(bot):
    bot.command("/deal", "new Acme renewal 12k company:Acme")
    bot.services.clock.advance(days=2)
    bot.command("/deal", "move 1 next")
    bot.services.clock.advance(days=9)
    bot.command("/deal", "note 1 Called Bob, they want a demo")
    result = bot.command("/deal", "show acme")
    text = result.text
    assert "9 days in Qualification (target 7) — stuck by 2 days" in text
    assert "• Lead generation: 2026-03-02 → 2026-03-04 (2 days)" in text
    assert "• Qualification: since 2026-03-04 (9 days)" in text
    assert "Called Bob, they want a demo" in text and "$12,000 (weighted $1,200 at 10%)" in text
    buttons = [b for b in result.body["blocks"] if b["type"] == "actions"][0]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Move to Assessment", "Won", "Lost"]
    assert {b["value"] for b in buttons} == {'{"n":1,"v":3}'}


def test_list_filters_and_shows_facts(bot):
    bot.command("/deal", "new Acme 12k")
    bot.command("/deal", "new Globex 8k <@U0ANA|ana> stage:proposal")
    bot.command("/deal", "new Initech 5k")
    bot.command("/deal", "won initech")
    bot.services.clock.advance(days=8)
    everything = bot.command("/deal", "list")
    assert "*Open deals*: 2 deals, $20,000 in total, 1 stuck" in everything.text
    assert "#1  Acme" in everything.text and "Globex" in everything.text
    assert "Initech" not in everything.text
    mine = bot.command("/deal", "list mine")
    assert "Acme" in mine.text and "Globex" not in mine.text and "of <@UREP>" in mine.text
    anas = bot.command("/deal", "list <@U0ANA|ana>")
    assert "Globex" in anas.text and "Acme" not in anas.text
    stage = bot.command("/deal", "list prop")
    assert "in Proposal / price negotiation" in stage.text and "Globex" in stage.text
    stuck = bot.command("/deal", "list stuck")
    assert "*Stuck deals*: 1 deal" in stuck.text and "Acme" in stuck.text and "+1 day" in stuck.text
    won = bot.command("/deal", "list won")
    assert "Won deals (closed last 30 days)" in won.text and "Initech" in won.text
    assert "0 deals" in bot.command("/deal", "list won 2026-01-01..2026-01-31").text


def test_list_shows_owners_by_name_asking_slack_for_those_never_met(bot):
    bot.fake.users["U0ANA"] = {"profile": {"display_name": "Ana Banana", "real_name": "Ana B"}}
    bot.command("/deal", "new Globex 8k <@U0ANA|ana>")
    bot.command("/deal", "new Acme 12k")
    first = bot.command("/deal", "list")
    assert "Ana Banana" in first.text  # asked for before the reply: a code table can't mention
    assert asked_about(bot, "U0ANA") == 1
    assert "Ana Banana" in bot.command("/deal", "list").text  # now known: read, not asked
    time.sleep(0.3)  # nor after the reply: a fresh name is not asked for again
    assert asked_about(bot, "U0ANA") == 1

    bot.fake.users["U0ANA"] = {"profile": {"display_name": "Ana B. Banana"}}
    bot.services.clock.advance(hours=25)  # a name older than a day is asked for again...
    assert "Ana Banana" in bot.command("/deal", "list").text  # ...after the reply
    bot.fake.wait_for("users.info", 2)
    deadline = time.monotonic() + 5
    while "Ana B. Banana" not in bot.command("/deal", "list").text:  # the answer is stored
        assert time.monotonic() < deadline, "the refreshed name never showed"
        time.sleep(0.05)
    asked = asked_about(bot, "U0ANA")  # 2, or more if a list came before the answer was kept
    assert asked >= 2
    assert "Ana B. Banana" in bot.command("/deal", "list").text
    time.sleep(0.3)
    assert asked_about(bot, "U0ANA") == asked  # fresh again: not asked for


def asked_about(bot, user_id: str) -> int:
    return sum(c.args.get("user") == user_id for c in bot.fake.calls_to("users.info"))


def test_assign_edit_and_note(bot):
    bot.command("/deal", "new Acme 12k")
    assigned = bot.command("/deal", "assign #1 <@U0ANA|ana>")
    assert "#1 Acme now belongs to <@U0ANA>." in assigned.text
    edited = bot.command(
        "/deal", 'edit 1 15k close:2026-07-31 name:"Acme renewal 2026" company:Acme', user="U0ANA"
    )
    assert "Updated #1 Acme renewal 2026: amount $15,000" in edited.text
    assert "expected close 2026-07-31" in edited.text
    cleared = bot.command("/deal", "edit 1 company:none", user="U0ANA")
    assert "company (none)" in cleared.text
    noted = bot.command("/deal", "note 1 They'll sign <b>Friday</b> & pay", user="U0ANA")
    assert "Note added to #1 Acme renewal 2026" in noted.text
    row = deal(bot, 1)
    assert (row.owner_id, row.amount, row.name, row.company) == (
        "U0ANA", Decimal("15000.00"), "Acme renewal 2026", None,
    )  # fmt: skip
    with bot.services.db.reading() as session:
        assert session.scalars(select(Note.text)).all() == ["They'll sign <b>Friday</b> & pay"]
    card = bot.command("/deal", "show 1").text
    assert "&lt;b&gt;Friday&lt;/b&gt; &amp; pay" in card and "<b>" not in card


def test_share_posts_in_channel(bot):
    bot.command("/deal", "new Acme 12k")
    assert bot.command("/deal", "show 1").ephemeral
    shared = bot.command("/deal", "show 1 share")
    assert shared.body["response_type"] == "in_channel" and "Acme" in shared.text
    assert bot.command("/deal", "share list").body["response_type"] == "in_channel"


def test_help_has_usage_and_example_for_every_subcommand(bot):
    text = bot.command("/deal", "help").text
    for sub in ("new", "move", "won", "lost", "reopen", "show", "list", "assign", "edit", "note"):
        assert f"`/deal {sub}" in text
    one = bot.command("/deal", "help move").text
    # Slack shows &lt; as "<": usage lines are escaped like any other mrkdwn text.
    assert "Usage: `/deal move &lt;deal&gt; &lt;stage|next|back&gt;`" in one and "Example:" in one
