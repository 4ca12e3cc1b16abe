"""the row that ends a deal's stay in a stage says which stage and since when

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 12:00:00

`changes.stay_stage` / `changes.stay_began_at`, set on a row that ends a stay (a `stage_key`
change of an open deal, or a `status` change from open to won/lost) and NULL on every other
row, and `ix_changes_stay_ends`, a partial index of those rows only (on PostgreSQL covering
what the stays read returns). The stays of a period were replayed from each ending row's
previous rows, three index reads per stay: 7-8 s for a pipeline digest at 1M deals (issue 20).

The backfill gives older rows what `analytics.stays` replayed for them: a stay began at the
deal's previous `stage_key`/`status` row, a stage change ends one unless that row closed the
deal, and a close leaves the stage of the deal's last `stage_key` row before it. One pass
of window functions over a deal's rows in id order (SQLite 3.33+ for UPDATE ... FROM)
instead of the replay's per-row subqueries.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assistant.storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INCLUDED = ["entity_id", "field", "new_value", "stay_stage", "stay_began_at"]

# `stages` numbers a deal's stage_key rows (a status row gets the number of the last one
# before it), so `closed_from` is the stage of the last stage_key row at or before a row.
BACKFILL = """
UPDATE changes SET stay_stage = walk.stay_stage, stay_began_at = walk.began
FROM (
    SELECT numbered.id,
           CASE WHEN numbered.field = 'stage_key' THEN numbered.old_value
                ELSE max(CASE WHEN numbered.field = 'stage_key' THEN numbered.new_value END)
                     OVER (PARTITION BY numbered.workspace_id, numbered.entity_id,
                                        numbered.stages)
           END AS stay_stage,
           numbered.prev_at AS began,
           numbered.field, numbered.old_value, numbered.new_value,
           numbered.prev_field, numbered.prev_value
    FROM (
        SELECT id, workspace_id, entity_id, field, old_value, new_value,
               lag(field) OVER deal AS prev_field,
               lag(new_value) OVER deal AS prev_value,
               lag(at) OVER deal AS prev_at,
               sum(CASE WHEN field = 'stage_key' THEN 1 ELSE 0 END)
                   OVER (deal ROWS UNBOUNDED PRECEDING) AS stages
        FROM changes
        WHERE entity = 'deal' AND field IN ('stage_key', 'status')
        WINDOW deal AS (PARTITION BY workspace_id, entity_id ORDER BY id)
    ) AS numbered
) AS walk
WHERE changes.id = walk.id
  AND walk.began IS NOT NULL
  AND ((walk.field = 'stage_key' AND walk.old_value IS NOT NULL
        AND NOT (walk.prev_field = 'status' AND walk.prev_value IN ('won', 'lost')))
       OR (walk.field = 'status' AND walk.old_value = 'open'
           AND walk.new_value IN ('won', 'lost')))
"""


def upgrade() -> None:
    with op.batch_alter_table("changes") as batch:
        batch.add_column(sa.Column("stay_stage", sa.String(length=40), nullable=True))
        batch.add_column(
            sa.Column("stay_began_at", assistant.storage.types.UTCDateTime(), nullable=True)
        )
    op.execute(BACKFILL)
    op.create_index(
        "ix_changes_stay_ends",
        "changes",
        ["workspace_id", "at"],
        unique=False,
        postgresql_include=INCLUDED,
        postgresql_where=sa.text("stay_began_at IS NOT NULL"),
        sqlite_where=sa.text("stay_began_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_changes_stay_ends", table_name="changes")
    with op.batch_alter_table("changes") as batch:
        batch.drop_column("stay_began_at")
        batch.drop_column("stay_stage")

