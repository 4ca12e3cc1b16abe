"""The deal card's buttons, pressed on the card `/deal show` really returned."""

from __future__ import annotations

import json

from sqlalchemy import select

from assistant.storage.models import Deal


def card_buttons(bot, ref: str = "1", user: str = "UREP") -> dict[str, dict]:
    blocks = bot.command("/deal", f"show {ref}", user=user).body["blocks"]
    elements = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return {e["action_id"]: e for e in elements}


def press(bot, button: dict, user: str = "UREP") -> int:
    status, _, _ = bot.http.action(button["action_id"], button["value"], user_id=user)
    return status


def state(bot, number: int = 1) -> tuple:
    with bot.services.db.reading() as session:
        row = session.execute(
            select(Deal.stage_key, Deal.status, Deal.version).where(Deal.number == number)
        ).one()
    return tuple(row)


def test_buttons_carry_number_and_version_never_a_database_id(bot):
    bot.command("/deal", "new Acme 12k")
    buttons = card_buttons(bot)
    assert set(buttons) == {"deal_next", "deal_won", "deal_lost"}
    assert {json.loads(b["value"])["n"] for b in buttons.values()} == {1}
    assert json.loads(buttons["deal_next"]["value"]) == {"n": 1, "v": 1}
    assert buttons["deal_next"]["text"]["text"] == "Move to Qualification"


def test_next_stage_moves_and_replaces_the_card(bot):
    bot.command("/deal", "new Acme 12k")
    bot.services.clock.advance(days=2)
    assert press(bot, card_buttons(bot)["deal_next"]) == 200
    assert state(bot) == ("qualification", "open", 2)
    (update,) = bot.fake.wait_for("respond")
    assert update.args["replace_original"] is True
    text = update.args["text"]
    assert "Moved #1 Acme from Lead generation to Qualification after 2 days. (by <@UREP>)" in text
    assert "Stage:* Qualification" in text
    values = [
        e["value"] for b in update.args["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert values and all(json.loads(v) == {"n": 1, "v": 2} for v in values)


def test_won_and_lost_close_the_deal_and_the_card_loses_its_buttons(bot):
    bot.command("/deal", "new Acme 12k")
    bot.command("/deal", "new Globex 8k")
    press(bot, card_buttons(bot, "1")["deal_won"])
    press(bot, card_buttons(bot, "2")["deal_lost"])
    assert state(bot, 1)[1] == "won" and state(bot, 2)[1] == "lost"
    updates = bot.fake.wait_for("respond", 2)
    texts = sorted(u.args["text"] for u in updates)
    assert any(":tada: Won #1 Acme for $12,000" in t for t in texts)
    assert any("Lost #2 Globex ($8,000)" in t for t in texts)
    for update in updates:
        assert update.args["replace_original"] is True
        assert not [b for b in update.args["blocks"] if b["type"] == "actions"]


def test_a_stale_card_is_refused_and_nothing_changes(bot):
    bot.command("/deal", "new Acme 12k")
    stale = card_buttons(bot)
    bot.command("/deal", "move 1 next")
    before = state(bot)
    press(bot, stale["deal_won"])
    (reply,) = bot.fake.wait_for("respond")
    assert "changed by someone else meanwhile" in reply.args["text"]
    assert reply.args["replace_original"] is False and reply.args["response_type"] == "ephemeral"
    assert state(bot) == before == ("qualification", "open", 2)


def test_another_rep_is_refused_and_told_who_may(bot):
    bot.command("/deal", "new Acme 12k", user="UREP")
    buttons = card_buttons(bot, user="U0BOB")
    press(bot, buttons["deal_next"], user="U0BOB")
    (reply,) = bot.fake.wait_for("respond")
    text = reply.args["text"]
    assert "You can't move this deal: only the deal's owner, managers and admins can." in text
    assert reply.args["replace_original"] is False
    assert state(bot) == ("prospecting", "open", 1)


def test_a_forged_button_value_is_refused(bot):
    bot.command("/deal", "new Acme 12k")
    for value in ("12", '{"id": 1}', '{"n": "1", "v": 1}', None):
        assert bot.http.action("deal_won", value)[0] == 200
    replies = bot.fake.wait_for("respond", 4)
    assert all("old card" in r.args["text"] for r in replies)
    assert state(bot) == ("prospecting", "open", 1)


def test_the_next_button_is_absent_at_the_last_stage(bot):
    bot.command("/deal", "new Acme 12k stage:closing")
    assert set(card_buttons(bot)) == {"deal_won", "deal_lost"}
