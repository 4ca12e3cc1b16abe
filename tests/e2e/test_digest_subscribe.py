"""`/digest subscribe` end to end: words in any order, defaults, roles, and bad input.

The bot's clock: Monday 2026-03-02 09:00 UTC (10:00 in Berlin).
"""

from __future__ import annotations

import pytest

from assistant.domain.schedule import Schedule
from assistant.services import subscriptions
from assistant.services.context import Actor

MGR = Actor("T_TEST", "U0MGR")
USAGE = (
    "Usage: `/digest subscribe [#channel] [pipeline|funnel|both] [daily|weekdays|weekly "
    "&lt;day&gt;|monthly] [at HH:MM] [tz:&lt;Area/City&gt;]`"
)


@pytest.fixture
def staffed(bot):
    assert bot.command("/sales", "role <@U0MGR|mgr> manager", user="UADMIN").status == 200
    bot.command("/sales", "role <@U0MKT|mkt> marketer", user="UADMIN")
    return bot


def _subs(bot):
    return subscriptions.list_subscriptions(bot.services, MGR)


def test_subscribe_with_everything_given(staffed):
    result = staffed.command(
        "/digest",
        "subscribe <#C0SALES|sales> pipeline weekly mon at 9:30 tz:Europe/Berlin",
        user="U0MGR",
    )
    assert result.status == 200 and result.ephemeral
    [sub] = _subs(staffed)
    assert (sub.channel_id, sub.kind) == ("C0SALES", "pipeline")
    assert sub.schedule == Schedule(
        frequency="weekly", weekday=0, at_time="09:30", timezone="Europe/Berlin"
    )
    assert f"(subscription #{sub.id})" in result.text
    assert "<#C0SALES> gets the *pipeline* digest weekly on Monday at 09:30 (Europe/Berlin)" in (
        result.text
    )
    # 09:30 today in Berlin has passed (it is 10:00 there): next Monday.
    assert "The first one is due Mon 2026-03-09 09:30." in result.text


def test_defaults_this_channel_both_weekdays_nine_workspace_zone(staffed):
    staffed.command("/sales", "settings tz:America/New_York", user="UADMIN")
    result = staffed.command("/digest", "subscribe", user="U0MGR", channel_id="C0TEAM")
    assert result.status == 200
    [sub] = _subs(staffed)
    assert (sub.channel_id, sub.kind) == ("C0TEAM", "both")
    assert sub.schedule.describe() == "weekdays at 09:00 (America/New_York)"
    # 04:00 in New York now: today at 09:00 is still to come.
    assert "The first one is due Mon 2026-03-02 09:00." in result.text


@pytest.mark.parametrize(
    ("text", "described", "kind"),
    [
        ("at 07:15 monthly funnel <#C0SALES|sales>", "monthly on the 1st at 07:15 (UTC)",
         "funnel"),
        ("weekly friday both at 9", "weekly on Friday at 09:00 (UTC)", "both"),
        ("daily at 18:05 pipeline", "daily at 18:05 (UTC)", "pipeline"),
        ("thursday", "weekly on Thursday at 09:00 (UTC)", "both"),
    ],
)  # fmt: skip
def test_words_in_any_order(staffed, text, described, kind):
    result = staffed.command("/digest", f"subscribe {text}", user="U0MGR")
    assert result.status == 200 and ":white_check_mark:" in result.text
    [sub] = _subs(staffed)
    assert (sub.schedule.describe(), sub.kind) == (described, kind)


def test_marketer_subscribes_to_the_funnel_only(staffed):
    ok = staffed.command("/digest", "subscribe funnel weekly tue", user="U0MKT")
    assert ":white_check_mark:" in ok.text
    refused = staffed.command("/digest", "subscribe pipeline", user="U0MKT")
    assert "You can't subscribe to digests: only managers and admins can." in refused.text
    assert [s.kind for s in _subs(staffed)] == ["funnel"]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("at 25:00", "`25:00` is not a time of day; use 24-hour HH:MM"),
        ("at 9:75", "`9:75` is not a time of day"),
        ("at noon", "`noon` is not a time of day"),
        ("at", "`at` needs a time, e.g. `at 09:00`."),
        ("tz:Mars/Olympus", "Unknown time zone `Mars/Olympus`"),
        ("weekly", "A weekly digest needs a day, e.g. `weekly monday`."),
        ("daily monday", "Only weekly digests take a day; `daily` does not."),
        ("pipelines", "I don't know `pipelines` here. Did you mean `pipeline`?"),
        ("pipeline funnel", "Two digests given (`pipeline` and `funnel`); pick one."),
        ("#sales", "Mention the channel (type `#` and pick it) rather than `#sales`."),
        ("zone:UTC", "Unknown option `zone:`"),
    ],
)
def test_bad_input_changes_nothing(staffed, text, phrase):
    result = staffed.command("/digest", f"subscribe {text}", user="U0MGR")
    assert result.status == 200 and result.ephemeral
    assert phrase in result.text and USAGE in result.text
    assert _subs(staffed) == []


def test_rep_is_told_who_may(bot):
    result = bot.command("/digest", "subscribe <#C0SALES|sales> pipeline daily")
    assert result.status == 200 and result.ephemeral
    assert "You can't subscribe to digests: only managers and admins can." in result.text
    assert _subs(bot) == []


def test_the_same_digest_twice_is_refused(staffed):
    staffed.command("/digest", "subscribe pipeline daily", user="U0MGR")
    again = staffed.command("/digest", "subscribe daily pipeline", user="U0MGR")
    assert "already gets that digest" in again.text
    assert len(_subs(staffed)) == 1
