"""What happens after a deal changed, whoever changed it (a command, a button, the form):
the feed channel hears of wins (and of every move, if asked), and the Homes of the person who
changed it and of its owner show it (republished at most once every few seconds per user:
`runtime.homes`).

Runs after the user has their answer. A Slack error here (the bot was never invited to the
feed channel, say) is logged for the admin, never shown as a failure of the user's change:
the deal did change. Each step runs on its own: a failed feed post must not keep a Home stale.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from assistant.blocks.common import mention, section
from assistant.blocks.deals import card_reply, feed_text
from assistant.commands.home import home_for
from assistant.domain.text import is_slack_user_id
from assistant.listeners.runtime import Runtime
from assistant.logsafe import clip
from assistant.services.context import Actor, Services
from assistant.services.queries import deal_card
from assistant.services.settings import get_settings
from assistant.services.views import DealView, MoveResult
from assistant.slack.errors import classify

log = logging.getLogger(__name__)


def after_deal_change(
    runtime: Runtime,
    client: WebClient | None,
    actor: Actor,
    deal: DealView,
    move: MoveResult | None = None,
    *,
    handed_over: bool = False,
) -> None:
    if client is None:  # the demo console has no Slack to tell
        return
    services = runtime.services
    if move is not None:
        _safely("feed post", announce, services, client, actor, move)
    if handed_over and is_slack_user_id(deal.owner_id):
        _safely("new owner's DM", tell_new_owner, services, client, actor, deal)
    # The actor's Home and the owner's (a manager moving a rep's deal changes the rep's).
    for user_id in dict.fromkeys((actor.user_id, deal.owner_id)):
        if is_slack_user_id(user_id):
            refresh_home(runtime, client, Actor(team_id=actor.team_id, user_id=user_id))


def refresh_home(runtime: Runtime, client: WebClient, reader: Actor) -> None:
    """Republish `reader`'s Home soon, coalesced with their other changes (runtime.homes)."""
    runtime.homes.request(
        ("home", reader.team_id, reader.user_id),
        lambda: _safely("home refresh", publish_home, runtime.services, client, reader),
    )


def announce(services: Services, client: WebClient, actor: Actor, result: MoveResult) -> None:
    """Won deals, and every move when `feed_moves` is on, in the feed channel."""
    settings = get_settings(services, actor)
    if not settings.feed_channel:
        return
    if result.deal.status != "won" and not settings.feed_moves:
        return
    facts = result.deal.facts
    text = feed_text(result, facts.labels, facts.currency, actor.user_id)
    try:
        client.chat_postMessage(
            channel=settings.feed_channel, text=text, blocks=[section(text).to_dict()]
        )
    except Exception as err:
        log.warning(
            "feed post to %s failed: %s (invite the bot to the channel?)",
            settings.feed_channel,
            classify(err).reason,
        )


def tell_new_owner(services: Services, client: WebClient, actor: Actor, deal: DealView) -> None:
    """A deal someone created for (or gave to) a colleague is theirs from then on: they hear
    of it in a DM with its card, buttons and all, so it does not wait unseen in a list."""
    owner = Actor(team_id=actor.team_id, user_id=deal.owner_id)
    card = deal_card(services, owner, f"#{deal.number}")
    banner = f"{mention(actor.user_id)} gave you this deal; it is yours to move from here."
    reply = card_reply(card, card.facts.currency, card.facts.zone, banner=banner)
    payload = reply.to_dict()
    client.chat_postMessage(channel=deal.owner_id, text=payload["text"], blocks=payload["blocks"])


def publish_home(services: Services, client: WebClient, actor: Actor) -> None:
    view = home_for(services, actor)
    try:
        client.views_publish(user_id=actor.user_id, view=view)
    except Exception as err:
        log.warning("views.publish for %s failed: %s", clip(actor.user_id), classify(err).reason)


def _safely(what: str, job, *args) -> None:
    try:
        job(*args)
    except Exception:
        log.exception("%s failed", what)
