"""`python bot.py nudges preview|send` as a process: the preview sends nothing, `send` sends
what is due now through the scheduler's own code, once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.domain.nudging import days_text
from assistant.services import deals, people
from assistant.services.context import Actor, Services
from assistant.services.deals import NewDeal
from assistant.services.nudging import prefs
from assistant.services.people import SlackProfile

ROOT = Path(__file__).resolve().parents[2]
TEAM = "T_TEST"
ANA = "U0ANA"
ZONES = ("Pacific/Kiritimati", "Asia/Tokyo", "Asia/Kolkata", "Europe/Berlin",
         "America/New_York", "America/Los_Angeles", "Pacific/Honolulu")  # fmt: skip


def _daytime_zone() -> str:
    """A zone where it is now between 10:00 and 18:00, so a nudge is due (not quiet hours)."""
    now = datetime.now(UTC)
    return next(z for z in ZONES if 10 <= now.astimezone(ZoneInfo(z)).hour < 18)


def _bot(database_url: str, fake_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SALES_"))}
    env.update(DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-cli", SLACK_API_URL=fake_url,
               SLACK_SIGNING_SECRET="cli-secret", PYTHONPATH=str(ROOT))  # fmt: skip
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "nudges", *args],
        env=env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip


def _world(db) -> None:
    then = datetime.now(UTC) - timedelta(days=30)
    earlier = Services(db=db, clock=lambda: then)
    deals.create_deal(earlier, Actor(TEAM, ANA), NewDeal("Acme renewal", Decimal(30000)))
    people.remember(earlier, TEAM, [SlackProfile(ANA, "ana", timezone=_daytime_zone())])
    # Every day, so the test runs the same on a weekend.
    prefs.set_own(earlier, Actor(TEAM, ANA), days=tuple(range(7)))
    assert days_text(tuple(range(7))) == "0,1,2,3,4,5,6"


def test_preview_prints_and_sends_nothing_then_send_sends_once(db, database_url, fake):
    _world(db)
    preview = _bot(database_url, fake.url, "preview", "--team", TEAM, "--at", "2026-12-07T09:00")
    assert preview.returncode == 0, preview.stderr
    assert "<@U0ANA> · Mon 2026-12-07 · 1 deal" in preview.stdout
    assert "1. *#1 Acme renewal* · $30,000 · Lead generation — stuck in Lead generation" in (
        preview.stdout
    )
    assert "1 nudge(s) would go out; nothing was sent." in preview.stdout
    assert fake.calls_to("chat.postMessage") == []
    sent = _bot(database_url, fake.url, "send", "--team", TEAM)
    assert sent.returncode == 0, sent.stderr
    assert "1 posted" in sent.stdout
    [dm] = fake.calls_to("chat.postMessage")
    assert dm.args["channel"] == ANA and "Acme renewal" in dm.args["text"]
    again = _bot(database_url, fake.url, "send", "--team", TEAM)
    assert again.returncode == 0 and "none due" in again.stdout
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_bad_moment_is_refused(db, database_url, fake):
    result = _bot(database_url, fake.url, "preview", "--at", "next tuesday")
    assert result.returncode == 2
    assert "'next tuesday' is not a moment like 2026-12-07T09:00" in result.stderr


def test_the_running_bot_sends_the_due_nudge_once_across_a_restart(
    db, database_url, fake, tmp_path
):
    from tests.e2e.test_real_run import _free_port, _start_bot, _stop, _wait_healthy

    _world(db)
    port = _free_port()
    first = _start_bot(database_url, fake.url, port, tmp_path)
    try:
        _wait_healthy(port, first)
        [dm] = fake.wait_for("chat.postMessage", count=1, timeout=30)
    finally:
        log = _stop(first)
    assert dm.args["channel"] == ANA, log
    second = _start_bot(database_url, fake.url, port, tmp_path)
    try:
        _wait_healthy(port, second)
        time.sleep(3)  # the restarted scheduler has ticked at least once by now
    finally:
        _stop(second)
    assert len(fake.calls_to("chat.postMessage")) == 1
