"""Schema migrations with Alembic, driven from code so no alembic.ini has to be found."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from assistant.storage.database import Database

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    command.upgrade(alembic_config(database.url), revision)


def check(database: Database) -> None:
    """Raise if the models and the migrations disagree (Alembic's `check`)."""
    command.check(alembic_config(database.url))


def current_revision(database: Database) -> str | None:
    with database.write_engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def upgrade_if_needed(database: Database) -> bool:
    """Bring the schema to head; returns whether anything was applied."""
    if current_revision(database) == head_revision():
        return False
    upgrade(database)
    return True
