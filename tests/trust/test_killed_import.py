"""A process killed (SIGKILL, no clean-up) in the middle of a CSV import leaves no partial
writes: the database holds all of the file or none of it. The in-process variants (an
exception half way through an import; a scheduler dying while it holds a digest) are in
tests/integration/test_import_rules.py and test_digest_exactly_once.py."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from assistant.storage.models import Deal
from tests.trust.conftest import state

ROOT = Path(__file__).resolve().parents[2]
# Big enough that the import is still running when it is killed (3 s in, on a fast machine).
ROWS = 40_000


def _big_csv(path: Path) -> None:
    with open(ROOT / "tests/data/imports/hubspot_deals.csv", newline="") as f:
        header, *rows = list(csv.reader(f))
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for i in range(ROWS):
            row = list(rows[i % len(rows)])
            row[0], row[1] = str(10**11 + i), f"Imported deal {i}"
            writer.writerow(row)


def _deals(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Deal))


def test_an_import_killed_mid_way_leaves_nothing(db, database_url, tmp_path, tally):
    source = tmp_path / "big.csv"
    _big_csv(source)
    env = dict(os.environ, DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "bot.py", "import", "deals", str(source), "--team", "T_TEST",
            "--no-progress"]  # fmt: skip
    before = state(db)
    killed_running = 0
    for delay in (1.5, 3.0):
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)  # fmt: skip
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed_running += 1
            tally("faults", "process killed during import")
        process.communicate(timeout=60)
        count = _deals(db)
        tally("writes", "checked")
        tally("writes", "lost or partial", 0 if count in (0, ROWS) else 1)
        assert count in (0, ROWS), f"killed after {delay}s: {count} of {ROWS} rows written"
        if count == 0:
            assert state(db) == before
    assert killed_running >= 2, "the import finished too fast to be killed mid-way"
    # The same file imports completely afterwards: nothing was left half done.
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _deals(db) == ROWS
