"""Assembling and serving the bot: one function per way of running it."""

from __future__ import annotations

import logging
import signal
import threading

from slack_sdk import WebClient

from assistant.app import create_app, make_web_client
from assistant.config import Settings
from assistant.digests.compose import make_composer
from assistant.digests.model import ClientFor
from assistant.digests.scheduler import DigestScheduler
from assistant.listeners.oauth import WorkspaceInstallationStore, bot_client_for
from assistant.listeners.runtime import Runtime
from assistant.services.context import Services
from assistant.services.deliveries import forget_old
from assistant.services.forecasts import keep_record
from assistant.services.purge import purge_expired
from assistant.slack import client as slack_client
from assistant.storage.database import Database
from assistant.storage.migrate import upgrade_if_needed
from assistant.web import create_wsgi_app, serve

log = logging.getLogger(__name__)


def build_services(settings: Settings) -> Services:
    database = Database(settings.database_url)
    if upgrade_if_needed(database):
        log.info("database schema brought up to date")
    return Services(db=database, admins=settings.admins, default_timezone=settings.timezone)


def build_wsgi(settings: Settings):
    """The WSGI application (for gunicorn and for `python bot.py`)."""
    settings.require_slack()
    services = build_services(settings)
    runtime = Runtime(services=services)
    app = create_app(settings, runtime, make_web_client(settings))
    wsgi = create_wsgi_app(
        app, services.db.is_healthy, signing_secret=settings.slack_signing_secret or ""
    )
    return wsgi, runtime


def scheduler_client(settings: Settings, token: str | None = None) -> WebClient:
    return slack_client.scheduler_client(settings.slack_api_url, token or settings.slack_bot_token)


# Workspaces posted side by side by a scheduler on PostgreSQL with its process, and so its
# database pool (10 + 10 connections), to itself (`python bot.py scheduler`). The posts wait
# on Slack and the database more than on the CPU: at 16 the fleet bench's 1,100 digests were
# out 29-33 s after 09:00, at 8 36-37 s (bench/RESULTS.md). Next to web workers, which share
# the pool, and on SQLite, whose one writer the ledger's writes queue for, it keeps 8.
ALONE_PARALLEL_WORKSPACES = 16


def build_scheduler(
    settings: Settings, services: Services, *, alone: bool = False
) -> DigestScheduler:
    """The bot's scheduler; `alone` when nothing else in the process uses the database."""
    extra = {}
    if alone and not services.db.is_sqlite:
        extra["parallel_workspaces"] = ALONE_PARALLEL_WORKSPACES
    return DigestScheduler(
        services,
        make_composer(services),
        scheduler_client_for(settings, services),
        housekeeping=lambda: housekeeping(settings, services),
        nudges=True,
        **extra,
    )


def scheduler_client_for(settings: Settings, services: Services) -> ClientFor:
    """One bot token for every digest, or in multi-workspace mode each workspace's own."""
    if not settings.multi_workspace:
        client = scheduler_client(settings)
        return lambda _team_id: client
    store = WorkspaceInstallationStore(settings.slack_client_id or "", services)
    return bot_client_for(settings, store, lambda token: scheduler_client(settings, token))


def housekeeping(settings: Settings, services: Services) -> None:
    """Daily: purge workspaces uninstalled longer than the retention period, expired OAuth
    states, and delivery keys Slack can no longer retry; keep this month's and quarter's
    forecasts (at their start, then weekly) and score the ones of periods just ended."""
    purged = purge_expired(services, settings.data_retention_days)
    if purged:
        log.info("purged %d uninstalled workspace(s) past retention", len(purged))
    forget_old(services)
    kept = keep_record(services)
    if kept.stored or kept.scored:
        log.info("forecasts kept: %d, scored: %d", kept.stored, kept.scored)


def serve_http(settings: Settings) -> None:
    wsgi, runtime = build_wsgi(settings)
    scheduler = build_scheduler(settings, runtime.services)
    scheduler.start()
    log.info("serving Slack on port %s (POST /slack/events, GET /healthz)", settings.port)
    try:
        serve(wsgi, "0.0.0.0", settings.port)
    finally:
        scheduler.shutdown(wait=False)


def serve_socket_mode(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    settings.require_slack()
    services = build_services(settings)
    app = create_app(settings, Runtime(services=services), make_web_client(settings))
    scheduler = build_scheduler(settings, services)
    scheduler.start()
    log.info("connecting to Slack in Socket Mode")
    try:
        SocketModeHandler(app, settings.slack_app_token).start()
    finally:
        scheduler.shutdown(wait=False)


def run_scheduler(settings: Settings) -> None:
    """The scheduler alone, for deployments that run web workers separately."""
    if not settings.slack_bot_token and not settings.multi_workspace:
        settings.require_slack()
    services = build_services(settings)
    scheduler = build_scheduler(settings, services, alone=True)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scheduler.start()
    log.info("digest scheduler running (process %s)", scheduler.process_id)
    stop.wait()
    scheduler.shutdown(wait=True)


def run_nudges(settings: Settings, action: str, team_id: str | None, at=None) -> int:
    """`python bot.py nudges preview|send`: the scheduler's own code, once, by hand."""
    from assistant.blocks.nudges import preview_lines
    from assistant.digests.nudges import Nudger, preview
    from assistant.digests.scheduler import default_process_id

    services = build_services(settings)
    if action == "preview":
        found = preview(services, at or services.now(), team_id)
        for _due, view in found:
            print("\n".join(preview_lines(view)))
        print(f"{len(found)} nudge(s) would go out; nothing was sent.")
        return 0
    if not settings.slack_bot_token and not settings.multi_workspace:
        settings.require_slack()
    nudger = Nudger(services, scheduler_client_for(settings, services), default_process_id())
    outcomes = nudger.tick(services.now, team_id)
    print(", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())) or "none due")
    return 0
