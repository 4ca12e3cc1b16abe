"""Buttons: the deal card's next stage, won and lost.

The decision is made in the request (`commands/deal_card.py`); the card is replaced and the
feed and Homes are told after the acknowledgement, on the follow-up pool.
"""

from __future__ import annotations

import logging
import time

from slack_bolt import App
from slack_sdk import WebClient

from assistant.blocks.common import Reply
from assistant.commands.deal_card import ACTIONS, press
from assistant.listeners.actor import actor_of
from assistant.listeners.followups import after_deal_change
from assistant.listeners.replies import reply_for
from assistant.listeners.runtime import Runtime

log = logging.getLogger(__name__)


def send(respond, reply: Reply, attempts: int = 3) -> None:
    payload = reply.to_dict()
    message = {"text": payload["text"], "blocks": payload.get("blocks")}
    if reply.replace_original:
        # Replacing keeps the card where it was (ephemeral or in the channel).
        message["replace_original"] = True
    else:
        message.update(replace_original=False, response_type="ephemeral")
    # respond() retries dropped connections only: wait out 429s and 5xx here, or the card
    # would go on showing a state the deal has left. Replacing a card twice is harmless.
    for attempt in range(1, attempts + 1):
        response = respond(**message)
        status = getattr(response, "status_code", 200)
        if status != 429 and status < 500:
            return
        if attempt < attempts:
            headers = {k.lower(): v for k, v in (getattr(response, "headers", None) or {}).items()}
            wait = headers.get("retry-after", "")
            time.sleep(min(float(wait) if wait.isdigit() else attempt, 5))
    log.warning("card reply failed with HTTP %s after %s attempts", status, attempts)


def button_listener(runtime: Runtime):
    def handle_deal_button(ack, body: dict, action: dict, client: WebClient, respond) -> None:
        ack()
        actor = actor_of(body, runtime, client)
        action_id = action.get("action_id") or ""
        try:
            result, reply = press(runtime.services, actor, action_id, action.get("value"))
        except Exception as err:  # answered on the card, never raised into Bolt
            result, reply = None, reply_for(err, f"card button {action_id}")
        runtime.followups.submit(lambda: send(respond, reply))
        if result is not None:
            runtime.followups.submit(
                lambda: after_deal_change(runtime, client, actor, result.deal, result)
            )

    return handle_deal_button


def register(app: App, runtime: Runtime) -> None:
    for action_id in ACTIONS:
        app.action(action_id)(button_listener(runtime))
