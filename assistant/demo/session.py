"""One console line -> the same command handlers Slack reaches -> the reply as text.

A line is typed the way it would be in Slack (`/deal list stuck`, the slash optional);
`@ana` and `#sales` become the mention tokens Slack would send, and the text is escaped as
Slack escapes it, so the handlers see exactly what they see in production.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from assistant.ask import Understood
from assistant.blocks.common import IN_CHANNEL, Reply, error_reply, escape
from assistant.commands import COMMAND_SETS, find_command_set
from assistant.commands.ask import ask as ask_question
from assistant.commands.framework import Invocation
from assistant.demo.mrkdwn import DIM, Style
from assistant.demo.render import render_reply
from assistant.demo.sample import (
    CHANNELS,
    DEMO_CHANNEL,
    DEMO_USER,
    MANAGER,
    MARKETER,
    PEOPLE,
    REPS,
)
from assistant.domain.suggest import closest
from assistant.listeners.replies import answer
from assistant.services.context import Actor, Services

log = logging.getLogger(__name__)

# Exit codes of a one-shot run, for scripts.
OK, REFUSED, UNKNOWN = 0, 1, 2
_MENTION = re.compile(r"(?<![\w<&|])@([A-Za-z][\w.-]*)")
_CHANNEL = re.compile(r"(?<![\w<&|])#([A-Za-z][\w-]*)")
DEMO_WORDS = ("help", "people", "digest", "nudges", "ask", "quit")


@dataclass
class DemoSession:
    services: Services
    actor: Actor
    out: TextIO
    style: Style = field(default_factory=Style)
    digests: Callable[[], int] | None = None
    nudges: Callable[[str], int] | None = None  # `nudges [@rep]`
    previous: Understood | None = None  # the last question understood, for follow-ups

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def run_line(self, line: str) -> int:
        """Run one line; the exit code a one-shot run would end with."""
        if not line.strip():
            return OK
        word, rest = [*line.split(maxsplit=1), ""][:2]
        name = word.casefold()
        if name in ("help", "?", "/help") and not rest:
            self.print(self.help_text())
            return OK
        if name in ("people", "who"):
            self.print(self.people_text())
            return OK
        if name in ("digest", "digests") and not rest and self.digests is not None:
            return self.digests()
        if name == "nudges" and self.nudges is not None:
            return self.nudges(rest)
        if name == "ask":
            return self.ask(rest)
        command_set = find_command_set("/" + name.lstrip("/"))
        if command_set is None:
            commands = {c.command.lstrip("/"): c.command for c in COMMAND_SETS}
            close = closest(name.lstrip("/"), [*commands, *DEMO_WORDS])
            hint = f" Did you mean `{commands.get(close[0], close[0])}`?" if close else ""
            self.print(f"Unknown command `{word}`.{hint} Type `help` to see the commands.")
            return UNKNOWN
        reply = answer(command_set, self._invocations(command_set.command), slack_text(rest))
        self.show(reply)
        return REFUSED if reply.text.startswith(":warning:") else OK

    def show(self, reply: Reply) -> None:
        self.print(render_reply(reply, self.style))
        if reply.response_type == IN_CHANNEL:
            self.print(self.style.wrap(f"(posted in #{CHANNELS[DEMO_CHANNEL]} for everyone)", DIM))

    def ask(self, question: str) -> int:
        """`ask what's stuck in proposal`: the question as a mention or a DM would put it."""

        def run(command: str, text: str) -> Reply:
            command_set = find_command_set(command)
            if command_set is None:
                return error_reply(f"I don't know the command `{command[:20]}`.")
            return answer(command_set, self._invocations(command), text)

        asked = ask_question(
            self.services, self.actor, slack_text(question), run, previous=self.previous
        )
        self.previous = asked.understood or self.previous
        self.show(asked.reply)
        if asked.proposed is not None:  # no buttons to click here
            note = f"(in the console, type the command to do it: {asked.proposed.display})"
            self.print(self.style.wrap(note, DIM))
        return REFUSED if asked.reply.text.startswith(":warning:") else OK

    def _invocations(self, command: str) -> Callable[[list[str], bool], Invocation]:
        def invocation(tokens: list[str], share: bool) -> Invocation:
            return Invocation(
                services=self.services,
                actor=self.actor,
                command=command,
                args=tokens,
                channel_id=DEMO_CHANNEL,
                share=share,
                after_reply=_after_reply,
                catalog=COMMAND_SETS,
            )

        return invocation

    def help_text(self) -> str:
        lines = ["Type a slash command as you would in Slack (the slash is optional):"]
        for command_set in COMMAND_SETS:
            lines.append(f"  {command_set.command:<10} {command_set.summary}")
        lines += [
            "  e.g. /pipeline bottlenecks · /deal list stuck · /funnel sources · /sales help",
            "  /<command> help     the subcommands of one command",
            "Demo only:",
            "  ask <question>      ask in your own words, as in a DM to the bot: ask what's stuck?",
            "  digest              print the pipeline and funnel digests, save their charts",
            "  nudges [@rep]       this morning's nudge DMs, one per rep (/nudge for yours)",
            "  people              who is who (mention them as @ana; channels as #sales)",
            "  quit                leave (or Ctrl-D)",
        ]
        return "\n".join(lines)

    def people_text(self) -> str:
        you = PEOPLE[self.actor.user_id]
        reps = ", ".join("@" + PEOPLE[r] for r in REPS)
        return (
            f"Reps: {reps} · manager: @{PEOPLE[MANAGER]} · marketer: @{PEOPLE[MARKETER]} · "
            f"admin: @{PEOPLE[DEMO_USER]}\nYou are @{you}. Channels: "
            + ", ".join("#" + c for c in CHANNELS.values())
        )


def slack_text(text: str) -> str:
    """Text as Slack would deliver it: entities escaped, known people and channels linked."""
    by_name = {name: user for user, name in PEOPLE.items()}
    by_channel = {name: cid for cid, name in CHANNELS.items()}
    text = escape(text)

    def user(match: re.Match[str]) -> str:
        found = by_name.get(match.group(1).casefold())
        return f"<@{found}|{match.group(1)}>" if found else match.group(0)

    def channel(match: re.Match[str]) -> str:
        found = by_channel.get(match.group(1).casefold())
        return f"<#{found}|{match.group(1)}>" if found else match.group(0)

    return _CHANNEL.sub(channel, _MENTION.sub(user, text))


def _after_reply(job: Callable[[], None]) -> None:
    """Follow-up work (feed posts, App Home) needs Slack; here it may fail quietly."""
    try:
        job()
    except Exception:  # no Slack in the demo; the reply has been shown already
        log.info("follow-up skipped in the demo", exc_info=True)
