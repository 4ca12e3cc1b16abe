"""How a slash command is turned into a reply.

Each command module declares its subcommands (name, usage, example, handler); this module
parses the text, dispatches, and maps every failure to a friendly ephemeral reply: a
domain error says what to fix and shows the usage, an outage says to retry, and anything
unexpected is logged with a reference the user can quote. No exception reaches Bolt, so
Slack never sees an HTTP 500.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import get_close_matches

from assistant.blocks.common import (
    IN_CHANNEL,
    Reply,
    error_reply,
    escape,
    section,
    sections_from_lines,
    unescape,
)
from assistant.domain.errors import DomainError
from assistant.domain.tokens import split_args
from assistant.services.context import Actor, Services
from assistant.storage.database import DatabaseUnavailable

log = logging.getLogger(__name__)

SHARE_WORD = "share"
MAX_COMMAND_TEXT = 4000
# NUL can't be stored in PostgreSQL text and other control characters only garble replies;
# tabs and newlines stay (they separate words).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Invocation:
    """Everything a subcommand handler may use; built once per request."""

    services: Services
    actor: Actor
    command: str
    args: list[str]
    channel_id: str
    share: bool = False
    trigger_id: str | None = None
    # Runs work after Slack has its answer (feed posts, App Home refreshes, charts).
    after_reply: Callable[[Callable[[], None]], None] = lambda job: job()
    # Slack side effects the handler needs (open a modal, post a file); None in the demo.
    slack: object | None = None


Handler = Callable[[Invocation], Reply]


def _take_share(tokens: list[str], free_text: bool) -> tuple[list[str], bool]:
    """`share` anywhere posts the reply in the channel; in free text (a note, a reason) only
    as the last word, so that a note saying "please share the deck" stays a note."""
    if free_text:
        if tokens and tokens[-1].casefold() == SHARE_WORD:
            return tokens[:-1], True
        return tokens, False
    kept = [t for t in tokens if t.casefold() != SHARE_WORD]
    return kept, len(kept) != len(tokens)


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    example: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    # Ends in text the user writes (a note, a reason): words there are kept as typed.
    free_text: bool = False
    # False only for subcommands that just read. Their deliveries skip the replay check
    # (app.py), which is a write transaction: on SQLite every read would otherwise queue on
    # the one writer lock. A replayed read changes nothing, and its answer goes back to
    # whoever replayed it, not to Slack. New subcommands are checked until marked.
    writes: bool = True


@dataclass
class CommandSet:
    """One slash command and its subcommands."""

    command: str
    summary: str
    subcommands: list[Subcommand]
    # Run when no subcommand is named (`/pipeline`, `/pipeline share`); with
    # `default_takes_args`, also when the words are the default's arguments (`/funnel 7d`).
    default: str | None = None
    default_takes_args: bool = False
    _index: dict[str, Subcommand] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        for sub in self.subcommands:
            for name in (sub.name, *sub.aliases):
                self._index[name] = sub

    def find(self, name: str) -> Subcommand | None:
        return self._index.get(name.casefold())

    def route(self, text: str) -> tuple[Subcommand | None, list[str], bool]:
        """(subcommand, its words, `share` as the first word); no subcommand means help or an
        unknown word, which the words tell apart."""
        clean = CONTROL_CHARACTERS.sub("", unescape(text or ""))
        tokens = split_args(clean[:MAX_COMMAND_TEXT])
        share = bool(tokens) and tokens[0].casefold() == SHARE_WORD
        tokens = tokens[1:] if share else tokens
        first = tokens[0].casefold() if tokens else ""
        sub = self.find(first) if tokens else None
        if sub is not None:
            return sub, tokens[1:], share
        if first in ("help", "?"):
            return None, tokens, share
        if self.default is not None and (not tokens or self.default_takes_args):
            return self.find(self.default), tokens, share
        return None, tokens, share

    def changes_data(self, text: str) -> bool:
        """Whether `text` may change data: its subcommand's `writes`; help and unknown words
        change nothing. If reading the words failed, run() would answer the failure; until
        then it counts as a change, to be safe."""
        try:
            sub, _, _ = self.route(text)
        except Exception:
            return True
        return sub.writes if sub is not None else False

    def run(self, invocation_factory: Callable[[list[str], bool], Invocation], text: str) -> Reply:
        """Parse `text`, run the subcommand, and never raise."""
        sub: Subcommand | None = None
        try:
            sub, tokens, share = self.route(text)
            if sub is None:
                if not tokens:
                    return self.help_reply()
                first = tokens[0].casefold()
                if first in ("help", "?"):
                    return self.help_reply(tokens[1] if len(tokens) > 1 else None)
                return self.unknown_reply(first)
            tokens, shared = _take_share(tokens, sub.free_text)
            share = share or shared
            reply = sub.handler(invocation_factory(tokens, share))
            if share:
                reply.response_type = IN_CHANNEL
            return reply
        except DomainError as err:
            return error_reply(escape(err.message), sub.usage if sub else None)
        except DatabaseUnavailable:
            log.warning("database unavailable during %s", self.command, exc_info=True)
            return error_reply(
                "The sales database is temporarily unavailable, so nothing was changed. "
                "Please try again in a minute."
            )
        except Exception:
            reference = uuid.uuid4().hex[:8]
            log.exception("command %s failed (ref %s)", self.command, reference)
            return error_reply(
                f"Something went wrong on our side and nothing was changed (ref `{reference}`)."
            )

    def unknown_reply(self, word: str) -> Reply:
        names = [s.name for s in self.subcommands]
        close = get_close_matches(word, names, n=1)
        hint = f" Did you mean `{self.command} {close[0]}`?" if close else ""
        reply = self.help_reply()
        message = f":warning: Unknown subcommand `{escape(word)}`.{hint}"
        reply.text = message + "\n" + reply.text
        reply.blocks.insert(0, section(message))
        return reply

    def help_reply(self, topic: str | None = None) -> Reply:
        if topic:
            sub = self.find(topic)
            if sub is not None:
                text = (
                    f"*{self.command} {sub.name}*: {sub.summary}\n"
                    f"Usage: `{escape(sub.usage)}`\nExample: `{escape(sub.example)}`"
                )
                return Reply(text=text, blocks=[section(text)])
        lines = [f"*{self.command}*: {self.summary}"]
        for sub in self.subcommands:
            lines.append(f"• `{escape(sub.usage)}`\n    {sub.summary} e.g. `{escape(sub.example)}`")
        lines.append(
            f"Add `share` to post the answer in the channel. `{self.command} help &lt;sub&gt;`."
        )
        text = "\n".join(lines)
        return Reply(text=text, blocks=sections_from_lines(lines))
