"""At most one message a second per channel, as Slack asks of every app."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


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
