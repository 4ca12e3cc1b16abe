"""The import's fast paths give exactly what the general code gives.

- `own_rows.own_deal_parser` (rows of our own export) returns `rows.parse_deal`'s record for a
  good row and declines every row `parse_deal` has problems with, so the per-row messages
  always come from `parse_deal`;
- `stored.converters` store what the column types' bind processors store.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from assistant.records.batch import CHANGE_COLUMNS, DEAL_COLUMNS
from assistant.storage.models import Change, Deal
from assistant.storage.stored import converters
from assistant.transfer import importer
from assistant.transfer.columns import map_columns
from assistant.transfer.own_rows import own_deal_parser
from assistant.transfer.rows import RowProblems, parse_deal
from assistant.transfer.scope import load_scope

HEADER = [
    "external_id", "name", "company", "amount", "currency", "owner", "stage", "status",
    "lost_reason", "close_date", "created_at", "stage_entered_at", "closed_at", "source",
    "campaign", "stage_history",
]  # fmt: skip
HISTORY = (
    "stage_key:prospecting@2025-01-02T09:00:00+00:00; status:open@2025-01-02T09:00:00+00:00; "
    "stage_key:qualification@2025-01-05T10:30:00+00:00"
)
CLOSED = HISTORY + "; status:lost@2025-02-01T08:00:00+00:00"
GOOD = {
    "external_id": "D-1", "name": "Acme renewal", "company": "Acme", "amount": "1200.50",
    "currency": "USD", "owner": "U123", "stage": "qualification", "status": "open",
    "lost_reason": "", "close_date": "2025-03-01", "created_at": "2025-01-02T09:00:00+00:00",
    "stage_entered_at": "2025-01-05T10:30:00+00:00", "closed_at": "", "source": "Web",
    "campaign": "", "stage_history": HISTORY,
}  # fmt: skip
LOST = GOOD | {"status": "lost", "lost_reason": "Price", "stage_history": CLOSED,
               "closed_at": "2025-02-01T08:00:00+00:00"}  # fmt: skip

# Each changes one cell of a good row: some are fine in other forms, most are problems.
VARIANTS = [
    {},
    {"name": ""},
    {"name": "x" * 201},
    {"name": "  Acme \t renewal  "},
    {"name": "'=Acme"},
    {"company": "y" * 201},
    {"amount": "12,000"},
    {"amount": "12000 EUR"},
    {"amount": "twelve"},
    {"amount": ""},
    {"currency": "EUR"},
    {"currency": "usd"},
    {"owner": "Jane  Smith"},
    {"owner": "o" * 40},
    {"stage": "Qualification"},
    {"stage": "nowhere"},
    {"stage": ""},
    {"status": ""},
    {"status": "Won"},
    {"status": "maybe"},
    {"created_at": "2025-01-02"},
    {"created_at": "1/2/2025"},
    {"created_at": "2025-13-02"},
    {"created_at": "20250102"},
    {"created_at": "2025-01-02T10:00:00+01:00"},
    {"close_date": "2025-03-01T23:30:00-05:00"},
    {"close_date": "3/1/2025"},
    {"close_date": "soon"},
    {"stage_entered_at": "bad"},
    {"stage_entered_at": "2025-01-06 11:00"},
    {"stage_history": ""},
    {"stage_history": "nonsense"},
    {"stage_history": "stage_key:prospecting@2025-01-02T09:00:00"},
    {"stage_history": "stage_key:prospecting@2025-01-02T09:00:00+00:00"},
    {"stage_history": HISTORY.replace("qualification", "nowhere")},
    {"stage_history": HISTORY.replace("status:open", "status:weird")},
    {"stage_history": " ; " + HISTORY + " ;"},
    {"stage_history": CLOSED},
    {"external_id": "e" * 101},
]


def _context(db, header):
    with db.reading() as session:
        scope = load_scope(session, "T_FAST", "Europe/Berlin")
    columns = map_columns("deals", header, {})
    now = datetime(2026, 3, 1, tzinfo=UTC)
    return importer._context(columns, scope, importer.ImportOptions(kind="deals"), now, [])


def _rows() -> list[list[str]]:
    rows = []
    for base in (GOOD, LOST):
        for variant in VARIANTS:
            rows.append([(base | variant)[name] for name in HEADER])
    rows.append([GOOD[name] for name in HEADER[:5]])  # a short row
    return rows


def test_own_rows_give_parse_deals_records_or_leave_the_row_to_it(db):
    ctx = _context(db, HEADER)
    quick = own_deal_parser(ctx)
    assert quick is not None
    taken = 0
    for line, cells in enumerate(_rows(), start=2):
        try:
            expected = parse_deal(cells, line, ctx)
        except RowProblems:
            expected = None
        got = quick(cells, line)
        if got is not None:
            taken += 1
            assert got == expected, cells
            assert list(got.values) == list(expected.values)
    assert taken >= 10  # the fast path is really used


def test_other_files_have_no_fast_parser(db):
    assert own_deal_parser(_context(db, ["Deal Name", "Deal Stage", "Amount"])) is None
    without_history = [h for h in HEADER if h != "stage_history"]
    assert own_deal_parser(_context(db, without_history)) is None


def test_import_reports_the_same_problems_with_the_fast_path(db, monkeypatch, tmp_path):
    path = tmp_path / "deals.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        out.writerows(_rows())
    options = importer.ImportOptions(kind="deals", team_id="T_FAST", dry_run=True)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    fast = importer.import_csv(db, str(path), options, now=now)
    monkeypatch.setattr(importer, "own_deal_parser", lambda ctx: None)
    slow = importer.import_csv(db, str(path), options, now=now)
    assert fast.errors and [str(e) for e in fast.errors] == [str(e) for e in slow.errors]


TIMES = [
    datetime(2025, 1, 2, 9, 0, tzinfo=UTC),
    datetime(2025, 1, 2, 9, 0, 0, 1, tzinfo=UTC),
    datetime(2025, 1, 2, 9, 0, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
    datetime(2025, 3, 30, 2, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Berlin")),
    datetime(5, 1, 1, tzinfo=UTC),
    datetime.fromisoformat("2025-01-02T09:00:00.5+00:00"),
]


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()])
def test_stored_values_are_the_bind_processors(dialect):
    samples = {
        "datetime": TIMES,
        "money": [Decimal("1200.505"), Decimal("0"), 7],
        "date": [date(2025, 1, 2)],
    }
    for table, columns in ((Deal.__table__, DEAL_COLUMNS), (Change.__table__, CHANGE_COLUMNS)):
        for index, convert in converters(table, columns, dialect):
            column_type = table.c[columns[index]].type
            process = column_type.dialect_impl(dialect).bind_processor(dialect)
            kind = {"UTCDateTime": "datetime", "Money": "money", "Date": "date"}
            for value in samples[kind[type(column_type).__name__]]:
                assert convert(value) == process(value), (columns[index], value)


def test_a_naive_time_is_refused_as_before():
    for _index, convert in converters(Change.__table__, CHANGE_COLUMNS, sqlite.dialect()):
        with pytest.raises(ValueError, match="naive datetime"):
            convert(datetime(2025, 1, 2))


def test_blank_lines_are_skipped(db):
    # importer._validate's blank-line check, rewritten for speed, still skips these.
    text = ",".join(HEADER) + "\n" + " , ,\t\n" + ",".join(GOOD[h] for h in HEADER) + "\n"
    options = importer.ImportOptions(kind="deals", team_id="T_FAST", dry_run=True)
    report = importer.import_csv(
        db, io.StringIO(text), options, now=datetime(2026, 3, 1, tzinfo=UTC)
    )
    assert report.rows == 1 and not report.errors
