"""Initial schema: every canonical table of villagecov.schema, GiST index on each geometry.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Tables are created from the schema module as it stood when this revision was written; later
schema changes go into new revisions (op.add_column ...), never into this one once released.
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    from villagecov.storage.postgis import METADATA

    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    METADATA.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    from villagecov.storage.postgis import METADATA

    METADATA.drop_all(op.get_bind())
