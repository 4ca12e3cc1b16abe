"""The digest clock: every `tick_seconds`, claim what is due and retry what failed.

Ticks fall on whole multiples of `tick_seconds` of the services' clock (09:00:00, 09:00:30,
...), so a digest due at 09:00 is picked at 09:00:00, not up to a tick later (issue 20).

Each process runs its own APScheduler 3 `BackgroundScheduler` with the in-memory job store.
APScheduler's job stores must never be shared between processes (its FAQ: "You can't"), and
need not be: everything that must outlive a process (what was posted, what waits for a
retry) is in the database, and the ledger lets any number of processes tick at once.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import uuid
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.executors.pool import ThreadPoolExecutor as JobExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from assistant.digests import ledger
from assistant.digests.delivery import TAKEN, ChartsDue, Deliverer, Due
from assistant.digests.model import ClientFor, Composer
from assistant.digests.nudges import Nudger
from assistant.digests.posting import SlackPoster
from assistant.services.context import Services
from assistant.slack.pacing import ChannelPacer

log = logging.getLogger(__name__)

JOB_ID = "digest-tick"
HOUSEKEEPING_JOB_ID = "housekeeping"
HOUSEKEEPING_HOURS = 24
LEFT_TO_OTHER = "left to the process posting in that channel"


def default_process_id() -> str:
    """Unique per scheduler instance: a restarted process must not pass for its predecessor."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def each_channel_by_one_process(dues: list[Due], work: Callable[[Due], str]) -> list[str]:
    """Claim and post a workspace's due digests in order, leaving a channel alone once
    another process holds one of its digests.

    Every process walks the same list in the same order. Without this, the process that
    lost the race for a channel's first digest would claim its second and post it in the
    same instant as the winner posts the first: the pacer spaces messages one second apart
    within a process, not across processes. The winner goes on to the channel's next digests
    itself, paced; should it die, the next tick finds them still due.
    """
    held_elsewhere: set[str] = set()
    outcomes = []
    for due in dues:
        if due.channel_id in held_elsewhere:
            outcomes.append(LEFT_TO_OTHER)
            continue
        outcome = work(due)
        if outcome == TAKEN:
            held_elsewhere.add(due.channel_id)
        outcomes.append(outcome)
    return outcomes


def _by_workspace(deliverer: Deliverer) -> list[list[ChartsDue]]:
    groups: dict[int, list[ChartsDue]] = {}
    for due in deliverer.take_charts_due():
        groups.setdefault(due.work.workspace_id, []).append(due)
    return list(groups.values())


class DigestScheduler:
    def __init__(
        self,
        services: Services,
        composer: Composer,
        client_for: ClientFor,
        tick_seconds: float = 30,
        process_id: str | None = None,
        pacer: ChannelPacer | None = None,
        housekeeping: Callable[[], None] | None = None,
        parallel_workspaces: int = 8,
        nudges: bool = False,
    ) -> None:
        self.services = services
        # Daily clean-up (retention purge, expired OAuth states); idempotent, so several
        # scheduler processes may all run it.
        self.housekeeping = housekeeping
        self.tick_seconds = tick_seconds
        self.process_id = (process_id or default_process_id())[:100]
        poster = SlackPoster(client_for, pacer)
        self._deliverer = Deliverer(services, composer, poster, self.process_id)
        # Personal nudges ride the same clock, ledger rules and process id (issue 18); the
        # bot's scheduler sends them (server.build_scheduler), a digests-only one does not.
        self.nudger = Nudger(services, client_for, self.process_id, pacer) if nudges else None
        self._tick_lock = threading.Lock()
        self._start_tick: threading.Thread | None = None
        self.parallel_workspaces = parallel_workspaces
        self._pool: ThreadPoolExecutor | None = None
        self._scheduler: BackgroundScheduler | None = None
        # When the last scheduled ticks started, on the services' clock (the fleet bench).
        self.tick_starts: deque[datetime] = deque(maxlen=100)

    def tick(self, now: datetime | None = None) -> Counter[str]:
        """One pass: due occurrences and due retries, the nudges, then the charts of what was
        posted (and of what a dead process left). Outcomes (of posts and nudges) by name.

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
            if snapshot.stale_sharing:
                for delivery_id, owner in ledger.expire_sharing(self.services.db, clock()):
                    log.warning(
                        "charts of digest delivery %s were left mid-share by %s; not shared again",
                        delivery_id,
                        owner,
                    )
            by_workspace: dict[int, list] = {}
            for due in deliverer.due(snapshot, clock()):
                by_workspace.setdefault(due.workspace_id, []).append(due)
            jobs = [
                partial(
                    each_channel_by_one_process,
                    group,
                    lambda due: deliverer.claim_and_post(due, clock),
                )
                for group in by_workspace.values()
            ]
            jobs += [partial(deliverer.retry, [delivery_id], clock) for delivery_id in snapshot.due]
            for found in self._side_by_side(jobs):
                outcomes.update(found)
            if self.nudger is not None:
                outcomes.update({f"nudge_{k}": n for k, n in self._nudge(clock).items()})
            # Every due message is out: now the charts, drawn (most of a digest's CPU) and
            # shared in their threads, workspaces side by side as the posts were; and those
            # another process posted, then died before sharing.
            charts = [
                partial(deliverer.share_charts, due, clock) for due in _by_workspace(deliverer)
            ]
            charts += [partial(deliverer.recover_charts, [i], clock) for i in snapshot.charts_due]
            self._side_by_side(charts)
        return outcomes

    def _nudge(self, clock: Callable[[], datetime]) -> Counter[str]:
        try:
            return self.nudger.tick(clock) if self.nudger is not None else Counter()
        except Exception:  # the digests went out; the next tick tries the nudges again
            log.exception("nudge pass failed")
            return Counter()

    def _side_by_side(self, jobs: list[Callable[[], list[str]]]) -> list[list[str]]:
        """Run each workspace's digests (in order, channels taking turns) next to the other
        workspaces', so a slow one holds up only itself; the pacer keeps each channel to one
        message a second. One job, or none, runs on the tick's own thread."""
        if len(jobs) <= 1:
            return [job() for job in jobs]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=self.parallel_workspaces, thread_name_prefix="digest"
            )
        futures = [self._pool.submit(job) for job in jobs]
        wait(futures)  # all of them, even when one failed: no job outlives its tick
        return [future.result() for future in futures]

    def next_boundary(self) -> datetime:
        """The real instant at which the services' clock next reads a whole multiple of
        `tick_seconds` (counted from the epoch: 09:00:00, 09:00:30 for 30 s).

        The services' clock is the real one in production; the fleet bench shifts it, and
        the ticks must fall on its boundaries, not the real ones. It is read first, so the
        instant computed is never early: at it, the services' clock reads the boundary or a
        little after, and a digest due at the boundary is due at that tick.
        """
        ours = self.services.now().timestamp()
        real = datetime.now(UTC)
        boundary = math.ceil(ours / self.tick_seconds) * self.tick_seconds
        return real + timedelta(seconds=boundary - ours, milliseconds=1)

    def start(self) -> None:
        """Tick now, then on every `tick_seconds` boundary, on a background thread."""
        if self._scheduler is not None:
            return
        scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            # Two: the daily housekeeping never holds up a digest tick.
            executors={"default": JobExecutor(max_workers=2)},
            timezone=UTC,
        )
        # The trigger counts each tick from the one before, so the tick at start runs on a
        # thread of its own: as the interval job's first run it would shift every tick after
        # it, and as a one-off APScheduler job its removal after the run races a shutdown
        # (JobLookupError in the scheduler's thread). The two take turns on the tick's lock.
        self._start_tick = threading.Thread(
            target=self._scheduled_tick, name="digest tick at start", daemon=True
        )
        scheduler.add_job(
            self._scheduled_tick,
            IntervalTrigger(
                seconds=self.tick_seconds, start_date=self.next_boundary(), timezone=UTC
            ),
            id=JOB_ID,
            name="digest tick",
            max_instances=1,  # a slow tick is never overlapped by the next one
            coalesce=True,  # after a pause, one catch-up tick, not one per missed interval
            # A tick late by up to one interval still runs; later than that, the next one is
            # as good. Nothing is lost by skipping: due work is read from the database.
            misfire_grace_time=max(1, int(self.tick_seconds)),
        )
        if self.housekeeping is not None:
            scheduler.add_job(
                self._scheduled_housekeeping,
                IntervalTrigger(hours=HOUSEKEEPING_HOURS, timezone=UTC),
                id=HOUSEKEEPING_JOB_ID,
                name="housekeeping",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=3600,
                next_run_time=datetime.now(UTC),
            )
        scheduler.start()
        self._scheduler = scheduler
        self._start_tick.start()

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def shutdown(self, wait: bool = True) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=wait)
            self._scheduler = None
        if self._start_tick is not None:
            if wait:
                self._start_tick.join()
            self._start_tick = None
        if self._pool is not None:
            self._pool.shutdown(wait=wait)
            self._pool = None

    def _scheduled_housekeeping(self) -> None:
        try:
            if self.housekeeping is not None:
                self.housekeeping()
        except Exception:
            log.exception("housekeeping failed; it runs again tomorrow")

    def _scheduled_tick(self) -> None:
        self.tick_starts.append(self.services.now())
        try:
            self.tick()
        except Exception:  # the database away, say; the next tick tries again
            log.exception("digest tick failed")
