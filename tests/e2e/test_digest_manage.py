"""`/digest list`, `/digest unsubscribe` and `/digest preview` end to end."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.domain.schedule import Schedule
from assistant.services import deals, subscriptions
from assistant.services.context import Actor
from assistant.services.deals import NewDeal

MGR = Actor("T_TEST", "U0MGR")
ELSEWHERE = Actor("T_OTHER", "UADMIN")


@pytest.fixture
def staffed(bot):
    bot.command("/sales", "role <@U0MGR|mgr> manager", user="UADMIN")
    return bot


def _active(bot, actor=MGR) -> list[int]:
    return [s.id for s in subscriptions.list_subscriptions(bot.services, actor)]


def test_list_shows_each_subscription(staffed):
    assert "No digests are scheduled." in staffed.command("/digest", "list").text
    staffed.command(
        "/digest", "subscribe <#C0SALES|sales> pipeline weekly mon at 9:30 tz:Europe/Berlin",
        user="U0MGR",
    )  # fmt: skip
    staffed.command("/digest", "subscribe funnel daily", user="U0MGR")
    result = staffed.command("/digest", "list")  # anyone may look
    assert result.status == 200 and result.ephemeral
    first, second = _active(staffed)
    assert "*Digests* (2)" in result.text
    assert (
        f"• *#{first}* <#C0SALES> pipeline — weekly on Monday at 09:30 (Europe/Berlin); "
        "next Mon 2026-03-09 09:30; nothing sent yet"
    ) in result.text
    assert (
        f"• *#{second}* <#C_GENERAL> funnel — daily at 09:00 (UTC); next Tue 2026-03-03 09:00"
    ) in result.text
    extra = staffed.command("/digest", "list everything")
    assert "I don't know what to do with `everything`" in extra.body["text"]


def test_unsubscribe(staffed):
    staffed.command("/digest", "subscribe <#C0SALES|sales> pipeline daily", user="U0MGR")
    [sub_id] = _active(staffed)
    refused = staffed.command("/digest", f"unsubscribe {sub_id}")  # a rep
    assert "You can't unsubscribe digests: only managers and admins can." in refused.text
    assert _active(staffed) == [sub_id]
    result = staffed.command("/digest", f"unsubscribe #{sub_id}", user="U0MGR")
    assert result.status == 200 and result.ephemeral
    assert (
        f"Subscription #{sub_id} stopped: <#C0SALES> no longer gets the *pipeline* digest "
        "daily at 09:00 (UTC)."
    ) in result.text
    assert _active(staffed) == []
    again = staffed.command("/digest", f"unsubscribe {sub_id}", user="U0MGR")
    assert f"There is no digest subscription `{sub_id}` in this workspace." in again.text


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("unsubscribe 999", "There is no digest subscription `999` in this workspace."),
        ("unsubscribe abc", "There is no digest subscription `abc`"),
        ("unsubscribe", "Name one subscription by its number"),
        ("unsubscribe 1 2", "Name one subscription by its number"),
    ],
)
def test_unsubscribe_bad_ids(staffed, text, phrase):
    result = staffed.command("/digest", text, user="U0MGR")
    assert result.status == 200 and result.ephemeral
    assert phrase in result.text and "Usage: `/digest unsubscribe &lt;id&gt;`" in result.text


def test_another_workspaces_subscription_is_out_of_reach(staffed):
    schedule = Schedule(frequency="daily", at_time="09:00", timezone="UTC")
    theirs = subscriptions.subscribe(staffed.services, ELSEWHERE, "C0THEIRS", "both", schedule)
    result = staffed.command("/digest", f"unsubscribe {theirs.id}", user="U0MGR")
    assert f"There is no digest subscription `{theirs.id}` in this workspace." in result.text
    assert _active(staffed, ELSEWHERE) == [theirs.id]
    assert "C0THEIRS" not in staffed.command("/digest", "list").text


def test_preview_is_private_and_chartless(bot):
    deals.create_deal(bot.services, Actor("T_TEST", "UREP"), NewDeal("Acme", Decimal(12000)))
    result = bot.command("/digest", "preview pipeline")  # a rep may preview
    assert result.status == 200 and result.ephemeral
    blocks = result.body["blocks"]
    assert blocks[0]["type"] == "context"
    assert "Charts are attached when the digest is posted." in blocks[0]["elements"][0]["text"]
    assert blocks[1]["type"] == "header"
    assert blocks[1]["text"]["text"] == "Pipeline digest · Mon 02 Mar 2026"
    assert "*1 open deal* worth *$12,000* (weighted $600)." in result.text
    assert "Funnel digest" not in result.text
    assert bot.fake.calls_to("chat.postMessage") == bot.fake.uploads() == []


def test_preview_both_by_default(bot):
    result = bot.command("/digest", "preview")
    headers = [b["text"]["text"] for b in result.body["blocks"] if b["type"] == "header"]
    assert headers == ["Pipeline digest · Mon 02 Mar 2026", "Funnel digest · last 7 days"]
    assert "No open deals yet" in result.text


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("preview pipelines", "Did you mean `pipeline`?"),
        ("preview weekly", "Schedules belong to `/digest subscribe`"),
    ],
)
def test_preview_bad_input(bot, text, phrase):
    result = bot.command("/digest", text)
    assert result.status == 200 and phrase in result.text
    assert "Usage: `/digest preview [pipeline|funnel|both]`" in result.text
