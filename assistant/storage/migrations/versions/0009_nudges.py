"""personal nudges: settings, manager links, the daily sends and their items, snoozes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 06:00:00

Each rep's stuck deals in one daily DM (issue 18). `nudge_sends` is claimed once per
(workspace, user, local day), as digest deliveries are per occurrence; `nudge_items` records
what each DM listed and what became of it (for snoozes, cool-downs, escalation and stats).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assistant.storage.types import Money, UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"], ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"), ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "nudge_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.Column("at_time", sa.String(length=5), nullable=True),
        sa.Column("days", sa.String(length=20), nullable=True),
        sa.Column("budget", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _workspace_fk("nudge_settings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_settings")),
        sa.UniqueConstraint(
            "workspace_id", "slack_user_id", name=op.f("uq_nudge_settings_workspace_id")
        ),
    )  # fmt: skip
    op.create_table(
        "manager_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.String(length=32), nullable=False),
        sa.Column("manager_id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _workspace_fk("manager_links"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_links")),
        sa.UniqueConstraint("workspace_id", "rep_id", name=op.f("uq_manager_links_workspace_id")),
    )  # fmt: skip
    op.create_table(
        "nudge_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("posted_at", UTCDateTime(), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _workspace_fk("nudge_sends"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_sends")),
        sa.UniqueConstraint(
            "workspace_id", "slack_user_id", "day", name=op.f("uq_nudge_sends_workspace_id")
        ),
    )  # fmt: skip
    op.create_index("ix_nudge_sends_status", "nudge_sends", ["status", "next_attempt_at"])
    op.create_table(
        "nudge_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("stage_key", sa.String(length=40), nullable=False),
        sa.Column("deal_version", sa.Integer(), nullable=False),
        sa.Column("value_at_risk", Money(), nullable=False),
        sa.Column("overdue_hours", sa.Integer(), nullable=False),
        sa.Column("escalation", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("acted_at", UTCDateTime(), nullable=True),
        sa.Column("acted_by", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=True),
        _workspace_fk("nudge_items"),
        sa.ForeignKeyConstraint(
            ["send_id"], ["nudge_sends.id"],
            name=op.f("fk_nudge_items_send_id_nudge_sends"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"],
            name=op.f("fk_nudge_items_deal_id_deals"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_items")),
    )  # fmt: skip
    op.create_index("ix_nudge_items_send", "nudge_items", ["send_id", "position"])
    op.create_index("ix_nudge_items_deal", "nudge_items", ["workspace_id", "deal_id", "sent_at"])
    op.create_index("ix_nudge_items_state", "nudge_items", ["workspace_id", "state", "sent_at"])
    op.create_table(
        "nudge_snoozes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=False),
        sa.Column("snoozed_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _workspace_fk("nudge_snoozes"),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"],
            name=op.f("fk_nudge_snoozes_deal_id_deals"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_snoozes")),
        sa.UniqueConstraint("workspace_id", "deal_id", name=op.f("uq_nudge_snoozes_workspace_id")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("nudge_snoozes")
    op.drop_index("ix_nudge_items_state", table_name="nudge_items")
    op.drop_index("ix_nudge_items_deal", table_name="nudge_items")
    op.drop_index("ix_nudge_items_send", table_name="nudge_items")
    op.drop_table("nudge_items")
    op.drop_index("ix_nudge_sends_status", table_name="nudge_sends")
    op.drop_table("nudge_sends")
    op.drop_table("manager_links")
    op.drop_table("nudge_settings")
