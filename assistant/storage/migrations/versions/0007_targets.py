"""revenue targets

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 04:00:00

`/sales target` sets the won value a team (or one owner) aims for in a period; results then
show attainment, the gap and pipeline coverage.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assistant.storage.types import Money, UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("owner_key", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_targets_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
        sa.UniqueConstraint(
            "workspace_id", "owner_key", "starts_at", "ends_at",
            name=op.f("uq_targets_workspace_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("targets")
