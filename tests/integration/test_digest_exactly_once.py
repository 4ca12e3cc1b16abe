"""Exactly once, however many schedulers run: interleaved, in threads, in processes, with one
killed midway. Each runs its own `Database` (its own pool), as separate processes would, and
the proof is what the fake Slack received: every occurrence of a simulated day, once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from assistant.digests.model import DigestMessage, DigestRequest
from assistant.digests.scheduler import (
    LEFT_TO_OTHER,
    DigestScheduler,
    each_channel_by_one_process,
)
from assistant.domain.schedule import Schedule, occurrences_between
from assistant.services import subscriptions
from assistant.services.context import Actor, Services
from assistant.slack.pacing import ChannelPacer
from assistant.storage.database import Database
from assistant.storage.models import DigestDelivery
from testkit.fake_slack import FakeSlack

ADMIN = Actor("T_TEST", "UADMIN")
START = datetime(2026, 3, 8, tzinfo=UTC)  # Sunday; New York springs forward today
END = START + timedelta(days=1, hours=9)
STEP = timedelta(minutes=30)  # every occurrence falls on a tick, so none is late
ROOT = Path(__file__).resolve().parents[2]


def compose(request: DigestRequest) -> DigestMessage:
    return DigestMessage(text=f"#{request.subscription_id} {request.occurrence_at:%dT%H:%M}")


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


@pytest.fixture
def expected(services, clock) -> dict[str, datetime]:
    """A dozen subscriptions, in several zones and frequencies; every occurrence they have
    between START and END: the composer's text for it, and when it is due."""
    clock.set(START)
    schedules = [Schedule(frequency="daily", at_time=f"{h:02d}:00", timezone="UTC")
                 for h in range(0, 24, 3)]  # fmt: skip
    schedules += [
        Schedule(frequency="daily", at_time="09:00", timezone="America/New_York"),
        Schedule(frequency="daily", at_time="02:30", timezone="America/New_York"),  # a gap
        Schedule(frequency="weekdays", at_time="09:00", timezone="Europe/Berlin"),
        Schedule(frequency="weekly", weekday=6, at_time="12:00", timezone="UTC"),
    ]
    texts = {}
    for index, schedule in enumerate(schedules):
        kind = ("pipeline", "funnel", "both")[index % 3]
        sub = subscriptions.subscribe(services, ADMIN, f"C{index}", kind, schedule)
        for at in occurrences_between(schedule, START - timedelta(microseconds=1), END):
            texts[f"#{sub.id} {at:%dT%H:%M}"] = at
    assert len(texts) == 17
    return texts


def scheduler(url: str, fake: FakeSlack, process_id: str, composer=compose) -> DigestScheduler:
    services = Services(db=Database(url))
    client = WebClient(base_url=fake.url, token="xoxb-test", retry_handlers=[], timeout=5)
    return DigestScheduler(
        services, composer, lambda team: client, process_id=process_id, pacer=ChannelPacer(0)
    )


def instants(end: datetime = END) -> list[datetime]:
    found, now = [], START
    while now <= end:
        found.append(now)
        now += STEP
    return found


def assert_each_posted_once(fake: FakeSlack, db: Database, expected: dict) -> None:
    posted = Counter(c.args["text"] for c in fake.calls_to("chat.postMessage") if c.status == 200)
    assert {text: n for text, n in posted.items() if n > 1} == {}
    assert set(posted) == set(expected)
    with db.reading() as session:
        states = Counter(session.scalars(select(DigestDelivery.status)))
    assert states == {"posted": len(expected)}


class Killed(BaseException):
    pass


def test_interleaved_schedulers_one_killed_midway(database_url, db, fake, expected):
    def dies(request):
        raise Killed  # the process dies while composing a digest it has claimed

    first = scheduler(database_url, fake, "first")
    second = scheduler(database_url, fake, "second")
    # The first post fails twice; each retry is picked up by whichever process ticks first.
    fake.fail_next("chat.postMessage", status=500)
    fake.fail_next("chat.postMessage", status=429, retry_after=5)
    for i, now in enumerate(instants()):
        if now == START + timedelta(hours=12):  # noon: `first` dies holding the 12:00 claim
            first._deliverer.composer = dies
            with pytest.raises(Killed):
                first.tick(now)
            first.services.db.dispose()
            first = scheduler(database_url, fake, "restarted")
            second.tick(now)
            continue
        pair = (first, second) if i % 2 == 0 else (second, first)
        for each in pair:
            each.tick(now)
    assert_each_posted_once(fake, db, expected)
    assert [c.status for c in fake.calls_to("chat.postMessage")][:3] == [500, 429, 200]
    with db.reading() as session:
        noon = session.execute(
            select(DigestDelivery.claimed_by, DigestDelivery.attempts).where(
                DigestDelivery.occurrence_at == START + timedelta(hours=12)
            )
        ).all()
    # The claim `first` died holding was taken over once its lease ran out.
    assert sorted(attempts for _, attempts in noon) == [1, 2]
    assert all(owner != "first" for owner, _ in noon)


def test_concurrent_schedulers_in_threads(database_url, db, fake, expected):
    workers = [scheduler(database_url, fake, f"thread-{n}") for n in range(3)]
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []
    outcomes: Counter[str] = Counter()

    def run(worker: DigestScheduler) -> None:
        try:
            for now in instants():
                barrier.wait(timeout=30)  # every instant, all ticks start together
                for outcome, n in worker.tick(now).items():
                    outcomes[f"{worker.process_id}:{outcome}"] += n
        except BaseException as err:  # surfaced below
            errors.append(err)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert_each_posted_once(fake, db, expected)
    assert sum(n for key, n in outcomes.items() if key.endswith(":posted")) == len(expected)


PROCESS = """
import json, sys, time
from datetime import datetime
from pathlib import Path
from slack_sdk import WebClient
from assistant.digests.model import DigestMessage
from assistant.slack.pacing import ChannelPacer
from assistant.digests.scheduler import (
    LEFT_TO_OTHER,
    DigestScheduler,
    each_channel_by_one_process,
)
from assistant.services.context import Services
from assistant.storage.database import Database

url, api, name, go, instants = sys.argv[1:6]
def compose(r):
    return DigestMessage(text=f"#{r.subscription_id} {r.occurrence_at:%dT%H:%M}")
client = WebClient(base_url=api, token="xoxb-test", retry_handlers=[], timeout=5)
worker = DigestScheduler(Services(db=Database(url)), compose, lambda team: client,
                         process_id=name, pacer=ChannelPacer(0))
Path(go + "." + name).touch()
while not Path(go).exists():
    time.sleep(0.01)
outcomes = {}
for now in json.loads(instants):
    for key, n in worker.tick(datetime.fromisoformat(now)).items():
        outcomes[key] = outcomes.get(key, 0) + n
print(json.dumps(outcomes))
"""


def test_concurrent_scheduler_processes(database_url, db, fake, expected, tmp_path):
    half_day = START + timedelta(hours=12)  # enough to race; keeps two interpreters brief
    expected = {text: at for text, at in expected.items() if at <= half_day}
    go = tmp_path / "go"
    times = json.dumps([now.isoformat() for now in instants(half_day)])
    names = ["proc-a", "proc-b"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PROCESS, database_url, fake.url, name, str(go), times],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"go.{name}").exists() for name in names):
        assert time.monotonic() < deadline, [p.poll() for p in procs]
        assert all(p.poll() is None for p in procs), procs[0].stderr.read()
        time.sleep(0.02)
    go.touch()  # both are ready: start ticking at once
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    posted = sum(json.loads(out).get("posted", 0) for out, _ in results)
    assert posted == len(expected)
    assert_each_posted_once(fake, db, expected)


@pytest.fixture
def shared_channel(services, clock) -> datetime:
    """Two digests due at 09:00 in one channel; returns 09:00."""
    clock.set(START)
    at_nine = Schedule(frequency="daily", at_time="09:00", timezone="UTC")
    for kind in ("pipeline", "funnel"):
        subscriptions.subscribe(services, ADMIN, "C_SHARED", kind, at_nine)
    return START + timedelta(hours=9)


def run_while_holding_channel(database_url, fake, nine, other_process) -> Counter:
    """`winner` ticks and stops while composing its first digest, channel held; meanwhile
    `other_process()` runs; then the winner goes on. The winner's outcomes."""
    composing, other_done = threading.Event(), threading.Event()

    def slow_compose(request: DigestRequest) -> DigestMessage:
        composing.set()
        assert other_done.wait(timeout=30)
        return compose(request)

    winner = scheduler(database_url, fake, "winner", composer=slow_compose)
    found: list[Counter] = []
    thread = threading.Thread(target=lambda: found.append(winner.tick(nine)))
    thread.start()
    assert composing.wait(timeout=30)
    try:
        other_process()
    finally:
        other_done.set()
        thread.join(timeout=30)
    return found[0]


def assert_winner_posted_both(services, fake) -> None:
    with services.db.reading() as session:
        owners = Counter(session.scalars(select(DigestDelivery.claimed_by)))
    assert owners == {"winner": 2}
    assert len(fake.calls_to("chat.postMessage")) == 2


def test_a_channel_another_process_posts_in_is_left_to_it(
    database_url, services, fake, shared_channel
):
    """The pacer spaces posts one second apart within a process, not across processes: a
    process that finds a channel busy elsewhere leaves its next digests to that process."""
    loser = scheduler(database_url, fake, "loser")
    found: list[Counter] = []
    winner = run_while_holding_channel(
        database_url, fake, shared_channel, lambda: found.append(loser.tick(shared_channel))
    )
    assert found == [Counter()]  # nothing claimed, nothing posted
    assert winner == {"posted": 2}
    assert_winner_posted_both(services, fake)


def test_losing_the_race_for_a_channel_leaves_its_next_digest_too(
    database_url, services, fake, shared_channel
):
    """Both processes read what is due before either claims: the loser of the first claim
    does not go on to post the channel's second digest in the same instant."""
    loser = scheduler(database_url, fake, "loser")
    dues = loser._deliverer.due(loser._deliverer.snapshot(shared_channel), shared_channel)
    assert len(dues) == 2
    found: list[list[str]] = []

    def claim_what_was_due() -> None:
        claim = partial(loser._deliverer.claim_and_post, clock=lambda: shared_channel)
        found.append(each_channel_by_one_process(dues, claim))

    winner = run_while_holding_channel(database_url, fake, shared_channel, claim_what_was_due)
    assert found == [["taken", LEFT_TO_OTHER]]
    assert winner == {"posted": 2}
    assert_winner_posted_both(services, fake)
