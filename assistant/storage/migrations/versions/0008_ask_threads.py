"""questions in plain words: conversations and confirm tokens

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 05:00:00

A follow-up in a thread builds on the last question understood there (`ask_threads`); a
change asked for in words runs once per Confirm button, however often it is pressed
(`ask_confirmations`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assistant.storage.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ask_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=False),
        sa.Column("understood", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_ask_threads_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ask_threads")),
        sa.UniqueConstraint(
            "workspace_id", "channel_id", "thread_ts", name=op.f("uq_ask_threads_workspace_id")
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_ask_threads_updated_at"), "ask_threads", ["updated_at"])
    op.create_table(
        "ask_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("claimed_by", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_ask_confirmations_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ask_confirmations")),
        sa.UniqueConstraint("workspace_id", "token", name=op.f("uq_ask_confirmations_workspace_id")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("ask_confirmations")
    op.drop_index(op.f("ix_ask_threads_updated_at"), table_name="ask_threads")
    op.drop_table("ask_threads")
