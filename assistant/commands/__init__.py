"""One module per slash command; each exposes `COMMANDS`, a `CommandSet`."""

from __future__ import annotations

from slack_bolt import App

from assistant.commands.framework import CommandSet
from assistant.commands.listener import command_listener
from assistant.slack.runtime import Runtime


def all_command_sets() -> list[CommandSet]:
    # Imported here so that each module may itself list the others (`/sales help`).
    from assistant.commands import deal, digest, funnel, lead, pipeline, sales

    return [m.COMMANDS for m in (deal, lead, pipeline, funnel, digest, sales)]


def find_command_set(command: str) -> CommandSet | None:
    return next((c for c in all_command_sets() if c.command == command), None)


def may_change_data(body: dict) -> bool:
    """Whether a delivery may change data: every event and interaction, and each slash
    command whose subcommand is not marked read-only (`Subcommand.writes`)."""
    if not body.get("command"):
        return True
    command_set = find_command_set(body["command"])
    return command_set is None or command_set.changes_data(body.get("text") or "")


def register(app: App, runtime: Runtime) -> None:
    for command_set in all_command_sets():
        app.command(command_set.command)(command_listener(command_set, runtime))
