"""What every listener needs, built once per app: services, a background pool, caches."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.listeners.people import remember_user
from assistant.logsafe import clip
from assistant.services.context import Services

log = logging.getLogger(__name__)

ADMIN_CACHE_SECONDS = 600
# A user's App Home is republished at most once in this many seconds, however many of their
# deals change: a burst of moves costs one or two Home builds (each reads the whole
# pipeline), not one per move, and the last one always shows the final state.
HOME_REFRESH_SECONDS = 3.0


class FollowUps:
    """Work that must not delay Slack's answer (feed posts, App Home refreshes, charts).

    A small pool rather than a thread per job, so a burst of commands cannot start
    hundreds of threads; failures are logged, never raised into a request.
    """

    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="followup")

    def submit(self, job: Callable[[], None]) -> None:
        self._pool.submit(self._run, job)

    @staticmethod
    def _run(job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:
            log.exception("follow-up job failed")

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


@dataclass
class _Pending:
    job: Callable[[], None] | None = None  # the latest request, run when its turn comes
    queued: bool = False  # a run is submitted or waiting on its timer
    running: bool = False
    last: float = float("-inf")  # when the last run started (monotonic)


class Coalescer:
    """Runs a job per key at most once every `every` seconds, off the request path.

    Called from a background job (a follow-up): a request for a key with nothing pending
    runs there and then if the key's last run started `every` seconds ago or more, else in
    the follow-up pool (`submit`) when that time comes; requests made meanwhile replace the
    pending job, so only the latest runs. With `every` 0 each request runs as it comes.
    """

    def __init__(self, submit: Callable[[Callable[[], None]], None], every: float) -> None:
        self._submit = submit
        self._every = every
        self._keys: dict[object, _Pending] = {}
        self._lock = threading.Lock()

    def request(self, key: object, job: Callable[[], None]) -> None:
        if self._every <= 0:
            job()
            return
        with self._lock:
            pending = self._keys.setdefault(key, _Pending())
            pending.job = job
            if pending.queued or pending.running:
                return  # the queued run, or one more after the running one, takes this job
            pending.queued = True
            delay = pending.last + self._every - time.monotonic()
        if delay <= 0:
            # Here rather than through the pool: a job submitted from a pool's job can be
            # refused while the pool shuts down, and this thread is a background one already.
            self._run(key)
        else:
            self._schedule(key, delay)

    def _schedule(self, key: object, delay: float) -> None:
        if delay <= 0:
            self._submit(lambda: self._run(key))
            return
        timer = threading.Timer(delay, self._submit_later, (key,))
        timer.daemon = True
        timer.start()

    def _submit_later(self, key: object) -> None:
        try:
            self._submit(lambda: self._run(key))
        except RuntimeError:  # the pool was shut down meanwhile: the process is stopping
            log.info("dropped a coalesced job at shutdown")

    def _run(self, key: object) -> None:
        with self._lock:
            pending = self._keys[key]
            job, pending.job = pending.job, None
            pending.queued, pending.running = False, True
            pending.last = time.monotonic()
        try:
            if job is not None:
                job()
        finally:
            with self._lock:
                pending.running = False
                again = pending.job is not None
                pending.queued = again
                if not again and len(self._keys) > 10_000:  # forget idle keys now and then
                    self._forget_idle()
            if again:
                self._schedule(key, pending.last + self._every - time.monotonic())

    def _forget_idle(self) -> None:
        cutoff = time.monotonic() - self._every
        for key in [k for k, p in self._keys.items() if not (p.queued or p.running)]:
            if self._keys[key].last < cutoff:
                del self._keys[key]


class SlackAdmins:
    """Whether a user is a Slack workspace admin or owner (admins here too, PRODUCT.md §6).

    Asking users.info on every command would add a Web API round trip to each; the answer
    changes rarely, so it is cached for ten minutes per user.
    """

    def __init__(
        self,
        ttl: float = ADMIN_CACHE_SECONDS,
        on_user: Callable[[str, dict], None] = lambda team_id, user: None,
    ) -> None:
        self._ttl = ttl
        self._on_user = on_user  # told of each users.info answer (its names are kept)
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def is_admin(self, client: WebClient | None, team_id: str, user_id: str) -> bool:
        key = (team_id, user_id)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached and now - cached[0] < self._ttl:
            return cached[1]
        answer = self._ask(client, team_id, user_id)
        with self._lock:
            self._cache[key] = (now, answer)
        return answer

    def _ask(self, client: WebClient | None, team_id: str, user_id: str) -> bool:
        if client is None:
            return False
        try:
            user = client.users_info(user=user_id).get("user") or {}
        except (SlackApiError, OSError):
            log.warning("users.info failed for %s; treating as not a Slack admin", clip(user_id))
            return False
        self._on_user(team_id, user)
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


@dataclass
class Runtime:
    services: Services
    followups: FollowUps = field(default_factory=FollowUps)
    slack_admins: SlackAdmins | None = None
    home_refresh_seconds: float = HOME_REFRESH_SECONDS
    homes: Coalescer = field(init=False)

    def __post_init__(self) -> None:
        # Through `self.followups` as it is at the time: tests and the bench replace the pool.
        self.homes = Coalescer(lambda job: self.followups.submit(job), self.home_refresh_seconds)
        if self.slack_admins is None:
            # What users.info says of whoever makes a request is kept, after the reply.
            self.slack_admins = SlackAdmins(on_user=self._keep_user)

    def _keep_user(self, team_id: str, user: dict) -> None:
        self.followups.submit(lambda: remember_user(self.services, team_id, user))
