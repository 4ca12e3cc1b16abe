"""The App Home tab: published on `app_home_opened`, and again after the user's changes."""

from __future__ import annotations

import json
import time

from tests.e2e.conftest import Bot, _block_texts


def open_home(bot, user: str = "UREP", tab: str = "home") -> int:
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab,
             "event_ts": "1700000000.000100"}  # fmt: skip
    status, _, _ = bot.http.event(event)
    return status


def home_text(call) -> str:
    return "\n".join(_block_texts(call.args["view"]["blocks"]))


def test_opening_home_publishes_my_open_deals_by_stage_and_the_totals(bot):
    bot.command("/deal", "new Acme 12k")
    bot.command("/deal", "new Globex 8k stage:proposal")
    bot.command("/deal", "new Initech 5k")
    bot.command("/deal", "won initech")
    bot.command("/deal", "new Umbrella 100k <@U0ANA|ana> stage:closing")
    bot.services.clock.advance(days=8)
    # One per change so far, two for Umbrella (its creator's Home and its owner's).
    before = len(bot.fake.wait_for("views.publish", 6))
    assert open_home(bot) == 200
    call = bot.fake.wait_for("views.publish", before + 1)[-1]
    assert call.args["user_id"] == "UREP" and call.args["view"]["type"] == "home"
    text = home_text(call)
    assert "*Lead generation* (1 · $12,000)" in text and "*Proposal / price negotiation*" in text
    assert text.index("Lead generation") < text.index("Proposal")
    assert "`#1` Acme — $12,000 · 8 days in stage (target 7) :warning: *stuck by 1 day*" in text
    assert "`#2` Globex" in text and "Initech" not in text and "Umbrella" not in text
    # Workspace: Acme 12k x 5% + Globex 8k x 60% + Umbrella 100k x 80%.
    assert "3 open deals · open value $120,000 · weighted value $85,400" in text


def test_other_tabs_publish_nothing(bot):
    assert open_home(bot, tab="messages") == 200
    bot.runtime.followups.shutdown(wait=True)
    assert bot.fake.calls_to("views.publish") == []


def test_a_new_user_gets_a_friendly_empty_home(bot):
    open_home(bot, user="U0NEW")
    (call,) = bot.fake.wait_for("views.publish")
    assert call.args["user_id"] == "U0NEW" and "You have no open deals" in home_text(call)


def test_home_is_published_again_after_my_changes(bot):
    bot.command("/deal", "new Acme 12k")
    first = bot.fake.wait_for("views.publish")[-1]
    assert "*Lead generation* (1 · $12,000)" in home_text(first)
    bot.command("/deal", "move 1 next")
    after_move = bot.fake.wait_for("views.publish", 2)[-1]
    assert "*Qualification* (1 · $12,000)" in home_text(after_move)


def test_a_manager_moving_my_deal_refreshes_both_homes(bot):
    bot.command("/sales", "role <@U0MGR|mgr> manager", user="UADMIN")
    bot.command("/deal", "new Acme 12k", user="U0ANA")
    bot.fake.wait_for("views.publish")
    bot.command("/deal", "move 1 next", user="U0MGR")
    calls = bot.fake.wait_for("views.publish", 3)
    assert {c.args["user_id"] for c in calls[1:]} == {"U0MGR", "U0ANA"}


def test_a_button_press_refreshes_the_home(bot):
    bot.command("/deal", "new Acme 12k")
    bot.fake.wait_for("views.publish")
    card = bot.command("/deal", "show 1").body["blocks"]
    won = next(e for b in card if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == "deal_won")  # fmt: skip
    bot.http.action("deal_won", won["value"])
    latest = bot.fake.wait_for("views.publish", 2)[-1]
    assert "You have no open deals" in home_text(latest)
    assert json.loads(won["value"]) == {"n": 1, "v": 1}


def test_a_slack_error_on_publish_is_logged_not_raised(bot):
    bot.fake.fail_next("views.publish", status=200, body={"ok": False, "error": "not_enabled"})
    assert open_home(bot) == 200
    bot.fake.wait_for("views.publish")
    assert open_home(bot) == 200
    assert bot.fake.wait_for("views.publish", 2)[-1].status == 200


def test_home_shows_my_quarter_and_my_target(bot):
    # The clock starts in 2026-Q1. Mine: Initech won 5k after 3 days, Hooli lost; a colleague's
    # win is not mine.
    bot.command("/deal", "new Initech 5k")
    bot.command("/deal", "new Hooli 7k")
    bot.command("/deal", "new Umbrella 100k", user="UREP2")
    bot.services.clock.advance(days=3)
    bot.command("/deal", "won initech")
    bot.command("/deal", "lost hooli too expensive")
    bot.command("/deal", "won umbrella", user="UREP2")
    assert "Target" in bot.command("/sales", "target <@UREP> 20k this quarter", user="UADMIN").text
    bot.services.clock.advance(minutes=1)  # a period runs up to now, exclusive
    # The six changes' own publishes first, so the next one is the opened Home's.
    before = len(bot.fake.wait_for("views.publish", 6))
    open_home(bot)
    text = home_text(bot.fake.wait_for("views.publish", before + 1)[-1])
    assert (
        "*Your results, 2026-Q1 so far*: Won 1 deal ($5,000), lost 1 · win rate 50.0% · "
        "median cycle 3 days"
    ) in text
    # 5k of 20k: 25 % reached, 15k to go.
    assert "*Target* (yours, 2026-Q1): $20,000, 25.0% reached, $15,000 to go" in text


def test_home_of_someone_who_closed_nothing(bot):
    bot.command("/deal", "new Acme 12k")
    before = len(bot.fake.wait_for("views.publish", 1))
    open_home(bot)
    text = home_text(bot.fake.wait_for("views.publish", before + 1)[-1])
    assert "so far*: Nothing closed yet." in text and "Target" not in text


def test_a_burst_of_changes_republishes_the_home_at_most_once_per_window(services, fake):
    bot = Bot(services, fake, home_refresh_seconds=2.0)
    try:
        bot.command("/deal", "new Acme 12k")
        first = bot.fake.wait_for("views.publish")[-1]
        assert "*Lead generation* (1 · $12,000)" in home_text(first)
        for _ in range(3):  # four more changes inside the window that began with that publish
            bot.command("/deal", "move 1 next")
        bot.command("/deal", "new Globex 8k")
        # One more publish, when the window ends, shows the state after all of them.
        last = bot.fake.wait_for("views.publish", 2, timeout=10)[-1]
        text = home_text(last)
        assert "*Solution development* (1 · $12,000)" in text and "`#2` Globex" in text
        time.sleep(2.5)  # and nothing else was waiting for its turn
        assert len(bot.fake.calls_to("views.publish")) == 2
    finally:
        bot.close()
