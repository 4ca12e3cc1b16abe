"""`/lead` (being built)."""

from assistant.commands.framework import CommandSet

COMMANDS = CommandSet(command="/lead", summary="arrives shortly.", subcommands=[])
