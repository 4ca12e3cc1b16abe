"""The slash commands: one module per command, each exposing `COMMANDS`, a `CommandSet`.

Commands read the words, call the services and render the answer with `blocks`; they never
talk to Bolt. The edge (`listeners/`) and the demo console run them.
"""

from __future__ import annotations

from assistant.commands import deal, digest, funnel, lead, nudge, pipeline, sales
from assistant.commands.framework import CommandSet

COMMAND_SETS: tuple[CommandSet, ...] = tuple(
    m.COMMANDS for m in (deal, lead, pipeline, funnel, digest, nudge, sales)
)


def all_command_sets() -> list[CommandSet]:
    return list(COMMAND_SETS)


def find_command_set(command: str) -> CommandSet | None:
    return next((c for c in COMMAND_SETS if c.command == command), None)


def may_change_data(body: dict) -> bool:
    """Whether a delivery may change data: every event and interaction, and each slash
    command whose subcommand is not marked read-only (`Subcommand.writes`)."""
    if not body.get("command"):
        return True
    command_set = find_command_set(body["command"])
    return command_set is None or command_set.changes_data(body.get("text") or "")
