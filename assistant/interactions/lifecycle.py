"""The app leaving a workspace: `app_uninstalled`, and `tokens_revoked` for the bot's token.

Either way that workspace's digests stop at once and its tokens are deleted; its data is
kept for the retention period (SALES_RETENTION_DAYS), then the scheduler purges it.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext

from assistant.services.workspaces import mark_uninstalled
from assistant.slack.runtime import Runtime

log = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
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
