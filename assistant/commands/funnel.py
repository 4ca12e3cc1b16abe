"""`/funnel` (being built)."""

from assistant.commands.framework import CommandSet

COMMANDS = CommandSet(command="/funnel", summary="arrives shortly.", subcommands=[])
