"""Submissions as records, extents, the change log, frozen runs, "no data" indicators (issue 15).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Input tables gain ``submission_id`` (rows written before it keep a null and are matched to their
submission by sha256 and kind); ``submissions`` gains its id, who, dates, scope, extent and the
withdrawal; ``runs`` gains status/publication and the list of inputs; ``indicators`` gains the
reporting period and the no-data status and reason. New tables: ``extents``, ``change_log``,
``run_results``. Idempotent.
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = (
    *((t, "submission_id", "TEXT") for t in ("villages", "sites", "coverage", "measurements", "services")),
    ("submissions", "submission_id", "TEXT"), ("submissions", "submitted_by", "TEXT"),
    ("submissions", "as_of", "DATE"), ("submissions", "boundary_version", "TEXT"), ("submissions", "scope", "TEXT"),
    ("submissions", "extent", "TEXT"), ("submissions", "withdrawn_at", "TIMESTAMP WITH TIME ZONE"),
    ("submissions", "withdrawn_by", "TEXT"), ("submissions", "withdraw_reason", "TEXT"),
    ("runs", "status", "TEXT"), ("runs", "published_at", "TIMESTAMP WITH TIME ZONE"), ("runs", "published_by", "TEXT"),
    ("runs", "inputs", "TEXT"),
    ("indicators", "period", "TEXT"), ("indicators", "status", "TEXT"), ("indicators", "reason", "TEXT"),
)
TABLES = ("extents", "change_log", "run_results")


def upgrade() -> None:
    from villagecov.storage.postgis import METADATA

    for name, column, kind in COLUMNS:
        op.execute(f'ALTER TABLE "{name}" ADD COLUMN IF NOT EXISTS "{column}" {kind}')
    op.execute('CREATE INDEX IF NOT EXISTS "ix_submissions_submission_id" ON submissions ("submission_id")')
    bind = op.get_bind()
    for name in TABLES:
        METADATA.tables[name].create(bind, checkfirst=True)
    # submissions made before this revision: their id, derived as ingest derives it
    op.execute("""UPDATE submissions SET submission_id = 'sub-' || left(encode(sha256(convert_to(
        sha256 || '|' || kind || '|' || options, 'UTF8')), 'hex'), 12) WHERE submission_id IS NULL""")


def downgrade() -> None:
    for name in TABLES:
        op.execute(f'DROP TABLE IF EXISTS "{name}"')
    op.execute('DROP INDEX IF EXISTS "ix_submissions_submission_id"')
    for name, column, _ in COLUMNS:
        op.execute(f'ALTER TABLE "{name}" DROP COLUMN IF EXISTS "{column}"')
