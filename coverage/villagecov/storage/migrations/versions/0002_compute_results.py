"""Compute results: village_summary table; measurement columns of village_coverage.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Written out as ``villagecov.schema`` stood at this revision (commit f0b1cab); frozen: never edited
once released, whatever the schema module says now.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('village_summary',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('village_id', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('commune_code', sa.Text(), nullable=True),
        sa.Column('boundary_version', sa.Text(), nullable=True),
        sa.Column('population', sa.BigInteger(), nullable=True),
        sa.Column('remote', sa.Boolean(), nullable=True),
        sa.Column('remote_reasons', sa.Text(), nullable=True),
        sa.Column('best_technology', sa.Text(), nullable=True),
        sa.Column('n_operators_4g', sa.BigInteger(), nullable=True),
        sa.Column('no_signal', sa.Boolean(), nullable=True),
        sa.Column('run_id', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.add_column('village_coverage', sa.Column('n_measurements', sa.BigInteger(), nullable=True))
    op.add_column('village_coverage', sa.Column('measured_ok_share', sa.Float(precision=53), nullable=True))
    op.add_column('village_coverage', sa.Column('contradicted', sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column('village_coverage', 'contradicted')
    op.drop_column('village_coverage', 'measured_ok_share')
    op.drop_column('village_coverage', 'n_measurements')
    op.drop_table('village_summary')
