"""Command-line tools fail politely (issue 14, item 8): with a database that can't be reached,
or a DATABASE_URL that names none, every command that needs one prints one line to stderr and
exits with status 2 (transfer/cli.py's promise), with no traceback and no password shown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hunter2-not-shown"
UNREACHABLE = {
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    "postgresql": f"postgresql+psycopg://nobody:{PASSWORD}@127.0.0.1:1/x",
    "sqlite": "sqlite:///{tmp}/no/such/directory/sales.db",
}
WRONG_URLS = {"not a URL": "not a url", "unsupported database": "mysql://nobody@127.0.0.1/x"}
COMMANDS = [
    ["db", "current"],
    ["db", "upgrade"],
    ["db", "check"],
    ["import", "deals", "{csv}", "--no-progress"],
    ["import", "leads", "{csv}", "--no-progress"],
    ["export", "deals"],
    ["export", "history", "--output", "{tmp}/history.csv"],
    ["purge", "--team", "T0123ABCD", "--yes"],
    ["attach", "T0123ABCD"],
    ["scheduler"],
    ["serve"],
]


def _run(command: list[str], url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    csv = tmp_path / "deals.csv"
    csv.write_text("name,amount\nAcme,1000\n")
    argv = [part.format(csv=csv, tmp=tmp_path) for part in command]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=url.format(tmp=tmp_path),
        SLACK_BOT_TOKEN="xoxb-cli-test",
        SLACK_SIGNING_SECRET="cli-test-secret",
        SLACK_API_URL="http://127.0.0.1:9",  # never the real Slack
    )
    # Run from an empty directory, so that no .env of the checkout is read.
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *argv],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _assert_polite(result: subprocess.CompletedProcess[str], what: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (what, result.returncode, result.stderr[-2000:])
    assert len(lines) == 1, (what, result.stderr[-2000:])
    assert lines[0].startswith("error: cannot use the database at "), (what, lines[0])
    assert "Traceback" not in result.stderr and PASSWORD not in result.stderr, what
    assert result.stdout == "", (what, result.stdout[:500])


def test_every_command_fails_in_one_line_when_the_database_is_unreachable(backend, tmp_path, tally):
    for command in COMMANDS:
        result = _run(command, UNREACHABLE[backend], tmp_path)
        _assert_polite(result, " ".join(command))
        tally("cli", "command with an unreachable database")


@pytest.mark.parametrize("problem", WRONG_URLS)
def test_a_database_url_that_names_no_database_fails_in_one_line(problem, tmp_path):
    for command in (["db", "current"], ["import", "deals", "{csv}"], ["export", "leads"]):
        result = _run(command, WRONG_URLS[problem], tmp_path)
        _assert_polite(result, f"{problem}: {' '.join(command)}")
        assert "check DATABASE_URL" in result.stderr
