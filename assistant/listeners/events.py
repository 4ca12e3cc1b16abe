"""Events: the App Home opened, and the app leaving a workspace.

Leaving (`app_uninstalled`, or `tokens_revoked` for the bot's token) stops that workspace's
digests at once and deletes its tokens; its data is kept for the retention period
(SALES_RETENTION_DAYS), then the scheduler purges it.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from assistant.listeners.actor import actor_of
from assistant.listeners.followups import refresh_home
from assistant.listeners.runtime import Runtime
from assistant.services.workspaces import mark_uninstalled

log = logging.getLogger(__name__)


def home_opened(runtime: Runtime):
    def handle_app_home_opened(event: dict, body: dict, client: WebClient) -> None:
        # The same event fires for the Messages and About tabs; only Home shows our view.
        if event.get("tab") != "home" or not event.get("user"):
            return

        def publish() -> None:  # after the ack: who they are may need a users.info call
            refresh_home(runtime, client, actor_of(body, runtime, client))

        runtime.followups.submit(publish)

    return handle_app_home_opened


def register(app: App, runtime: Runtime) -> None:
    app.event("app_home_opened")(home_opened(runtime))

    def on_uninstalled(context: BoltContext) -> None:
        _leave(app, runtime, context)

    def on_tokens_revoked(event: dict, context: BoltContext) -> None:
        tokens = event.get("tokens") or {}
        store = app.installation_store
        if store is not None:
            for user_id in tokens.get("oauth") or []:
                store.delete_installation(
                    enterprise_id=context.enterprise_id, team_id=context.team_id, user_id=user_id
                )
        if tokens.get("bot"):  # without its bot token the app can do nothing there
            _leave(app, runtime, context)

    app.event("app_uninstalled")(on_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)


def _leave(app: App, runtime: Runtime, context: BoltContext) -> None:
    team_id = context.team_id
    if not team_id:
        return
    if app.installation_store is not None:
        app.installation_store.delete_all(enterprise_id=context.enterprise_id, team_id=team_id)
    if mark_uninstalled(runtime.services, team_id):
        log.info(
            "uninstalled from %s: digests stopped, data kept for the retention period", team_id
        )
