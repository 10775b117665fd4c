"""Compute results: village_summary table; measurement columns of village_coverage.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Idempotent: a database created by 0001 from a newer schema module already has them.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from villagecov.storage.postgis import METADATA

    METADATA.create_all(op.get_bind(), tables=[METADATA.tables["village_summary"]], checkfirst=True)
    for column, kind in (
        ("n_measurements", "BIGINT"),
        ("measured_ok_share", "DOUBLE PRECISION"),
        ("contradicted", "BOOLEAN"),
    ):
        op.execute(f'ALTER TABLE village_coverage ADD COLUMN IF NOT EXISTS "{column}" {kind}')


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS village_summary")
    for column in ("n_measurements", "measured_ok_share", "contradicted"):
        op.execute(f'ALTER TABLE village_coverage DROP COLUMN IF EXISTS "{column}"')
