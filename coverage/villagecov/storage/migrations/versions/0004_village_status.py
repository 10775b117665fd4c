"""Per-village status in village_summary; indexes for the village tiles and village pages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

village_summary gains the effective ANY status per technology and the 4G population share
(written by `villagecov compute`; rows computed before this revision keep nulls until the next
compute). Indexes for the tile queries: village_summary(as_of, village_id) (the rows of one
computed vintage) and villages(village_id, as_of) (per-village latest register);
village_coverage(village_id) for /villages/{id}.

Idempotent: a database created by 0001 from a newer schema module already has them.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (("status_2g", "TEXT"), ("status_3g", "TEXT"), ("status_4g", "TEXT"), ("status_5g", "TEXT"),
           ("pop_share_4g", "DOUBLE PRECISION"))
INDEXES = (("village_summary", ("as_of", "village_id")), ("villages", ("village_id", "as_of")),
           ("village_coverage", ("village_id",)))


def upgrade() -> None:
    for column, kind in COLUMNS:
        op.execute(f'ALTER TABLE village_summary ADD COLUMN IF NOT EXISTS "{column}" {kind}')
    for name, cols in INDEXES:
        quoted = ", ".join(f'"{c}"' for c in cols)
        op.execute(f'CREATE INDEX IF NOT EXISTS "ix_{name}_{"_".join(cols)}" ON "{name}" ({quoted})')


def downgrade() -> None:
    for name, cols in INDEXES:
        op.execute(f'DROP INDEX IF EXISTS "ix_{name}_{"_".join(cols)}"')
    for column, _ in COLUMNS:
        op.execute(f'ALTER TABLE village_summary DROP COLUMN IF EXISTS "{column}"')
