"""The `/deal new` form: opened by the command with no arguments, validated field by field.

Errors go back inline (`response_action: errors`, keyed by block id) so the user fixes one
field instead of retyping the form. The confirmation is posted after the form closes, in
the channel the command came from (carried in `private_metadata`), or as a DM.
"""

from __future__ import annotations

import json
import logging
import uuid

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from assistant.blocks.common import section
from assistant.blocks.deals import created_text
from assistant.domain.errors import DomainError, UnknownStage
from assistant.interactions.deal_form import FIELD, read_form
from assistant.interactions.followups import after_deal_change
from assistant.services.context import Actor
from assistant.services.deals import create_deal
from assistant.services.settings import get_settings
from assistant.services.views import DealView, StageView
from assistant.slack.runtime import Runtime

log = logging.getLogger(__name__)

CALLBACK_ID = "deal_new"


def _text_input(block_id: str, label: str, hint: str, limit: int, optional=True) -> InputBlock:
    element = PlainTextInputElement(action_id=FIELD, placeholder=hint, max_length=limit)
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional)


def new_deal_modal(stages: list[StageView], currency: str, user_id: str, channel_id: str) -> View:
    options = [Option(value=s.key, label=s.label[:75]) for s in stages]
    blocks = [
        _text_input("name", "Deal name", "Acme renewal", 200, optional=False),
        _text_input("amount", f"Amount ({currency})", "12k, 12,000 or 1.5m", 40),
        InputBlock(
            block_id="stage",
            label="Stage",
            element=StaticSelectElement(
                action_id=FIELD, options=options, initial_option=options[0]
            ),
        ),
        InputBlock(
            block_id="owner",
            label="Owner",
            element=UserSelectElement(action_id=FIELD, initial_user=user_id),
        ),
        InputBlock(
            block_id="close",
            label="Expected close date",
            element=DatePickerElement(action_id=FIELD),
            optional=True,
        ),
        _text_input("company", "Company", "Acme Inc.", 200),
        _text_input("source", "Source", "website, referral, event…", 100),
        _text_input("campaign", "Campaign", "spring-webinar", 100),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="New deal",
        submit="Create",
        close="Cancel",
        blocks=blocks,
        private_metadata=json.dumps({"channel": channel_id}),
    )


def message_view(text: str) -> View:
    """Replaces the form when the problem is not a field's (e.g. not allowed)."""
    return View(type="modal", title="New deal", close="Close", blocks=[section(text)])


def _channel(view: dict) -> str | None:
    try:
        return json.loads(view.get("private_metadata") or "{}").get("channel") or None
    except (ValueError, AttributeError):
        return None


def confirm(client: WebClient, user_id: str, channel: str | None, deal: DealView, currency: str):
    text = created_text(deal, currency)
    blocks = [section(text).to_dict()]
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError as err:  # a DM or a channel without the bot: tell them directly
            log.info("ephemeral confirmation failed (%s); sending a DM", err.response.get("error"))
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def submission_listener(runtime: Runtime):
    def handle_new_deal_submission(ack, body: dict, view: dict, client: WebClient) -> None:
        user_id = body["user"]["id"]
        team_id = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
        new, errors = read_form(view.get("state", {}).get("values", {}), user_id)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        actor = runtime.actor(client, team_id, user_id)
        try:
            deal = create_deal(runtime.services, actor, new)
        except UnknownStage as err:  # the stages changed while the form was open
            ack(response_action="errors", errors={"stage": err.message.replace("`", "")})
            return
        except DomainError as err:
            ack(response_action="update", view=message_view(f":warning: {err.message}"))
            return
        except Exception:
            reference = uuid.uuid4().hex[:8]
            log.exception("new-deal form failed (ref %s)", reference)
            failed = f"Something went wrong; no deal was created (ref `{reference}`)."
            ack(response_action="update", view=message_view(failed))
            return
        ack()
        channel = _channel(view)

        def tell() -> None:
            currency = get_settings(runtime.services, actor).currency
            confirm(client, user_id, channel, deal, currency)
            after_deal_change(runtime.services, client, Actor(team_id, user_id), deal)

        runtime.followups.submit(tell)

    return handle_new_deal_submission


def register(app: App, runtime: Runtime) -> None:
    app.view(CALLBACK_ID)(submission_listener(runtime))
