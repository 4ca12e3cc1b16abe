"""forecasts learned from history: a stage's choice of probability, and the track record

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 06:00:00

`stages.forecast_uses` is the admin's choice for the forecast (`learned`, `configured`, or
NULL: learned once 30 deals that reached the stage have closed). `forecasts` keeps each
period's forecast as made at its start and weekly, and its score once the period is over.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assistant.storage.types import Money, UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stages") as batch:
        batch.add_column(sa.Column("forecast_uses", sa.String(length=16), nullable=True))
    op.create_table(
        "forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("made_at", UTCDateTime(), nullable=False),
        sa.Column("won_before", Money(), nullable=False),
        sa.Column("p10", Money(), nullable=False),
        sa.Column("p50", Money(), nullable=False),
        sa.Column("p90", Money(), nullable=False),
        sa.Column("expected_count", sa.Float(), nullable=False),
        sa.Column("deals", sa.Text(), nullable=False),
        sa.Column("actual", Money(), nullable=True),
        sa.Column("error", sa.Float(), nullable=True),
        sa.Column("inside", sa.Boolean(), nullable=True),
        sa.Column("brier_learned", sa.Float(), nullable=True),
        sa.Column("brier_configured", sa.Float(), nullable=True),
        sa.Column("scored_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_forecasts_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecasts")),
        sa.UniqueConstraint(
            "workspace_id", "starts_at", "ends_at", "made_at", name=op.f("uq_forecasts_workspace_id")
        ),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("forecasts")
    with op.batch_alter_table("stages") as batch:
        batch.drop_column("forecast_uses")
