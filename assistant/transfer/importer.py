"""Import deals or leads from a CSV file: read and validate every row, then write once.

Nothing is written until every row has been checked; by default one bad row stops the whole
import (`partial=True` imports the good rows). The write is one transaction, so an import
that fails or is killed half-way leaves the database as it was.
"""

from __future__ import annotations

import csv
import io
import itertools
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select

from assistant.domain.errors import UnknownStage
from assistant.domain.stage_match import match_stage
from assistant.domain.stages import LOST, WON
from assistant.domain.text import CONTROL_CHARACTERS, is_slack_user_id, strip_control
from assistant.records import batch
from assistant.services.workspaces import ensure_workspace
from assistant.storage.bulk import large_cache
from assistant.storage.database import Database
from assistant.storage.models import Workspace
from assistant.transfer import writer
from assistant.transfer.columns import DEALS, LEADS, ColumnMap, HeaderError, map_columns
from assistant.transfer.gcpause import collector_paused
from assistant.transfer.own_rows import own_deal_parser
from assistant.transfer.progress import Progress
from assistant.transfer.rows import (
    DEFAULT_OWNER,
    Record,
    RowContext,
    RowProblems,
    parse_deal,
    parse_lead,
)
from assistant.transfer.scope import Scope, TransferError, load_scope
from assistant.transfer.stages_map import DEAL_STAGES, LIFECYCLE_STAGES, StageResolver, squash
from assistant.transfer.updates import deal_differs, lead_differs, update_deal, update_lead
from assistant.transfer.values import AmbiguousDates, dates_are_day_first

csv.field_size_limit(10 * 1024 * 1024)  # long notes and histories in one cell
DATE_FIELDS = ("created_at", "close_date", "closed_at", "won_at", "lost_at", "stage_changed_at",
               "action_at")  # fmt: skip


@dataclass(frozen=True)
class ImportOptions:
    kind: str  # deals | leads
    team_id: str | None = None
    column_map: Mapping[str, str] = field(default_factory=dict)  # their column -> our field
    stage_map: Mapping[str, str] = field(default_factory=dict)  # their stage -> our stage
    owner_map: Mapping[str, str] = field(default_factory=dict)  # their owner -> Slack user id
    default_owner: str = DEFAULT_OWNER
    dry_run: bool = False
    partial: bool = False
    day_first: bool = False  # for columns whose dates read either way
    month_first: bool = False
    encoding: str = "utf-8-sig"


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    kind: str
    team_id: str = ""
    vendor: str = ""
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    date_orders: list[str] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    created_workspace: bool = False
    seconds: float = 0.0

    @property
    def valid(self) -> int:
        return self.rows - len(self.errors)


def import_csv(
    db: Database,
    source: str | Path | TextIO,
    options: ImportOptions,
    *,
    now: datetime,
    default_timezone: str = "UTC",
    progress: Progress | None = None,
) -> ImportReport:
    """Import one file; raises TransferError for problems with the file or command as a whole."""
    with collector_paused():
        return _import(db, source, options, now, default_timezone, progress)


def _import(db, source, options: ImportOptions, now, default_timezone, progress) -> ImportReport:
    started = time.monotonic()
    progress = progress or Progress(io.StringIO(), enabled=False)
    report = ImportReport(options.kind)
    with db.reading() as session:
        scope = load_scope(session, options.team_id, default_timezone)
    report.team_id = scope.team_id
    with _Source(source, options.encoding) as (text, binary, size):
        rows = _reader(text)
        headers = next(rows, None)
        if not headers:
            raise TransferError("the file is empty")
        try:
            columns = map_columns(options.kind, headers, options.column_map)
        except HeaderError as err:
            raise TransferError(str(err)) from None
        report.vendor, report.columns = columns.vendor, columns.describe(headers)
        ctx = _context(columns, scope, options, now, report.warnings)
        if columns.ignored:
            shown = ", ".join(f"`{h}`" for h in columns.ignored[:10])
            more = f" and {len(columns.ignored) - 10} more" if len(columns.ignored) > 10 else ""
            report.warnings.append(f"columns not imported: {shown}{more}")
        progress.start("reading", size or 0)
        lines = _read_all(rows, progress, binary)
        progress.finish()
    ctx.day_first = _date_orders(columns, lines, options, report)
    records = _validate(lines, ctx, options.kind, report)
    _say_unlinked_owners(records, options, report)
    records = _one_record_per_row(db, scope, options.kind, records, report)
    if report.errors and not options.partial:
        report.seconds = time.monotonic() - started
        return report
    positions = {key: i for i, key in enumerate(ctx.stages.keys)}
    if options.dry_run:
        _classify(db, scope, options.kind, records, positions, report)
    elif records:
        progress.start("writing", len(records))
        _write(db, scope, options.kind, records, positions, now, report, progress)
        progress.finish()
        report.written = True
    report.seconds = time.monotonic() - started
    return report


class _Source:
    """A text stream over a path or a given stream, with the byte position for progress."""

    def __init__(self, source, encoding: str) -> None:
        self.source, self.encoding = source, encoding
        self.binary: BinaryIO | None = None

    def __enter__(self):
        if not isinstance(self.source, str | Path):
            return self.source, None, None
        path = Path(self.source)
        try:
            self.binary = path.open("rb")
        except OSError as err:
            raise TransferError(f"can't read {path}: {err.strerror}") from None
        magic = self.binary.read(4)
        self.binary.seek(0)
        if magic in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):
            raise TransferError(f"{path} is a spreadsheet workbook; save or export it as CSV")
        text = io.TextIOWrapper(self.binary, encoding=self.encoding, newline="")
        return text, self.binary, path.stat().st_size

    def __exit__(self, *exc) -> None:
        if self.binary is not None:
            self.binary.close()


def _reader(text: TextIO):
    try:
        first = text.readline()
    except UnicodeDecodeError:
        raise TransferError("the file isn't UTF-8 text; try --encoding cp1252") from None
    # Spreadsheets in many locales save with `;`; tab-separated files are common too.
    delimiter = max((",", ";", "\t"), key=lambda d: (first.count(d), d == ","))
    # strict: a quote that is never closed is an error with its line, not the rest of the
    # file read as one cell.
    return csv.reader(itertools.chain([first], text), delimiter=delimiter, strict=True)


def _context(columns: ColumnMap, scope: Scope, options: ImportOptions, now, warnings) -> RowContext:
    deals = options.kind == DEALS
    stages = scope.pipeline if deals else scope.funnel
    overrides = {}
    for their, ours in options.stage_map.items():
        try:
            overrides[their] = match_stage(ours, stages, allow_outcomes=deals)
        except UnknownStage as err:
            raise TransferError(f'--stage-map "{their}={ours}": {err.message}') from None
    resolver = StageResolver(
        stages, DEAL_STAGES if deals else LIFECYCLE_STAGES, overrides, (WON, LOST) if deals else ()
    )
    dated = []
    for index, stage in columns.stage_dates:
        try:
            dated.append((index, resolver.resolve(stage)))
        except Exception as err:  # StageNotFound: the column is left out, and said so
            warnings.append(f"column `{columns.headers[index]}` not imported: {err}")
    return RowContext(
        columns=columns,
        stages=resolver,
        zone=ZoneInfo(scope.timezone),
        currency=scope.currency,
        now=now,
        # Slack users the workspace knows by name or e-mail, then the file's own --owner-map.
        owner_map=scope.people | {squash(k): v.strip() for k, v in options.owner_map.items()},
        default_owner=options.default_owner,
        dated_columns=dated,
    )


def _say_unlinked_owners(records: list[Record], options: ImportOptions, report) -> None:
    """Owners named in the file who are not linked to a Slack user stay as named (tables and
    the console show them by name); the report says who, and how to link them."""
    counts = Counter(rec.values.get("owner_id") for rec in records)
    unlinked = sorted(
        (owner for owner in counts if owner and owner != options.default_owner
         and not is_slack_user_id(owner)),
        key=lambda owner: -counts[owner],
    )  # fmt: skip
    if not unlinked:
        return
    listed = ", ".join(unlinked[:5]) + (
        f" and {len(unlinked) - 5} more" if len(unlinked) > 5 else ""
    )
    who = (
        "1 owner is not a Slack user yet and is"
        if len(unlinked) == 1
        else f"{len(unlinked)} owners are not Slack users yet and are"
    )
    report.warnings.append(
        f"{who} kept by name ({listed}); link them with "
        f'--owner-map "{unlinked[0]}=U012ABCDEF" (their Slack user id)'
    )


def _read_all(rows, progress, binary) -> list[tuple[int, list[str]]]:
    """Every non-blank row with its line number: each date column's order is decided from all
    of its values before any row is read as a record."""
    lines: list[tuple[int, list[str]]] = []
    line = rows.line_num + 1
    try:
        for cells in rows:
            if any(map(str.strip, cells)):  # not a blank line
                if CONTROL_CHARACTERS.search("".join(cells)):
                    # As commands and the form do: NUL can't even be stored in PostgreSQL.
                    cells = [strip_control(cell) for cell in cells]
                lines.append((line, cells))
            line = rows.line_num + 1
            if binary is not None and len(lines) % 1000 == 0:
                progress.set(binary.tell())
    except UnicodeDecodeError:
        raise TransferError(f"line {line} isn't UTF-8 text; try --encoding cp1252") from None
    except csv.Error as err:
        raise TransferError(f"line {line}: the CSV is malformed ({err})") from None
    return lines


def _date_orders(columns: ColumnMap, lines, options: ImportOptions, report) -> dict[int, bool]:
    """Per date column, whether it writes day first, told by its own values. A column whose
    dates all read either way follows --day-first or --month-first, and without either is
    read month first with a warning that says so."""
    indexes = {columns.fields[f]: f for f in DATE_FIELDS if columns.has(f)}
    indexes |= {index: f"entered:{stage}" for index, stage in columns.stage_dates}
    orders: dict[int, bool] = {}
    for index in sorted(indexes):
        header = columns.headers[index]
        texts = (cells[index] for _, cells in lines if index < len(cells))
        try:
            day_first = dates_are_day_first(texts)
        except AmbiguousDates:
            day_first = options.day_first
            if not (options.day_first or options.month_first):
                report.warnings.append(
                    f'column "{header}" has only dates like 03/04/2025, which read either way; '
                    "read month first (4 March would be --day-first)"
                )
        except ValueError as err:
            raise TransferError(f'column "{header}" {err}') from None
        if day_first is not None:
            orders[index] = day_first
            report.date_orders.append(f'"{header}": {"day" if day_first else "month"} first')
    return orders


def _validate(lines, ctx: RowContext, kind: str, report: ImportReport) -> list[Record]:
    parse = parse_deal if kind == DEALS else parse_lead
    # Rows of our own export are read by a fast parser; any other row, or one with a
    # problem, by parse_deal / parse_lead, whose messages the report shows.
    quick = own_deal_parser(ctx) if kind == DEALS else None
    records: list[Record] = []
    seen: dict[str, int] = {}
    numbers: dict[int, int] = {}
    key_header = _key_header(ctx.columns, kind)
    width = len(ctx.columns.headers)
    for line, cells in lines:
        report.rows += 1
        try:
            if len(cells) != width:
                raise RowProblems([_ragged(len(cells), width)])
            rec = (quick and quick(cells, line)) or parse(cells, line, ctx)
        except RowProblems as err:
            report.errors.append(RowError(line, "; ".join(err.problems)))
            continue
        if rec.key and rec.key in seen:
            what = key_header if not rec.key.startswith("id:") else "record id"
            shown = rec.key.removeprefix("id:")
            report.errors.append(RowError(line, f"same {what} `{shown}` as line {seen[rec.key]}"))
        elif rec.number and rec.number in numbers:
            message = f"same number `{rec.number}` as line {numbers[rec.number]}"
            report.errors.append(RowError(line, message))
        else:
            if rec.key:
                seen[rec.key] = line
            if rec.number:
                numbers[rec.number] = line
            records.append(rec)
    return records


def _one_record_per_row(db, scope: Scope, kind: str, records, report) -> list[Record]:
    """Two lines of a file that name one existing record (one by its record id, the other by
    our number, say) would both change it: the later line is an error, and left out."""
    if not records or scope.workspace_id is None:
        return records
    with db.reading() as session:
        existing = writer.match_existing(session, kind, scope.workspace_id, records)
    first_line: dict[int, int] = {}
    doubled = set()
    for line in sorted(existing):
        row = existing[line]
        if row.id in first_line:
            what = "deal" if kind == DEALS else "lead"
            prefix = "#" if kind == DEALS else "L"
            report.errors.append(
                RowError(line, f"names the same {what} ({prefix}{row.number}) as line "
                         f"{first_line[row.id]}")
            )  # fmt: skip
            doubled.add(line)
        else:
            first_line[row.id] = line
    return [rec for rec in records if rec.line not in doubled]


def _ragged(cells: int, width: int) -> str:
    """A row that does not line up with the header: its values would land in the wrong
    columns, so it is refused rather than read."""
    more_or_fewer = "more" if cells > width else "fewer"
    return f"{cells} cells where the header has {width} ({more_or_fewer} than the columns)"


def _key_header(columns: ColumnMap, kind: str) -> str:
    name = "external_id" if kind == DEALS else "email"
    index = columns.fields.get(name)
    return f'"{columns.headers[index]}"' if index is not None else name


def _changed(kind: str, existing: dict, by_line: dict, positions) -> list:
    """The existing rows the file changes, as (row, record)."""
    pairs = [(row, by_line[line]) for line, row in existing.items()]
    if kind == DEALS:
        return [(row, rec) for row, rec in pairs if deal_differs(row, rec)]
    return [(row, rec) for row, rec in pairs if lead_differs(row, rec, positions)]


def _classify(db, scope: Scope, kind, records, positions, report: ImportReport) -> None:
    with db.reading() as session:
        existing = writer.match_existing(session, kind, scope.workspace_id, records)
    by_line = {rec.line: rec for rec in records}
    report.updated = len(_changed(kind, existing, by_line, positions))
    report.unchanged = len(existing) - report.updated
    report.inserted = len(records) - len(existing)


def _write(db, scope: Scope, kind, records, positions, now, report, progress) -> None:
    with db.transaction() as session, large_cache(session):
        workspace = ensure_workspace(session, scope.team_id, now, scope.timezone)
        report.created_workspace = scope.workspace_id is None
        # One import per workspace at a time: a second one waits here, then sees these rows.
        session.execute(select(Workspace.id).where(Workspace.id == workspace.id).with_for_update())
        existing = writer.match_existing(session, kind, workspace.id, records)
        by_line = {rec.line: rec for rec in records}
        changes = _changed(kind, existing, by_line, positions)
        locked = writer.load_for_update(session, kind, [row.id for row, _ in changes])
        for row, rec in changes:
            current = locked[row.id]  # read again under the lock: the check below is fresh
            if kind == DEALS:
                report.updated += update_deal(session, current, rec, now)
            else:
                report.updated += update_lead(session, current, rec, positions, now)
        report.unchanged = len(existing) - report.updated
        progress.advance(len(existing))
        session.flush()
        new = [rec for rec in records if rec.line not in existing]
        lead_ids: dict[str, int] = {}
        refs = {rec.lead_ref for rec in new if rec.lead_ref}
        if refs:
            lead_ids = writer.resolve_lead_refs(session, workspace.id, refs)
            missing = len(refs - set(lead_ids))
            if missing:
                report.warnings.append(f"{missing} lead references matched no lead; not linked")
        report.inserted = batch.insert_new(
            session, kind, workspace.id, new, now, lead_ids=lead_ids, tick=progress.advance
        )


__all__ = ["LEADS", "ImportOptions", "ImportReport", "RowError", "import_csv"]
