"""people, and the vendor's record id on leads

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 03:00:00

`people` names the workspace's users (from Slack's users.info) and the owners imported files
name who are not Slack users yet, so tables, files and the console show names, not ids.
`leads.external_id` keeps the vendor's record id of an imported lead, so a re-import finds it
and a deal file can name the lead it came from.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assistant.storage.types import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_folded", sa.String(length=200), nullable=False),
        sa.Column("real_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("refreshed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_people_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint(
            "workspace_id", "slack_user_id", name=op.f("uq_people_workspace_id")
        ),
    )
    op.create_index(
        "ix_people_workspace_name", "people", ["workspace_id", "name_folded"], unique=False
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=100), nullable=True))
        batch_op.create_index(
            "uq_leads_workspace_external", ["workspace_id", "external_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("uq_leads_workspace_external")
        batch_op.drop_column("external_id")
    op.drop_index("ix_people_workspace_name", table_name="people")
    op.drop_table("people")
