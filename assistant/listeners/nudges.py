"""Clicks in a nudge DM: next stage, won, lost, snooze, add note, and "and N more".

The change is decided in the request (`services.nudging.clicks`); the DM is then re-rendered
from the database and its message updated in place, so the clicked line says what was done
("moved to Proposal by you, 09:14"). Whatever goes wrong is answered in an ephemeral reply
and changes nothing.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from assistant.blocks.common import Reply
from assistant.blocks.nudges import (
    BLOCK_PREFIX,
    LOST_ACTION,
    MORE_ACTION,
    NEXT_ACTION,
    NOTE_ACTION,
    NOTE_BLOCK,
    NOTE_CALLBACK,
    NOTE_INPUT,
    SNOOZE_ACTION,
    SNOOZE_UNTIL_ACTION,
    WON_ACTION,
    full_list,
    note_form,
    nudge_message,
)
from assistant.domain.errors import InvalidInput
from assistant.listeners.actions import send
from assistant.listeners.actor import actor_of
from assistant.listeners.followups import after_deal_change
from assistant.listeners.replies import message_for, reply_for
from assistant.listeners.runtime import Runtime
from assistant.services.context import Services
from assistant.services.nudging import clicks
from assistant.services.nudging.views import stored_view
from assistant.slack.errors import classify

log = logging.getLogger(__name__)

CLICKS = {
    NEXT_ACTION: clicks.NEXT,
    WON_ACTION: clicks.WON,
    LOST_ACTION: clicks.LOST,
    SNOOZE_ACTION: clicks.SNOOZE,
    SNOOZE_UNTIL_ACTION: clicks.SNOOZE,
}


def click_value(action: dict) -> str | None:
    """The item (and snooze choice) a click names, whichever element it came from."""
    if action.get("type") == "overflow":
        return (action.get("selected_option") or {}).get("value")
    if action.get("type") == "datepicker":
        item = str(action.get("block_id") or "").removeprefix(BLOCK_PREFIX)
        return f"{item}:{action.get('selected_date') or ''}"
    return action.get("value")


def refresh(services: Services, client: WebClient, send_id: int) -> None:
    """Re-render the nudge DM from the database, in place."""
    channel, ts = clicks.message_of(services, send_id)
    with services.db.reading() as session:
        view = stored_view(session, send_id)
    if not channel or not ts or view is None:
        return
    payload = nudge_message(view).to_dict()
    try:
        client.chat_update(channel=channel, ts=ts, text=payload["text"], blocks=payload["blocks"])
    except Exception as err:  # the change is made; the DM shows it on the next click
        log.warning("nudge %s not updated: %s", send_id, classify(err).reason)


def click_listener(runtime: Runtime):
    def handle_nudge_click(ack, body: dict, action: dict, client: WebClient, respond) -> None:
        ack()
        actor = actor_of(body, runtime, client)
        action_id = action.get("action_id") or ""
        try:
            done = clicks.press(runtime.services, actor, CLICKS[action_id], click_value(action))
        except Exception as err:
            reply = reply_for(err, f"nudge button {action_id}")
            runtime.followups.submit(lambda: send(respond, reply))
            return
        runtime.followups.submit(lambda: refresh(runtime.services, client, done.send_id))
        if done.deal is not None:
            runtime.followups.submit(
                lambda: after_deal_change(runtime.services, client, actor, done.deal, done.move)
            )

    return handle_nudge_click


def note_listener(runtime: Runtime):
    def handle_nudge_note(ack, body: dict, action: dict, client: WebClient, respond) -> None:
        ack()
        actor = actor_of(body, runtime, client)
        try:
            target = clicks.check(runtime.services, actor, clicks.item_id_of(action.get("value")))
            form = note_form(target.item_id, f"A note on deal #{target.number}")
            client.views_open(trigger_id=body.get("trigger_id"), view=form)
        except Exception as err:
            reply = reply_for(err, "nudge note button")
            runtime.followups.submit(lambda: send(respond, reply))

    return handle_nudge_note


def more_listener(runtime: Runtime):
    def handle_nudge_more(ack, body: dict, action: dict, client: WebClient, respond) -> None:
        ack()
        actor = actor_of(body, runtime, client)
        try:
            reply = more_reply(runtime.services, actor, action.get("value"))
        except Exception as err:
            reply = reply_for(err, "nudge more button")
        runtime.followups.submit(lambda: send(respond, reply))

    return handle_nudge_more


def more_reply(services: Services, actor, value: str | None) -> Reply:
    send_id = clicks.item_id_of(value)
    with services.db.reading() as session:
        view = stored_view(session, send_id, listed_only=False)
    if view is None or view.team_id != actor.team_id or view.user_id != actor.user_id:
        raise InvalidInput(clicks.STALE)
    return full_list(view)


def note_submission(runtime: Runtime):
    def handle_nudge_note_submission(ack, body: dict, view: dict, client: WebClient) -> None:
        actor = actor_of(body, runtime, client)
        values = (view.get("state") or {}).get("values") or {}
        text = ((values.get(NOTE_BLOCK) or {}).get(NOTE_INPUT) or {}).get("value") or ""
        try:
            item_id = clicks.item_id_of(view.get("private_metadata"))
            done = clicks.add_note(runtime.services, actor, item_id, text)
        except Exception as err:
            message = message_for(err, "nudge note form")
            ack(response_action="errors", errors={NOTE_BLOCK: message.replace("`", "")[:150]})
            return
        ack()
        runtime.followups.submit(lambda: refresh(runtime.services, client, done.send_id))

    return handle_nudge_note_submission


def register(app: App, runtime: Runtime) -> None:
    for action_id in CLICKS:
        app.action(action_id)(click_listener(runtime))
    app.action(NOTE_ACTION)(note_listener(runtime))
    app.action(MORE_ACTION)(more_listener(runtime))
    app.view(NOTE_CALLBACK)(note_submission(runtime))
