"""Sales Assistant for Slack — command line.

python bot.py                 serve Slack (HTTP, or Socket Mode with SLACK_APP_TOKEN)
python bot.py scheduler       run the digest scheduler alone
python bot.py nudges preview [--team T] [--at 2026-12-07T09:00]   what each rep would get
python bot.py nudges send [--team T]                               send the nudges due now
python bot.py demo [COMMAND]  try it without Slack on a seeded sample database
python bot.py console [COMMAND]  the same console on your own database, never seeded
python bot.py import deals|leads FILE.csv   ·   python bot.py export deals|leads|history
python bot.py attach T0123ABCD               give an imported local workspace its Slack team
python bot.py forecast backtest [--team T] [--from DATE] [--to DATE] [--every week|month]
python bot.py db upgrade|check|current
python bot.py purge --team T... --yes       delete one workspace's data now
"""

from __future__ import annotations

import argparse
import logging
import sys

from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

from assistant.config import MissingSetting, load_settings
from assistant.demo.console import console_main
from assistant.demo.console import main as demo_main
from assistant.storage.database import DatabaseUnavailable
from assistant.transfer.scope import LOCAL_TEAM

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The database can't be reached or opened, the URL does not parse, or names a database we
# don't support. (A statement the database refuses is a bug, and keeps its traceback.)
DATABASE_FAILURES = (DatabaseUnavailable, OperationalError, InterfaceError, ArgumentError)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # These have options of their own; each is handed the rest of the line as is.
    if argv[:1] == ["demo"]:
        return demo_main(argv[1:])
    if argv[:1] == ["console"]:
        return console_main(argv[1:])
    if argv[:1] in (["import"], ["export"]):
        return _transfer(argv)
    if argv[:1] == ["forecast"]:
        return _forecast(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python bot.py",
        description=__doc__.splitlines()[0],
        epilog="`python bot.py <command> --help` explains one.",
    )
    sub = parser.add_subparsers(dest="command", metavar="command")
    sub.add_parser("serve", help="serve Slack (the default)")
    sub.add_parser("scheduler", help="run the digest scheduler alone")
    nudges_parser = sub.add_parser("nudges", help="preview or send the personal nudges")
    nudges_parser.add_argument("action", choices=["preview", "send"])
    nudges_parser.add_argument("--team", help="one workspace's Slack team id (T...)")
    nudges_parser.add_argument(
        "--at", type=_instant, help="preview at this moment (ISO; without a zone: local)"
    )
    sub.add_parser("demo", help="try it without Slack: a console on a seeded sample database")
    sub.add_parser("console", help="the same console on your own database (never seeded)")
    sub.add_parser("import", help="import deals or leads from a CSV (HubSpot, Salesforce, ...)")
    sub.add_parser("export", help="export deals, leads or history as CSV")
    sub.add_parser("forecast", help="backtest the forecast on the workspace's history")
    attach_parser = sub.add_parser(
        "attach", help="give a workspace made by an import its Slack team id"
    )
    attach_parser.add_argument("team", help="your Slack team id (T...)")
    attach_parser.add_argument(
        "--from",
        dest="source",
        default=LOCAL_TEAM,
        help=f"the workspace to attach (default: {LOCAL_TEAM})",
    )
    db_parser = sub.add_parser("db", help="database migrations")
    db_parser.add_argument("action", choices=["upgrade", "check", "current"])
    purge_parser = sub.add_parser("purge", help="delete every row of one workspace now")
    purge_parser.add_argument("--team", required=True, help="the Slack team id (T...)")
    purge_parser.add_argument("--yes", action="store_true", help="really delete it")
    args, _rest = parser.parse_known_args(argv)

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    try:
        settings = load_settings()
        if args.command == "db":
            return _db(settings, args.action)
        if args.command == "purge":
            return _purge(settings, args.team, confirmed=args.yes)
        if args.command == "attach":
            return _attach(settings, args.source, args.team)
        if args.command == "nudges":
            from assistant.server import run_nudges

            return run_nudges(settings, args.action, args.team, args.at)
        if args.command == "scheduler":
            from assistant.server import run_scheduler

            run_scheduler(settings)
            return 0
        return _serve(settings)
    except MissingSetting as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except DATABASE_FAILURES as err:
        return _database_failed(err, settings.database_url)
    except KeyboardInterrupt:
        return 0


def _instant(text: str):
    from datetime import datetime

    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a moment like 2026-12-07T09:00"
        ) from None


def _transfer(argv: list[str]) -> int:
    from assistant.transfer import cli

    try:
        settings = load_settings()
        _upgrade_quietly(settings.database_url)
    except MissingSetting as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except DATABASE_FAILURES as err:
        return _database_failed(err, settings.database_url)
    return cli.main(argv, settings.database_url, default_timezone=settings.timezone)


def _database_failed(err: Exception, url: str) -> int:
    """One line and exit status 2 (transfer/cli.py's promise), instead of SQLAlchemy's
    hundred-line traceback, when the database can't be reached or its URL is wrong."""
    from assistant.storage.database import failure_reason, shown_url

    hint = "check DATABASE_URL" if isinstance(err, ArgumentError) else "is it running?"
    print(
        f"error: cannot use the database at {shown_url(url)}: {failure_reason(err)} ({hint})",
        file=sys.stderr,
    )
    return 2


def _forecast(argv: list[str]) -> int:
    """`forecast backtest`: replay the history, forecasting each week or month from what was
    known at its start, and score the forecasts against what happened."""
    from datetime import date

    from assistant.blocks.forecasts import backtest_text
    from assistant.domain.errors import DomainError
    from assistant.services.context import Services
    from assistant.services.forecasts import EVERY, backtest
    from assistant.storage.database import Database

    parser = argparse.ArgumentParser(prog="python bot.py forecast", description=_forecast.__doc__)
    parser.add_argument("action", choices=["backtest"])
    parser.add_argument("--team", help="the workspace (default: the only one)")
    parser.add_argument("--from", dest="start", type=date.fromisoformat, help="YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=date.fromisoformat, help="YYYY-MM-DD")
    parser.add_argument("--every", choices=EVERY, default="month")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except MissingSetting as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    database = None
    try:
        _upgrade_quietly(settings.database_url)
        database = Database(settings.database_url)
        report = backtest(Services(db=database), args.team, args.start, args.end, args.every)
    except DomainError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 2
    except DATABASE_FAILURES as err:
        return _database_failed(err, settings.database_url)
    finally:
        if database is not None:
            database.dispose()
    print(backtest_text(report))
    return 0


def _upgrade_quietly(url: str) -> None:
    """Imports into a brand-new database work like the bot does: schema first."""
    from assistant.storage.database import Database
    from assistant.storage.migrate import upgrade_if_needed

    logging.getLogger("alembic").setLevel(logging.WARNING)
    database = Database(url)
    try:
        upgrade_if_needed(database)
    finally:
        database.dispose()


def _serve(settings) -> int:
    from assistant import server

    if settings.socket_mode:
        server.serve_socket_mode(settings)
    else:
        server.serve_http(settings)
    return 0


def _db(settings, action: str) -> int:
    from assistant.storage import migrate
    from assistant.storage.database import Database

    database = Database(settings.database_url)
    try:
        if action == "upgrade":
            before = migrate.current_revision(database)
            migrate.upgrade(database)
            after = migrate.current_revision(database)
            print(f"database at revision {after}" + (" (no change)" if before == after else ""))
        elif action == "check":
            migrate.check(database)
            print("models and migrations agree")
        else:
            print(migrate.current_revision(database) or "empty database (no revision)")
    finally:
        database.dispose()
    return 0


def _attach(settings, source: str, team: str) -> int:
    from assistant.domain.errors import DomainError
    from assistant.services.context import Services
    from assistant.services.workspaces import attach
    from assistant.storage.database import Database

    _upgrade_quietly(settings.database_url)
    database = Database(settings.database_url)
    try:
        deals = attach(Services(db=database), source, team)
    except DomainError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    print(f"workspace {source} is now Slack team {team} ({deals:,} deals); serve the bot there.")
    return 0


def _purge(settings, team_id: str, *, confirmed: bool) -> int:
    if not confirmed:
        print(
            f"This deletes every deal, lead, digest, setting and token of workspace {team_id}, "
            "and cannot be undone. Run again with --yes to do it.",
            file=sys.stderr,
        )
        return 2
    from assistant.services.context import Services
    from assistant.services.purge import purge_workspace
    from assistant.storage.database import Database

    _upgrade_quietly(settings.database_url)
    database = Database(settings.database_url)
    try:
        purged = purge_workspace(Services(db=database), team_id)
    finally:
        database.dispose()
    print(f"workspace {team_id}: {purged.rows} rows deleted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
