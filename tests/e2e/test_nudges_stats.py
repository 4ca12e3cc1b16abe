"""Measured usefulness: each nudged deal acted on within 24 hours (a click, or any change by
any path) or not; `/nudge stats` for managers; a budget that adapts to the action rate."""

from __future__ import annotations

import pytest

from tests.e2e.nudge_world import ANA, BEN, MIA, at, make_world


@pytest.fixture
def world(bot):
    made = make_world(bot)
    made.bot.command("/sales", f"role <@{MIA}> manager", user="UADMIN")
    for name in ("Acme renewal", "Initech", "Hooli"):
        made.deal(ANA, name, 10000, days_ago=20)
    made.deal(BEN, "Globex pilot", 12000, days_ago=20)
    return made


def _morning_with_clicks(world):
    scheduler = world.scheduler()
    scheduler.tick(at(2, 8))
    scheduler.tick(at(2, 14))
    [dm] = world.dms(ANA)
    world.clock.set(at(2, 9))
    buttons = world.buttons(dm)
    world.click(buttons["Acme renewal"]["nudge_next"])  # a click
    world.click(buttons["Initech"]["nudge_snooze"], choice="3d")  # a snooze
    world.fake.wait_for("chat.update", count=2, timeout=10)
    world.clock.set(at(2, 20))
    world.bot.command("/deal", "note #4 Called Ben's client back", user=BEN)  # another path
    world.clock.set(at(3, 15))  # a day later: everything settled (Hooli was ignored)


def test_stats_match_the_recorded_clicks(world):
    _morning_with_clicks(world)
    result = world.bot.command("/nudge", "stats 7d", user=MIA)
    assert result.status == 200 and result.ephemeral
    assert "all · sent 4 · acted 2 · snoozed 1 · ignored 1 · escalated 0 · action rate 50%" in (
        result.text
    )
    by_rep = world.bot.command("/nudge", "stats 7d by:rep", user=MIA).text
    assert "u0ana · sent 3 · acted 1 · snoozed 1 · ignored 1 · escalated 0 · action rate 33%" in (
        by_rep
    )
    assert "u0ben · sent 1 · acted 1 · snoozed 0 · ignored 0 · escalated 0 · action rate 100%" in (
        by_rep
    )
    by_reason = world.bot.command("/nudge", "stats 7d by:reason", user=MIA).text
    assert "stuck past target · sent 4 · acted 2" in by_reason


def test_unsettled_items_are_counted_as_waiting(world):
    world.scheduler().tick(at(2, 8))
    world.clock.set(at(2, 12))
    text = world.bot.command("/nudge", "stats", user=MIA).text
    assert "all · sent 3 · acted 0 · snoozed 0 · ignored 0" in text
    assert "_3 sent in the last 24 hours are not settled yet._" in text


def test_stats_refusals(world):
    assert "You can't see nudge stats" in world.bot.command("/nudge", "stats", user=ANA).text
    bad = world.bot.command("/nudge", "stats by:team", user=MIA).text
    assert "`by:` is `rep` or `reason`." in bad and "Usage: `/nudge stats" in bad
    assert "Unknown option `per:`" in world.bot.command("/nudge", "stats per:rep", user=MIA).text


def test_budget_shrinks_when_nudges_are_ignored_and_says_why(world):
    for n in range(4):
        world.deal(ANA, f"Extra {n}", 500, days_ago=20)
    scheduler = world.scheduler()
    scheduler.tick(at(2, 8))  # seven due, five listed; none acted on
    world.clock.set(at(3, 9))
    text = world.bot.command("/nudge", user=ANA).text
    why = "you acted on 0 of 5 nudged deals in two weeks (0%), so only the ones that matter most"
    assert f"• Budget today: *3* — {why}" in text
    scheduler.tick(at(4, 8))  # Wednesday: the two left unlisted on Monday, within budget 3
    assert world.dms(ANA)[-1].args["text"].count("#") == 2


def test_budget_grows_when_nearly_all_are_acted_on(world):
    for n in range(3):
        world.deal(ANA, f"Extra {n}", 500, days_ago=20)
    world.scheduler().tick(at(2, 8))
    [dm] = world.dms(ANA)
    world.clock.set(at(2, 9))
    for n, element in enumerate(b["nudge_won"] for b in world.buttons(dm).values()):
        world.click(element)
        world.fake.wait_for("chat.update", count=n + 1, timeout=10)
    world.clock.set(at(3, 9))
    text = world.bot.command("/nudge", user=ANA).text
    why = "you acted on 5 of 5 nudged deals in two weeks (100%), so room for more"
    assert f"• Budget today: *7* — {why}" in text
