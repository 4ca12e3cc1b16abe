"""The new-deal form as a Slack modal, and the view that replaces it with a message.

Every input's action id is `FIELD` and its block id names the field, so the submission is
read by block id (`commands/deal_form.py`) and errors go back keyed by it.
"""

from __future__ import annotations

import json

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
from assistant.domain.limits import MAX_LABEL, MAX_NAME
from assistant.domain.stages import StageDef

CALLBACK_ID = "deal_new"
FIELD = "value"
OPTION_LABEL = 75  # Slack's limit for an option's text


def _text_input(block_id: str, label: str, hint: str, limit: int, optional=True) -> InputBlock:
    element = PlainTextInputElement(action_id=FIELD, placeholder=hint, max_length=limit)
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional)


def new_deal_modal(stages: list[StageDef], currency: str, user_id: str, channel_id: str) -> View:
    options = [Option(value=s.key, label=s.label[:OPTION_LABEL]) for s in stages]
    blocks = [
        _text_input("name", "Deal name", "Acme renewal", MAX_NAME, optional=False),
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
        _text_input("company", "Company", "Acme Inc.", MAX_NAME),
        _text_input("source", "Source", "website, referral, event…", MAX_LABEL),
        _text_input("campaign", "Campaign", "spring-webinar", MAX_LABEL),
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


def form_channel(view: dict) -> str | None:
    """The channel the form was opened from, carried in the view's private metadata."""
    try:
        return json.loads(view.get("private_metadata") or "{}").get("channel") or None
    except (ValueError, AttributeError):
        return None
