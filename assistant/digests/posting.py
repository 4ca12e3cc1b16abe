"""Putting a composed digest into Slack, and telling a passing failure from a final one."""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from assistant.digests.model import DELAYED_MARKER, ClientFor, DigestMessage, DigestRequest

log = logging.getLogger(__name__)

# Slack's documented "try again later" answers; any other `ok: false` is final, since sending
# the same request again would get the same answer (not_in_channel, invalid_auth, ...).
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
    }
)


@dataclass(frozen=True)
class Failure:
    reason: str  # Slack's error code, or the network error
    transient: bool
    retry_after: float | None = None  # seconds, from Slack's Retry-After header


def classify(err: BaseException) -> Failure:
    if isinstance(err, SlackApiError):
        response = err.response
        status = getattr(response, "status_code", 200) or 200
        code = _error_code(response) or f"http_{status}"
        transient = status == 429 or status >= 500 or code in TRANSIENT_ERRORS
        return Failure(code, transient, _retry_after(response))
    # Dropped connections, resets, timeouts, DNS failures, URLError: all OSError or
    # HTTPException on the urllib transport WebClient uses.
    if isinstance(err, OSError | http.client.HTTPException):
        return Failure(f"{type(err).__name__}: {err}"[:300], transient=True)
    return Failure(f"{type(err).__name__}: {err}"[:300], transient=False)


class ChannelPacer:
    """At most one message per channel per `interval` from this process (Slack's limit).

    The slot is reserved under the lock and the wait happens outside it, so concurrent
    posters to different channels never wait for each other.
    """

    def __init__(
        self,
        interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_slot: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel_id: str) -> None:
        with self._lock:
            now = self._monotonic()
            slot = max(now, self._next_slot.get(channel_id, now))
            self._next_slot[channel_id] = slot + self.interval
            if len(self._next_slot) > 1000:  # forget channels whose slot has passed
                self._next_slot = {c: t for c, t in self._next_slot.items() if t > now}
        if slot > now:
            self._sleep(slot - now)

    @contextmanager
    def turn(self, channel_id: str) -> Iterator[None]:
        """Wait for the channel's slot, and count the interval from when the call ends.

        A chart share reaches the channel only at the last of its three Web API calls,
        a few hundred ms after its slot; counted from the slot, the next message could land
        well under a second after it (the fleet benchmark saw 0.63 s)."""
        self.wait(channel_id)
        try:
            yield
        finally:
            with self._lock:
                after = self._monotonic() + self.interval
                self._next_slot[channel_id] = max(self._next_slot.get(channel_id, after), after)


# One per process, so scheduled digests and `/digest send` pace each other.
SHARED_PACER = ChannelPacer()


class SlackPoster:
    def __init__(self, client_for: ClientFor, pacer: ChannelPacer | None = None) -> None:
        self._client_for = client_for
        self.pacer = pacer or SHARED_PACER

    def post(self, request: DigestRequest, message: DigestMessage) -> str:
        """Post the message; its `ts`. Raises what WebClient raises."""
        text = message.text
        if request.delayed and DELAYED_MARKER not in text:
            text = f"{DELAYED_MARKER} {text}"  # the marker must survive any composer
        with self.pacer.turn(request.channel_id):
            response = self._client_for(request.team_id).chat_postMessage(
                channel=request.channel_id,
                text=text,
                blocks=message.blocks or None,
                unfurl_links=False,
                unfurl_media=False,
            )
        return str(response["ts"])

    def upload_charts(self, request: DigestRequest, message: DigestMessage, ts: str) -> None:
        """Share the charts in the digest's thread, in one upload, so the channel stays tidy."""
        if not message.charts:
            return
        with self.pacer.turn(request.channel_id):
            self._client_for(request.team_id).files_upload_v2(
                channel=request.channel_id,
                thread_ts=ts,
                file_uploads=[
                    {"file": png, "filename": filename, "title": title}
                    for filename, png, title in message.charts
                ],
            )


def _error_code(response: object) -> str | None:
    try:
        code = response.get("error")  # type: ignore[attr-defined]
    except Exception:  # a non-JSON body (an HTML 502 page) has no fields
        return None
    return str(code) if code else None


def _retry_after(response: object) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for name, value in dict(headers).items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None
