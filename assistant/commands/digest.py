"""`/digest` (being built)."""

from assistant.commands.framework import CommandSet

COMMANDS = CommandSet(command="/digest", summary="arrives shortly.", subcommands=[])
