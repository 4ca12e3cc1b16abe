"""How a slash command's text becomes a reply.

Each command module declares its subcommands (name, usage, example, handler); this module
reads the text, routes it to a subcommand and runs it. What goes wrong is raised, and the edge
(`listeners/replies.py`) turns it into the reply, so every door into a command (Slack, the demo
console) answers failures the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from assistant.blocks.common import (
    IN_CHANNEL,
    Reply,
    escape,
    section,
    sections_from_lines,
    unescape,
)
from assistant.domain.suggest import closest
from assistant.domain.text import strip_control
from assistant.domain.tokens import split_args
from assistant.services import people
from assistant.services.context import Actor, Services
from assistant.services.views import DealView, MoveResult

SHARE_WORD = "share"
MAX_COMMAND_TEXT = 4000


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
    # Runs work after Slack has its answer (charts, posts).
    after_reply: Callable[[Callable[[], None]], None] = lambda job: job()
    # Makes a reply after the answer and sends it where the answer went (a slash command's
    # response_url), failures answered as any reply is; for a reply that may take longer than
    # Slack's 3 s. None where the answer may take its time (questions, the demo console).
    answer_later: Callable[[Callable[[], Reply]], None] | None = None
    # Tells whoever should hear of a changed deal (the feed, App Homes, a new owner), after
    # the answer: (deal, the move if it moved, whether it was just handed to its owner).
    deal_changed: Callable[[DealView, MoveResult | None, bool], None] = lambda *_: None
    # Asks Slack for the names of users the bot has not met, or met over a day ago (the edge;
    # nothing in the demo): (the ids a reply shows, what is known of them).
    learn_names: Callable[[list[str], people.KnownNames], None] = lambda ids, known: None
    # Every command, for help that lists them all (`/sales help`).
    catalog: Sequence[CommandSet] = ()
    # The Web API client, for what the handler asks of Slack itself (open a form, upload a
    # chart); None in the demo console, which has no Slack.
    slack: object | None = None

    def names(self, ids: Iterable[str | None]) -> dict[str, str]:
        """Names for the people a reply shows where mentions don't render (code tables):
        Slack users by their name, owners imported by name as themselves."""
        wanted = [i for i in dict.fromkeys(ids) if i]
        team = self.actor.team_id
        known = people.known_names_of(self.services, team, wanted)
        self.learn_names(wanted, known)
        names = known.names
        if known.missing:  # Slack was just asked for them: read what it said
            names = people.known_names_of(self.services, team, wanted).names
        return {i: names.get(i, i) for i in wanted}


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


class Routed(NamedTuple):
    subcommand: Subcommand | None
    tokens: list[str]
    share: bool


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

    def route(self, text: str) -> Routed:
        """The subcommand the text names (None for help or an unknown word), its words, and
        whether `share` was the first word."""
        clean = strip_control(unescape(text or ""))
        tokens = split_args(clean[:MAX_COMMAND_TEXT])
        share = bool(tokens) and tokens[0].casefold() == SHARE_WORD
        tokens = tokens[1:] if share else tokens
        first = tokens[0].casefold() if tokens else ""
        sub = self.find(first) if tokens else None
        if sub is not None:
            return Routed(sub, tokens[1:], share)
        if first in ("help", "?"):
            return Routed(None, tokens, share)
        if self.default is not None and (not tokens or self.default_takes_args):
            return Routed(self.find(self.default), tokens, share)
        return Routed(None, tokens, share)

    def changes_data(self, text: str) -> bool:
        """Whether `text` may change data: its subcommand's `writes`; help and unknown words
        change nothing. If reading the words failed, the command would answer the failure;
        until then it counts as a change, to be safe."""
        try:
            sub = self.route(text).subcommand
        except Exception:
            return True
        return sub.writes if sub is not None else False

    def execute(
        self, routed: Routed, invocation_factory: Callable[[list[str], bool], Invocation]
    ) -> Reply:
        """Run what `route` found: the subcommand, or help, or "unknown, did you mean"."""
        sub, tokens, share = routed
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

    def unknown_reply(self, word: str) -> Reply:
        names = [s.name for s in self.subcommands]
        close = closest(word, names)
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
