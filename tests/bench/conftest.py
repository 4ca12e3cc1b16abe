"""The benchmarks' checks run on SQLite and PostgreSQL, in throw-away databases of `bench.dbs`.

PostgreSQL comes from TEST_DATABASE_URL (default: the local server); without one the
PostgreSQL half is skipped, unless REQUIRE_POSTGRES=1 makes that a failure.
"""

from __future__ import annotations

import os

import pytest

from bench.dbs import Scratch, admin_url, postgres_problem


@pytest.fixture(scope="module")
def dialects() -> list[str]:
    problem = postgres_problem(admin_url())
    if problem is None:
        return ["sqlite", "postgresql"]
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but unreachable: {problem}")
    return ["sqlite"]


@pytest.fixture(params=["sqlite", "postgresql"])
def dialect(request, dialects) -> str:
    if request.param not in dialects:
        pytest.skip(f"PostgreSQL not reachable at {admin_url()}; set TEST_DATABASE_URL")
    return request.param


@pytest.fixture
def scratch():
    with Scratch() as databases:
        yield databases
