"""The daily nudge DM (issue 18): one per rep per working day at their own morning, the
deals that need them ranked by value at risk, capped by their budget, exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from assistant.services import people
from assistant.services.people import SlackProfile
from tests.e2e.nudge_world import ANA, BEN, TEAM, at, make_world


@pytest.fixture
def world(bot):
    return make_world(bot)


def _lines(post) -> list[str]:
    return [b["text"]["text"] for b in post.args["blocks"] if b["type"] == "section"]


def test_one_dm_per_rep_per_day_at_their_morning(world):
    world.deal(ANA, "Acme renewal", 30000, days_ago=20)  # prospecting, target 7 days: stuck
    world.deal(BEN, "Globex pilot", 12000, days_ago=20)
    scheduler = world.scheduler()
    assert scheduler.tick(at(2, 7, 59))["nudge_posted"] == 0  # 08:59 in Berlin
    assert scheduler.tick(at(2, 8, 0))["nudge_posted"] == 1  # 09:00 in Berlin
    [dm] = world.dms()
    assert dm.args["channel"] == ANA
    assert "Acme renewal" in dm.args["text"] and "Globex" not in dm.args["text"]
    assert scheduler.tick(at(2, 13, 0))["nudge_posted"] == 0  # 08:00 in New York
    assert scheduler.tick(at(2, 14, 0))["nudge_posted"] == 1  # 09:00 in New York
    assert world.dms(BEN)[0].args["text"].count("Globex pilot") == 1
    for hour in (15, 16, 18):
        assert scheduler.tick(at(2, hour))["nudge_posted"] == 0  # once a day
    assert scheduler.tick(at(3, 8, 1))["nudge_posted"] == 0  # Tuesday: cooling down
    assert len(world.dms()) == 2


def test_weekends_and_quiet_hours_are_skipped(world):
    world.deal(ANA, "Acme renewal", 30000, days_ago=20)
    scheduler = world.scheduler()
    # The scheduler was down all Monday; at 20:30 in Berlin it is too late for a nudge.
    assert scheduler.tick(at(2, 19, 30))["nudge_posted"] == 0
    # Saturday and Sunday: nothing, however long it waits.
    for day in (7, 8):
        for hour in (8, 12):
            assert scheduler.tick(at(day, hour))["nudge_posted"] == 0
    assert world.dms() == []
    # Monday: due again, sent late in the morning (the scheduler just came back).
    assert scheduler.tick(at(9, 10))["nudge_posted"] == 1


def test_ranked_by_value_at_risk_capped_by_the_budget(world):
    for n in range(7):
        world.deal(ANA, f"Deal {n}", 1000 * (n + 1), days_ago=20)
    world.deal(ANA, "Fresh", 90000, days_ago=1)  # not due: no reason at all
    world.scheduler().tick(at(2, 8))
    [dm] = world.dms(ANA)
    lines = _lines(dm)
    shown = [line for line in lines if "Deal " in line]
    assert [line.split("*")[1].split(" ", 1)[1] for line in shown] == [
        "Deal 6", "Deal 5", "Deal 4", "Deal 3", "Deal 2",
    ]  # fmt: skip
    assert "Fresh" not in dm.args["text"]
    more = [b for b in dm.args["blocks"] if b.get("block_id") == "nudge_more"]
    assert more[0]["elements"][0]["text"]["text"] == "…and 2 more"


def test_nothing_due_no_dm(world):
    world.deal(ANA, "Fresh", 90000, days_ago=1)
    assert world.scheduler().tick(at(2, 8))["nudge_empty"] == 1
    assert world.dms() == []


def test_exactly_once_with_two_schedulers_and_a_restart(world):
    world.deal(ANA, "Acme renewal", 30000, days_ago=20)
    world.deal(BEN, "Globex pilot", 12000, days_ago=20)
    first, second = world.scheduler("first"), world.scheduler("second")
    outcomes = [first.tick(at(2, 14)), second.tick(at(2, 14))]
    assert sum(o["nudge_posted"] for o in outcomes) == 2
    assert sum(o["nudge_taken"] for o in outcomes) == 0  # the second saw both claimed
    restarted = world.scheduler("first-again")
    assert restarted.tick(at(2, 14) + timedelta(minutes=1))["nudge_posted"] == 0
    assert sorted(p.args["channel"] for p in world.dms()) == [ANA, BEN]


def test_rate_limited_nudge_is_retried_once_sent(world):
    world.deal(ANA, "Acme renewal", 30000, days_ago=20)
    world.fake.fail_next("chat.postMessage", times=2, status=429, retry_after=0)
    scheduler = world.scheduler()
    assert scheduler.tick(at(2, 8))["nudge_retrying"] == 1
    assert scheduler.tick(at(2, 8, 5))["nudge_retrying"] == 1
    assert scheduler.tick(at(2, 8, 10))["nudge_posted"] == 1
    assert scheduler.tick(at(2, 8, 15))["nudge_posted"] == 0
    assert len(world.dms(ANA)) == 3  # two refused by Slack, one delivered


def test_a_rep_who_left_is_skipped(world):
    world.deal(ANA, "Acme renewal", 30000, days_ago=20)
    world.fake.set_response("chat.postMessage", {"ok": False, "error": "user_not_found"})
    scheduler = world.scheduler()
    assert scheduler.tick(at(2, 8))["nudge_skipped"] == 1
    assert scheduler.tick(at(2, 9))["nudge_skipped"] == 0  # recorded once, not retried


def test_two_schedulers_ticking_at_once_send_each_nudge_once(world):

    reps = [f"U0REP{n:02d}" for n in range(12)]
    people.remember(
        world.services, TEAM, [SlackProfile(r, r.lower(), timezone="UTC") for r in reps]
    )
    for rep in reps:
        world.fake.users[rep] = {"tz": "UTC"}
        world.deal(rep, f"Deal of {rep}", 10000, days_ago=20)
    schedulers = [world.scheduler("left"), world.scheduler("right")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda s: s.tick(at(2, 9, 30)), schedulers))
    assert sum(o["nudge_posted"] for o in outcomes) == len(reps)
    assert sorted(p.args["channel"] for p in world.dms()) == sorted(reps)
    restarted = world.scheduler("left-restarted")
    assert restarted.tick(at(2, 10))["nudge_posted"] == 0
    assert len(world.dms()) == len(reps)
