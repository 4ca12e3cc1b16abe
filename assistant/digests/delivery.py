"""Posting each scheduled digest exactly once, however many processes run (PRODUCT.md §5).

How "exactly once" holds:
- Claim: the process whose INSERT creates the (subscription, occurrence) row owns it; every
  other process's insert does nothing (`ON CONFLICT DO NOTHING`).
- Every later step is a compare-and-set on (id, claimed_by, status) (see `ledger`), so a
  retry is taken by one process only, and a process that lost its lease changes nothing.
- The crash window. The row says `posting` before chat.postMessage and `posted` after. A
  process that dies between the two leaves a `posting` row behind, and nobody can tell
  whether Slack got the message. Such a row is failed once its lease runs out, never posted
  again: at most once for that window (milliseconds per post), because a duplicate digest in
  a team channel is worse than one missing after a crash. Slack has no idempotency key for
  chat.postMessage to do better with (`client_msg_id` is not a documented argument of it).
- A failure Slack reports (429, 5xx, `ratelimited`) or the network reports (reset, timeout)
  is retried with exponential backoff, honouring Retry-After, for an hour from the claim.
  The wait is state in the row (`retrying`, `next_attempt_at`), never a sleep, so any
  process picks the retry up after a restart. Final errors (`not_in_channel`,
  `channel_not_found`, `invalid_auth`, ...) fail at once with the reason, and are logged.
- Charts: shared in the digest's thread after every due digest of the tick is out (the
  scheduler's second pass, `share_charts`), once, and never a reason to post the digest
  again: a failed share is written on the posted row and logged. The row marks them pending
  until then; should the poster die first, another process shares them once their lease
  runs out (`recover_charts`); dying mid-share ends them unshared (at most once, as posts).
- Missed occurrences: one up to 6 hours old is posted late, once, marked delayed; an older
  one is recorded as `skipped` and logged. Nothing older than 6 hours plus a day is looked
  at, and nothing from before the subscription existed is ever posted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from assistant.digests import ledger
from assistant.digests.ledger import CLAIMED, FAILED, POSTED, POSTING, RETRYING, SKIPPED, Work
from assistant.digests.model import Composer, DigestMessage, DigestRequest
from assistant.digests.posting import SlackPoster
from assistant.digests.send import send_now
from assistant.domain.errors import InvalidInput
from assistant.domain.schedule import Schedule, occurrences_between, previous_occurrence
from assistant.services.context import Services
from assistant.slack.errors import Failure, classify

__all__ = ["TAKEN", "Deliverer", "Due", "next_attempt_at", "request_for", "send_now"]

log = logging.getLogger(__name__)

MISSED_LIMIT = timedelta(hours=6)  # later than this after its time, a digest is skipped
ON_TIME_GRACE = timedelta(minutes=5)  # up to this late (a deploy, a slow tick) is not "delayed"
LOOKBACK = MISSED_LIMIT + timedelta(days=1)  # the margin records (and logs) skips once
RETRY_WINDOW = timedelta(hours=1)
TAKEN = "taken"  # another process claimed the occurrence first
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=15)


@dataclass(frozen=True)
class Due:
    subscription_id: int
    channel_id: str
    occurrence_at: datetime
    workspace_id: int = 0  # the scheduler runs each workspace's digests on its own thread


@dataclass(frozen=True)
class ChartsDue:
    """A posted digest's charts, to share in its thread once the tick's posts are out."""

    work: Work
    request: DigestRequest
    message: DigestMessage
    ts: str


class Deliverer:
    """One process's side of delivery; `process_id` must be unique among live processes."""

    def __init__(
        self, services: Services, composer: Composer, poster: SlackPoster, process_id: str
    ) -> None:
        self.services = services
        self.db = services.db
        self.composer = composer
        self.poster = poster
        self.me = process_id
        self._unmarked: list[tuple[int, datetime, str, bool]] = []  # posted, not yet recorded
        self._charts_due: list[ChartsDue] = []  # posted, charts not yet shared
        self._charts_lock = threading.Lock()

    def snapshot(self, now: datetime) -> ledger.Snapshot:
        return ledger.snapshot(self.db, now, since=now - LOOKBACK, me=self.me)

    def due(self, snapshot: ledger.Snapshot, now: datetime) -> list[Due]:
        """Occurrences at or before `now` not yet recorded, channels taking turns; none
        for a channel another process is posting in (the next tick takes them)."""
        found: list[Due] = []
        for sub in snapshot.subscriptions:
            if (sub.workspace_id, sub.channel_id) in snapshot.busy_elsewhere:
                continue
            try:
                schedule = Schedule.of(sub)
            except InvalidInput as err:
                log.error("digest subscription %s has a broken schedule: %s", sub.id, err)
                continue
            start = max(now - LOOKBACK, sub.created_at - timedelta(microseconds=1))
            for at in occurrences_between(schedule, start, now):
                if at >= sub.created_at and (sub.id, at) not in snapshot.known:
                    found.append(Due(sub.id, sub.channel_id, at, sub.workspace_id))
        return _channels_take_turns(found)

    def claim_and_post(self, due: Due, clock: Callable[[], datetime]) -> str:
        now = clock()
        late = now - due.occurrence_at
        if late > MISSED_LIMIT:
            reason = f"missed by {late.total_seconds() / 3600:.1f} h (over 6 h); skipped"
            sub, at = due.subscription_id, due.occurrence_at
            recorded = ledger.claim(
                self.db, sub, at, me=self.me, now=now, delayed=True, status=SKIPPED, error=reason
            )
            if recorded:
                log.warning("digest of subscription %s due %s %s", sub, at.isoformat(), reason)
                return SKIPPED
            return TAKEN
        delivery_id = ledger.claim(
            self.db,
            due.subscription_id,
            due.occurrence_at,
            me=self.me,
            now=now,
            delayed=late > ON_TIME_GRACE,
        )
        return self.attempt(delivery_id, clock) if delivery_id else TAKEN

    def retry(self, delivery_ids: list[int], clock: Callable[[], datetime]) -> list[str]:
        outcomes = []
        for delivery_id in delivery_ids:
            if ledger.take(self.db, delivery_id, me=self.me, now=clock()):
                outcomes.append(self.attempt(delivery_id, clock))
        return outcomes

    def attempt(self, delivery_id: int, clock: Callable[[], datetime]) -> str:
        """Compose and post a row this process owns in state `claimed`; the outcome."""
        work = ledger.load_work(self.db, delivery_id)
        if work is None:
            return "gone"
        if not work.active:
            reason = "unsubscribed before it went out"
            self._set(work, (CLAIMED,), status=SKIPPED, next_attempt_at=None, error=reason)
            return SKIPPED
        request = request_for(work)
        try:
            message = self.composer(request)
        except Exception as err:  # a figure query failing, say; nothing was sent, so retry
            log.exception("composing digest delivery %s failed", delivery_id)
            return self._failed(work, Failure(f"composer: {err!r}"[:300], True), clock, CLAIMED)
        if not self._set(work, (CLAIMED,), status=POSTING, next_attempt_at=clock() + ledger.LEASE):
            return "lost"  # our lease ran out and another process took the row over
        try:
            ts = self.poster.post(request, message)
        except Exception as err:
            return self._failed(work, classify(err), clock, POSTING)
        self._mark_posted(delivery_id, clock(), ts, message.has_charts)
        if message.has_charts:
            with self._charts_lock:
                self._charts_due.append(ChartsDue(work, request, message, ts))
        return POSTED

    def take_charts_due(self) -> list[ChartsDue]:
        """The charts of digests posted since the last call, in the order they were posted."""
        with self._charts_lock:
            taken, self._charts_due = self._charts_due, []
        return taken

    def share_charts(self, due: list[ChartsDue], clock: Callable[[], datetime]) -> list[str]:
        """Draw and share each posted digest's charts in its thread, in order; each only if
        its row still says they are pending and this process's (no other took them over)."""
        for item in due:
            delivery_id = item.work.delivery_id
            if not ledger.take_charts(self.db, delivery_id, me=self.me, now=clock()):
                log.info("charts of digest delivery %s taken over; not shared here", delivery_id)
                continue
            error = self._upload_charts(item.work, item.request, item.message, item.ts)
            ledger.charts_done(self.db, delivery_id, me=self.me, error=error)
        return []

    def recover_charts(self, delivery_ids: list[int], clock: Callable[[], datetime]) -> list[str]:
        """Share the charts another process posted and left pending past their lease (it
        died first): composed again, so drawn from the figures as they are now."""
        for delivery_id in delivery_ids:
            if not ledger.take_charts(self.db, delivery_id, me=self.me, now=clock(), own=False):
                continue
            work = ledger.load_work(self.db, delivery_id)
            if work is None or work.message_ts is None:
                continue
            request = request_for(work)
            try:
                message = self.composer(request)
            except Exception as err:
                log.exception("composing the charts of digest delivery %s failed", delivery_id)
                error = f"charts not uploaded: composer: {err!r}"[:300]
            else:
                error = self._upload_charts(work, request, message, work.message_ts)
            log.warning("charts of digest delivery %s shared by %s", delivery_id, self.me)
            ledger.charts_done(self.db, delivery_id, me=self.me, error=error)
        return []

    def flush_unmarked(self) -> None:
        """Record posts whose "posted" write failed earlier (the database was away)."""
        pending, self._unmarked = self._unmarked, []
        for delivery_id, posted_at, ts, charts in pending:
            self._mark_posted(delivery_id, posted_at, ts, charts)

    def _mark_posted(self, delivery_id: int, posted_at: datetime, ts: str, charts: bool) -> None:
        try:
            # FAILED too: a lease that ran out mid-post was failed by another process, but
            # the post did happen, and the row should say so.
            ledger.transition(
                self.db,
                delivery_id,
                me=self.me,
                from_=(POSTING, FAILED),
                status=POSTED,
                posted_at=posted_at,
                message_ts=ts,
                # Charts to share: pending, leased to us (another process takes them over
                # once the lease runs out, should we die first).
                charts=ledger.CHARTS_PENDING if charts else None,
                next_attempt_at=posted_at + ledger.CHARTS_LEASE if charts else None,
                error=None,
            )
        except Exception:
            log.exception("digest delivery %s posted (ts %s) but not recorded", delivery_id, ts)
            self._unmarked.append((delivery_id, posted_at, ts, charts))

    def _upload_charts(self, work: Work, request, message: DigestMessage, ts: str) -> str | None:
        """Share the charts; None, or what to write on the row when that failed."""
        try:
            self.poster.upload_charts(request, message, ts)  # draws what is left to draw
        except Exception as err:  # the digest itself is out; never post it again for charts
            reason = classify(err).reason
            log.warning("charts of digest delivery %s not uploaded: %s", work.delivery_id, reason)
            return f"charts not uploaded: {reason}"
        return None

    def _failed(self, work: Work, failure: Failure, clock, state: str) -> str:
        now = clock()
        deadline = work.claimed_at + RETRY_WINDOW
        retry_at = None
        if failure.transient:
            retry_at = next_attempt_at(now, work.attempts, failure.retry_after, deadline)
        if retry_at is not None:
            log.info(
                "digest delivery %s attempt %s failed (%s); retry at %s",
                *(work.delivery_id, work.attempts, failure.reason, retry_at.isoformat()),
            )
            self._set(
                work, (state,), status=RETRYING, next_attempt_at=retry_at, error=failure.reason
            )
            return RETRYING
        reason = failure.reason
        if failure.transient:
            reason = f"gave up after {work.attempts} attempts in an hour: {reason}"
        log.error(
            "digest of subscription %s to %s due %s failed: %s",
            *(work.subscription_id, work.channel_id, work.occurrence_at.isoformat(), reason),
        )
        self._set(work, (state,), status=FAILED, next_attempt_at=None, error=reason)
        return FAILED

    def _set(self, work: Work, from_: tuple[str, ...], **values: object) -> bool:
        return ledger.transition(self.db, work.delivery_id, me=self.me, from_=from_, **values)


def next_attempt_at(
    now: datetime, attempts: int, retry_after: float | None, deadline: datetime
) -> datetime | None:
    """Exponential backoff (30 s, 1 min, 2 min, ... up to 15 min), never before Retry-After;
    None once the retry window is used up."""
    earliest = now + timedelta(seconds=retry_after or 0)
    if now >= deadline or earliest > deadline:
        return None
    backoff = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return min(max(now + backoff, earliest), deadline)


def request_for(work: Work) -> DigestRequest:
    return DigestRequest(
        workspace_id=work.workspace_id,
        team_id=work.team_id,
        subscription_id=work.subscription_id,
        channel_id=work.channel_id,
        kind=work.kind,
        occurrence_at=work.occurrence_at,
        delayed=work.delayed,
        timezone=work.schedule.timezone,
        previous_occurrence_at=previous_occurrence(work.schedule, work.occurrence_at),
        frequency=work.schedule.frequency,
    )


def _channels_take_turns(found: list[Due]) -> list[Due]:
    """Interleave channels, so one channel's backlog does not hold the others up."""
    queues: dict[str, list[Due]] = {}
    for item in sorted(found, key=lambda d: d.occurrence_at):
        queues.setdefault(item.channel_id, []).append(item)
    ordered: list[Due] = []
    while queues:
        for channel in list(queues):
            ordered.append(queues[channel].pop(0))
            if not queues[channel]:
                del queues[channel]
    return ordered
