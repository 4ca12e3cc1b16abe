"""Throw-away databases for one benchmark run, and raw driver connections to them.

Every database a run uses is created here and removed when the run ends: SQLite files in a
temporary directory, PostgreSQL databases on the server named by BENCH_DATABASE_URL (else
TEST_DATABASE_URL, else the local test server), dropped with `WITH (FORCE)`. Each dialect is
migrated once per run, into a template that the other databases are copied from.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assistant.storage.database import Database, normalize_url
from assistant.storage.migrate import upgrade
from bench import rawdb

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DIALECTS = ("sqlite", "postgresql")


def admin_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    return normalize_url(url or DEFAULT_PG)


def postgres_problem(url: str | None = None) -> str | None:
    """None when the PostgreSQL server answers; else why not."""
    try:
        engine = create_engine(url or admin_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as err:  # any failure to connect means "no PostgreSQL here"
        return f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"


class Scratch:
    """The databases of one run; `close()` (or leaving the `with`) removes them all."""

    def __init__(self, pg_admin: str | None = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="sales-bench-"))
        self.pg_admin = pg_admin or admin_url()
        self.run_id = uuid.uuid4().hex[:8]
        self._pg_names: list[str] = []
        self._templates: dict[str, str] = {}
        self._count = 0

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def new(self, dialect: str, label: str = "db") -> str:
        """A new database migrated to head; returns its SQLAlchemy URL."""
        self._count += 1
        name = f"{label}_{self._count}"
        if dialect == "sqlite":
            template = self._template("sqlite")
            path = self.dir / f"{name}.db"
            shutil.copy(template, path)
            return f"sqlite:///{path}"
        template = self._template("postgresql")
        db_name = f"sa_bench_{self.run_id}_{name}"
        self._admin_execute(f'CREATE DATABASE "{db_name}" TEMPLATE "{template}"')
        self._pg_names.append(db_name)
        return self._pg_url(db_name)

    def drop(self, url: str) -> None:
        """Remove one database now (big ones should not wait for the end of the run)."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
            return
        name = parsed.database
        self._admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self._pg_names:
            self._pg_names.remove(name)

    def close(self) -> None:
        for name in list(self._pg_names):
            try:
                self._admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception:  # the server went away: nothing more to clean there
                break
        self._pg_names.clear()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- internals ------------------------------------------------------------------------------
    def _pg_url(self, name: str) -> str:
        return make_url(self.pg_admin).set(database=name).render_as_string(hide_password=False)

    def _admin_execute(self, statement: str) -> None:
        engine = create_engine(self.pg_admin, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()

    def _template(self, dialect: str) -> str:
        if dialect in self._templates:
            return self._templates[dialect]
        if dialect == "sqlite":
            path = self.dir / "template.db"
            url = f"sqlite:///{path}"
            value = str(path)
        else:
            value = f"sa_bench_{self.run_id}_template"
            self._admin_execute(f'CREATE DATABASE "{value}"')
            self._pg_names.append(value)
            url = self._pg_url(value)
        database = Database(url)
        upgrade(database)
        database.dispose()  # a template must have no open connections
        self._templates[dialect] = value
        return value


def dialect_of(url: str) -> str:
    return make_url(url).get_backend_name()


def raw_connect(url: str):
    """A plain DB-API connection (sqlite3 or psycopg, autocommit) to a database."""
    return rawdb.connect(*rawdb.target_of(url))
