"""Slack failing under the bot (429 with Retry-After, 500, a dropped connection) while it
replies, posts to the feed, refreshes Homes and posts digests: the post goes out once, or
the user is told; nothing is lost and nothing doubled. Scheduled digests under the same
faults are covered in tests/integration/test_digest_delivery.py and
test_digest_exactly_once.py (cited in docs/RELIABILITY.md)."""

from __future__ import annotations

import json

import pytest

FAULTS = {
    "429": {"status": 429, "retry_after": 1},
    "500": {"status": 500},
    "drop": {"mode": "drop"},
}


def _posted(calls, channel: str | None = None) -> list:
    return [
        c
        for c in calls
        if c.status == 200 and (channel is None or c.args.get("channel") == channel)
    ]


@pytest.mark.parametrize("kind", list(FAULTS))
def test_feed_post_home_and_digest_survive_slack_faults(bot, kind, tally):
    bot.command("/sales", "settings feed:<#C0FEED|feed>", user="UADMIN")
    bot.command("/deal", "new Acme 12k")
    bot.fake.wait_for("views.publish", 1)

    # The feed post after a win: two failures in a row, then Slack answers.
    bot.fake.fail_next("chat.postMessage", times=2, **FAULTS[kind])
    won = bot.command("/deal", "won 1")
    assert ":tada: Won #1" in won.text
    bot.fake.wait_for("views.publish", 2, timeout=15)
    feed = bot.fake.calls_to("chat.postMessage")
    tally("faults", f"{kind} on feed post", 2)
    assert len(_posted(feed, "C0FEED")) == 1, [c.status for c in feed]
    assert "Won #1 Acme" in _posted(feed, "C0FEED")[0].args["text"]

    # The Home refresh after a change.
    bot.command("/deal", "new Globex 8k")
    before = len(bot.fake.calls_to("views.publish"))
    bot.fake.fail_next("views.publish", times=2, **FAULTS[kind])
    bot.command("/deal", "move 2 next")
    publishes = bot.fake.wait_for("views.publish", before + 3, timeout=15)[before:]
    tally("faults", f"{kind} on home publish", 2)
    assert len(_posted(publishes)) >= 1  # the refresh happened; a Home is idempotent

    # A digest posted now.
    bot.fake.fail_next("chat.postMessage", times=2, **FAULTS[kind])
    sent = bot.command("/digest", "send pipeline <#C0DIG|dig>", user="UADMIN")
    assert "Posting the pipeline digest" in sent.text
    bot.fake.wait_for("chat.postMessage", len(feed) + 3, timeout=15)
    bot.runtime.followups.shutdown(wait=True)
    digests = _posted(bot.fake.calls_to("chat.postMessage"), "C0DIG")
    tally("faults", f"{kind} on digest send", 2)
    assert len(digests) == 1
    tally("posts", "duplicated", len(digests) - 1 + len(_posted(feed, "C0FEED")) - 1)
    tally("posts", "checked", 2)
    # Nothing lost in the database: both changes are there.
    kept = ["Won" in bot.command("/deal", "show 1").text]
    kept.append("Qualification" in bot.command("/deal", "show 2").text)
    tally("writes", "checked", len(kept))
    tally("writes", "lost or partial", kept.count(False))
    assert all(kept)


@pytest.mark.parametrize("kind", list(FAULTS))
def test_button_card_update_survives_slack_faults(bot, kind, tally):
    bot.command("/deal", "new Acme 12k")
    bot.fake.fail_next("respond", times=1, **FAULTS[kind])
    status, _, _ = bot.http.action(
        "deal_next", json.dumps({"n": 1, "v": 1}), response_url=bot.fake.response_url("card")
    )
    assert status == 200
    bot.fake.wait_for("respond:card", 2, timeout=15)
    bot.runtime.followups.shutdown(wait=True)
    updates = bot.fake.calls_to("respond:card")
    tally("faults", f"{kind} on card update", 1)
    assert len(_posted(updates)) == 1, [c.status for c in updates]
    tally("posts", "duplicated", len(_posted(updates)) - 1)
    tally("posts", "checked")
    # The move itself happened, once: version 2 of the deal, in Qualification.
    kept = "Qualification" in bot.command("/deal", "show 1").text
    tally("writes", "checked")
    tally("writes", "lost or partial", 0 if kept else 1)
    assert kept
