"""The one table from what went wrong to what the user reads.

A domain error is the user's to fix: it says what and shows the usage. An outage says to try
again and that nothing changed. Anything else is ours: logged with a reference the user can
quote, and answered politely. Commands, buttons, the form and the demo console all answer
through here, so no exception ever reaches Slack (which would show a 500 as a timeout).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from assistant.blocks.common import Reply, error_reply, escape
from assistant.commands.framework import CommandSet, Invocation
from assistant.domain.errors import DomainError
from assistant.logsafe import clip
from assistant.storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)

UNAVAILABLE = (
    "The sales database is temporarily unavailable, so nothing was changed. "
    "Please try again in a minute."
)


def message_for(error: Exception, where: str) -> str:
    """The line a user reads about `error`, raised while handling `where`."""
    if isinstance(error, DomainError):
        return escape(error.message)
    if isinstance(error, DatabaseUnavailable):
        log.warning("database unavailable during %s", clip(where), exc_info=error)
        return UNAVAILABLE
    reference = uuid.uuid4().hex[:8]
    log.error("%s failed (ref %s)", clip(where), reference, exc_info=error)
    return f"Something went wrong on our side and nothing was changed (ref `{reference}`)."


def reply_for(error: Exception, where: str, usage: str | None = None) -> Reply:
    usage = usage if isinstance(error, DomainError) else None
    return error_reply(message_for(error, where), usage)


def answer(
    command_set: CommandSet, invocation: Callable[[list[str], bool], Invocation], text: str
) -> Reply:
    """Run a slash command's text and always come back with a reply."""
    usage = None
    try:
        routed = command_set.route(text)
        usage = routed.subcommand.usage if routed.subcommand else None
        return command_set.execute(routed, invocation)
    except Exception as err:  # every failure is answered; none reaches Bolt
        return reply_for(err, command_set.command, usage)
