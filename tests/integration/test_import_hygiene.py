"""Imports clean and check every row as commands do (issue #14, item 5): control characters
are removed, rows that do not line up with the header and quotes never closed are errors
with their line, never stored half-read."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select

from assistant.storage.models import Deal
from assistant.transfer.cli import main
from testkit.dbdump import dump

TEAM = "T_TEST"


def run(database_url, clock, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), database_url, stdout=out, stderr=err, clock=clock)
    return code, out.getvalue(), err.getvalue()


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_control_characters_are_removed(db, database_url, clock, tmp_path):
    path = write(tmp_path / "d.csv", "Deal Name,Company\nAc\x00me\x07 renewal,Glo\x1bbex\n")
    code, _, err = run(database_url, clock, "import", "deals", path, "--team", TEAM)
    assert code == 0, err
    with db.reading() as session:
        assert session.execute(select(Deal.name, Deal.company)).one() == (
            "Acme renewal",
            "Globex",
        )


def test_ragged_rows_are_errors_with_their_lines(db, database_url, clock, tmp_path):
    text = "Deal Name,Amount\nAcme,100\nGlobex,200,extra\nInitech\n"
    path = write(tmp_path / "d.csv", text)
    code, _, err = run(database_url, clock, "import", "deals", path, "--team", TEAM)
    assert code == 1
    assert "line 3: 3 cells where the header has 2 (more than the columns)" in err
    assert "line 4: 1 cells where the header has 2 (fewer than the columns)" in err
    code, out, err = run(database_url, clock, "import", "deals", path, "--team", TEAM, "--partial")
    assert code == 0 and "line 3:" in err and "1 new" in out + err
    with db.reading() as session:
        assert list(session.scalars(select(Deal.name))) == ["Acme"]


def test_an_unterminated_quote_is_an_error(db, database_url, clock, tmp_path):
    before = dump(db)
    path = write(tmp_path / "d.csv", 'Deal Name,Amount\nAcme,100\n"Globex,200\nInitech,300\n')
    code, _, err = run(database_url, clock, "import", "deals", path, "--team", TEAM)
    assert code == 2 and "malformed" in err and "line" in err
    assert dump(db) == before
