"""Challenges: public reports that a village's coverage is wrong, kept for review.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Idempotent: a database created by 0001 from a newer schema module already has the table. The
GeoPackage store creates missing tables on ``initialize`` (same upgrade path).
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("challenges",)


def upgrade() -> None:
    from villagecov.storage.postgis import METADATA

    METADATA.create_all(op.get_bind(), tables=[METADATA.tables[name] for name in TABLES], checkfirst=True)


def downgrade() -> None:
    for name in reversed(TABLES):
        op.execute(f'DROP TABLE IF EXISTS "{name}"')
