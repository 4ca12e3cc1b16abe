"""No repeats without reason (snoozes, the cool-down), and escalation to the manager of
what a rep ignored across two nudges, or left behind when they left."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from assistant.services import people
from assistant.services.people import SlackProfile
from assistant.storage.models import NudgeItem
from tests.e2e.nudge_world import ANA, BEN, MIA, TEAM, at, make_world


@pytest.fixture
def world(bot):
    return make_world(bot)


def _names(post) -> list[str]:
    blocks = post.args["blocks"]
    return [b["text"]["text"].split("*")[1].split(" ", 1)[1] for b in blocks
            if b["type"] == "section" and b["text"]["text"].startswith("*#")]  # fmt: skip


def _each_morning(world, days, hour=8):
    """Tick at 09:00 Berlin on each of the days of March; the DMs Ana got, by day."""
    scheduler = world.scheduler()
    got = {}
    for day in days:
        before = len(world.dms(ANA))
        scheduler.tick(at(day, hour))
        got[day] = [_names(p) for p in world.dms(ANA)[before:]]
    return got


def test_cool_down_three_working_days(world):
    world.deal(ANA, "Acme renewal", 30000, days_ago=20)
    got = _each_morning(world, [2, 3, 4, 5, 6, 9])
    # Monday; then not Tue, Wed; Thursday is three working days on; then Friday and Monday
    # are within Thursday's cool-down.
    assert got == {2: [["Acme renewal"]], 3: [], 4: [], 5: [["Acme renewal"]], 6: [], 9: []}


def test_nudged_again_within_the_cool_down_when_it_got_worse(world):
    # Five days in Lead generation (target 7), its close date passed: nudged Monday for that.
    world.deal(ANA, "Acme renewal", 30000, days_ago=5, close_date=date(2026, 2, 27))
    got = _each_morning(world, [2, 3, 4, 5])
    # Wednesday it passes its stage's target: worse, so nudged within the cool-down.
    assert got == {2: [["Acme renewal"]], 3: [], 4: [["Acme renewal"]], 5: []}


def test_snoozed_deal_stays_out_until_the_snooze_ends(world):
    world.deal(ANA, "Acme renewal", 30000, days_ago=20)
    world.deal(ANA, "Initech", 5000, days_ago=20)
    scheduler = world.scheduler()
    scheduler.tick(at(2, 8))
    [dm] = world.dms(ANA)
    world.clock.set(at(2, 9))
    world.click(world.buttons(dm)["Acme renewal"]["nudge_snooze"], choice="1w")
    world.fake.wait_for("chat.update", timeout=10)
    got = _each_morning(world, [5, 6, 9, 10])
    # Initech comes back after its cool-downs (Thursday, then Tuesday); Acme only once the
    # week is over (Monday 9th).
    assert got == {5: [["Initech"]], 6: [], 9: [["Acme renewal"]], 10: [["Initech"]]}


def test_ignored_twice_goes_to_the_manager_grouped_by_rep(world):
    world.bot.command("/sales", f"team <@{MIA}> <@{ANA}> <@{BEN}>", user="UADMIN")
    world.deal(ANA, "Acme renewal", 30000, days_ago=20)
    world.deal(BEN, "Globex pilot", 12000, days_ago=20)
    scheduler = world.scheduler()
    for day in (2, 5):  # two nudges, both ignored
        scheduler.tick(at(day, 8))
        scheduler.tick(at(day, 14))
    assert world.dms(MIA) == []
    scheduler.tick(at(6, 8))  # Friday: Thursday's nudge is a day old, ignored
    scheduler.tick(at(6, 14))
    [escalation] = world.dms(MIA)
    text = json.dumps(escalation.args["blocks"])
    assert "From your team" in text
    assert f"<@{ANA}>'s deals" in text
    assert "*#1 Acme renewal*" in text
    # Ben is in New York: his second nudge was only 18 hours old at Mia's morning.
    assert "Globex" not in text
    with world.services.db.reading() as session:
        states = session.scalars(
            select(NudgeItem.state).where(NudgeItem.escalation.is_(False), NudgeItem.deal_id == 1)
            .order_by(NudgeItem.id)
        ).all()  # fmt: skip
    assert states == ["ignored", "escalated"]


def test_deals_of_a_rep_who_left_go_to_the_manager(world):
    world.bot.command("/sales", f"team <@{MIA}> <@{BEN}>", user="UADMIN")
    world.deal(BEN, "Globex pilot", 12000, days_ago=20)
    people.remember(world.services, TEAM, [SlackProfile(BEN, "ben", deleted=True)])
    scheduler = world.scheduler()
    outcomes = scheduler.tick(at(2, 8)) + scheduler.tick(at(2, 14))
    assert outcomes["nudge_skipped"] == 1  # Ben left: no DM to him
    [dm] = world.dms(MIA)
    assert "#1 Globex pilot" in dm.args["text"]
    assert f"Unowned: <@{BEN}> left the workspace" in json.dumps(dm.args["blocks"])
    assert world.dms(BEN) == []


def test_team_command_and_roles_show_who_manages_whom(world):
    refused = world.bot.command("/sales", f"team <@{MIA}> <@{ANA}>", user=ANA)
    assert "You can't set who manages whom" in refused.text
    bad = world.bot.command("/sales", f"team <@{MIA}>", user="UADMIN")
    assert "Name the manager first, then their reps" in bad.text
    unknown = world.bot.command("/sales", f"team <@{MIA}> bob", user="UADMIN")
    assert "Only @mentions here; I don't know `bob`." in unknown.text
    self_managed = world.bot.command("/sales", f"team <@{MIA}> <@{MIA}>", user="UADMIN")
    assert "Someone can't manage themselves" in self_managed.text
    assert "Teams" not in world.bot.command("/sales", "roles", user=ANA).text  # nothing changed
    ok = world.bot.command("/sales", f"team <@{MIA}> <@{ANA}> <@{BEN}>", user="UADMIN")
    assert f"<@{MIA}> now manages <@{ANA}>, <@{BEN}>." in ok.text
    roles = world.bot.command("/sales", "roles", user=ANA).text
    assert f"• <@{MIA}> manages <@{ANA}>, <@{BEN}>" in roles
