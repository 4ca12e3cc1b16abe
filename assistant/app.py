"""The Bolt app factory: settings and a runtime in, a ready `slack_bolt.App` out."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from assistant import listeners
from assistant.config import Settings
from assistant.listeners.oauth import build_oauth_flow
from assistant.listeners.runtime import Runtime
from assistant.logsafe import one_line_logs
from assistant.slack.client import web_client


def make_web_client(settings: Settings, token: str | None = None) -> WebClient:
    return web_client(settings.slack_api_url, token or settings.slack_bot_token)


def create_app(settings: Settings, runtime: Runtime, client: WebClient | None = None) -> App:
    client = client or make_web_client(settings)
    oauth_flow = None
    if settings.multi_workspace:
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
    listeners.register(app, runtime)
    # Bolt writes whole request bodies into these loggers' lines (a failed signature check, an
    # unhandled request): one clipped line each instead.
    one_line_logs("slack_bolt.RequestVerification", "slack_bolt.App")
    return app
