"""Slash commands: one Bolt listener per command, answering in the HTTP response itself.

With `process_before_response=True` the reply travels in the response to Slack's request: no
extra Web API call, and no polling for `ack()`. Anything slow is handed to the runtime's
follow-up pool by the handler and runs after the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from assistant.blocks.common import IN_CHANNEL, Reply
from assistant.commands import COMMAND_SETS
from assistant.commands.framework import CommandSet, Invocation
from assistant.listeners.actor import actor_of
from assistant.listeners.followups import after_deal_change
from assistant.listeners.middleware import once_per_command
from assistant.listeners.people import learn_names
from assistant.listeners.replies import answer, reply_for
from assistant.listeners.runtime import Runtime
from assistant.services.context import Actor
from assistant.services.views import DealView, MoveResult

log = logging.getLogger(__name__)
RESPOND_TIMEOUT = 10  # seconds


def invocations(
    runtime: Runtime,
    client: WebClient,
    actor: Actor,
    command_set: CommandSet,
    channel_id: str,
    trigger_id: str | None = None,
    response_url: str | None = None,
) -> Callable[[list[str], bool], Invocation]:
    """How a command's handler gets its Invocation, whether typed or asked for in words."""

    def after_reply(job: Callable[[], None]) -> None:
        # A command's replay key is recorded with its first change (once_per_command);
        # work after the reply must not run twice for a replay, so the key is recorded first.
        runtime.services.db.settle_first_write()
        runtime.followups.submit(job)

    def deal_changed(deal: DealView, move: MoveResult | None, handed_over: bool) -> None:
        runtime.followups.submit(
            lambda: after_deal_change(runtime, client, actor, deal, move, handed_over=handed_over)
        )

    def answer_later(share: bool) -> Callable[[Callable[[], Reply]], None] | None:
        if not response_url:
            return None

        def later(make: Callable[[], Reply]) -> None:
            after_reply(lambda: _respond(response_url, make, command_set.command, share))

        return later

    def invocation(tokens: list[str], share: bool) -> Invocation:
        return Invocation(
            services=runtime.services,
            actor=actor,
            command=command_set.command,
            args=tokens,
            channel_id=channel_id,
            share=share,
            trigger_id=trigger_id,
            after_reply=after_reply,
            answer_later=answer_later(share),
            deal_changed=deal_changed,
            learn_names=lambda ids, known: learn_names(runtime, client, actor.team_id, ids, known),
            catalog=COMMAND_SETS,
            slack=client,
        )

    return invocation


def command_listener(command_set: CommandSet, runtime: Runtime):
    def handle_command(ack, body: dict, client: WebClient) -> None:
        actor = actor_of(body, runtime, client)
        channel_id, trigger_id = body.get("channel_id") or "", body.get("trigger_id")
        invocation = invocations(runtime, client, actor, command_set, channel_id, trigger_id,
                                 body.get("response_url"))  # fmt: skip
        text = body.get("text") or ""
        ack(**once_per_command(runtime, body, lambda: answer(command_set, invocation, text)))

    handle_command.__name__ = f"handle_{command_set.command.strip('/')}"
    return handle_command


def _respond(response_url: str, make: Callable[[], Reply], where: str, share: bool) -> None:
    """Make a reply after the answer and send it to the command's response_url (good for 30
    minutes), in the channel when the command said `share`."""
    try:
        reply = make()
    except Exception as err:  # answered like any failure, only later
        reply = reply_for(err, where)
    if share:
        reply.response_type = IN_CHANNEL
    try:
        sent = WebhookClient(response_url, timeout=RESPOND_TIMEOUT).send_dict(reply.to_dict())
        if sent.status_code != 200:
            log.warning("late answer to %s refused: HTTP %s", where, sent.status_code)
    except Exception as err:
        log.warning("late answer to %s not sent: %s", where, type(err).__name__)


def register(app: App, runtime: Runtime) -> None:
    for command_set in COMMAND_SETS:
        app.command(command_set.command)(command_listener(command_set, runtime))
