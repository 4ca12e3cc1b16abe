"""The feed channel: won deals (and, when `feed_moves` is on, every move) announced there.

Runs as a follow-up after the user has their answer. A Slack error here (the bot was never
invited, the channel was archived) is logged for the admin, never shown to the user as a
failure of their command: the deal did change.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.blocks.common import section
from assistant.blocks.deals import feed_text
from assistant.services.context import Actor, Services
from assistant.services.settings import get_settings, list_pipeline
from assistant.services.views import MoveResult

log = logging.getLogger(__name__)


def should_announce(result: MoveResult, feed_moves: bool) -> bool:
    return result.deal.status == "won" or feed_moves


def announce(services: Services, client: WebClient, actor: Actor, result: MoveResult) -> None:
    settings = get_settings(services, actor)
    if not settings.feed_channel or not should_announce(result, settings.feed_moves):
        return
    labels = {s.key: s.label for s in list_pipeline(services, actor)}
    text = feed_text(result, labels, settings.currency, actor.user_id)
    try:
        client.chat_postMessage(
            channel=settings.feed_channel, text=text, blocks=[section(text).to_dict()]
        )
    except SlackApiError as err:
        log.warning(
            "feed post to %s failed: %s (invite the bot to the channel?)",
            settings.feed_channel,
            err.response.get("error"),
        )
