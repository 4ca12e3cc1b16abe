"""The interactive loop: line editing, history and tab completion from `readline`."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from assistant.commands import all_command_sets
from assistant.demo.session import DEMO_WORDS, DemoSession
from assistant.logsafe import clip

log = logging.getLogger(__name__)

HISTORY_FILE = Path("~/.sales_assistant_demo_history").expanduser()
PROMPT = "sales> "
QUIT = ("quit", "exit", "q", ":q")


def repl(session: DemoSession, banner: str) -> int:
    readline = _readline()
    session.print(banner)
    try:
        while True:
            try:
                line = input(PROMPT)
            except (EOFError, KeyboardInterrupt):  # Ctrl-D or Ctrl-C: leave quietly
                session.print()
                return 0
            if line.strip().casefold() in QUIT:
                return 0
            try:
                session.run_line(line)
            except KeyboardInterrupt:
                session.print("(interrupted)")
            except Exception:  # a bug must not end the session with a stack trace
                log.exception("demo line failed: %s", clip(line))
                session.print("Something went wrong; the details are in demo-output/demo.log.")
    finally:
        if readline is not None:
            with contextlib.suppress(OSError):
                readline.write_history_file(HISTORY_FILE)


def _readline():
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input() still works
        return None
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE)
    readline.set_history_length(1000)
    readline.set_completer(_completer(readline))
    readline.set_completer_delims(" ")
    if "libedit" in (readline.__doc__ or ""):  # macOS's readline speaks another dialect
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
    return readline


def _completer(readline):
    commands = {c.command: [s.name for s in c.subcommands] for c in all_command_sets()}

    def complete(text: str, state: int) -> str | None:
        words = readline.get_line_buffer().split()
        if len(words) <= 1 and not readline.get_line_buffer().endswith(" "):
            options = [*commands, *DEMO_WORDS]
        else:
            options = commands.get("/" + words[0].lstrip("/"), [])
        matches = [o + " " for o in options if o.startswith(text)]
        return matches[state] if state < len(matches) else None

    return complete
