"""Per-village status in village_summary; indexes for the village tiles and village pages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

village_summary gains the effective ANY status per technology and the 4G population share
(written by `villagecov compute`; rows computed before this revision keep nulls until the next
compute). Indexes for the tile queries: village_summary(as_of, village_id) (the rows of one
computed vintage) and villages(village_id, as_of) (per-village latest register);
village_coverage(village_id) for /villages/{id}.

Written out as ``villagecov.schema`` stood at this revision (commit eade33f); frozen: never edited
once released, whatever the schema module says now.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_village_coverage_village_id', 'village_coverage', ['village_id'], unique=False)
    op.add_column('village_summary', sa.Column('status_2g', sa.Text(), nullable=True))
    op.add_column('village_summary', sa.Column('status_3g', sa.Text(), nullable=True))
    op.add_column('village_summary', sa.Column('status_4g', sa.Text(), nullable=True))
    op.add_column('village_summary', sa.Column('status_5g', sa.Text(), nullable=True))
    op.add_column('village_summary', sa.Column('pop_share_4g', sa.Float(precision=53), nullable=True))
    op.create_index('ix_village_summary_as_of_village_id', 'village_summary', ['as_of', 'village_id'], unique=False)
    op.create_index('ix_villages_village_id_as_of', 'villages', ['village_id', 'as_of'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_villages_village_id_as_of', table_name='villages')
    op.drop_index('ix_village_summary_as_of_village_id', table_name='village_summary')
    op.drop_column('village_summary', 'pop_share_4g')
    op.drop_column('village_summary', 'status_5g')
    op.drop_column('village_summary', 'status_4g')
    op.drop_column('village_summary', 'status_3g')
    op.drop_column('village_summary', 'status_2g')
    op.drop_index('ix_village_coverage_village_id', table_name='village_coverage')
