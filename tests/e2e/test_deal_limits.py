"""Block Kit limits with large data: 50 blocks a message, 3,000 characters a section, and a
count of what was left out, however many deals, notes or stage visits there are."""

from __future__ import annotations

from decimal import Decimal

from assistant.services import deals
from assistant.services.context import Actor
from assistant.services.deals import NewDeal, insert_deal
from assistant.services.workspaces import ensure_workspace
from tests.e2e.conftest import _block_texts

STAGES = ("prospecting", "qualification", "assessment", "solution", "proposal", "closing")
# Near the 200-character limit, with characters that grow when escaped.
LONG_NAME = "Ωmega <Holdings> & Sons `renewal` " * 5


def seed(bot, count: int = 500) -> None:
    """Many deals in one transaction, straight through the service layer (not via HTTP)."""
    now = bot.services.now()
    with bot.services.db.transaction() as session:
        workspace = ensure_workspace(session, "T_TEST", now, "UTC")
        for i in range(count):
            new = NewDeal(
                name=f"{i:03d} {LONG_NAME}"[:200],
                amount=Decimal(1000 + i),
                owner_id="UREP" if i % 2 else f"U0OWNER{i % 40}",
                stage=STAGES[i % len(STAGES)],
                company="Company " * 20,
            )
            insert_deal(session, workspace, "UREP", new, now)


def assert_within_limits(blocks: list[dict], limit: int = 50) -> None:
    assert 0 < len(blocks) <= limit
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
            assert block["text"]["text"].count("```") in (0, 2), "a code fence left open"
        for text in _block_texts([block]):
            assert "<Holdings>" not in text and "<!" not in text


def test_a_list_of_500_deals_stays_within_limits_and_counts_the_rest(bot):
    seed(bot)
    exact = bot.command("/deal", "list").text
    assert "*Open deals*: 500 deals, $624,750 in total, 0 stuck" in exact
    assert "…and 460 more." in exact
    bot.services.clock.advance(days=20)  # every deal is past its target: all 500 are stuck
    # The value and the stuck are of all 500, though only 40 are shown (and made views of).
    assert "500 deals, $624,750 in total, 500 stuck" in bot.command("/deal", "list").text
    stuck = bot.command("/deal", "list stuck").text
    assert "500 deals, $624,750 in total, 500 stuck" in stuck
    # Most overdue first: the stages with a 7-day target (13 days over) before the longer.
    shown = "\n".join(stuck.splitlines()[1:41])
    assert "— Lead generation —" in shown and "— Closing —" in shown
    assert "— Assessment —" not in shown and "— Proposal / price negotiation —" not in shown
    for text in ("list", "list stuck", "list mine", "list prop", "list 30d"):
        result = bot.command("/deal", text)
        assert result.status == 200
        assert_within_limits(result.body["blocks"])
        assert len(result.body["text"]) <= 3000
        assert "more. Narrow it with" in result.text, text
        assert "&lt;Holdings&gt;" in result.text


def test_a_home_with_hundreds_of_deals_stays_within_limits(bot):
    seed(bot)
    bot.services.clock.advance(days=20)
    bot.http.event({"type": "app_home_opened", "user": "UREP", "tab": "home", "channel": "D1"})
    view = bot.fake.wait_for("views.publish")[0].args["view"]
    assert_within_limits(view["blocks"])
    text = "\n".join(_block_texts(view["blocks"]))
    assert "*250 open*" in text and "…and 190 more" in text
    assert "500 open deals · open value $624,750 · weighted value" in text


def test_a_card_with_a_long_history_and_long_notes_stays_within_limits(bot):
    rep = Actor("T_TEST", "UREP")
    deals.create_deal(bot.services, rep, NewDeal(name=LONG_NAME[:200], amount=Decimal(5000)))
    for step in range(40):
        bot.services.clock.advance(hours=5)
        deals.move_deal(bot.services, rep, "#1", "next" if step % 2 == 0 else "back")
    for _ in range(5):
        deals.add_note(bot.services, rep, "#1", "<!channel> " + "word " * 590)
    result = bot.command("/deal", "show 1")
    assert_within_limits(result.body["blocks"])
    assert "earlier stays not shown" in result.text
    assert "&lt;!channel&gt;" in result.text
