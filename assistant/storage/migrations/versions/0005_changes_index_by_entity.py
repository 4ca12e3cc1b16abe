"""changes index by entity, field and time

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 05:20:00

`ix_changes_workspace_field_at` lacked `entity`, so the stays and movement queries (which
ask for deal rows only) fetched every lead stage/status row of the window from the table as
well. Every query that used it also filters on `entity`, so the new index replaces it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_changes_workspace_entity_field_at",
            ["workspace_id", "entity", "field", "at"],
            unique=False,
        )
        batch_op.drop_index("ix_changes_workspace_field_at")


def downgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_changes_workspace_field_at", ["workspace_id", "field", "at"], unique=False
        )
        batch_op.drop_index("ix_changes_workspace_entity_field_at")
