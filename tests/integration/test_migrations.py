"""`python bot.py db upgrade` creates the schema on fresh SQLite and PostgreSQL databases,
a second run changes nothing, and Alembic finds models and migrations in agreement."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect

from assistant.storage.models import Base

ROOT = Path(__file__).resolve().parents[2]


def _bot(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = database_url
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _schema(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    inspector = inspect(engine)
    schema = {
        table: sorted(c["name"] for c in inspector.get_columns(table))
        for table in inspector.get_table_names()
    }
    engine.dispose()
    return schema


def test_db_upgrade_creates_schema_once(fresh_url, tmp_path):
    first = _bot("db", "upgrade", database_url=fresh_url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "database at revision" in first.stdout and "no change" not in first.stdout
    schema = _schema(fresh_url)
    assert set(Base.metadata.tables) <= set(schema)
    assert "alembic_version" in schema

    second = _bot("db", "upgrade", database_url=fresh_url, cwd=tmp_path)
    assert second.returncode == 0 and "(no change)" in second.stdout
    assert _schema(fresh_url) == schema

    check = _bot("db", "check", database_url=fresh_url, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "models and migrations agree" in check.stdout


def test_serving_without_credentials_explains_and_exits(tmp_path):
    result = _bot(database_url=f"sqlite:///{tmp_path / 'x.db'}", cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in result.stderr and "README" in result.stderr
    assert "Traceback" not in result.stderr
