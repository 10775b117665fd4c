"""Submissions as records, extents, the change log, frozen runs, "no data" indicators (issue 15).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Input tables gain ``submission_id`` (rows written before it keep a null and are matched to their
submission by sha256 and kind); ``submissions`` gains its id, who, dates, scope, extent and the
withdrawal; ``runs`` gains status/publication and the list of inputs; ``indicators`` gains the
reporting period and the no-data status and reason. New tables: ``extents``, ``change_log``,
``run_results``.

Written out as ``villagecov.schema`` stood at this revision (commit 61a551b); frozen: never edited
once released, whatever the schema module says now.
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('change_log',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('actor', sa.Text(), nullable=True),
        sa.Column('action', sa.Text(), nullable=True),
        sa.Column('target', sa.Text(), nullable=True),
        sa.Column('details', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_table('extents',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('submission_id', sa.Text(), nullable=True),
        sa.Column('extent_kind', sa.Text(), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('geometry', Geometry('MULTIPOLYGON', srid=4326, spatial_index=False), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('idx_extents_geometry', 'extents', ['geometry'], unique=False, postgresql_using='gist')
    op.create_table('run_results',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('run_id', sa.Text(), nullable=True),
        sa.Column('name', sa.Text(), nullable=True),
        sa.Column('media_type', sa.Text(), nullable=True),
        sa.Column('sha256', sa.Text(), nullable=True),
        sa.Column('encoding', sa.Text(), nullable=True),
        sa.Column('content', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.add_column('coverage', sa.Column('submission_id', sa.Text(), nullable=True))
    op.add_column('indicators', sa.Column('period', sa.Text(), nullable=True))
    op.add_column('indicators', sa.Column('status', sa.Text(), nullable=True))
    op.add_column('indicators', sa.Column('reason', sa.Text(), nullable=True))
    op.add_column('measurements', sa.Column('submission_id', sa.Text(), nullable=True))
    op.add_column('runs', sa.Column('status', sa.Text(), nullable=True))
    op.add_column('runs', sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('runs', sa.Column('published_by', sa.Text(), nullable=True))
    op.add_column('runs', sa.Column('inputs', sa.Text(), nullable=True))
    op.add_column('services', sa.Column('submission_id', sa.Text(), nullable=True))
    op.add_column('sites', sa.Column('submission_id', sa.Text(), nullable=True))
    op.add_column('submissions', sa.Column('submission_id', sa.Text(), nullable=True))
    op.add_column('submissions', sa.Column('submitted_by', sa.Text(), nullable=True))
    op.add_column('submissions', sa.Column('as_of', sa.Date(), nullable=True))
    op.add_column('submissions', sa.Column('boundary_version', sa.Text(), nullable=True))
    op.add_column('submissions', sa.Column('scope', sa.Text(), nullable=True))
    op.add_column('submissions', sa.Column('extent', sa.Text(), nullable=True))
    op.add_column('submissions', sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('submissions', sa.Column('withdrawn_by', sa.Text(), nullable=True))
    op.add_column('submissions', sa.Column('withdraw_reason', sa.Text(), nullable=True))
    op.create_index('ix_submissions_submission_id', 'submissions', ['submission_id'], unique=False)
    op.add_column('villages', sa.Column('submission_id', sa.Text(), nullable=True))
    # submissions made before this revision: their id, derived as ingest derives it
    op.execute("""UPDATE submissions SET submission_id = 'sub-' || left(encode(sha256(convert_to(
        sha256 || '|' || kind || '|' || options, 'UTF8')), 'hex'), 12) WHERE submission_id IS NULL""")


def downgrade() -> None:
    op.drop_column('villages', 'submission_id')
    op.drop_index('ix_submissions_submission_id', table_name='submissions')
    op.drop_column('submissions', 'withdraw_reason')
    op.drop_column('submissions', 'withdrawn_by')
    op.drop_column('submissions', 'withdrawn_at')
    op.drop_column('submissions', 'extent')
    op.drop_column('submissions', 'scope')
    op.drop_column('submissions', 'boundary_version')
    op.drop_column('submissions', 'as_of')
    op.drop_column('submissions', 'submitted_by')
    op.drop_column('submissions', 'submission_id')
    op.drop_column('sites', 'submission_id')
    op.drop_column('services', 'submission_id')
    op.drop_column('runs', 'inputs')
    op.drop_column('runs', 'published_by')
    op.drop_column('runs', 'published_at')
    op.drop_column('runs', 'status')
    op.drop_column('measurements', 'submission_id')
    op.drop_column('indicators', 'reason')
    op.drop_column('indicators', 'status')
    op.drop_column('indicators', 'period')
    op.drop_column('coverage', 'submission_id')
    op.drop_table('run_results')
    op.drop_index('idx_extents_geometry', table_name='extents', postgresql_using='gist')
    op.drop_table('extents')
    op.drop_table('change_log')
