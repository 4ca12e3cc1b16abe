"""Imports read a team's own files without guesswork (issue #15): plain and snake_case
column names, outcomes from won/lost dates, each date column's order from its values, owners
who are not Slack users kept by name and said so, one line per problem however many rows
share it, and a local workspace when there is no Slack team yet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

from assistant.services import people
from assistant.services.people import SlackProfile
from assistant.storage.models import Deal, Lead, Workspace
from assistant.transfer.cli import main
from testkit.dbdump import dump


def run(database_url, clock, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), database_url, stdout=out, stderr=err, clock=clock)
    return code, out.getvalue(), err.getvalue()


def write(path: Path, rows: list[list[str]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return str(path)


MAVEN_LIKE = [
    ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date",
     "close_date", "close_value"],
    ["1C1I7A6R", "Moses Frase", "GTX Plus Basic", "Cancity", "Won", "2016-10-20",
     "2017-03-01", "1054"],
    ["Z063OYW0", "Darcel Schlecht", "GTXPro", "Isdom", "Lost", "2016-10-25", "2017-03-11", "0"],
    ["EC4QE1BX", "Darcel Schlecht", "MG Special", "", "Engaging", "2016-10-25", "", ""],
    ["MV1LWRNH", "Moses Frase", "GTX Basic", "Codehow", "Prospecting", "", "", ""],
]  # fmt: skip


def deals_of(db) -> dict[str, SimpleNamespace]:
    """Each deal's columns by its record id, read out of the session."""
    with db.reading() as session:
        return {
            d.external_id: SimpleNamespace(**{c.key: getattr(d, c.key) for c in Deal.__table__.c})
            for d in session.scalars(select(Deal))
        }


def test_plain_snake_case_columns_are_understood(db, database_url, clock, tmp_path):
    path = write(tmp_path / "pipeline.csv", MAVEN_LIKE)
    code, out, err = run(database_url, clock, "import", "deals", path, "--dry-run",
                         "--stage-map", "Engaging=qualification")  # fmt: skip
    assert code == 0, err
    for line in ("'opportunity_id' -> external_id", "'sales_agent' -> owner",
                 "'account' -> company", "'deal_stage' -> stage", "'close_value' -> amount",
                 "'engage_date' -> created_at", "'product' -> product"):  # fmt: skip
        assert line in out, out
    code, out, err = run(database_url, clock, "import", "deals", path,
                         "--stage-map", "Engaging=qualification")  # fmt: skip
    assert code == 0, err
    deals = deals_of(db)
    won, lost, engaging, prospect = (deals[k] for k in ("1C1I7A6R", "Z063OYW0", "EC4QE1BX",
                                                         "MV1LWRNH"))  # fmt: skip
    # No name column: a deal is named by its company and product.
    assert won.name == "Cancity — GTX Plus Basic" and engaging.name == "MG Special"
    assert (won.status, won.amount, won.owner_id) == ("won", Decimal("1054.00"), "Moses Frase")
    assert won.created_at == datetime(2016, 10, 20, tzinfo=UTC)
    assert won.closed_at == datetime(2017, 3, 1, tzinfo=UTC)
    assert lost.status == "lost" and engaging.stage_key == "qualification"
    assert (prospect.status, prospect.stage_key) == ("open", "prospecting")


def test_owners_not_in_slack_are_kept_by_name_and_said_so(
    db, services, database_url, clock, tmp_path
):
    # One of the owners is a Slack user the workspace knows (by name): linked to them.
    run(database_url, clock, "import", "deals", write(tmp_path / "a.csv", MAVEN_LIKE[:2]),
        "--team", "T0TEAM")  # fmt: skip
    people.remember(services, "T0TEAM", [SlackProfile("U0DARCEL", "Darcel", "Darcel Schlecht")])
    code, _, err = run(database_url, clock, "import", "deals",
                       write(tmp_path / "b.csv", MAVEN_LIKE), "--team", "T0TEAM",
                       "--stage-map", "Engaging=qualification")  # fmt: skip
    assert code == 0, err
    assert "1 owner is not a Slack user yet and is kept by name (Moses Frase)" in err
    assert '--owner-map "Moses Frase=U012ABCDEF"' in err
    deals = deals_of(db)
    assert deals["Z063OYW0"].owner_id == "U0DARCEL" and deals["MV1LWRNH"].owner_id == "Moses Frase"


def test_an_unknown_stage_is_one_line_with_its_count(db, database_url, clock, tmp_path):
    rows = [MAVEN_LIKE[0]] + [
        [f"ID{i}", "Moses Frase", "GTX", "Acme", "Engaging", "2016-10-25", "", ""]
        for i in range(150)
    ]
    before = dump(db)
    code, _, err = run(database_url, clock, "import", "deals", write(tmp_path / "x.csv", rows))
    assert code == 1 and dump(db) == before
    lines = [line for line in err.splitlines() if "Engaging" in line]
    assert len(lines) == 1, err
    assert lines[0].startswith("150 rows (lines 2, 3, 4, 5, 6 and 145 more):")
    assert '--stage-map "Engaging=<stage>"' in lines[0]


def test_a_won_date_column_closes_the_deal_then(db, database_url, clock, tmp_path):
    rows = [["mql_id", "seller_id", "sr_id", "won_date"],
            ["5420aad7", "2c43fb51", "4ef15afb", "2018-02-26 19:58:54"]]  # fmt: skip
    code, out, err = run(database_url, clock, "import", "deals", write(tmp_path / "w.csv", rows))
    assert code == 0, err
    (deal,) = deals_of(db).values()
    assert deal.status == "won" and deal.closed_at == datetime(2018, 2, 26, 19, 58, 54, tzinfo=UTC)
    assert deal.name == "Deal 2c43fb51" and deal.owner_id == "4ef15afb"


def test_each_date_column_reads_its_own_order(db, database_url, clock, tmp_path):
    rows = [["mql_id", "first_contact_date", "origin"],
            ["a1", "01-02-2018", "social"], ["a2", "20-10-2017", "paid_search"]]  # fmt: skip
    code, out, err = run(database_url, clock, "import", "leads", write(tmp_path / "l.csv", rows),
                         "--dry-run")  # fmt: skip
    assert code == 0 and 'dates in "first_contact_date": day first' in out, out + err
    run(database_url, clock, "import", "leads", write(tmp_path / "l.csv", rows))
    with db.reading() as session:
        created = dict(session.execute(select(Lead.external_id, Lead.created_at)).tuples().all())
        names = set(session.scalars(select(Lead.name)))
    assert created == {
        "a1": datetime(2018, 2, 1, tzinfo=UTC),
        "a2": datetime(2017, 10, 20, tzinfo=UTC),
    }
    assert names == {"Lead a1", "Lead a2"}


def test_ambiguous_and_mixed_date_columns(db, database_url, clock, tmp_path):
    ambiguous = [["Deal Name", "Create Date"], ["A", "03/04/2025"], ["B", "05/06/2025"]]
    code, _, err = run(database_url, clock, "import", "deals",
                       write(tmp_path / "a.csv", ambiguous), "--dry-run")  # fmt: skip
    assert code == 0 and 'column "Create Date" has only dates like 03/04/2025' in err
    mixed = [["Deal Name", "Create Date"], ["A", "25/04/2025"], ["B", "04/25/2025"]]
    code, _, err = run(database_url, clock, "import", "deals", write(tmp_path / "m.csv", mixed))
    assert code == 2 and "day first and others month first" in err


def test_no_slack_team_needed_to_start(db, database_url, clock, tmp_path):
    path = write(tmp_path / "pipeline.csv", MAVEN_LIKE)
    code, out, err = run(database_url, clock, "import", "deals", path,
                         "--stage-map", "Engaging=qualification")  # fmt: skip
    assert code == 0, err
    assert "this one is local (LOCAL)" in out and "python bot.py attach T0123ABCD" in out
    with db.reading() as session:
        assert list(session.scalars(select(Workspace.team_id))) == ["LOCAL"]
