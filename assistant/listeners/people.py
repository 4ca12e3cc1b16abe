"""Names for Slack user ids: what users.info says of a user, kept in `people`.

The edge meets users all the time (every request's Actor asks users.info, cached); each
answer is stored after the reply, so tables, files and the console can show names. Owners
seen in a list whose names are missing or old are asked for the same way.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor, wait

from slack_sdk import WebClient

from assistant.logsafe import clip
from assistant.services import people
from assistant.services.context import Services
from assistant.services.people import SlackProfile
from assistant.slack.errors import classify

log = logging.getLogger(__name__)
REFRESH_AT_ONCE = 20  # users asked for per list, at most: Slack allows ~100 users.info a minute
WAIT_SECONDS = 1.0


def profile_of(user: dict) -> SlackProfile | None:
    """users.info's `user` as a profile; None for what is not a user object."""
    user_id = user.get("id")
    if not isinstance(user_id, str) or not user_id:
        return None
    profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    real_name = profile.get("real_name") or user.get("real_name")
    name = profile.get("display_name") or real_name or user.get("name") or user_id
    return SlackProfile(
        user_id=user_id,
        name=str(name),
        real_name=str(real_name) if real_name else None,
        email=profile.get("email") if isinstance(profile.get("email"), str) else None,
        timezone=user.get("tz") if isinstance(user.get("tz"), str) else None,
        deleted=bool(user.get("deleted")),
    )


def remember_user(services: Services, team_id: str, user: dict) -> None:
    profile = profile_of(user)
    if profile is not None and team_id:
        people.remember(services, team_id, [profile])


def learn_names(
    runtime,
    client: WebClient | None,
    team_id: str,
    ids: list[str],
    known: people.KnownNames | None = None,
) -> None:
    """Names a reply is about to show (`known`, when the caller has just read them; else read
    here): users never met are asked for now, side by side and for at most `WAIT_SECONDS` (a
    reply must go out within Slack's 3 s); names older than a day, and any not learnt in
    time, are asked for after the reply."""
    services = runtime.services
    if known is None:
        known = people.known_names_of(services, team_id, ids)
    if client is None or not known.stale:
        return
    missing = known.missing[:REFRESH_AT_ONCE]
    found = []
    if missing:
        pool = ThreadPoolExecutor(max_workers=min(len(missing), 8))
        futures = [pool.submit(_ask, client, user_id) for user_id in missing]
        done, _ = wait(futures, timeout=WAIT_SECONDS)
        pool.shutdown(wait=False, cancel_futures=True)
        found = [f.result() for f in done if f.result() is not None]
        if found:
            people.remember(services, team_id, found)
    learnt = {profile.user_id for profile in found}
    later = [user_id for user_id in known.stale if user_id not in learnt]
    if later:
        runtime.followups.submit(lambda: refresh_names(services, client, team_id, later))


def _ask(client: WebClient, user_id: str) -> SlackProfile | None:
    try:
        return profile_of(client.users_info(user=user_id).get("user") or {})
    except Exception as err:
        log.info("users.info for %s failed: %s", clip(user_id), classify(err).reason)
        return None


def refresh_names(services: Services, client: WebClient, team_id: str, ids: list[str]) -> None:
    """Ask Slack for these users (names missing or old) and keep what it says."""
    asked = (_ask(client, user_id) for user_id in ids[:REFRESH_AT_ONCE])
    profiles = [profile for profile in asked if profile is not None]
    if profiles:
        people.remember(services, team_id, profiles)
