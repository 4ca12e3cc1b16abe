"""`python bot.py demo [COMMAND]`: try the bot without Slack.

A console on a seeded local database (`./demo.db`, made the first time, reused after) that
takes the same slash commands as Slack, through the same handlers, and prints the replies
as text. With COMMAND it runs that one line and exits, so it can be scripted:

    python bot.py demo "/pipeline bottlenecks"

Exit codes of a one-shot run: 0 the command answered; 1 the bot refused or did not
understand the input (its reply says why, as it would in Slack); 2 not a command at all,
or the demo could not start (the database is unreachable).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import UTC, datetime
from functools import partial

from sqlalchemy.exc import OperationalError

from assistant.config import load_settings
from assistant.demo import store
from assistant.demo.digests import OUTPUT_DIR, print_digests
from assistant.demo.mrkdwn import Style
from assistant.demo.nudges import print_nudges
from assistant.demo.prompt import repl
from assistant.demo.sample import CHANNELS, DEMO_USER, MANAGER, MARKETER, PEOPLE, REPS, TEAM_ID
from assistant.demo.session import UNKNOWN, DemoSession
from assistant.domain.errors import DomainError, NotFound
from assistant.services.context import Actor, Services, utc_now
from assistant.services.people import slack_names
from assistant.services.workspaces import named_or_only
from assistant.storage.database import Database, DatabaseUnavailable, failure_reason
from assistant.storage.migrate import upgrade_if_needed

LOG_FILE = OUTPUT_DIR / "demo.log"
ROLES = {"admin": DEMO_USER, "rep": REPS[0], "manager": MANAGER, "marketer": MARKETER}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bot.py demo",
        description="Try the Sales Assistant without Slack, on a seeded sample workspace.",
        epilog="Exit codes: 0 answered, 1 refused or bad input, 2 unknown command.",
    )
    parser.add_argument("--database", action="store_true", help="use DATABASE_URL, not demo.db")
    parser.add_argument("--reset", action="store_true", help="seed the sample again")
    parser.add_argument("--as", dest="role", choices=list(ROLES), default="admin")
    parser.add_argument("--seed", type=int, default=store.DEFAULT_SEED, help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
    # A fixed "now" for seeding and answering: the README's examples are made with it.
    parser.add_argument("--now", type=_instant, default=None, help=argparse.SUPPRESS)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="e.g. /pipeline bottlenecks")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as exit_:  # --help, or a bad option (argparse has said why)
        return int(exit_.code or 0)
    _log_to_file()
    try:
        url = load_settings().database_url if args.database else store.local_url()
        if args.reset and not args.database:
            store.remove_local()
        db = Database(url)
    except Exception as err:  # a malformed DATABASE_URL, an unreadable .env
        print(f"The demo cannot open its database: {err}", file=sys.stderr)
        return UNKNOWN
    return _guarded(db, "The demo", lambda: _run(db, args))


def _guarded(db: Database, what: str, run) -> int:
    """Run a console; whatever happens, one line on stderr and an exit code, no traceback."""
    try:
        return run()
    except BrokenPipeError:  # `... | head` stopped reading: nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # a seeding cut short is redone next time (see store)
        print("\nStopped.", file=sys.stderr)
        return 130
    except (DatabaseUnavailable, OperationalError) as err:
        print(f"{what} cannot reach its database: {failure_reason(err)}", file=sys.stderr)
        return UNKNOWN
    except (store.NotTheDemo, DomainError) as err:
        print(f"{what} stopped: {err}", file=sys.stderr)
        return UNKNOWN
    except Exception as err:
        logging.getLogger(__name__).exception("console failed")
        print(f"{what} stopped: {err.__class__.__name__}: {err} (details in {LOG_FILE})")
        return UNKNOWN
    finally:
        db.dispose()


def _run(db: Database, args: argparse.Namespace) -> int:
    seeded = store.prepare(
        db, reset=args.reset, seed=args.seed, scale=args.scale, progress=_progress, now=args.now
    )
    if seeded is not None:
        start = "\r" if sys.stderr.isatty() else ""
        print(
            f"{start}Seeded {seeded.deals:,} deals and {seeded.leads:,} leads over six months "
            f"in {seeded.seconds:.1f} s.{' ' * 20}",
            file=sys.stderr,
        )
    clock = (lambda: args.now) if args.now else utc_now
    services = Services(db=db, clock=clock, admins=frozenset({DEMO_USER}))
    style = Style(names=PEOPLE, channels=CHANNELS, color=_color(sys.stdout))
    session = DemoSession(services, Actor(TEAM_ID, ROLES[args.role]), sys.stdout, style)
    session.digests = partial(print_digests, session)
    session.nudges = partial(print_nudges, session)
    if args.command:
        return session.run_line(" ".join(args.command))
    deals, leads = store.counts(db)
    you = PEOPLE[session.actor.user_id]
    return repl(
        session,
        f"Sales Assistant demo: a sample workspace with {deals:,} deals and {leads:,} leads.\n"
        f"You are @{you}. Type a slash command (try /pipeline bottlenecks), `help`, or `quit`.",
    )


# -- `python bot.py console`: the same console on the configured database, never seeded -----

CONSOLE_USER = "UCONSOLE"  # an admin who is nobody in Slack: the console acts as the owner


def console_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python bot.py console",
        description="The demo's console on your own database (DATABASE_URL): every command, "
        "on the data you imported or that Slack made; nothing is seeded.",
    )
    parser.add_argument("--team", help="the workspace's team id (default: the only one)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="e.g. /pipeline results")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    _log_to_file()
    try:
        settings = load_settings()
        db = Database(settings.database_url)
    except Exception as err:
        print(f"The console cannot open the database: {err}", file=sys.stderr)
        return UNKNOWN
    return _guarded(db, "The console", lambda: _console(db, settings, args))


def _console(db: Database, settings, args: argparse.Namespace) -> int:
    upgrade_if_needed(db)
    with db.reading() as session:
        workspace = named_or_only(session, args.team)
        if workspace is None:
            raise NotFound("the database has no workspace yet: import a file first")
        team_id = workspace.team_id
    services = Services(
        db=db, admins=settings.admins | {CONSOLE_USER}, default_timezone=settings.timezone
    )
    style = Style(names=slack_names(services, team_id), color=_color(sys.stdout))
    session = DemoSession(services, Actor(team_id, CONSOLE_USER), sys.stdout, style)
    session.digests = partial(print_digests, session)
    session.nudges = partial(print_nudges, session)
    if args.command:
        return session.run_line(" ".join(args.command))
    return repl(
        session,
        f"Sales Assistant console on workspace {team_id} ({store.counts_text(db, team_id)}).\n"
        "You act as an admin. Type a slash command (try /pipeline), `help`, or `quit`.",
    )


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _progress(fraction: float) -> None:
    text = "Seeding the demo workspace (six months of deals and leads, done once)"
    if sys.stderr.isatty():
        print(f"\r{text}… {fraction:4.0%}", end="", file=sys.stderr, flush=True)
    elif fraction == 0:
        print(f"{text}…", file=sys.stderr, flush=True)


def _color(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


class _LazyFileHandler(logging.FileHandler):
    """A log file that exists only once something was logged."""

    def _open(self):
        LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def _log_to_file() -> None:
    """Details go to a file: the console shows replies, never a stack trace."""
    handler = _LazyFileHandler(LOG_FILE, delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
