"""The fleet benchmark keeps working, and keeps finding every digest posted exactly once.

Five installed workspaces (one of them with a second digest in the same channel), two real
scheduler processes, the fake Slack in a third, on SQLite and on PostgreSQL. The schedulers
start just after 09:00 on their clock, so their first tick finds everything due (no 30 s
wait for the next one); both tick at about the same moment and race for every claim.
Nothing here asserts a timing. PostgreSQL comes from TEST_DATABASE_URL (default: the local
server); without one the PostgreSQL half is skipped, unless REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import os

import pytest

from bench import fleet
from bench.dbs import Scratch, admin_url, postgres_problem
from bench.report import fleet_section


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_every_digest_is_posted_once_by_two_schedulers(dialect):
    if dialect == "postgresql":
        problem = postgres_problem(admin_url())
        if problem and os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but unreachable: {problem}")
        if problem:
            pytest.skip(f"PostgreSQL not reachable at {admin_url()}; set TEST_DATABASE_URL")
    with Scratch() as scratch:
        url = scratch.new(dialect, "fleet")
        result = fleet.run_fleet(
            url, 5, processes=2, lead=-2.0, funnel_every=5, timeout=240, log=lambda _: None
        )
    c = result.checked
    assert not result.timed_out, c.problems
    assert c.expected == 6  # five pipeline digests and one funnel digest
    assert (c.posts, c.duplicates, c.missing, c.wrong_token, c.refused) == (6, 0, 0, 0, 0)
    assert c.ledger_rows == 6 and c.ledger_status == {"posted": 6}, c.ledger_status
    assert c.ledger_unmatched == 0 and c.other_rows == 0
    assert sum(c.split.values()) == 6
    assert set(c.split) <= {p["process_id"] for p in result.processes}
    assert c.charts > 0  # the digests' charts were shared in their threads
    assert c.problems == []
    assert all("cpu" in p for p in result.processes), "a scheduler did not stop cleanly"
    section = "\n".join(fleet_section([result]))
    assert "all passed" in section and "Per scheduler process" in section
    for table in section.split("\n\n"):
        widths = {line.count("|") for line in table.splitlines() if line.startswith("|")}
        assert len(widths) <= 1, f"a table whose rows and header differ:\n{table}"
