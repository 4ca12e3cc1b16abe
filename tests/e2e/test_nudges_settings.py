"""`/nudge` (everyone's own settings, what one would get today) and the workspace's defaults
(`/sales settings nudges:off`), through the real app and the real scheduler."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from assistant.storage.models import NudgeSetting
from tests.e2e.nudge_world import ANA, BEN, at, make_world


@pytest.fixture
def world(bot):
    made = make_world(bot)
    for n in range(6):
        made.deal(ANA, f"Deal {n}", 1000 * (n + 1), days_ago=20)
    made.clock.set(at(2, 7))
    return made


def test_nudge_shows_settings_budget_and_what_today_holds(world):
    result = world.bot.command("/nudge", user=ANA)
    assert result.status == 200 and result.ephemeral
    text = result.text
    assert "*Your daily nudge*: on · 09:00 (Europe/Berlin) · Mon–Fri · up to 5 deals" in text
    assert "• Budget today: *5* — the default" in text
    assert "*What it would hold now* (6 due):" in text
    assert "1. *#6 Deal 5* · $6,000 · Lead generation — stuck in Lead generation past its" in text
    assert "…and 1 more" in text
    assert world.dms() == []  # showing sends nothing


def test_own_time_days_and_budget_are_used_by_the_scheduler(world):
    assert "now comes at 08:30" in world.bot.command("/nudge", "at 8:30", user=ANA).text
    assert "now comes Mon–Thu" in world.bot.command("/nudge", "days mon-thu", user=ANA).text
    assert "up to 3 deals" in world.bot.command("/nudge", "max 3", user=ANA).text
    scheduler = world.scheduler()
    assert scheduler.tick(at(2, 7, 29))["nudge_posted"] == 0
    assert scheduler.tick(at(2, 7, 30))["nudge_posted"] == 1  # 08:30 in Berlin
    [dm] = world.dms(ANA)
    assert dm.args["text"].endswith("#6 Deal 5, #5 Deal 4, #4 Deal 3 and 3 more")
    assert scheduler.tick(at(6, 7, 30))["nudge_posted"] == 0  # Friday is not hers
    shown = world.bot.command("/nudge", user=ANA).text
    assert "on · 08:30 (Europe/Berlin) · Mon–Thu · up to 3 deals" in shown


def test_off_and_on(world):
    assert "Nudges are off for you" in world.bot.command("/nudge", "off", user=ANA).text
    scheduler = world.scheduler()
    assert scheduler.tick(at(2, 8))["nudge_posted"] == 0
    world.bot.command("/nudge", "on", user=ANA)
    assert scheduler.tick(at(3, 8))["nudge_posted"] == 1


def test_admin_switches_nudges_off_for_everyone_and_sets_defaults(world):
    refused = world.bot.command("/sales", "settings nudges:off", user=ANA)
    assert "You can't change nudge settings for everyone" in refused.text
    off = world.bot.command("/sales", "settings nudges:off", user="UADMIN")
    assert "• Nudges (defaults; each person can change theirs): *off for everyone*" in off.text
    assert world.scheduler().tick(at(2, 8))["nudge_posted"] == 0
    assert "An admin switched nudges off for everyone" in world.bot.command("/nudge", user=ANA).text
    on = world.bot.command("/sales", "settings nudges:on nudge_max:2 nudge_at:10:00", user="UADMIN")
    assert "on · 10:00 · Mon–Fri · up to 2 deals" in on.text
    scheduler = world.scheduler()
    assert scheduler.tick(at(3, 8))["nudge_posted"] == 0  # 09:00: the default is 10:00 now
    assert scheduler.tick(at(3, 9))["nudge_posted"] == 1
    assert world.dms(ANA)[0].args["text"].endswith("and 4 more")


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("at 25:00", "`25:00` is not a time of day"),
        ("at 22:00", "22:00 is in quiet hours (20:00–07:00)"),
        ("at", "Give one time of day"),
        ("days funday", "`funday` is not a list of days"),
        ("days fri-mon", "`fri-mon` runs backwards"),
        ("max 0", "A nudge lists 1 to 20 deals (0 given)"),
        ("max 1000", "A nudge lists 1 to 20 deals (1000 given)"),
        ("max lots", "`lots` is not a number of deals"),
        ("off now", "I don't know"),
    ],
)
def test_bad_input_is_answered_and_changes_nothing(world, text, phrase):
    result = world.bot.command("/nudge", text, user=ANA)
    assert result.status == 200 and result.ephemeral
    assert phrase in result.text
    with world.services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(NudgeSetting)) == 0


def test_workspace_defaults_bad_input(world):
    result = world.bot.command("/sales", "settings nudges:maybe nudge_max:0", user="UADMIN")
    assert "`nudges:` is `on` or `off`." in result.text
    result = world.bot.command("/sales", "settings nudge_days:someday", user="UADMIN")
    assert "is not a list of days" in result.text
    with world.services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(NudgeSetting)) == 0


def test_help_lists_nudge(world):
    text = world.bot.command("/sales", "help", user=BEN).text
    assert "*/nudge*: your daily DM of the deals that need you." in text
    assert "`/nudge max &lt;1-20&gt;`" in text or "`/nudge max <1-20>`" in text
