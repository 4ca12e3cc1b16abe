"""slack_sdk's OAuth store tables: installations, bots and OAuth state

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 03:55:00

Built from slack_sdk's own table definitions, so the columns are exactly those its
SQLAlchemy stores use. `checkfirst` keeps databases where someone already ran the stores'
`create_tables()` upgradable.
"""

from collections.abc import Sequence

from alembic import op

from assistant.storage.slack_stores import build_store_metadata

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    build_store_metadata().create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    build_store_metadata().drop_all(op.get_bind(), checkfirst=True)
