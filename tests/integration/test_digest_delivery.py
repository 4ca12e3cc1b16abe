"""Scheduled digest delivery on both databases, against the fake Slack Web API.

The composer is a stand-in that names the subscription and occurrence in the text, so the
assertions read what Slack received. Time is the test's: `tick(now)`; a retry's wait is a
row in the database, so nothing here sleeps.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from assistant.config import Settings
from assistant.digests.ledger import CHARTS_LEASE as LEASE
from assistant.digests.model import DigestMessage, DigestNotPosted, DigestRequest
from assistant.digests.scheduler import JOB_ID, DigestScheduler
from assistant.digests.send import send_now
from assistant.domain.errors import NotAllowed
from assistant.domain.roles import Role
from assistant.domain.schedule import Schedule
from assistant.server import ALONE_PARALLEL_WORKSPACES, build_scheduler
from assistant.services import roles, subscriptions
from assistant.services.context import Actor
from assistant.slack.pacing import ChannelPacer
from assistant.storage.models import DigestDelivery
from testkit.fake_slack import FakeSlack

ADMIN = Actor("T_TEST", "UADMIN")
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)  # 00:00 UTC, Monday 2 March 2026
NINE = MONDAY + timedelta(hours=9)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def compose(request: DigestRequest) -> DigestMessage:
    text = f"{request.kind} digest #{request.subscription_id} {request.occurrence_at:%m-%dT%H:%M}"
    if request.delayed:
        text += f" {request.marker}"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    return DigestMessage(text=text, blocks=blocks)


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client_for(fake):
    # No client-side retries: every failure reaches the ledger, whose waits are DB state.
    return lambda team_id: WebClient(
        base_url=fake.url, token=f"xoxb-{team_id}", retry_handlers=[], timeout=5
    )


@pytest.fixture
def make_scheduler(services, client_for):
    def make(process_id: str = "p1", composer=compose, client=None) -> DigestScheduler:
        return DigestScheduler(
            services, composer, client or client_for, process_id=process_id, pacer=ChannelPacer(0)
        )

    return make


def subscribe(services, channel="C_SALES", kind="pipeline", frequency="daily", **schedule):
    schedule.setdefault("at_time", "09:00")
    schedule.setdefault("timezone", "UTC")
    return subscriptions.subscribe(
        services, ADMIN, channel, kind, Schedule(frequency=frequency, **schedule)
    ).id


def posts(fake: FakeSlack, ok_only: bool = True) -> list[str]:
    calls = fake.calls_to("chat.postMessage")
    return [c.args["text"] for c in calls if c.status == 200 or not ok_only]


def fake_ts(fake: FakeSlack, index: int) -> str:
    """The ts the fake gave its `index`-th message."""
    return f"1700000000.{index + 1:06d}"


def delivery(services, sub_id: int, occurrence: datetime) -> DigestDelivery:
    with services.db.reading() as session:
        row = session.scalar(
            select(DigestDelivery).where(
                DigestDelivery.subscription_id == sub_id, DigestDelivery.occurrence_at == occurrence
            )
        )
        session.expunge_all()  # keep the loaded values past the session's rollback
        return row


def deliveries(services) -> list[DigestDelivery]:
    with services.db.reading() as session:
        rows = list(session.scalars(select(DigestDelivery).order_by(DigestDelivery.id)))
        session.expunge_all()
        return rows


def test_on_time_digest_is_posted_once(services, clock, fake, make_scheduler):
    clock.set(MONDAY)
    sub = subscribe(services, timezone="Europe/Berlin")  # 09:00 CET = 08:00 UTC
    scheduler = make_scheduler()
    assert sum(scheduler.tick(at(2, 7, 59)).values()) == 0
    assert scheduler.tick(at(2, 8)) == {"posted": 1}
    scheduler.tick(at(2, 8, 0, 30))
    scheduler.tick(at(2, 12))
    assert posts(fake) == [f"pipeline digest #{sub} 03-02T08:00"]
    call = fake.calls_to("chat.postMessage")[0]
    assert call.args["channel"] == "C_SALES" and call.token == "xoxb-T_TEST"
    assert call.args["blocks"][0]["text"]["text"] == posts(fake)[0]
    row = delivery(services, sub, at(2, 8))
    assert (row.status, row.attempts, row.delayed, row.error) == ("posted", 1, False, None)
    assert row.posted_at == at(2, 8) and row.message_ts == fake_ts(fake, 0)


def test_new_york_nine_oclock_follows_daylight_saving(services, clock, fake, make_scheduler):
    clock.set(at(6, 0))
    sub = subscribe(services, timezone="America/New_York")
    scheduler = make_scheduler()
    now = at(6, 0)
    while now <= at(10, 0):  # hourly ticks land exactly on each due instant
        scheduler.tick(now)
        now += timedelta(hours=1)
    expected = ["03-06T14:00", "03-07T14:00", "03-08T13:00", "03-09T13:00"]
    assert posts(fake) == [f"pipeline digest #{sub} {when}" for when in expected]


def test_weekdays_weekly_and_monthly(services, clock, fake, make_scheduler):
    clock.set(at(1, 0))  # Sunday 1 March
    weekdays = subscribe(services, "C_A", frequency="weekdays")
    weekly = subscribe(services, "C_B", frequency="weekly", weekday=2)  # Wednesdays
    monthly = subscribe(services, "C_C", frequency="monthly")
    scheduler = make_scheduler()
    now = at(1, 9)
    while now < datetime(2026, 4, 3, tzinfo=UTC):
        scheduler.tick(now)
        scheduler.tick(now + timedelta(hours=12))  # nothing is due in the evening
        now += timedelta(days=1)
    sent = posts(fake)
    by_sub = {sub: [t.split()[-1] for t in sent if f"#{sub} " in t] for sub in (weekdays, weekly)}
    assert len(by_sub[weekdays]) == 24  # 22 weekdays in March, plus 1 and 2 April
    assert all(datetime(2026, int(d[:2]), int(d[3:5])).weekday() < 5 for d in by_sub[weekdays])
    assert by_sub[weekly] == ["03-04T09:00", "03-11T09:00", "03-18T09:00", "03-25T09:00",
                              "04-01T09:00"]  # fmt: skip
    # 1 March 09:00 is after the subscription was made at 00:00, so it counts.
    assert [t for t in sent if f"#{monthly} " in t] == [
        f"pipeline digest #{monthly} 03-01T09:00",
        f"pipeline digest #{monthly} 04-01T09:00",
    ]


def test_a_new_subscription_never_posts_the_past(services, clock, fake, make_scheduler):
    clock.set(at(2, 9, 30))  # half an hour after today's 09:00
    sub = subscribe(services)
    scheduler = make_scheduler()
    scheduler.tick(at(2, 9, 31))
    scheduler.tick(at(2, 14))
    assert posts(fake) == [] and deliveries(services) == []
    scheduler.tick(at(3, 9))
    assert posts(fake) == [f"pipeline digest #{sub} 03-03T09:00"]


def test_missed_within_six_hours_is_posted_late_once_marked_delayed(
    services, clock, fake, make_scheduler
):
    clock.set(MONDAY)
    sub = subscribe(services)
    make_scheduler().tick(at(2, 15))  # back exactly 6 hours after 09:00
    make_scheduler("p2").tick(at(2, 15, 1))
    assert posts(fake) == [f"pipeline digest #{sub} 03-02T09:00 (delayed)"]
    row = delivery(services, sub, NINE)
    assert (row.status, row.delayed) == ("posted", True)


def test_a_few_minutes_late_is_not_delayed(services, clock, fake, make_scheduler):
    clock.set(MONDAY)
    sub = subscribe(services)
    make_scheduler().tick(at(2, 9, 4, 59))
    assert posts(fake) == [f"pipeline digest #{sub} 03-02T09:00"]


def test_missed_by_more_than_six_hours_is_skipped_and_logged(
    services, clock, fake, make_scheduler, caplog
):
    clock.set(MONDAY)
    sub = subscribe(services)
    with caplog.at_level(logging.WARNING, logger="assistant.digests"):
        make_scheduler().tick(at(2, 15, 0, 1))
        make_scheduler("p2").tick(at(2, 16))
    assert posts(fake) == []
    row = delivery(services, sub, NINE)
    assert (row.status, row.attempts) == ("skipped", 0)
    assert "skipped" in row.error
    assert len([r for r in caplog.records if "skipped" in r.getMessage()]) == 1  # logged once


def test_after_a_long_outage_only_the_recent_one_is_posted(services, clock, fake, make_scheduler):
    clock.set(at(1, 0))
    sub = subscribe(services)
    make_scheduler().tick(at(5, 10))  # down from Sunday to Thursday 10:00
    assert posts(fake) == [f"pipeline digest #{sub} 03-05T09:00 (delayed)"]
    states = [(r.occurrence_at, r.status) for r in deliveries(services)]
    # Wednesday's is recorded as skipped; older ones are past the look-back and left alone.
    assert sorted(states) == [(at(4, 9), "skipped"), (at(5, 9), "posted")]


def test_slack_failing_three_times_then_succeeding_posts_once(
    services, clock, fake, make_scheduler
):
    clock.set(MONDAY)
    sub = subscribe(services)
    fake.fail_next("chat.postMessage", status=429, retry_after=120)
    fake.fail_next("chat.postMessage", status=500)
    fake.fail_next("chat.postMessage", mode="drop")
    # A new scheduler (a restarted process) for every tick: the retry state is in the row.
    assert make_scheduler("a").tick(NINE) == {"retrying": 1}
    row = delivery(services, sub, NINE)
    assert (row.status, row.attempts, row.error) == ("retrying", 1, "ratelimited")
    assert row.next_attempt_at == NINE + timedelta(seconds=120)  # Retry-After beats 30 s
    assert sum(make_scheduler("b").tick(NINE + timedelta(seconds=119)).values()) == 0
    assert make_scheduler("c").tick(NINE + timedelta(seconds=120)) == {"retrying": 1}
    row = delivery(services, sub, NINE)
    assert (row.attempts, row.error) == (2, "internal_error")
    assert row.next_attempt_at == NINE + timedelta(seconds=180)  # 60 s backoff
    assert make_scheduler("d").tick(row.next_attempt_at) == {"retrying": 1}
    row = delivery(services, sub, NINE)
    assert row.attempts == 3 and "RemoteDisconnected" in row.error
    assert row.next_attempt_at == NINE + timedelta(seconds=300)  # 120 s backoff
    assert make_scheduler("e").tick(row.next_attempt_at) == {"posted": 1}
    make_scheduler("f").tick(NINE + timedelta(hours=2))
    calls = fake.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 500, None, 200]
    assert posts(fake) == [f"pipeline digest #{sub} 03-02T09:00"]
    row = delivery(services, sub, NINE)
    assert (row.status, row.attempts, row.claimed_by, row.error) == ("posted", 4, "e", None)
    assert row.delayed is False


def test_retries_give_up_after_an_hour(services, clock, fake, make_scheduler, caplog):
    clock.set(MONDAY)
    sub = subscribe(services)
    fake.fail_next("chat.postMessage", times=50, status=503)
    scheduler = make_scheduler()
    now = NINE
    with caplog.at_level(logging.ERROR, logger="assistant.digests"):
        for _ in range(20):
            scheduler.tick(now)
            row = delivery(services, sub, NINE)
            if row.status != "retrying":
                break
            now = row.next_attempt_at
    assert row.status == "failed" and row.error.startswith("gave up after")
    assert now == NINE + timedelta(hours=1)  # the last try is at the end of the hour
    assert len(fake.calls_to("chat.postMessage")) == row.attempts == 9
    assert any("gave up" in r.getMessage() for r in caplog.records)
    scheduler.tick(NINE + timedelta(hours=3))
    assert len(fake.calls_to("chat.postMessage")) == 9


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found", "invalid_auth"])
def test_final_slack_errors_fail_at_once(services, clock, fake, make_scheduler, caplog, error):
    clock.set(MONDAY)
    sub = subscribe(services)
    fake.fail_next("chat.postMessage", status=200, body={"ok": False, "error": error})
    scheduler = make_scheduler()
    with caplog.at_level(logging.ERROR, logger="assistant.digests"):
        assert scheduler.tick(NINE) == {"failed": 1}
    for minutes in (1, 30, 61, 300):
        scheduler.tick(NINE + timedelta(minutes=minutes))
    assert len(fake.calls_to("chat.postMessage")) == 1
    row = delivery(services, sub, NINE)
    assert (row.status, row.error, row.next_attempt_at) == ("failed", error, None)
    assert any(error in r.getMessage() for r in caplog.records)


class Killed(BaseException):
    """The process dies: nothing after this line runs."""


def test_a_crash_between_posting_and_recording_never_posts_twice(
    services, clock, fake, make_scheduler, client_for, caplog
):
    class DiesAfterPosting(WebClient):
        def chat_postMessage(self, **kwargs):
            super().chat_postMessage(**kwargs)
            raise Killed

    clock.set(MONDAY)
    sub = subscribe(services)
    doomed = make_scheduler("doomed", client=lambda team: DiesAfterPosting(base_url=fake.url))
    with pytest.raises(Killed):
        doomed.tick(NINE)
    assert delivery(services, sub, NINE).status == "posting"
    successor = make_scheduler("successor")
    successor.tick(NINE + timedelta(minutes=1))  # the lease still runs: hands off
    assert delivery(services, sub, NINE).status == "posting"
    with caplog.at_level(logging.WARNING, logger="assistant.digests"):
        assert successor.tick(NINE + timedelta(minutes=6)) == {"interrupted": 1}
    successor.tick(NINE + timedelta(hours=2))
    assert posts(fake) == [f"pipeline digest #{sub} 03-02T09:00"]
    row = delivery(services, sub, NINE)
    assert row.status == "failed" and row.error.startswith("interrupted while posting")
    assert any("mid-post" in r.getMessage() for r in caplog.records)


def test_a_crash_before_posting_is_taken_over_after_the_lease(
    services, clock, fake, make_scheduler
):
    def dies_while_composing(request):
        raise Killed

    clock.set(MONDAY)
    sub = subscribe(services)
    with pytest.raises(Killed):
        make_scheduler("doomed", composer=dies_while_composing).tick(NINE)
    assert delivery(services, sub, NINE).status == "claimed"
    successor = make_scheduler("successor")
    successor.tick(NINE + timedelta(minutes=4))
    assert posts(fake) == []
    assert successor.tick(NINE + timedelta(minutes=5)) == {"posted": 1}
    assert posts(fake) == [f"pipeline digest #{sub} 03-02T09:00"]
    assert delivery(services, sub, NINE).attempts == 2


def test_a_failing_composer_is_retried(services, clock, fake, make_scheduler):
    failures = iter([RuntimeError("figures unavailable")])

    def flaky(request):
        for err in failures:
            raise err
        return compose(request)

    clock.set(MONDAY)
    sub = subscribe(services)
    scheduler = make_scheduler(composer=flaky)
    assert scheduler.tick(NINE) == {"retrying": 1}
    assert "figures unavailable" in delivery(services, sub, NINE).error
    assert scheduler.tick(NINE + timedelta(seconds=30)) == {"posted": 1}
    assert len(posts(fake, ok_only=False)) == 1


def test_unsubscribed_before_the_retry_is_not_posted(services, clock, fake, make_scheduler):
    clock.set(MONDAY)
    sub = subscribe(services)
    fake.fail_next("chat.postMessage", status=500)
    scheduler = make_scheduler()
    scheduler.tick(NINE)
    subscriptions.unsubscribe(services, ADMIN, sub)
    assert scheduler.tick(NINE + timedelta(minutes=1)) == {"skipped": 1}
    scheduler.tick(NINE + timedelta(days=1))
    assert posts(fake) == []
    assert delivery(services, sub, NINE).status == "skipped"


def test_charts_are_uploaded_in_the_digest_thread(services, clock, fake, make_scheduler):
    def with_charts(request):
        message = compose(request)
        charts = [("board.png", b"\x89PNG one", "Pipeline"), ("funnel.png", b"\x89PNG two", "F")]
        return DigestMessage(text=message.text, blocks=message.blocks, charts=charts)

    clock.set(MONDAY)
    sub = subscribe(services)
    make_scheduler(composer=with_charts).tick(NINE)
    ts = delivery(services, sub, NINE).message_ts
    assert ts == fake_ts(fake, 0)
    assert [u.files["file"] for u in fake.uploads()] == [b"\x89PNG one", b"\x89PNG two"]
    (complete,) = fake.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == "C_SALES" and complete.args["thread_ts"] == ts
    assert [f["title"] for f in complete.args["files"]] == ["Pipeline", "F"]


def test_a_chart_failure_never_reposts_the_digest(services, clock, fake, make_scheduler):
    def with_chart(request):
        return DigestMessage(text="digest", charts=[("c.png", b"png", "Chart")])

    clock.set(MONDAY)
    sub = subscribe(services)
    fake.fail_next("files.getUploadURLExternal", status=200, body={"ok": False, "error": "x"})
    scheduler = make_scheduler(composer=with_chart)
    assert scheduler.tick(NINE) == {"posted": 1}
    scheduler.tick(NINE + timedelta(hours=1))
    assert len(fake.calls_to("chat.postMessage")) == 1
    row = delivery(services, sub, NINE)
    assert (row.status, row.error) == ("posted", "charts not uploaded: x")


def test_charts_are_drawn_and_shared_after_every_due_post(services, clock, fake, make_scheduler):
    """The tick posts every due digest first; only then draws the charts (most of a digest's
    CPU) and shares each once in its own digest's thread, a failed share changing nothing."""
    drawn_after: list[int] = []

    def draw() -> bytes:
        drawn_after.append(len(fake.calls_to("chat.postMessage")))
        return b"\x89PNG"

    def with_chart(request):
        message = compose(request)
        drawings = [(f"{request.channel_id}.png", draw, "Pipeline")]
        return DigestMessage(text=message.text, blocks=message.blocks, drawings=drawings)

    clock.set(MONDAY)
    channels = ["C_ONE", "C_TWO", "C_THREE"]
    subs = [subscribe(services, channel) for channel in channels]
    fake.fail_next("files.getUploadURLExternal", status=200, body={"ok": False, "error": "x"})
    scheduler = make_scheduler(composer=with_chart)
    assert scheduler.tick(NINE) == {"posted": 3}
    assert drawn_after == [3, 3, 3]  # every post was out before the first chart was drawn
    rows = [delivery(services, sub, NINE) for sub in subs]
    failed = [row for row in rows if row.error]
    assert [row.error for row in failed] == ["charts not uploaded: x"]
    shared = fake.calls_to("files.completeUploadExternal")
    assert sorted((c.args["channel_id"], c.args["thread_ts"]) for c in shared) == sorted(
        (channel, row.message_ts)
        for channel, row in zip(channels, rows, strict=True)
        if not row.error
    )
    scheduler.tick(NINE + timedelta(seconds=30))
    make_scheduler("p2", composer=with_chart).tick(NINE + timedelta(hours=1))
    assert len(fake.calls_to("chat.postMessage")) == 3 and len(drawn_after) == 3
    assert len(fake.calls_to("files.completeUploadExternal")) == 2


def test_a_stop_mid_tick_still_shares_each_chart_once(services, clock, fake, make_scheduler):
    """Stopping (SIGTERM in `run_scheduler`) waits for the tick in progress, its charts
    included; the restarted process posts and shares nothing again."""
    composing, go = threading.Event(), threading.Event()

    def slow(request):
        composing.set()
        go.wait(10)
        message = compose(request)
        drawings = [("c.png", lambda: b"\x89PNG", "Pipeline")]
        return DigestMessage(text=message.text, blocks=message.blocks, drawings=drawings)

    clock.set(MONDAY)
    sub = subscribe(services)
    clock.set(NINE)
    scheduler = make_scheduler(composer=slow)
    scheduler.start()
    assert composing.wait(10)
    stopping = threading.Thread(target=scheduler.shutdown)
    stopping.start()
    stopping.join(0.2)
    assert stopping.is_alive()  # waiting for the tick
    go.set()
    stopping.join(10)
    assert not stopping.is_alive() and not scheduler.running
    (shared,) = fake.calls_to("files.completeUploadExternal")
    assert shared.args["thread_ts"] == delivery(services, sub, NINE).message_ts
    make_scheduler("restarted", composer=slow).tick(NINE + timedelta(minutes=1))
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert len(fake.calls_to("files.completeUploadExternal")) == 1


def charted(request):
    message = compose(request)
    drawings = [("c.png", lambda: b"\x89PNG", "Pipeline")]
    return DigestMessage(text=message.text, blocks=message.blocks, drawings=drawings)


def test_charts_left_by_a_process_that_died_are_shared_once_by_another(
    services, clock, fake, make_scheduler
):
    """The poster dies after its posts, before its charts: the row says they are pending;
    once their lease runs out another process shares them, once, in the digest's thread,
    and the dead one, were it only slow, shares nothing."""
    clock.set(MONDAY)
    sub = subscribe(services)
    dead = make_scheduler("dead", composer=charted)
    deliverer = dead._deliverer
    (due,) = deliverer.due(deliverer.snapshot(NINE), NINE)
    assert deliverer.claim_and_post(due, lambda: NINE) == "posted"  # then it dies
    row = delivery(services, sub, NINE)
    assert (row.status, row.charts, row.next_attempt_at) == ("posted", "pending", NINE + LEASE)
    other = make_scheduler("other", composer=charted)
    other.tick(NINE + timedelta(minutes=1))
    assert fake.calls_to("files.completeUploadExternal") == []  # its lease still runs
    other.tick(NINE + LEASE)
    (shared,) = fake.calls_to("files.completeUploadExternal")
    assert shared.args["thread_ts"] == row.message_ts
    deliverer.share_charts(deliverer.take_charts_due(), lambda: NINE + LEASE)
    other.tick(NINE + LEASE + timedelta(minutes=1))
    make_scheduler("third", composer=charted).tick(NINE + timedelta(hours=1))
    assert len(fake.calls_to("files.completeUploadExternal")) == 1
    assert len(fake.calls_to("chat.postMessage")) == 1
    row = delivery(services, sub, NINE)
    assert (row.status, row.charts, row.next_attempt_at, row.error) == ("posted", None, None, None)
    assert row.claimed_by == "other"


def test_charts_of_a_process_that_died_sharing_them_are_not_shared_again(
    services, clock, fake, make_scheduler
):
    """Dying mid-share (Slack may already show the charts) ends them unshared: at most once."""

    def dies_drawing(request):
        message = compose(request)
        return DigestMessage(text=message.text, drawings=[("c.png", dies, "Pipeline")])

    def dies() -> bytes:
        raise Killed

    clock.set(MONDAY)
    sub = subscribe(services)
    with pytest.raises(Killed):
        make_scheduler("dead", composer=dies_drawing).tick(NINE)
    assert delivery(services, sub, NINE).charts == "sharing"
    other = make_scheduler("other", composer=charted)
    other.tick(NINE + LEASE)
    other.tick(NINE + timedelta(hours=1))
    assert fake.calls_to("files.completeUploadExternal") == []
    assert len(fake.calls_to("chat.postMessage")) == 1
    row = delivery(services, sub, NINE)
    assert (row.status, row.charts) == ("posted", None)
    assert row.error.startswith("charts interrupted while sharing; not shared again")


def test_ticks_fall_on_the_half_minute_of_the_clock(services, clock, fake, make_scheduler):
    """Started 0.7 s before 09:00 on the services' clock (running with real time, shifted),
    the scheduler ticks at once, then at 09:00:00 on that clock, not 30 s after its start."""
    clock.set(MONDAY)
    sub = subscribe(services)
    offset = NINE - timedelta(seconds=0.7) - datetime.now(UTC)
    services.clock = lambda: datetime.now(UTC) + offset
    scheduler = make_scheduler()
    scheduler.start()
    try:
        fake.wait_for("chat.postMessage", timeout=10)
    finally:
        scheduler.shutdown()
    first, second = list(scheduler.tick_starts)[:2]
    assert first < NINE <= second < NINE + timedelta(seconds=0.5)
    row = delivery(services, sub, NINE)
    assert row.status == "posted" and NINE <= row.claimed_at < NINE + timedelta(seconds=0.5)


def test_a_scheduler_alone_on_postgresql_posts_more_workspaces_side_by_side(services):
    """`bot.py scheduler` has the database pool to itself: 16 workspaces at once on
    PostgreSQL (its pool holds 20), 8 on SQLite's one writer and next to web workers."""
    settings = Settings(database_url=services.db.url, slack_bot_token="xoxb-test")
    alone = build_scheduler(settings, services, alone=True)
    shared = build_scheduler(settings, services)
    expected = 8 if services.db.is_sqlite else ALONE_PARALLEL_WORKSPACES
    assert (alone.parallel_workspaces, shared.parallel_workspaces) == (expected, 8)


def test_posts_to_one_channel_are_a_second_apart(services, clock, fake, client_for):
    class Recorder:
        def __init__(self) -> None:
            self.now, self.slept = 0.0, []

        def sleep(self, seconds: float) -> None:
            self.slept.append(round(seconds, 3))
            self.now += seconds

    time = Recorder()
    pacer = ChannelPacer(1.0, monotonic=lambda: time.now, sleep=time.sleep)
    clock.set(MONDAY)
    subscribe(services, "C_SALES", "pipeline")
    subscribe(services, "C_SALES", "funnel")
    subscribe(services, "C_OTHER", "pipeline")
    DigestScheduler(services, compose, client_for, process_id="p", pacer=pacer).tick(NINE)
    assert [c.args["channel"] for c in fake.calls_to("chat.postMessage")] == [
        "C_SALES", "C_OTHER", "C_SALES",
    ]  # fmt: skip
    assert time.slept == [1.0]  # only the second post to C_SALES waited


def test_send_now_posts_once_and_reports_failures(services, admin, fake, client_for):
    ts = send_now(services, admin, "C_SALES", "both", compose, client_for, pacer=ChannelPacer(0))
    (call,) = fake.calls_to("chat.postMessage")
    assert call.args["channel"] == "C_SALES" and ts == fake_ts(fake, 0)
    assert call.args["text"].startswith("both digest #None")
    fake.fail_next("chat.postMessage", status=200, body={"ok": False, "error": "not_in_channel"})
    with pytest.raises(DigestNotPosted, match="invite me"):
        send_now(services, admin, "C_SALES", "both", compose, client_for, pacer=ChannelPacer(0))
    fake.fail_next("chat.postMessage", status=503)
    with pytest.raises(DigestNotPosted, match="try again"):
        send_now(services, admin, "C_SALES", "both", compose, client_for, pacer=ChannelPacer(0))
    assert len(fake.calls_to("chat.postMessage")) == 3  # no retry behind the user's back
    assert deliveries(services) == []


def test_send_now_needs_the_role(services, admin, rep, fake, client_for):
    with pytest.raises(NotAllowed):
        send_now(services, rep, "C_SALES", "pipeline", compose, client_for)
    roles.set_role(services, admin, "UMKT", Role.MARKETER)
    marketer = Actor("T_TEST", "UMKT")
    send_now(services, marketer, "C_MKT", "funnel", compose, client_for, pacer=ChannelPacer(0))
    assert [c.args["channel"] for c in fake.calls_to("chat.postMessage")] == ["C_MKT"]


def test_start_ticks_in_the_background_until_shutdown(services, clock, fake, make_scheduler):
    clock.set(MONDAY)
    sub = subscribe(services)
    clock.set(NINE)
    scheduler = make_scheduler()
    scheduler.start()
    try:
        assert scheduler.running
        fake.wait_for("chat.postMessage", timeout=10)  # the first tick runs at start
        job = scheduler._scheduler.get_job(JOB_ID)
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 30)
    finally:
        scheduler.shutdown()
    assert not scheduler.running
    assert posts(fake) == [f"pipeline digest #{sub} 03-02T09:00"]


def test_a_failing_background_tick_is_logged_not_raised(services, make_scheduler, caplog):
    scheduler = make_scheduler()

    def broken(now):
        raise RuntimeError("database away")

    scheduler._deliverer.snapshot = broken
    with caplog.at_level(logging.ERROR, logger="assistant.digests"):
        scheduler._scheduled_tick()
    assert any("digest tick failed" in r.getMessage() for r in caplog.records)


def test_the_list_shows_each_subscriptions_last_delivery(services, clock, fake, make_scheduler):
    clock.set(MONDAY)
    ok = subscribe(services, "C_OK")
    refused = subscribe(services, "C_GONE")
    fake.set_response(
        "chat.postMessage",
        lambda call: (
            {"ok": False, "error": "channel_not_found"}
            if call.args["channel"] == "C_GONE"
            else {"ok": True, "ts": "1700000000.000001"}
        ),
    )
    scheduler = make_scheduler()
    scheduler.tick(NINE)
    scheduler.tick(NINE + timedelta(days=1))
    listed = {s.id: s.last_delivery for s in subscriptions.list_subscriptions(services, ADMIN)}
    assert (listed[ok].occurrence_at, listed[ok].status) == (at(3, 9), "posted")
    assert (listed[refused].status, listed[refused].error) == ("failed", "channel_not_found")
