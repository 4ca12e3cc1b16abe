"""`/funnel chart`: an answer at once, the PNG uploaded to the channel after it."""

from __future__ import annotations

import time
from pathlib import Path

from assistant.services import leads
from assistant.services.context import Actor
from assistant.services.leads import NewLead

REP = Actor("T_TEST", "UREP")
CHARTS = Path("/tmp/digest-charts")


def _leads(bot) -> None:
    for name, stage in (("A", None), ("B", "interest"), ("C", "consideration"), ("D", "action")):
        leads.create_lead(bot.services, REP, NewLead(name, source="Google", stage=stage))
    bot.services.clock.advance(minutes=1)


def test_chart_is_uploaded_after_the_reply(bot):
    _leads(bot)
    started = time.monotonic()
    result = bot.command("/funnel", "chart 7d", channel_id="C0SALES")
    assert time.monotonic() - started < 3  # Slack's deadline; the drawing happens later
    assert result.status == 200 and result.ephemeral
    assert "Drawing the funnel chart…" in result.text
    complete = bot.fake.wait_for("files.completeUploadExternal", timeout=10)[0]
    assert complete.args["channel_id"] == "C0SALES"
    assert complete.args["files"][0]["title"] == "Funnel, last 7 days"
    assert complete.args["initial_comment"] == "Funnel, last 7 days"
    png = bot.fake.uploads()[0].files["file"]
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    CHARTS.mkdir(parents=True, exist_ok=True)
    (CHARTS / "funnel-command.png").write_bytes(png)
    assert bot.fake.calls_to("chat.postEphemeral") == []


def test_chart_of_one_source(bot):
    _leads(bot)
    bot.command("/funnel", "chart source:google")
    complete = bot.fake.wait_for("files.completeUploadExternal", timeout=10)[0]
    assert complete.args["initial_comment"] == "Funnel, last 30 days · source: google"


def test_not_in_channel_is_explained_privately(bot):
    _leads(bot)
    bot.fake.set_response("files.completeUploadExternal", {"ok": False, "error": "not_in_channel"})
    result = bot.command("/funnel", "chart", channel_id="C0PRIVATE", user="U0MKT")
    assert result.status == 200 and "Drawing the funnel chart…" in result.text
    note = bot.fake.wait_for("chat.postEphemeral", timeout=10)[0]
    assert (note.args["channel"], note.args["user"]) == ("C0PRIVATE", "U0MKT")
    assert "I couldn't post the funnel chart here." in note.args["text"]
    assert "invite me with `/invite @Sales Assistant`" in note.args["text"]


def test_bad_period_answers_at_once_and_draws_nothing(bot):
    result = bot.command("/funnel", "chart 2026-Q9")
    assert result.status == 200 and "quarters are Q1 to Q4" in result.text
    time.sleep(0.3)
    assert bot.fake.calls_to("files.getUploadURLExternal") == []
