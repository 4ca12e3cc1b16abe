"""What runs before every listener: each Slack delivery is handled once, and no failure ever
reaches Slack as an HTTP 500.

Slack retries an event it thinks was not received (X-Slack-Retry-Num), Socket Mode can
deliver one twice, and a captured signed request can be replayed within the 5-minute
signature window. Each is recognised by a key (event id; trigger id of a command, button
press or form submission) recorded in the database (`services/deliveries.py`). Slash
commands that only read are not checked (`Subcommand.writes`): recording a key is a write
transaction, and a read answered twice changes nothing. A command that writes records its key
in the transaction of its change (one write transaction, not two: on SQLite each takes the
one writer lock), or, if it made none, before anything runs after its reply: `once_per_command`,
which wraps the command's listener.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltResponse

from assistant.blocks.common import Reply
from assistant.commands import may_change_data
from assistant.listeners.actor import team_of
from assistant.listeners.replies import reply_for
from assistant.listeners.runtime import Runtime
from assistant.logsafe import clip
from assistant.services.deliveries import (
    ALREADY,
    RepeatedDelivery,
    first_delivery,
    record_in,
)
from assistant.storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)


def delivery_key(body: dict) -> str | None:
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"
    # A captured form submission or button press replayed within the signature window
    # must not create a second deal; each interaction has its own trigger id.
    if body.get("type") in ("view_submission", "block_actions") and body.get("trigger_id"):
        return f"{body['type']}:{body['trigger_id']}"
    return None


def once_per_delivery(runtime: Runtime):
    def skip_repeated_delivery(body: dict, next) -> BoltResponse | None:
        if body.get("command"):
            return next()  # checked by the command's listener, with its change (once_per_command)
        key = delivery_key(body) if may_change_data(body) else None
        # Kept with its workspace (buttons and forms name it under "team"), so a purge finds it.
        if key is not None and not _is_first(runtime, key, team_of(body) or None):
            log.info("ignoring a repeated delivery: %s", clip(key))
            return BoltResponse(status=200, body="")
        return next()

    return skip_repeated_delivery


def once_per_command(runtime: Runtime, body: dict, run: Callable[[], Reply]) -> dict:
    """The reply of a slash command run once per delivery: a command that may change data
    records its key in its first write transaction, or, if it made none, right after (Bolt
    runs listeners after the middleware returns, so this wraps the listener itself). A repeat
    changes nothing (its transaction rolls back) and is answered ALREADY."""
    key = delivery_key(body) if may_change_data(body) else None
    if key is None:
        return run().to_dict()
    db = runtime.services.db
    with db.first_write(record_in(runtime.services, key, body.get("team_id"))):
        reply = run()
        try:
            db.settle_first_write()
        except RepeatedDelivery:
            log.info("ignoring a repeated delivery: %s", key)
            return {"response_type": "ephemeral", "text": ALREADY}
        except DatabaseUnavailable:
            pass  # the command answered the outage itself
    return reply.to_dict()


def _is_first(runtime: Runtime, key: str, team_id: str | None) -> bool:
    try:
        return first_delivery(runtime.services, key, team_id)
    except DatabaseUnavailable:
        # Let the listener run: it answers "temporarily unavailable" rather than silence.
        return True


def answer_anyway(error: Exception, body: dict) -> BoltResponse:
    """Listeners answer their own errors; this is the net under the net. Slack gets a 200
    with a friendly line rather than a 500 it would show as `operation_timeout`."""
    reply = reply_for(error, "a listener")
    return BoltResponse(status=200, body=reply.to_dict())


def register(app: App, runtime: Runtime) -> None:
    app.use(once_per_delivery(runtime))
    app.error(answer_anyway)
