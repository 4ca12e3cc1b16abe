"""`python bot.py console` looks at a team's own data without Slack, and never seeds;
`python bot.py attach` gives an imported local workspace its Slack team; `python bot.py
--help` lists every subcommand (issue #15)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from assistant.storage.models import Workspace
from testkit.dbdump import dump

ROOT = Path(__file__).resolve().parents[2]


def bot(database_url: str, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SALES_"))}
    env |= {"DATABASE_URL": database_url, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "bot.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def import_sample(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "pipeline.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([
            ["opportunity_id", "sales_agent", "account", "deal_stage", "close_value"],
            ["A1", "Moses Frase", "Cancity", "Prospecting", "1200"],
            ["A2", "Anna Snelling", "Isdom", "Won", "900"],
        ])  # fmt: skip
    done = bot(database_url, "import", "deals", str(path))
    assert done.returncode == 0, done.stderr


def test_console_shows_imported_data_and_seeds_nothing(db, database_url, tmp_path):
    import_sample(database_url, tmp_path)
    before = dump(db)
    shown = bot(database_url, "console", "/deal list")
    assert shown.returncode == 0, shown.stderr
    assert "Cancity" in shown.stdout and "Moses Frase" in shown.stdout
    assert "Traceback" not in shown.stderr
    assert dump(db) == before  # no demo workspace, no seeding


def test_console_on_an_empty_database_says_what_to_do(database_url):
    shown = bot(database_url, "console", "/pipeline")
    assert shown.returncode == 2 and "import a file first" in shown.stderr


def test_demo_refuses_a_database_that_holds_other_data(db, database_url, tmp_path):
    import_sample(database_url, tmp_path)
    before = dump(db)
    refused = bot(database_url, "demo", "--database", "/pipeline")
    assert refused.returncode == 2 and "leaves it alone" in refused.stderr
    assert dump(db) == before


def test_attach_gives_the_local_workspace_its_slack_team(db, database_url, tmp_path):
    import_sample(database_url, tmp_path)
    bad = bot(database_url, "attach", "not-a-team")
    assert bad.returncode == 2 and "is not a Slack team id" in bad.stderr
    done = bot(database_url, "attach", "T0ACME1")
    assert done.returncode == 0 and "now Slack team T0ACME1 (2 deals)" in done.stdout
    with db.reading() as session:
        assert list(session.scalars(select(Workspace.team_id))) == ["T0ACME1"]


def test_help_lists_every_subcommand():
    shown = bot("sqlite://", "--help")
    for word in ("serve", "scheduler", "demo", "console", "import", "export", "attach", "db",
                 "purge"):  # fmt: skip
        assert f"\n    {word}" in shown.stdout, shown.stdout
