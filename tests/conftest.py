"""Shared fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_DATABASE_URL (default: the local server). Each test run creates
its own throw-away database there, so runs never see each other's rows. Locally, without a
server, the PostgreSQL half is skipped with the reason; with REQUIRE_POSTGRES=1 (as in CI)
an unreachable server fails the run instead, so CI can't go green on SQLite alone.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from assistant.services.context import Actor, Services
from assistant.storage.database import Database, normalize_url
from assistant.storage.migrate import upgrade

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


class ManualClock:
    """A clock tests move by hand: `clock.advance(days=3)`."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when


def _postgres_admin_url() -> str:
    return normalize_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this run, migrated to head; dropped afterwards."""
    admin_url = _postgres_admin_url()
    try:
        admin = create_engine(
            admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as err:  # any connection failure means "no PostgreSQL here"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but unreachable: {err}")
        pytest.skip(
            f"PostgreSQL not reachable at {admin_url} ({type(err).__name__}); set TEST_DATABASE_URL"
        )
    name = f"sa_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    upgrade(database)
    database.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file; each test gets a copy, far faster than migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    if backend == "sqlite":
        target = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("postgres_url")
    _truncate_all(url)
    return url


def _truncate_all(url: str) -> None:
    # Every table the migrations made, not only our models': slack_sdk's OAuth store tables
    # (created by migration 0004) must start empty too.
    engine = create_engine(url)
    names = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]
    tables = ", ".join(f'"{name}"' for name in names)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def fresh_url(backend, tmp_path, request):
    """An empty database of its own, for a test that migrates it (down and up) itself."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips (or fails in CI) without PostgreSQL
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    name = f"sa_fresh_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(_postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def services(db, clock) -> Services:
    return Services(db=db, clock=clock, admins=frozenset({"UADMIN"}))


@pytest.fixture
def rep() -> Actor:
    return Actor(team_id="T_TEST", user_id="UREP")


@pytest.fixture
def other_rep() -> Actor:
    return Actor(team_id="T_TEST", user_id="UREP2")


@pytest.fixture
def admin() -> Actor:
    return Actor(team_id="T_TEST", user_id="UADMIN")


_backend_counts: Counter[str] = Counter()


def pytest_runtest_logreport(report) -> None:
    if report.when == "call" and report.passed:
        for name in BACKENDS:
            if (
                f"[{name}" in report.nodeid
                or f"-{name}]" in report.nodeid
                or f"-{name}-" in report.nodeid
            ):
                _backend_counts[name] += 1


def pytest_terminal_summary(terminalreporter) -> None:
    terminalreporter.write_line(
        "database tests passed: "
        + ", ".join(f"{name} {_backend_counts[name]}" for name in BACKENDS)
    )
