"""API keys gain expiry and revocation time; the upload audit log (``upload_audit``); an index
on ``measurements(time)`` for time-filtered item pages.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Idempotent: a database created by 0001 from a newer schema module already has them.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = (("expires_at", "TIMESTAMP WITH TIME ZONE"), ("revoked_at", "TIMESTAMP WITH TIME ZONE"))


def upgrade() -> None:
    from villagecov.storage.postgis import METADATA

    for column, kind in COLUMNS:
        op.execute(f'ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS "{column}" {kind}')
    METADATA.create_all(op.get_bind(), tables=[METADATA.tables["upload_audit"]], checkfirst=True)
    op.execute('CREATE INDEX IF NOT EXISTS "ix_measurements_time" ON measurements ("time")')


def downgrade() -> None:
    op.execute('DROP INDEX IF EXISTS "ix_measurements_time"')
    op.execute('DROP TABLE IF EXISTS "upload_audit"')
    for column, _ in COLUMNS:
        op.execute(f'ALTER TABLE api_keys DROP COLUMN IF EXISTS "{column}"')
