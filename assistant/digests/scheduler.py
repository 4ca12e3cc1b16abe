"""The digest clock: every `tick_seconds`, claim what is due and retry what failed.

Each process runs its own APScheduler 3 `BackgroundScheduler` with the in-memory job store.
APScheduler's job stores must never be shared between processes (its FAQ: "You can't"), and
need not be: everything that must outlive a process (what was posted, what waits for a
retry) is in the database, and the ledger lets any number of processes tick at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from assistant.digests import ledger
from assistant.digests.delivery import Deliverer
from assistant.digests.model import ClientFor, Composer
from assistant.digests.posting import ChannelPacer, SlackPoster
from assistant.services.context import Services

log = logging.getLogger(__name__)

JOB_ID = "digest-tick"


def default_process_id() -> str:
    """Unique per scheduler instance: a restarted process must not pass for its predecessor."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DigestScheduler:
    def __init__(
        self,
        services: Services,
        composer: Composer,
        client_for: ClientFor,
        tick_seconds: float = 30,
        process_id: str | None = None,
        pacer: ChannelPacer | None = None,
    ) -> None:
        self.services = services
        self.tick_seconds = tick_seconds
        self.process_id = (process_id or default_process_id())[:100]
        poster = SlackPoster(client_for, pacer)
        self._deliverer = Deliverer(services, composer, poster, self.process_id)
        self._tick_lock = threading.Lock()
        self._scheduler: BackgroundScheduler | None = None

    def tick(self, now: datetime | None = None) -> Counter[str]:
        """One pass: due occurrences, then due retries. Outcomes counted by name.

        With `now`, the whole pass runs at that instant (tests); otherwise each step reads
        `services.clock`, so leases and backoff start from when the step really happens.
        """

        def clock() -> datetime:
            return now if now is not None else self.services.now()

        outcomes: Counter[str] = Counter()
        with self._tick_lock:
            deliverer = self._deliverer
            deliverer.flush_unmarked()
            snapshot = deliverer.snapshot(clock())  # one read; writes only when there is work
            if snapshot.stale_posting:
                for delivery_id, owner in ledger.expire_posting(self.services.db, clock()):
                    log.warning(
                        "digest delivery %s was left mid-post by %s; failed, not posted again",
                        delivery_id,
                        owner,
                    )
                    outcomes["interrupted"] += 1
            for due in deliverer.due(snapshot, clock()):
                outcomes[deliverer.claim_and_post(due, clock)] += 1
            outcomes.update(deliverer.retry(snapshot.due, clock))
        return outcomes

    def start(self) -> None:
        """Tick now and every `tick_seconds` on a background thread."""
        if self._scheduler is not None:
            return
        scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            timezone=UTC,
        )
        scheduler.add_job(
            self._scheduled_tick,
            IntervalTrigger(seconds=self.tick_seconds, timezone=UTC),
            id=JOB_ID,
            name="digest tick",
            max_instances=1,  # a slow tick is never overlapped by the next one
            coalesce=True,  # after a pause, one catch-up tick, not one per missed interval
            # A tick late by up to one interval still runs; later than that, the next one is
            # as good. Nothing is lost by skipping: due work is read from the database.
            misfire_grace_time=max(1, int(self.tick_seconds)),
            next_run_time=datetime.now(UTC),
        )
        scheduler.start()
        self._scheduler = scheduler

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def shutdown(self, wait: bool = True) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=wait)
            self._scheduler = None

    def _scheduled_tick(self) -> None:
        try:
            self.tick()
        except Exception:  # the database away, say; the next tick tries again
            log.exception("digest tick failed")
