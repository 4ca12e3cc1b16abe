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

    def __post_init__(self) -> None:
        if self.slack_admins is None:
            # What users.info says of whoever makes a request is kept, after the reply.
            self.slack_admins = SlackAdmins(on_user=self._keep_user)

    def _keep_user(self, team_id: str, user: dict) -> None:
        self.followups.submit(lambda: remember_user(self.services, team_id, user))
