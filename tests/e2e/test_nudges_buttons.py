"""Each button of a nudge: the deal changes once through the one write path, credited to
the rep who clicked, and the clicked line of the DM says what was done, in place."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from assistant.storage.models import Change, Deal, Note
from tests.e2e.nudge_world import ANA, BEN, at, make_world


@pytest.fixture
def world(bot):
    made = make_world(bot)
    made.deal(ANA, "Acme renewal", 30000, days_ago=20)
    made.deal(ANA, "Initech", 5000, days_ago=20)
    made.scheduler().tick(at(2, 8))
    made.clock.set(at(2, 8, 14))  # 09:14 in Berlin
    return made


def _nudge(world):
    [dm] = world.dms(ANA)
    return dm


def _deal(world, name):
    with world.services.db.reading() as session:
        return session.execute(
            select(Deal.stage_key, Deal.status, Deal.version).where(Deal.name == name)
        ).one()


def _updated_lines(world, count: int = 1) -> list[str]:
    updates = world.fake.wait_for("chat.update", count=count, timeout=10)
    return [b["text"]["text"] for b in updates[-1].args["blocks"] if b["type"] == "section"]


def _ephemeral(world, count: int = 1) -> str:
    return world.fake.wait_for("respond", count=count, timeout=10)[-1].args["text"]


def test_next_stage_moves_credited_to_the_rep_and_updates_the_line(world):
    dm = _nudge(world)
    assert world.click(world.buttons(dm)["Acme renewal"]["nudge_next"]) == 200
    lines = _updated_lines(world)
    assert any(
        "~#1 Acme renewal~ · $30,000 — moved to Qualification by you, 09:14" in line
        for line in lines
    )
    assert any("*#2 Initech*" in line for line in lines)  # the other line is untouched
    assert _deal(world, "Acme renewal")[:2] == ("qualification", "open")
    update = world.fake.calls_to("chat.update")[0]
    assert (update.args["channel"], update.args["ts"]) == (dm.args["channel"], _ts(world, dm))
    with world.services.db.reading() as session:
        actors = session.scalars(
            select(Change.actor_id).where(Change.entity == "deal", Change.action == "move")
        ).all()
    assert actors == [ANA]


def _ts(world, dm) -> str:
    return world.fake.calls_to("chat.update")[0].args["ts"]


def test_double_click_changes_the_deal_once(world):
    next_button = world.buttons(_nudge(world))["Acme renewal"]["nudge_next"]
    world.click(next_button)
    world.fake.wait_for("chat.update", timeout=10)
    world.click(next_button)
    assert "Already done (moved to Qualification); nothing was changed" in _ephemeral(world)
    assert _deal(world, "Acme renewal")[0] == "qualification"  # not Assessment


@pytest.mark.parametrize(("button", "outcome"), [("nudge_won", "won"), ("nudge_lost", "lost")])
def test_won_and_lost(world, button, outcome):
    world.click(world.buttons(_nudge(world))["Acme renewal"][button])
    lines = _updated_lines(world)
    assert any(f"Acme renewal~ · $30,000 — marked {outcome} by you, 09:14" in x for x in lines)
    assert _deal(world, "Acme renewal")[1] == outcome


def test_click_after_the_deal_moved_on_changes_nothing(world):
    buttons = world.buttons(_nudge(world))["Acme renewal"]
    world.bot.command("/deal", "move #1 assessment", user=ANA)
    world.click(buttons["nudge_next"])
    assert "Deal #1 has moved on to Assessment since this nudge; nothing was changed." in (
        _ephemeral(world)
    )
    assert _deal(world, "Acme renewal")[0] == "assessment"
    world.bot.command("/deal", "won #2", user=ANA)
    world.click(world.buttons(_nudge(world))["Initech"]["nudge_lost"])
    assert "Deal #2 was marked won since this nudge; nothing to change" in _ephemeral(world, 2)
    assert _deal(world, "Initech")[1] == "won"


def test_a_payload_from_another_workspace_or_person_changes_nothing(world):
    button = world.buttons(_nudge(world))["Acme renewal"]["nudge_won"]
    world.click(button, team="T_OTHER")
    assert _ephemeral(world) == (
        ":warning: This button comes from another workspace; nothing was changed."
    )
    world.click(button, user=BEN)
    assert "This nudge was sent to someone else" in _ephemeral(world, 2)
    world.click({**button, "value": "not-a-number"})
    assert "isn't from a nudge I know" in _ephemeral(world, 3)
    time.sleep(0.2)
    assert _deal(world, "Acme renewal")[:2] == ("prospecting", "open")
    assert world.fake.calls_to("chat.update") == []


def test_snooze_from_the_menu_and_until_a_date(world):
    buttons = world.buttons(_nudge(world))
    world.click(buttons["Acme renewal"]["nudge_snooze"], choice="3d")
    assert any("snoozed until Thu 05 Mar" in line for line in _updated_lines(world))
    world.click(buttons["Initech"]["nudge_snooze_until"], choice="2026-03-20")
    lines = _updated_lines(world, 2)
    assert any("Initech~ · $5,000 — snoozed until Fri 20 Mar" in line for line in lines)


def test_snoozing_a_closed_deal_or_a_bad_date_is_refused(world):
    buttons = world.buttons(_nudge(world))
    world.click(buttons["Initech"]["nudge_snooze_until"], choice="2026-03-01")
    assert "Pick a day after today to snooze until." in _ephemeral(world)
    world.click(buttons["Initech"]["nudge_snooze_until"], choice="2027-03-01")
    assert "A snooze lasts at most 90 days." in _ephemeral(world, 2)
    world.bot.command("/deal", "lost #1", user=ANA)
    world.click(buttons["Acme renewal"]["nudge_snooze"], choice="1w")
    assert "Deal #1 was marked lost since this nudge; nothing to snooze" in _ephemeral(world, 3)


def test_add_note_opens_a_form_and_the_note_is_added(world):
    button = world.buttons(_nudge(world))["Acme renewal"]["nudge_note"]
    world.click(button)
    [opened] = world.fake.wait_for("views.open", timeout=10)
    form = opened.args["view"]
    assert form["callback_id"] == "nudge_note_form"
    _status, _headers, refused = world.bot.http.submit_view(
        "nudge_note_form", {"note": {"note_text": {"type": "plain_text_input", "value": "  "}}},
        user_id=ANA, private_metadata=form["private_metadata"],
    )  # fmt: skip
    assert json.loads(refused)["errors"]["note"].startswith("The note is empty")
    world.bot.http.submit_view(
        "nudge_note_form",
        {"note": {"note_text": {"type": "plain_text_input", "value": "Called, demo Friday"}}},
        user_id=ANA, private_metadata=form["private_metadata"],
    )  # fmt: skip
    lines = _updated_lines(world)
    assert any("Acme renewal~ · $30,000 — note added by you, 09:14" in line for line in lines)
    with world.services.db.reading() as session:
        assert session.scalars(select(Note.text)).all() == ["Called, demo Friday"]


def test_and_more_lists_every_deal(world):
    world.services.clock.set(at(1, 12))
    for n in range(6):
        world.deal(BEN, f"Ben deal {n}", 1000 + n, days_ago=20)
    world.scheduler().tick(at(2, 14))
    [dm] = world.dms(BEN)
    more = next(b for b in dm.args["blocks"] if b.get("block_id") == "nudge_more")
    button = {**more["elements"][0], "block_id": "nudge_more"}
    world.click(button, user=ANA)
    assert "isn't from a nudge I know" in _ephemeral(world)
    world.click(button, user=BEN)
    listed = _ephemeral(world, 2)
    assert listed.startswith("*All 6 deals that need you today*")
    assert "6. *#3 Ben deal 0*" in listed
