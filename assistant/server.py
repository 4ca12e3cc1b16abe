"""Assembling and serving the bot: one function per way of running it."""

from __future__ import annotations

import logging

from assistant.app import create_app, make_web_client
from assistant.config import Settings
from assistant.services.context import Services
from assistant.slack.runtime import Runtime
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
    return create_wsgi_app(app, services.db.is_healthy), runtime


def serve_http(settings: Settings) -> None:
    wsgi, _runtime = build_wsgi(settings)
    log.info("serving Slack on port %s (POST /slack/events, GET /healthz)", settings.port)
    serve(wsgi, "0.0.0.0", settings.port)


def serve_socket_mode(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    settings.require_slack()
    services = build_services(settings)
    app = create_app(settings, Runtime(services=services), make_web_client(settings))
    log.info("connecting to Slack in Socket Mode")
    SocketModeHandler(app, settings.slack_app_token).start()
