"""Telling passing Slack failures from final ones, backoff, and per-channel pacing."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime, timedelta
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from assistant.digests.delivery import next_attempt_at
from assistant.slack.errors import classify
from assistant.slack.pacing import ChannelPacer

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
DEADLINE = T0 + timedelta(hours=1)


def slack_error(status: int, error: str, headers: dict | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": error},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("failed", response)


@pytest.mark.parametrize(
    ("err", "reason", "transient", "retry_after"),
    [
        (slack_error(429, "ratelimited", {"Retry-After": "17"}), "ratelimited", True, 17.0),
        (slack_error(429, "ratelimited", {"retry-after": "3"}), "ratelimited", True, 3.0),
        (slack_error(500, "internal_error"), "internal_error", True, None),
        (slack_error(503, ""), "http_503", True, None),
        (slack_error(200, "service_unavailable"), "service_unavailable", True, None),
        (slack_error(200, "not_in_channel"), "not_in_channel", False, None),
        (slack_error(200, "channel_not_found"), "channel_not_found", False, None),
        (slack_error(200, "invalid_auth"), "invalid_auth", False, None),
    ],
)
def test_slack_errors(err, reason, transient, retry_after):
    failure = classify(err)
    assert (failure.reason, failure.transient, failure.retry_after) == (
        reason,
        transient,
        retry_after,
    )


@pytest.mark.parametrize(
    "err",
    [
        http.client.RemoteDisconnected("Remote end closed connection without response"),
        ConnectionResetError(104, "Connection reset by peer"),
        URLError(ConnectionRefusedError(111, "Connection refused")),
        TimeoutError("timed out"),  # socket.timeout
        http.client.IncompleteRead(b""),
    ],
)
def test_network_errors_are_transient(err):
    failure = classify(err)
    assert failure.transient
    assert type(err).__name__ in failure.reason


def test_anything_else_is_final():
    assert not classify(ValueError("bad blocks")).transient


def test_backoff_doubles_from_30_seconds_and_is_capped():
    delays = [
        (next_attempt_at(T0, attempts, None, T0 + timedelta(days=1)) - T0).total_seconds()
        for attempts in range(1, 9)
    ]
    assert delays == [30, 60, 120, 240, 480, 900, 900, 900]


def test_retry_after_wins_over_a_shorter_backoff():
    assert next_attempt_at(T0, 1, 120, DEADLINE) == T0 + timedelta(seconds=120)
    assert next_attempt_at(T0, 5, 2, DEADLINE) == T0 + timedelta(seconds=480)


def test_retries_stop_at_the_end_of_the_hour():
    late = DEADLINE - timedelta(seconds=10)
    assert next_attempt_at(late, 6, None, DEADLINE) == DEADLINE  # one last try at the end
    assert next_attempt_at(DEADLINE, 7, None, DEADLINE) is None
    assert next_attempt_at(late, 6, 60, DEADLINE) is None  # Slack asks to wait past the hour


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_pacer_spaces_messages_to_one_channel_by_a_second():
    time = FakeTime()
    pacer = ChannelPacer(1.0, monotonic=time.monotonic, sleep=time.sleep)
    pacer.wait("C1")
    pacer.wait("C2")  # another channel does not wait
    pacer.wait("C1")
    pacer.wait("C1")
    assert time.slept == [1.0, 1.0]
    time.now += 5
    pacer.wait("C1")  # long after the last one: no wait
    assert time.slept == [1.0, 1.0]


def test_pacer_with_zero_interval_never_waits():
    time = FakeTime()
    pacer = ChannelPacer(0, monotonic=time.monotonic, sleep=time.sleep)
    for _ in range(3):
        pacer.wait("C1")
    assert time.slept == []


def test_pacer_counts_the_interval_from_when_a_slow_call_ends():
    """A chart share lands in the channel at the end of its uploads: the next message waits
    a full interval after that, not after the share's slot."""
    time = FakeTime()
    pacer = ChannelPacer(1.0, monotonic=time.monotonic, sleep=time.sleep)
    with pacer.turn("C1"):
        time.now += 0.4  # three Web API calls
    with pacer.turn("C1"):
        pass
    assert time.slept == [1.0]  # not 0.6
    with pacer.turn("C2"):  # another channel does not wait
        pass
    assert time.slept == [1.0]
