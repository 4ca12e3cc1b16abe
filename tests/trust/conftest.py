"""Shared pieces of the trust suite: the e2e bot, a dump that ignores replay keys, and a
tally of what was tried, written to tests/trust/out/figures.json for docs/RELIABILITY.md."""

from __future__ import annotations

import pytest

from testkit.dbdump import dump
from tests.e2e.conftest import Bot, bot, fake  # noqa: F401  (fixtures re-exported)
from tests.trust import figures


def state(bot_or_db) -> str:
    """Every row of every table except replay keys, which each request records."""
    db = bot_or_db.services.db if isinstance(bot_or_db, Bot) else bot_or_db
    return "\n".join(
        line for line in dump(db).splitlines() if not line.startswith("processed_requests:")
    )


@pytest.fixture
def tally(backend) -> figures.Tally:
    return figures.Tally(backend)


def pytest_sessionfinish(session, exitstatus) -> None:
    figures.write()
