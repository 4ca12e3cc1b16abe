"""`python bot.py import deals|leads FILE.csv` and `python bot.py export deals|leads|history`.

bot.py calls `main(sys.argv[1:], settings.database_url)` for the `import` and `export`
commands. Exit status: 0 done (with --partial, also when bad rows were skipped), 1 rows with
problems (nothing imported), 2 a problem with the command, the file or the database,
130 interrupted (nothing imported).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from assistant.services.context import utc_now
from assistant.storage.database import Database, DatabaseUnavailable
from assistant.transfer.exporter import KINDS, export_csv
from assistant.transfer.importer import ImportOptions, ImportReport, import_csv
from assistant.transfer.progress import Progress
from assistant.transfer.rows import DEFAULT_OWNER
from assistant.transfer.scope import LOCAL_TEAM, TransferError

MAX_ERRORS_SHOWN = 100
VENDORS = {
    "hubspot": "a HubSpot export",
    "salesforce": "a Salesforce export",
    "pipedrive": "a Pipedrive export",
    "ours": "our own export",
    "generic": "a CSV file",
}


def _pair(text: str) -> tuple[str, str]:
    their, sep, ours = text.rpartition("=")
    if not sep or not their.strip():
        raise argparse.ArgumentTypeError(f'expected "their name=our name", got `{text}`')
    return their.strip(), ours.strip()


def import_parser(prog: str = "python bot.py import") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Import deals or leads from a CSV file: our own export, or an export "
        "from HubSpot, Salesforce or Pipedrive (their column and stage names are recognised).",
    )
    parser.add_argument("kind", choices=["deals", "leads"])
    parser.add_argument("file", help="the CSV file")
    parser.add_argument("--team", help="the Slack team id (default: the only workspace)")
    parser.add_argument(
        "--map", action="append", type=_pair, default=[], metavar='"COLUMN=FIELD"',
        help="read a column as one of our fields (name, amount, stage, owner, created_at, "
        "entered:<stage>, ignore, ...); repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--stage-map", action="append", type=_pair, default=[], metavar='"THEIRS=OURS"',
        help="map one of their stage names to one of ours; repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--owner-map", action="append", type=_pair, default=[], metavar='"NAME=U123"',
        help="map an owner name or email in the file to a Slack user id; repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--default-owner", default=DEFAULT_OWNER, help="owner of deals the file gives none"
    )
    parser.add_argument("--dry-run", action="store_true", help="check and count; write nothing")
    parser.add_argument("--partial", action="store_true", help="import the good rows anyway")
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--day-first", action="store_true",
        help="for date columns that read either way: 03/04/2025 is 3 April",
    )  # fmt: skip
    order.add_argument(
        "--month-first", action="store_true",
        help="for date columns that read either way: 03/04/2025 is 4 March",
    )  # fmt: skip
    parser.add_argument("--encoding", default="utf-8-sig", help="the file's text encoding")
    _progress_flags(parser)
    return parser


def export_parser(prog: str = "python bot.py export") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Export as CSV.")
    parser.add_argument("kind", choices=list(KINDS))
    parser.add_argument("--team", help="the Slack team id (default: the only workspace)")
    parser.add_argument("--output", "-o", help="write to this file (default: standard output)")
    _progress_flags(parser)
    return parser


def _progress_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--progress", dest="progress", action="store_true", default=None,
        help="show a progress bar on standard error (default: when it is a terminal)",
    )  # fmt: skip
    group.add_argument("--no-progress", dest="progress", action="store_false", help="never")


def _progress(args, stderr: TextIO) -> Progress:
    enabled = args.progress if args.progress is not None else _isatty(stderr)
    return Progress(stderr, enabled)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def run_import(
    argv: list[str],
    database_url: str,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    clock: Callable[[], datetime] = utc_now,
    default_timezone: str = "UTC",
) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    args = _parse(import_parser(), argv, stderr)
    if isinstance(args, int):
        return args
    options = ImportOptions(
        kind=args.kind,
        team_id=args.team,
        column_map=dict(args.map),
        stage_map=dict(args.stage_map),
        owner_map=dict(args.owner_map),
        default_owner=args.default_owner,
        dry_run=args.dry_run,
        partial=args.partial,
        day_first=args.day_first,
        month_first=args.month_first,
        encoding=args.encoding,
    )
    source = sys.stdin if args.file == "-" else args.file
    progress = _progress(args, stderr)
    database = Database(database_url)
    try:
        report = import_csv(
            database, source, options, now=clock(), default_timezone=default_timezone,
            progress=progress,
        )  # fmt: skip
    except (TransferError, DatabaseUnavailable) as err:
        progress.finish()
        print(f"error: {err}", file=stderr)
        return 2
    except SQLAlchemyError as err:
        progress.finish()
        print(
            f"error: the database refused the import, nothing was imported: {_short(err)}",
            file=stderr,
        )
        return 2
    except KeyboardInterrupt:
        progress.finish()
        print("interrupted: nothing was imported", file=stderr)
        return 130
    finally:
        database.dispose()
    return _print_report(report, options, stdout, stderr)


def _short(err: SQLAlchemyError) -> str:
    """The driver's message without SQLAlchemy's SQL dump and background link."""
    text = str(getattr(err, "orig", None) or err).strip().splitlines()
    hint = " (is the database migrated? `python bot.py db upgrade`)"
    message = text[0] if text else type(err).__name__
    return message + (hint if "no such table" in message or "does not exist" in message else "")


def _print_report(report: ImportReport, options: ImportOptions, stdout, stderr) -> int:
    for warning in report.warnings:
        print(f"warning: {warning}", file=stderr)
    for line in grouped_errors(report.errors):
        print(line, file=stderr)
    what = f"{VENDORS.get(report.vendor, 'a CSV file')}"
    bad = len(report.errors)
    if bad and not options.partial:
        print(
            f"Nothing imported: {bad:,} of {report.rows:,} rows have problems. Fix them, or "
            f"pass --partial to import the {report.valid:,} good rows.",
            file=stderr,
        )
        return 1
    kind = options.kind
    counts = f"{report.inserted:,} new, {report.updated:,} updated, {report.unchanged:,} unchanged"
    skipped = f"; skipped {bad} rows with problems" if bad else ""
    if options.dry_run:
        print(f"Dry run, nothing written. {report.rows} rows read from {what}.", file=stdout)
        print("Columns:", file=stdout)
        for line in report.columns:
            print(f"  {line}", file=stdout)
        for line in report.date_orders:
            print(f"  dates in {line}", file=stdout)
        print(f"Would import {kind} into {report.team_id}: {counts}{skipped}.", file=stdout)
        return 0
    rate = report.valid / report.seconds if report.seconds else 0
    print(
        f"Imported {report.valid:,} {kind} from {what} into {report.team_id}: {counts}{skipped}.",
        file=stdout,
    )
    print(f"Took {report.seconds:.1f} s ({rate:,.0f} rows/s).", file=stdout)
    if report.team_id == LOCAL_TEAM and report.created_workspace:
        print(
            f"The database had no workspace, so this one is local ({LOCAL_TEAM}): look at it "
            "with `python bot.py console`; once the bot is in Slack, attach it to your team "
            "with `python bot.py attach T0123ABCD` (your Slack team id).",
            file=stdout,
        )
    return 0


def grouped_errors(errors, shown: int = MAX_ERRORS_SHOWN) -> list[str]:
    """One line per problem: a problem of many rows (an unknown stage, say) is printed once,
    with how many rows and which lines, not once per row."""
    lines_of: dict[str, list[int]] = {}
    for error in errors:
        lines_of.setdefault(error.message, []).append(error.line)
    out = []
    for message, lines in list(lines_of.items())[:shown]:
        if len(lines) == 1:
            out.append(f"line {lines[0]}: {message}")
        else:
            listed = ", ".join(str(n) for n in lines[:5])
            more = f" and {len(lines) - 5:,} more" if len(lines) > 5 else ""
            out.append(f"{len(lines):,} rows (lines {listed}{more}): {message}")
    if len(lines_of) > shown:
        out.append(f"... and {len(lines_of) - shown} more problems")
    return out


def run_export(
    argv: list[str],
    database_url: str,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    args = _parse(export_parser(), argv, stderr)
    if isinstance(args, int):
        return args
    progress = _progress(args, stderr)
    database = Database(database_url)
    try:
        if args.output:
            count = _export_to_file(database, args, Path(args.output), clock(), progress)
            print(f"Exported {count} {args.kind} rows to {args.output}.", file=stderr)
        else:
            export_csv(
                database, args.kind, stdout, team_id=args.team, now=clock(), progress=progress
            )
    except BrokenPipeError:  # `export ... | head`: the reader has all it wanted
        _silence(stdout)
        return 0
    except (TransferError, DatabaseUnavailable, OSError) as err:
        progress.finish()
        print(f"error: {err}", file=stderr)
        return 2
    except SQLAlchemyError as err:
        progress.finish()
        print(f"error: {_short(err)}", file=stderr)
        return 2
    finally:
        database.dispose()
    return 0


def _silence(stream: TextIO) -> None:
    """Point a closed pipe at /dev/null so the interpreter's final flush doesn't complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _export_to_file(database: Database, args, path: Path, now: datetime, progress) -> int:
    """Write next to the target and rename, so a failed export never leaves half a file."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            count = export_csv(
                database, args.kind, out, team_id=args.team, now=now, progress=progress
            )
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def _parse(parser: argparse.ArgumentParser, argv: list[str], stderr: TextIO):
    """argparse exits on bad usage; here that becomes a return code, as callers expect."""
    saved = sys.stderr
    sys.stderr = stderr
    try:
        return parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    finally:
        sys.stderr = saved


def main(
    argv: list[str],
    database_url: str,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    clock: Callable[[], datetime] = utc_now,
    default_timezone: str = "UTC",
) -> int:
    """`import ...` or `export ...`, as typed after `python bot.py`."""
    stderr = stderr or sys.stderr
    if not argv or argv[0] not in ("import", "export"):
        print(
            "usage: python bot.py import deals|leads FILE.csv | export deals|leads|history",
            file=stderr,
        )
        return 2
    if argv[0] == "import":
        return run_import(
            argv[1:], database_url, stdout=stdout, stderr=stderr, clock=clock,
            default_timezone=default_timezone,
        )  # fmt: skip
    return run_export(argv[1:], database_url, stdout=stdout, stderr=stderr, clock=clock)
