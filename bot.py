"""Sales Assistant for Slack — command line.

python bot.py                 serve Slack (HTTP, or Socket Mode with SLACK_APP_TOKEN)
python bot.py scheduler       run the digest scheduler alone
python bot.py demo [COMMAND]  try it without Slack on a seeded local database
python bot.py import deals|leads FILE.csv   ·   python bot.py export deals|leads|history
python bot.py db upgrade|check|current
"""

from __future__ import annotations

import argparse
import logging
import sys

from assistant.config import MissingSetting, load_settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["demo"]:
        # The demo has its own options (--reset, --as, --database); hand it the rest as is.
        from assistant.demo.console import main as demo_main

        return demo_main(argv[1:])
    if argv[:1] in (["import"], ["export"]):
        return _transfer(argv)
    parser = argparse.ArgumentParser(prog="python bot.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="serve Slack (the default)")
    sub.add_parser("scheduler", help="run the digest scheduler alone")
    db_parser = sub.add_parser("db", help="database migrations")
    db_parser.add_argument("action", choices=["upgrade", "check", "current"])
    args, _rest = parser.parse_known_args(argv)

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = load_settings()
        if args.command == "db":
            return _db(settings, args.action)
        if args.command == "scheduler":
            from assistant.server import run_scheduler

            run_scheduler(settings)
            return 0
        return _serve(settings)
    except MissingSetting as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


def _transfer(argv: list[str]) -> int:
    from assistant.transfer import cli

    try:
        settings = load_settings()
    except MissingSetting as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    _upgrade_quietly(settings.database_url)
    return cli.main(argv, settings.database_url, default_timezone=settings.timezone)


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


if __name__ == "__main__":
    sys.exit(main())
