"""The floors of `/pipeline results` and `/funnel cohorts` compute the product's figures.

On a small generated workspace, on SQLite and PostgreSQL: `bench.digests` runs each side in
its own process, as the benchmark does, and the canonical forms must be equal. The figures
are checked to be non-trivial, so equality is not that of two empty answers. No timing is
asserted (speed is the benchmark's: `python -m bench --only digests`).
"""

from __future__ import annotations

import os

import pytest

from bench import digests
from bench.canon import first_difference
from bench.dbs import Scratch, admin_url, postgres_problem
from bench.plan import Spec


@pytest.fixture(scope="module")
def generated():
    """One generated workspace per reachable database: {dialect: url}."""
    from bench.generate import generate

    dialects = ["sqlite"]
    problem = postgres_problem(admin_url())
    if problem is None:
        dialects.append("postgresql")
    elif os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but unreachable: {problem}")
    with Scratch() as scratch:
        urls = {d: scratch.new(d, "floor_results") for d in dialects}
        generate(Spec(400, 4_000), list(urls.values()))
        yield urls


def both_sides(url: str, digest: str) -> tuple:
    got = {side: digests.run_case(url, digest, side, repeat=1) for side in digests.SIDES}
    return got["product"]["canonical"], got["floor"]["canonical"]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_results_floor_equals_the_product(generated, dialect):
    if dialect not in generated:
        pytest.skip(f"PostgreSQL not reachable at {admin_url()}; set TEST_DATABASE_URL")
    product, floor = both_sides(generated[dialect], "results")
    assert first_difference(product, floor) is None
    total, by_owner = product
    now = total["total"]["current"]
    assert now["won_count"] and now["lost_count"] and now["open_count"]
    assert now["velocity"] is not None and total["velocity_change"] is not None
    assert total["segments"] == [] and len(by_owner["segments"]) > 1
    assert by_owner["total"] == total["total"]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_cohorts_floor_equals_the_product(generated, dialect):
    if dialect not in generated:
        pytest.skip(f"PostgreSQL not reachable at {admin_url()}; set TEST_DATABASE_URL")
    product, floor = both_sides(generated[dialect], "cohorts")
    assert first_difference(product, floor) is None
    rows = product["rows"]
    assert len(rows) >= 6 and all(r["size"] for r in rows)
    assert any(r["median_days_to_action"] is not None for r in rows)
    assert any(r["reached"][-1] for r in rows)
