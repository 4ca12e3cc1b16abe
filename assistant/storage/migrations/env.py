"""Alembic environment: the URL comes from our settings, the target from our models."""

from __future__ import annotations

from alembic import context

from assistant.storage.database import Database
from assistant.storage.models import Base
from assistant.storage.slack_stores import STORE_METADATA

config = context.config
# slack_sdk's OAuth store tables live in the same database (migration 0004).
target_metadata = [Base.metadata, STORE_METADATA]


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    database = Database(config.get_main_option("sqlalchemy.url"))
    try:
        with database.write_engine.connect() as connection:
            _run(connection)
    finally:
        database.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `python bot.py db upgrade`")
run_migrations_online()
