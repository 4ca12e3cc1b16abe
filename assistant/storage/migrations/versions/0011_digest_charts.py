"""digest deliveries remember charts still to share

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 09:00:00

`digest_deliveries.charts`: `pending` once a digest with charts is posted, `sharing` while a
process shares them in its thread, NULL when done (or none). The scheduler shares charts
after every due post of its tick; the mark lets another process share them when the one
that posted died first (issue 20).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digest_deliveries") as batch:
        batch.add_column(sa.Column("charts", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_deliveries") as batch:
        batch.drop_column("charts")
