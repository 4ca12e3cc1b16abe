"""What happens after a deal changed, whoever changed it (command, button, or form).

Each step runs on its own: a failed feed post must not keep the Home tab stale.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from assistant.interactions import feed, home
from assistant.services.context import Actor, Services
from assistant.services.request_memo import one_read_per_request
from assistant.services.views import DealView, MoveResult

log = logging.getLogger(__name__)


def after_deal_change(
    services: Services,
    client: WebClient | None,
    actor: Actor,
    deal: DealView,
    move: MoveResult | None = None,
) -> None:
    if client is None:  # the demo console has no Slack to tell
        return
    # The feed post and both Homes share one read of the workspace and its stages; read
    # now, after the change was committed, so they show it.
    with one_read_per_request():
        if move is not None:
            _safely("feed post", feed.announce, services, client, actor, move)
        # The actor's Home and the owner's (a manager moving a rep's deal changes the rep's).
        for user_id in dict.fromkeys((actor.user_id, deal.owner_id)):
            if home.is_slack_user(user_id):
                reader = Actor(team_id=actor.team_id, user_id=user_id)
                _safely("home refresh", home.publish_home, services, client, reader)


def _safely(what: str, job, *args) -> None:
    try:
        job(*args)
    except Exception:
        log.exception("%s failed", what)
