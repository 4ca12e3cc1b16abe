"""Questions in plain words over the Events API (issue #17): an @mention answered in its
thread, a DM answered in the DM, follow-ups, a question back with buttons, and changes that
only a Confirm click makes, each through signed requests and the fake Slack Web API."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select

from assistant.storage.models import Change, Deal
from tests.e2e.conftest import _block_texts

CHANNEL = "C0SALES"
_ts = iter(range(1, 10_000))


def _new_ts() -> str:
    return f"1700001000.{next(_ts):06d}"


def mention(bot, text: str, user: str = "UREP", thread: str | None = None, **extra) -> str:
    ts = _new_ts()
    event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "ts": ts,
             "channel": CHANNEL, "event_ts": ts, **extra}  # fmt: skip
    if thread:
        event["thread_ts"] = thread
    status, _, _ = bot.http.event(event)
    assert status == 200
    return ts


def direct(bot, text: str, user: str = "UREP", **extra) -> int:
    ts = _new_ts()
    event = {"type": "message", "channel": "D0REP", "channel_type": "im", "user": user,
             "text": text, "ts": ts, "event_ts": ts, **extra}  # fmt: skip
    status, _, _ = bot.http.event(event)
    return status


def posts(bot, count: int = 1):
    return bot.fake.wait_for("chat.postMessage", count, timeout=10)


def texts(call) -> str:
    return "\n".join(_block_texts(call.args["blocks"]))


def buttons(call) -> list[dict]:
    return [
        element
        for block in call.args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def press(bot, button: dict, user: str = "UREP", thread: str | None = None):
    message = {"type": "message", "user": "UBOT", "ts": _new_ts(), "text": "", "blocks": []}
    if thread:
        message["thread_ts"] = thread
    before = len(bot.fake.responses())
    status, _, _ = bot.http.action(
        button["action_id"], button.get("value"), user_id=user, channel_id=CHANNEL,
        message=message,
    )  # fmt: skip
    assert status == 200
    return bot.fake.wait_for("respond", before + 1, timeout=10)[-1]


def quiet(bot, seconds: float = 0.5) -> None:
    """Let the follow-up pool finish, so 'nothing was posted' is a fact, not a race."""
    time.sleep(seconds)
    bot.runtime.followups.shutdown(wait=True)


def test_a_mention_is_answered_in_its_thread_with_the_command_to_learn(bot):
    bot.command("/deal", "new Acme renewal 12k stage:proposal")
    bot.services.clock.advance(days=30)  # past the stage's 10-day target: stuck
    ts = mention(bot, "what's stuck in propsal?")
    [post] = posts(bot)
    assert post.args["channel"] == CHANNEL and post.args["thread_ts"] == ts
    shown = texts(post)
    assert "*Stuck deals in Proposal / price negotiation*" in shown
    assert "Same as `/deal list stuck proposal`" in shown
    # The body is the command's own reply.
    typed = bot.command("/deal", "list stuck proposal")
    assert typed.text.split("\n")[0] in shown and "Acme renewal" in shown


def test_a_dm_is_answered_in_the_dm(bot):
    bot.command("/deal", "new Acme 12k")
    assert direct(bot, "how's the pipeline looking?") == 200
    [post] = posts(bot)
    assert post.args["channel"] == "D0REP" and post.args.get("thread_ts") is None
    assert "Same as `/pipeline`" in texts(post) and "1 open deal" in post.args["text"]


def test_a_follow_up_in_the_thread_changes_only_what_it_names(bot):
    first = mention(bot, "win rate last quarter")
    posts(bot)
    mention(bot, "and by source?", thread=first)
    second = posts(bot, 2)[-1]
    assert second.args["thread_ts"] == first
    assert "Same as `/pipeline results last quarter by:source`" in texts(second)
    mention(bot, "what about 2025-Q4?", thread=first)
    third = posts(bot, 3)[-1]
    assert "Same as `/pipeline results 2025-Q4 by:source`" in texts(third)


def test_follow_ups_in_a_dm_build_on_the_last_question(bot):
    direct(bot, "win rate last quarter")
    posts(bot)
    direct(bot, "per rep?")
    assert "Same as `/pipeline results last quarter by:owner`" in texts(posts(bot, 2)[-1])


def test_two_deals_match_so_it_asks_which(bot):
    bot.command("/deal", "new Acme renewal 12k")
    bot.command("/deal", "new Acme expansion 30k")
    ts = mention(bot, "how is acme doing")
    [post] = posts(bot)
    assert "Which deal?" in texts(post)
    choices = {b["text"]["text"]: b for b in buttons(post)}
    assert set(choices) == {"#1 Acme renewal", "#2 Acme expansion"}
    answer = press(bot, choices["#2 Acme expansion"], thread=ts)
    assert answer.args["replace_original"] is True
    assert "Same as `/deal show #2`" in answer.args["text"] and "$30,000" in answer.args["text"]


def test_not_understood_offers_three_questions_it_can_answer(bot):
    mention(bot, "what is the meaning of life")
    [post] = posts(bot)
    assert "I don't know a deal, stage, source or rep called `life`." in post.args["text"]
    offered = buttons(post)
    assert len(offered) == 3
    answer = press(bot, offered[0])
    assert "Same as `" in answer.args["text"]


def test_a_change_waits_for_confirm_and_runs_once_as_the_clicker(bot):
    bot.command("/deal", "new Acme renewal 12k")
    mention(bot, "move acme renewal to proposal")
    [post] = posts(bot)
    assert "*Move #1 Acme renewal to Proposal / price negotiation?*" in texts(post)
    with bot.services.db.reading() as session:
        assert session.scalar(select(Deal.stage_key)) == "prospecting"  # nothing yet
    confirm, cancel = buttons(post)
    assert (confirm["action_id"], cancel["action_id"]) == ("ask_confirm", "ask_cancel")
    done = press(bot, confirm)
    assert done.args["replace_original"] is True and "Moved" in done.args["text"]
    again = press(bot, confirm)  # a second click, or a colleague's
    assert "answered that already" in again.args["text"]
    late_cancel = press(bot, cancel)
    assert "answered that already" in late_cancel.args["text"]
    with bot.services.db.reading() as session:
        assert session.scalar(select(Deal.stage_key)) == "proposal"
        moves = session.execute(
            select(Change.actor_id).where(Change.field == "stage_key", Change.action == "move")
        ).all()
    assert moves == [("UREP",)]  # credited to the clicker, once


def test_cancel_changes_nothing_and_spends_the_button(bot):
    bot.command("/deal", "new Acme renewal 12k")
    mention(bot, "mark acme renewal won")
    confirm, cancel = buttons(posts(bot)[0])
    cancelled = press(bot, cancel)
    assert "Cancelled by <@UREP>; nothing changed." in cancelled.args["text"]
    assert "answered that already" in press(bot, confirm).args["text"]
    with bot.services.db.reading() as session:
        assert session.scalar(select(Deal.status)) == "open"


def test_roles_apply_to_the_clicker(bot):
    bot.command("/deal", "new Acme renewal 12k")  # UREP's deal
    mention(bot, "move acme renewal to proposal", user="UREP2")
    confirm, _ = buttons(posts(bot)[0])
    refused = press(bot, confirm, user="UREP2")
    assert "the deal's owner, managers and admins" in refused.args["text"]
    with bot.services.db.reading() as session:
        assert session.scalar(select(Deal.stage_key)) == "prospecting"


def test_forged_buttons_are_refused_politely(bot):
    bot.command("/deal", "new Acme renewal 12k")
    with bot.services.db.reading() as session:
        changes = session.scalar(select(func.count()).select_from(Change))
    forged = {"action_id": "ask_confirm", "value": json.dumps({"token": "t", "run": "{"})}
    assert "out of date" in press(bot, forged).args["text"]
    assert "out of date" in press(bot, {"action_id": "ask_run_0", "value": "not json"}).args["text"]
    with bot.services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Change)) == changes


def test_what_is_never_answered(bot):
    ts = _new_ts()
    ignored = [
        {"type": "message", "channel": "D0REP", "channel_type": "im", "user": "UBOT",
         "text": "pipeline", "ts": ts},  # the bot itself
        {"type": "message", "channel": "D0REP", "channel_type": "im", "bot_id": "B0OTHER",
         "user": "U0OTHERBOT", "text": "pipeline", "ts": ts},  # another bot
        {"type": "message", "subtype": "message_changed", "channel": "D0REP",
         "channel_type": "im", "message": {"text": "pipeline"}, "ts": ts},  # an edit
        {"type": "message", "subtype": "message_deleted", "channel": "D0REP",
         "channel_type": "im", "ts": ts},  # a deletion
        {"type": "app_mention", "user": "UREP", "text": "<@UBOT> pipeline", "channel": "D0REP",
         "channel_type": "im", "ts": ts},  # a mention in a DM: the message answers it
    ]  # fmt: skip
    for event in ignored:
        status, _, _ = bot.http.event(event)
        assert status == 200
    quiet(bot)
    assert bot.fake.calls_to("chat.postMessage") == []


def test_a_redelivered_event_is_answered_once(bot):
    ts = _new_ts()
    event = {"type": "app_mention", "user": "UREP", "text": "<@UBOT> pipeline", "ts": ts,
             "channel": CHANNEL}  # fmt: skip
    for _ in range(2):
        status, _, _ = bot.http.event(event, event_id="Ev0SAME")
        assert status == 200
    quiet(bot)
    assert len(bot.fake.calls_to("chat.postMessage")) == 1


def test_odd_questions_get_a_friendly_answer(bot):
    mention(bot, "")  # an empty mention
    assert "Ask me about your deals" in posts(bot)[0].args["text"]
    mention(bot, "🎉🎉🎉")
    assert "Ask me about" in posts(bot, 2)[-1].args["text"]
    mention(bot, "pipeline " * 1500)  # ~13,500 characters
    assert "longer than the 1,000 characters" in posts(bot, 3)[-1].args["text"]
    mention(bot, "show deal <!channel> *bold* `code`")
    hostile = posts(bot, 4)[-1]
    assert "<!channel>" not in json.dumps(hostile.args)
