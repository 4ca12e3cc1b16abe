"""`/digest send` end to end, and a scheduled digest through the real composer."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.services import deals, leads
from assistant.services.context import Actor
from assistant.services.deals import NewDeal
from assistant.services.leads import NewLead

REP = Actor("T_TEST", "UREP")
CHARTS = Path("/tmp/digest-charts")


@pytest.fixture
def staffed(bot):
    bot.command("/sales", "role <@U0MGR|mgr> manager", user="UADMIN")
    bot.command("/sales", "role <@U0MKT|mkt> marketer", user="UADMIN")
    clock = bot.services.clock
    clock.advance(days=-20)
    deals.create_deal(bot.services, REP, NewDeal("Old prospect", Decimal(30000)))  # stuck
    clock.advance(days=19)
    leads.create_lead(bot.services, REP, NewLead("Ann", source="Google", stage="interest"))
    clock.advance(days=1)
    return bot


def _headers(call) -> list[str]:
    return [b["text"]["text"] for b in call.args["blocks"] if b["type"] == "header"]


def test_send_pipeline_to_a_channel(staffed):
    result = staffed.command("/digest", "send pipeline <#C0SALES|sales>", user="U0MGR")
    assert result.status == 200 and result.ephemeral
    assert "Posting the pipeline digest to <#C0SALES>…" in result.text
    [post] = staffed.fake.wait_for("chat.postMessage", timeout=10)
    assert post.args["channel"] == "C0SALES"
    assert _headers(post) == ["Pipeline digest · Mon 02 Mar 2026"]
    assert "*Bottleneck: Lead generation* — 1 stuck deal worth $30,000" in post.args["text"]
    assert "<@UREP>" in post.args["text"]
    [complete] = staffed.fake.wait_for("files.completeUploadExternal", timeout=10)
    assert complete.args["channel_id"] == "C0SALES"
    assert complete.args["thread_ts"].startswith("1700000000.")  # in the digest's thread
    assert [f["title"] for f in complete.args["files"]] == ["Pipeline value by stage, 2026-03-02"]
    assert staffed.fake.uploads()[0].files["file"].startswith(b"\x89PNG")
    time.sleep(0.2)
    assert len(staffed.fake.calls_to("chat.postMessage")) == 1  # one message, no duplicate


def test_send_both_here_by_default(staffed):
    staffed.command("/digest", "send", user="U0MGR", channel_id="C0TEAM")
    [post] = staffed.fake.wait_for("chat.postMessage", timeout=10)
    assert post.args["channel"] == "C0TEAM"
    assert _headers(post) == ["Pipeline digest · Mon 02 Mar 2026", "Funnel digest · last 7 days"]
    assert post.args["text"].startswith("Pipeline digest") and "Funnel digest" in post.args["text"]
    [complete] = staffed.fake.wait_for("files.completeUploadExternal", timeout=10)
    assert len(complete.args["files"]) == 2  # both charts, in one upload to the thread
    for n, upload in enumerate(staffed.fake.wait_for("upload", count=2)):
        CHARTS.mkdir(parents=True, exist_ok=True)
        (CHARTS / f"sent-{n}.png").write_bytes(upload.files["file"])


def test_marketer_sends_the_funnel_but_not_the_pipeline(staffed):
    refused = staffed.command("/digest", "send pipeline", user="U0MKT")
    assert "You can't post digests: only managers and admins can." in refused.text
    ok = staffed.command("/digest", "send funnel", user="U0MKT")
    assert "Posting the funnel digest to <#C_GENERAL>…" in ok.text
    [post] = staffed.fake.wait_for("chat.postMessage", timeout=10)
    assert _headers(post) == ["Funnel digest · last 7 days"]


def test_rep_is_refused_and_nothing_is_posted(staffed):
    result = staffed.command("/digest", "send")
    assert result.status == 200 and result.ephemeral
    assert "You can't post digests: only managers and admins can." in result.text
    assert "Usage: `/digest send [pipeline|funnel|both] [#channel]`" in result.text
    time.sleep(0.3)
    assert staffed.fake.calls_to("chat.postMessage") == []


def test_not_in_channel_is_reported_to_the_caller(staffed):
    staffed.fake.set_response("chat.postMessage", {"ok": False, "error": "not_in_channel"})
    result = staffed.command("/digest", "send pipeline <#C0SECRET|secret>", user="U0MGR")
    assert "Posting the pipeline digest to <#C0SECRET>…" in result.text
    [note] = staffed.fake.wait_for("chat.postEphemeral", timeout=10)
    assert (note.args["channel"], note.args["user"]) == ("C_GENERAL", "U0MGR")
    assert note.args["text"] == (
        ":warning: The digest was not posted to <#C0SECRET>. I'm not in that channel; invite me "
        "with `/invite @Sales Assistant`."
    )
    assert staffed.fake.calls_to("files.completeUploadExternal") == []


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("send pipeline extra", "I don't know `extra` here."),
        ("send daily", "Schedules belong to `/digest subscribe`"),
        ("send funnels", "Did you mean `funnel`?"),
    ],
)
def test_send_bad_input(staffed, text, phrase):
    result = staffed.command("/digest", text, user="U0MGR")
    assert result.status == 200 and result.ephemeral and phrase in result.text
    assert "Usage: `/digest send [pipeline|funnel|both] [#channel]`" in result.text
    time.sleep(0.2)
    assert staffed.fake.calls_to("chat.postMessage") == []


def test_scheduled_digest_goes_out_once_late_marked_and_listed(staffed):
    staffed.command("/digest", "subscribe <#C0SALES|sales> daily at 10:00", user="U0MGR")
    scheduler = staffed.scheduler()
    clock = staffed.services.clock
    clock.advance(hours=3)  # 12:00: the 10:00 digest is two hours late
    assert scheduler.tick()["posted"] == 1
    assert scheduler.tick()["posted"] == 0  # exactly once
    [post] = staffed.fake.calls_to("chat.postMessage")
    assert _headers(post) == [
        "Pipeline digest · Mon 02 Mar 2026 (delayed)",
        "Funnel digest · last 7 days (delayed)",
    ]
    assert post.args["text"].startswith("Pipeline digest · Mon 02 Mar 2026 (delayed)")
    # Movement since the previous occurrence: Sunday 10:00, before the lead and after the deal.
    assert "*Since Sun 2026-03-01 10:00*: 0 new deals" in post.args["text"]
    assert len(staffed.fake.calls_to("files.completeUploadExternal")) == 1
    listed = staffed.command("/digest", "list").text
    assert "last Mon 2026-03-02 10:00 posted (delayed)" in listed
