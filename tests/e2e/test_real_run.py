"""A real run: `python bot.py` as a process, a digest due now, the fake Slack as the Web API.

The subscription's occurrence falls in the current minute, so the scheduler's first tick
(it ticks at start-up) must post it, with its chart; a restarted bot must not post it again.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.domain.schedule import Schedule
from assistant.services import deals
from assistant.services.context import Actor, Services
from assistant.services.deals import NewDeal
from assistant.services.subscriptions import subscribe
from assistant.storage.models import DigestDelivery

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor("T_TEST", "UADMIN")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_bot(database_url: str, fake_url: str, port: int, cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SALES_"))}
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-real-run",
        SLACK_SIGNING_SECRET="real-run-secret",
        SLACK_API_URL=fake_url,
        PORT=str(port),
        PYTHONPATH=str(ROOT),
    )
    return subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py")],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_healthy(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"bot exited early:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("bot did not become healthy")


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


@pytest.fixture
def subscribed(db, tmp_path):
    """A daily digest whose occurrence is this very minute, subscribed ten minutes ago."""
    # Due at the start of this minute; the bot counts up to 5 minutes late as on time.
    now = datetime.now(UTC)
    earlier = Services(
        db=db, clock=lambda: now - timedelta(minutes=10), admins=frozenset({"UADMIN"})
    )
    deals.create_deal(earlier, ADMIN, NewDeal(name="Acme renewal", amount=Decimal(12000)))
    schedule = Schedule(frequency="daily", at_time=now.strftime("%H:%M"), timezone="UTC")
    subscribe(earlier, ADMIN, "C0DIGEST", "pipeline", schedule)
    return db


def test_bot_posts_the_due_digest_once_across_a_restart(subscribed, fake, database_url, tmp_path):
    port = _free_port()
    first = _start_bot(database_url, fake.url, port, tmp_path)
    try:
        _wait_healthy(port, first)
        posted = fake.wait_for("chat.postMessage", count=1, timeout=30)
        fake.wait_for("files.completeUploadExternal", count=1, timeout=30)
    finally:
        log = _stop(first)
    assert posted[0].args["channel"] == "C0DIGEST", log
    assert posted[0].args.get("text") and posted[0].args.get("blocks")
    assert len(fake.uploads()) >= 1  # the chart's PNG bytes reached the upload URL

    second = _start_bot(database_url, fake.url, port, tmp_path)
    try:
        _wait_healthy(port, second)
        time.sleep(3)  # the restarted scheduler has ticked at least once by now
    finally:
        _stop(second)
    assert len(fake.calls_to("chat.postMessage")) == 1
    with subscribed.reading() as session:
        statuses = list(session.scalars(select(DigestDelivery.status)))
    assert statuses == ["posted"]
