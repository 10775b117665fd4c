"""API keys gain expiry and revocation time; the upload audit log (``upload_audit``); an index
on ``measurements(time)`` for time-filtered item pages.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Written out as ``villagecov.schema`` stood at this revision (commit 788bf99); frozen: never edited
once released, whatever the schema module says now.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('upload_audit',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('job_id', sa.Text(), nullable=True),
        sa.Column('key_id', sa.Text(), nullable=True),
        sa.Column('role', sa.Text(), nullable=True),
        sa.Column('operator', sa.Text(), nullable=True),
        sa.Column('kind', sa.Text(), nullable=True),
        sa.Column('filename', sa.Text(), nullable=True),
        sa.Column('sha256', sa.Text(), nullable=True),
        sa.Column('size_bytes', sa.BigInteger(), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('status', sa.Text(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('rows_accepted', sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('ix_upload_audit_key_id', 'upload_audit', ['key_id'], unique=False)
    op.create_index('ix_upload_audit_sha256', 'upload_audit', ['sha256'], unique=False)
    op.add_column('api_keys', sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('api_keys', sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_measurements_time', 'measurements', ['time'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_measurements_time', table_name='measurements')
    op.drop_column('api_keys', 'revoked_at')
    op.drop_column('api_keys', 'expires_at')
    op.drop_index('ix_upload_audit_sha256', table_name='upload_audit')
    op.drop_index('ix_upload_audit_key_id', table_name='upload_audit')
    op.drop_table('upload_audit')
