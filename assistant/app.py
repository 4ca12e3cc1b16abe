"""The Bolt app factory: settings and services in, a ready `slack_bolt.App` out."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from assistant import commands, interactions
from assistant.config import Settings
from assistant.slack.dedupe import delivery_key, first_delivery
from assistant.slack.runtime import Runtime
from assistant.storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)
ALREADY = "That command was already handled."


def make_web_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client that waits out 429s (Slack's Retry-After) and retries 5xx and
    dropped connections, which WebClient does not do for rate limits by default."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(settings: Settings, runtime: Runtime, client: WebClient | None = None) -> App:
    client = client or make_web_client(settings)
    oauth_flow = None
    if settings.multi_workspace:
        from assistant.slack.oauth import build_oauth_flow

        oauth_flow = build_oauth_flow(settings, runtime.services, client)
    app = App(
        signing_secret=settings.slack_signing_secret or "socket-mode-has-no-signatures",
        client=client,
        # Many workspaces: /slack/install and /slack/oauth_redirect, tokens per workspace.
        oauth_flow=oauth_flow,
        # Passed too so that Bolt does not build default settings (file-based stores) of its
        # own when SLACK_CLIENT_ID is in the environment.
        oauth_settings=oauth_flow.settings if oauth_flow else None,
        # Answer as soon as the listener returns, instead of polling for ack() every 10 ms;
        # slow work goes to runtime.followups.
        process_before_response=True,
        request_verification_enabled=not settings.socket_mode,
    )
    app.use(_once_per_delivery(runtime))
    app.error(_answer_anyway)
    commands.register(app, runtime)
    interactions.register(app, runtime)
    return app


def _once_per_delivery(runtime: Runtime):
    def skip_repeated_delivery(body: dict, next) -> BoltResponse | None:
        # Recording a key is a write transaction; reads (`/deal show`) are answered again
        # instead, so they don't wait for SQLite's single writer lock (Subcommand.writes).
        key = delivery_key(body) if commands.may_change_data(body) else None
        if key is not None and not _is_first(runtime, key, body.get("team_id")):
            log.info("ignoring a repeated delivery: %s", key)
            if body.get("command"):
                return BoltResponse(
                    status=200,
                    body={
                        "response_type": "ephemeral",
                        "text": ALREADY,
                    },
                )
            return BoltResponse(status=200, body="")
        return next()

    return skip_repeated_delivery


def _is_first(runtime: Runtime, key: str, team_id: str | None) -> bool:
    try:
        return first_delivery(runtime.services, key, team_id)
    except DatabaseUnavailable:
        # Let the listener run: it answers "temporarily unavailable" rather than silence.
        return True


def _answer_anyway(error: Exception, body: dict) -> BoltResponse:
    """Listeners catch their own errors; this is the net under the net. Slack gets a 200
    with a friendly line rather than a 500 it would show as `operation_timeout`."""
    log.error("unhandled error in a listener: %r", error, exc_info=error)
    return BoltResponse(
        status=200,
        body={"response_type": "ephemeral", "text": "Something went wrong; nothing was changed."},
    )
