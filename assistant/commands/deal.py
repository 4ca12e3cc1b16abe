"""`/deal` (being built)."""

from assistant.commands.framework import CommandSet

COMMANDS = CommandSet(command="/deal", summary="arrives shortly.", subcommands=[])
