"""`/pipeline` (being built)."""

from assistant.commands.framework import CommandSet

COMMANDS = CommandSet(command="/pipeline", summary="arrives shortly.", subcommands=[])
