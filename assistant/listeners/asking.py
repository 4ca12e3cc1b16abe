"""Questions in plain words: an @mention in a channel (answered in its thread) or a direct
message to the bot (answered in the DM), and the buttons those answers carry.

Events are acknowledged at once; the answer is worked out and posted on the follow-up pool.
What is never answered: other bots (and the bot itself), edits, deletions and any other
message subtype, and DMs' cousins that arrive twice (a mention inside a DM comes as a message
too; only the message is answered). Retried deliveries are dropped by the replay check like
every other event.
"""

from __future__ import annotations

import json
import logging
import re

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from assistant.ask import Understood
from assistant.ask.codec import loads
from assistant.blocks.ask import CANCEL, CONFIRM, RUN
from assistant.blocks.common import Reply, error_reply
from assistant.commands import ask as asking
from assistant.commands import find_command_set
from assistant.commands.ask import Runner
from assistant.listeners.actions import send
from assistant.listeners.actor import actor_of
from assistant.listeners.commands import invocations
from assistant.listeners.people import learn_names
from assistant.listeners.replies import answer, reply_for
from assistant.listeners.runtime import Runtime
from assistant.services import asking as conversations
from assistant.services.asking import DM
from assistant.services.context import Actor
from assistant.slack.errors import classify

log = logging.getLogger(__name__)
_MENTIONED = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
OUT_OF_DATE = "That button is out of date; ask again."


def runner(runtime: Runtime, client: WebClient, actor: Actor, channel_id: str) -> Runner:
    """Run a command's text as if `actor` had typed it in `channel_id`."""

    def run(command: str, text: str) -> Reply:
        command_set = find_command_set(command)
        if command_set is None:  # only from a forged button: the parser writes real commands
            return error_reply(f"I don't know the command `{command[:20]}`.")
        factory = invocations(runtime, client, actor, command_set, channel_id)
        return answer(command_set, factory, text)

    return run


def _answerable(event: dict, context: BoltContext) -> bool:
    user = event.get("user")
    return (
        not event.get("subtype")  # edits, deletions, joins, bot messages, file shares
        and not event.get("bot_id")
        and isinstance(user, str)
        and bool(user)
        and user != context.bot_user_id
        and isinstance(event.get("text"), str)
        and isinstance(event.get("channel"), str)
    )


def question_listener(runtime: Runtime, *, direct: bool):
    def handle_question(body: dict, event: dict, context: BoltContext, client: WebClient) -> None:
        if not _answerable(event, context):
            return
        in_dm = event.get("channel_type") == "im" or event["channel"].startswith("D")
        if in_dm != direct:  # a mention in a DM also arrives as a message: answer that one
            return
        runtime.followups.submit(lambda: _answer(runtime, body, event, context, client, direct))

    handle_question.__name__ = "handle_direct_message" if direct else "handle_app_mention"
    return handle_question


def _answer(
    runtime: Runtime,
    body: dict,
    event: dict,
    context: BoltContext,
    client: WebClient,
    direct: bool,
) -> None:
    services, channel, text = runtime.services, event["channel"], event["text"]
    # A channel question opens a thread (or continues the one it was asked in); a DM answers
    # in place, or in the thread it was asked in.
    thread = event.get("thread_ts") or ("" if direct else event.get("ts") or "")
    key = thread or DM
    try:
        actor = actor_of(body, runtime, client)
        learn_names(runtime, client, actor.team_id, [actor.user_id, *_MENTIONED.findall(text)])
        previous = conversations.previous_question(services, actor, channel, key)
        if previous is None and direct and key != DM:
            previous = conversations.previous_question(services, actor, channel, DM)
        asked = asking.ask(
            services, actor, text, runner(runtime, client, actor, channel),
            previous=previous, bot_user_id=context.bot_user_id or "",
        )  # fmt: skip
        if asked.understood is not None:
            conversations.remember_question(services, actor, channel, key, asked.understood)
        reply = asked.reply
    except Exception as err:  # the asker always hears back
        reply = reply_for(err, "question")
    _post(client, channel, thread, reply)


def _post(client: WebClient, channel: str, thread: str, reply: Reply) -> None:
    payload = reply.to_dict()
    try:
        client.chat_postMessage(
            channel=channel, thread_ts=thread or None, text=payload["text"],
            blocks=payload.get("blocks"),
        )  # fmt: skip
    except Exception as err:
        log.warning("answer to a question not posted: %s", classify(err).reason)


def _conversation(body: dict) -> tuple[str, str]:
    """(channel, conversation key) of the message a button is on."""
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    channel_id = channel.get("id") if isinstance(channel.get("id"), str) else ""
    thread = message.get("thread_ts")
    if isinstance(thread, str) and thread:
        return channel_id, thread
    return channel_id, DM if channel_id.startswith("D") else str(message.get("ts") or DM)


def _confirmation(value: object) -> tuple[Understood, str] | None:
    """The change and token a Confirm button carries; None for anything forged or stale."""
    try:
        data = json.loads(value if isinstance(value, str) else "")
        understood, token = loads(data.get("run")), data.get("token")
    except (ValueError, AttributeError):
        return None
    if understood is None or not isinstance(token, str) or not token:
        return None
    return understood, token


def _answer_click(runtime: Runtime, what: str, respond, reply_to) -> None:
    """After the ack: work out the reply to a click (None: the button was stale or forged)
    and send it; whatever fails is answered, never raised."""

    def work() -> None:
        try:
            reply = reply_to() or error_reply(OUT_OF_DATE)
        except Exception as err:
            reply = reply_for(err, what)
        send(respond, reply)

    runtime.followups.submit(work)


def choice_listener(runtime: Runtime):
    """A choice of a question back, or a suggested question: answered in place."""

    def handle_ask_choice(ack, body: dict, action: dict, client: WebClient, respond) -> None:
        ack()

        def reply_to() -> Reply | None:
            understood = loads(action.get("value"))
            if understood is None:
                return None
            actor = actor_of(body, runtime, client)
            channel, key = _conversation(body)
            asked = asking.run_choice(understood, runner(runtime, client, actor, channel))
            if asked.understood is not None and channel:
                conversations.remember_question(
                    runtime.services, actor, channel, key, asked.understood
                )
            asked.reply.replace_original = True
            return asked.reply

        _answer_click(runtime, "question choice", respond, reply_to)

    return handle_ask_choice


def confirm_listener(runtime: Runtime):
    def handle_ask_confirm(ack, body: dict, action: dict, client: WebClient, respond) -> None:
        ack()

        def reply_to() -> Reply | None:
            found = _confirmation(action.get("value"))
            if found is None:
                return None
            actor = actor_of(body, runtime, client)
            run = runner(runtime, client, actor, _conversation(body)[0])
            return asking.confirm(runtime.services, actor, *found, run)

        _answer_click(runtime, "confirmed change", respond, reply_to)

    return handle_ask_confirm


def cancel_listener(runtime: Runtime):
    def handle_ask_cancel(ack, body: dict, action: dict, client: WebClient, respond) -> None:
        ack()

        def reply_to() -> Reply | None:
            token = action.get("value")
            if not isinstance(token, str) or not token:
                return None
            return asking.cancel(runtime.services, actor_of(body, runtime, client), token)

        _answer_click(runtime, "cancelled change", respond, reply_to)

    return handle_ask_cancel


def register(app: App, runtime: Runtime) -> None:
    app.event("app_mention")(question_listener(runtime, direct=False))
    app.event("message")(question_listener(runtime, direct=True))
    app.action(re.compile(rf"^{RUN}_\d+$"))(choice_listener(runtime))
    app.action(CONFIRM)(confirm_listener(runtime))
    app.action(CANCEL)(cancel_listener(runtime))
