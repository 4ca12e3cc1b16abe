"""The Bolt listener shared by every slash command.

With `process_before_response=True` the reply travels in the HTTP response to Slack's
request itself: no extra Web API call, and no polling for `ack()`. Anything slow is handed
to the runtime's follow-up pool from inside the handler and runs after the answer.
"""

from __future__ import annotations

from slack_sdk import WebClient

from assistant.commands.framework import CommandSet, Invocation
from assistant.services.request_memo import one_read_per_request
from assistant.slack.runtime import Runtime


def command_listener(command_set: CommandSet, runtime: Runtime):
    def handle_command(ack, body: dict, client: WebClient) -> None:
        team_id = body.get("team_id") or ""
        user_id = body.get("user_id") or ""
        actor = runtime.actor(client, team_id, user_id)

        def invocation(tokens: list[str], share: bool) -> Invocation:
            return Invocation(
                services=runtime.services,
                actor=actor,
                command=command_set.command,
                args=tokens,
                channel_id=body.get("channel_id") or "",
                share=share,
                trigger_id=body.get("trigger_id"),
                after_reply=runtime.followups.submit,
                slack=client,
            )

        # The handler's services share one read of the workspace and its stages.
        with one_read_per_request():
            reply = command_set.run(invocation, body.get("text") or "")
        ack(**reply.to_dict())

    handle_command.__name__ = f"handle_{command_set.command.strip('/')}"
    return handle_command
