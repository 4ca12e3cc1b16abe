"""The App Home tab: the user's own open deals by stage, stuck ones flagged, workspace totals.

Published when the user opens the tab and again after each change they make, so it is
current without a refresh button.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.blocks.home import home_view
from assistant.interactions.totals import open_totals
from assistant.services.context import Actor, Services
from assistant.services.queries import DealFilter, list_deals
from assistant.services.request_memo import one_read_per_request
from assistant.services.settings import get_settings, list_pipeline
from assistant.slack.runtime import Runtime

log = logging.getLogger(__name__)


def is_slack_user(user_id: str | None) -> bool:
    # Owners imported from a CRM may be emails or names; they have no Home to publish.
    return bool(user_id) and user_id[0] in "UW" and user_id.replace("_", "").isalnum()


def publish_home(services: Services, client: WebClient, actor: Actor) -> None:
    with one_read_per_request():  # one read of the workspace and its stages for the view
        settings = get_settings(services, actor)
        mine = list_deals(services, actor, DealFilter(owner_id=actor.user_id))
        view = home_view(
            deals=mine.items,
            total=mine.total,
            stages=list_pipeline(services, actor),
            totals=open_totals(services, actor),
            currency=settings.currency,
            now=services.now().astimezone(ZoneInfo(settings.timezone)),
        )
    try:
        client.views_publish(user_id=actor.user_id, view=view)
    except SlackApiError as err:
        log.warning("views.publish for %s failed: %s", actor.user_id, err.response.get("error"))


def home_opened(runtime: Runtime):
    def handle_app_home_opened(event: dict, body: dict, client: WebClient) -> None:
        # The same event fires for the Messages and About tabs; only Home shows our view.
        if event.get("tab") != "home" or not event.get("user"):
            return
        actor = Actor(team_id=body.get("team_id") or "", user_id=event["user"])
        runtime.followups.submit(lambda: publish_home(runtime.services, client, actor))

    return handle_app_home_opened


def register(app: App, runtime: Runtime) -> None:
    app.event("app_home_opened")(home_opened(runtime))
