"""`python bot.py demo [COMMAND]`: the console run as a user runs it, in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.demo import store
from assistant.domain.stages import DEFAULT_PIPELINE
from assistant.storage.database import Database
from assistant.storage.models import Deal, Workspace

ROOT = Path(__file__).resolve().parents[2]
SCALE = "0.25"  # every stage and the bottleneck show on any date; seeds in seconds
STAGE_LABELS = [s.label for s in DEFAULT_PIPELINE]


def run_demo(cwd: Path, *args: str, stdin: str | None = None, env: dict | None = None):
    environment = {
        **os.environ,
        "HOME": str(cwd),
        "PYTHONPATH": str(ROOT),
        "NO_COLOR": "1",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "assistant.demo", *args],
        cwd=cwd,
        env=environment,
        input=stdin or "",
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_readable(output: str) -> None:
    assert '{"type":' not in output and "'type':" not in output
    assert "<@U" not in output and "<#C" not in output
    assert "Traceback" not in output


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """A working directory whose demo.db the first run seeded."""
    cwd = tmp_path_factory.mktemp("demo")
    first = run_demo(cwd, "--scale", SCALE, "/sales", "help")
    assert first.returncode == 0, first.stderr
    assert "Seeded" in first.stderr and (cwd / "demo.db").is_file()
    assert "/deal" in first.stdout and "/pipeline" in first.stdout
    assert_readable(first.stdout + first.stderr)
    return cwd


def test_one_shot_reuses_the_seeded_database(demo_dir):
    result = run_demo(demo_dir, "/sales roles")
    assert result.returncode == 0 and "Seeded" not in result.stderr
    assert "manager: @mia" in result.stdout and "marketer: @marco" in result.stdout
    assert "You are: admin" in result.stdout
    assert_readable(result.stdout)


def test_pipeline_bottlenecks_names_a_bottleneck(demo_dir):
    result = run_demo(demo_dir, "/pipeline bottlenecks")
    assert result.returncode == 0, result.stdout
    assert_readable(result.stdout)
    text = result.stdout
    assert "bottleneck" in text.lower()
    named = [label for label in STAGE_LABELS if label in text]
    assert named, text
    assert "Solution development" in text  # the sample's bottleneck
    assert "@" in text  # stuck deals come with their owners' names


def test_pipeline_board_and_deal_list_with_a_role(demo_dir):
    board = run_demo(demo_dir, "/pipeline")
    assert board.returncode == 0
    assert all(label in board.stdout for label in STAGE_LABELS)
    assert_readable(board.stdout)
    mine = run_demo(demo_dir, "--as", "rep", "deal", "list", "mine")  # words, no slash
    assert mine.returncode == 0 and "@ana" in mine.stdout and "#" in mine.stdout
    assert_readable(mine.stdout)


def test_bad_input_answers_like_slack_and_exits_1(demo_dir):
    result = run_demo(demo_dir, "/deal move 99999 next")
    assert result.returncode == 1
    assert "No deal matches" in result.stdout and "Usage:" in result.stdout
    assert_readable(result.stdout + result.stderr)


def test_unknown_command_is_a_friendly_line_and_exit_2(demo_dir):
    result = run_demo(demo_dir, "/nonsense now")
    assert result.returncode == 2
    assert "Unknown command `/nonsense`" in result.stdout and "help" in result.stdout
    assert_readable(result.stdout + result.stderr)


def test_interactive_session_keeps_a_history_file(demo_dir):
    lines = "help\npeople\n/sales roles\n\nbogus\nquit\n/sales help\n"
    result = run_demo(demo_dir, stdin=lines)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "sales> " in out and "digest" in out and "Reps: @ana" in out
    assert "manager: @mia" in out and "Unknown command `bogus`" in out
    assert "the pipeline and the funnel, in Slack" not in out  # nothing runs after `quit`
    assert_readable(out + result.stderr)
    assert (demo_dir / ".sales_assistant_demo_history").is_file()


def test_end_of_input_and_ctrl_c_leave_cleanly(demo_dir):
    assert run_demo(demo_dir, stdin="/sales roles\n").returncode == 0  # Ctrl-D
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.demo"],
        cwd=demo_dir,
        env={**os.environ, "HOME": str(demo_dir), "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = ""
    while not seen.endswith("sales> "):  # the prompt: input() is waiting
        char = process.stdout.read(1)
        assert char, process.stderr.read()
        seen += char
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "Traceback" not in out + err


def test_database_flag_seeds_and_resets_the_configured_database(database_url, tmp_path):
    env = {"DATABASE_URL": database_url}
    first = run_demo(tmp_path, "--database", "--scale", "0.05", "/sales roles", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Seeded" in first.stderr and not (tmp_path / "demo.db").exists()
    db = Database(database_url)
    try:
        assert store.is_seeded(db)
        again = run_demo(tmp_path, "--database", "--reset", "--scale", "0.05", "/sales", env=env)
        assert again.returncode == 0 and "Seeded" in again.stderr
        with db.reading() as session:
            assert len(session.scalars(select(Workspace)).all()) == 1
            assert session.scalars(select(Deal.id)).first() is not None
    finally:
        db.dispose()


def test_an_unreachable_database_is_one_friendly_line(tmp_path):
    env = {"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    result = run_demo(tmp_path, "--database", "/pipeline", env=env)
    assert result.returncode == 2
    assert "The demo cannot reach its database" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
