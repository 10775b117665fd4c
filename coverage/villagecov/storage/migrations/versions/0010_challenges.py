"""Challenges: public reports that a village's coverage is wrong, kept for review.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Written out as ``villagecov.schema`` stood at this revision (commit 0435b8d); frozen: never edited
once released, whatever the schema module says now.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('challenges',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('challenge_id', sa.Text(), nullable=True),
        sa.Column('village_id', sa.Text(), nullable=True),
        sa.Column('operator', sa.Text(), nullable=True),
        sa.Column('technology', sa.Text(), nullable=True),
        sa.Column('problem', sa.Text(), nullable=True),
        sa.Column('details', sa.Text(), nullable=True),
        sa.Column('contact', sa.Text(), nullable=True),
        sa.Column('status', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolution', sa.Text(), nullable=True),
        sa.Column('resolved_by', sa.Text(), nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('ix_challenges_status', 'challenges', ['status'], unique=False)
    op.create_index('ix_challenges_village_id', 'challenges', ['village_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_challenges_village_id', table_name='challenges')
    op.drop_index('ix_challenges_status', table_name='challenges')
    op.drop_table('challenges')
