"""Form submissions: the new-deal form, opened by `/deal new` with no arguments.

Errors go back inline (`response_action: errors`, keyed by block id) so the user fixes one
field instead of retyping the form; a problem that is not a field's replaces the form with a
message. The confirmation is posted after the form closes, in the channel the command came
from, or as a DM.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from assistant.blocks.common import section
from assistant.blocks.deal_form import CALLBACK_ID, form_channel, message_view
from assistant.blocks.deals import created_text
from assistant.commands.deal_form import read_form
from assistant.domain.errors import UnknownStage
from assistant.listeners.actor import actor_of
from assistant.listeners.followups import after_deal_change
from assistant.listeners.replies import message_for
from assistant.listeners.runtime import Runtime
from assistant.services.deals import create_deal
from assistant.services.views import DealView
from assistant.slack.errors import classify

log = logging.getLogger(__name__)


def confirm(client: WebClient, user_id: str, channel: str | None, deal: DealView) -> None:
    text = created_text(deal, deal.facts.currency)
    blocks = [section(text).to_dict()]
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
            return
        except Exception as err:  # a DM or a channel without the bot: tell them directly
            log.info("ephemeral confirmation failed (%s); sending a DM", classify(err).reason)
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def submission_listener(runtime: Runtime):
    def handle_new_deal_submission(ack, body: dict, view: dict, client: WebClient) -> None:
        actor = actor_of(body, runtime, client)
        new, errors = read_form(view.get("state", {}).get("values", {}), actor.user_id)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        try:
            deal = create_deal(runtime.services, actor, new)
        except UnknownStage as err:  # the stages changed while the form was open
            ack(response_action="errors", errors={"stage": err.message.replace("`", "")})
            return
        except Exception as err:  # not allowed, or ours: the form says so and closes
            text = f":warning: {message_for(err, 'the new-deal form')}"
            ack(response_action="update", view=message_view(text))
            return
        ack()
        channel = form_channel(view)

        def tell() -> None:
            confirm(client, actor.user_id, channel, deal)
            handed_over = deal.owner_id != actor.user_id
            after_deal_change(runtime, client, actor, deal, handed_over=handed_over)

        runtime.followups.submit(tell)

    return handle_new_deal_submission


def register(app: App, runtime: Runtime) -> None:
    app.view(CALLBACK_ID)(submission_listener(runtime))
