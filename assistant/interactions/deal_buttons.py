"""The deal card's buttons: next stage, won, lost.

A press applies the same service call as the command, with the card's version: a card that
is out of date (someone moved the deal since) is refused with a note and left as it was, so
nobody acts on a state they never saw. On success the card is replaced in place by the new
state. The decision is made in the request; Slack's messages go out after the ack.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from zoneinfo import ZoneInfo

from slack_bolt import App
from slack_sdk import WebClient

from assistant.blocks.common import Reply, error_reply, escape, mention
from assistant.blocks.deals import LOST_ACTION, NEXT_ACTION, WON_ACTION, card_reply, moved_text
from assistant.domain.errors import DomainError, InvalidInput
from assistant.interactions.followups import after_deal_change
from assistant.services import deals, queries
from assistant.services.context import Actor, Services
from assistant.services.request_memo import one_read_per_request
from assistant.services.settings import get_settings, list_pipeline
from assistant.services.views import MoveResult
from assistant.slack.runtime import Runtime
from assistant.storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)

STALE_BUTTON = "This button belongs to an old card; show the deal again with `/deal show`."


def parse_value(value: str | None) -> tuple[int, int]:
    """`{"n": 12, "v": 3}` -> (12, 3); anything else is a card we did not make."""
    try:
        data = json.loads(value or "")
        number, version = data["n"], data["v"]
    except (ValueError, TypeError, KeyError):
        raise InvalidInput(STALE_BUTTON) from None
    if not (isinstance(number, int) and isinstance(version, int)):
        raise InvalidInput(STALE_BUTTON)
    return number, version


def apply(services: Services, actor: Actor, action_id: str, ref: str, version: int) -> MoveResult:
    if action_id == NEXT_ACTION:
        return deals.move_deal(services, actor, ref, "next", version=version)
    if action_id == WON_ACTION:
        return deals.win_deal(services, actor, ref, version=version)
    return deals.lose_deal(services, actor, ref, version=version)


def press(
    services: Services, actor: Actor, action_id: str, value: str | None
) -> tuple[Reply, MoveResult | None]:
    """The reply to a press, and the change made (None when refused)."""
    try:
        number, version = parse_value(value)
        result = apply(services, actor, action_id, f"#{number}", version)
        settings = get_settings(services, actor)
        labels = {s.key: s.label for s in list_pipeline(services, actor)}
        card = queries.deal_card(services, actor, f"#{number}")
        banner = f"{moved_text(result, labels, settings.currency)} (by {mention(actor.user_id)})"
        reply = card_reply(card, settings.currency, ZoneInfo(settings.timezone), banner=banner)
        reply.replace_original = True
        return reply, result
    except DomainError as err:
        return error_reply(escape(err.message)), None
    except DatabaseUnavailable:
        log.warning("database unavailable during a card button", exc_info=True)
        return error_reply("The sales database is unavailable; nothing was changed."), None
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("card button %s failed (ref %s)", action_id, reference)
        return error_reply(f"Something went wrong; nothing was changed (ref `{reference}`)."), None


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
        user = body.get("user") or {}
        team_id = (body.get("team") or {}).get("id") or user.get("team_id") or ""
        actor = runtime.actor(client, team_id, user.get("id") or "")
        with one_read_per_request():
            reply, result = press(runtime.services, actor, action["action_id"], action.get("value"))
        runtime.followups.submit(lambda: send(respond, reply))
        if result is not None:
            runtime.followups.submit(
                lambda: after_deal_change(runtime.services, client, actor, result.deal, result)
            )

    return handle_deal_button


def register(app: App, runtime: Runtime) -> None:
    for action_id in (NEXT_ACTION, WON_ACTION, LOST_ACTION):
        app.action(action_id)(button_listener(runtime))
