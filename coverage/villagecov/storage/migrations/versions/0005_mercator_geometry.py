"""Web-Mercator copies of the polygon geometries the tiles draw.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

admin_units, villages, coverage and plan_villages gain ``geom_3857``, a stored generated column
``ST_Transform(geometry, 3857)``: PostgreSQL keeps it equal to ``geometry`` on every insert and
update, so no writer changes, and a vector tile no longer reprojects every polygon it draws on
every request (the largest single cost of a low-zoom village tile after the attribute encoding).
Reads of the canonical tables never see it (they select their schema's columns).

Idempotent (ADD COLUMN IF NOT EXISTS). Frozen list: later tables get their own revision.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("admin_units", "villages", "coverage", "plan_villages")


def upgrade() -> None:
    for name in TABLES:
        op.execute(f'ALTER TABLE "{name}" ADD COLUMN IF NOT EXISTS geom_3857 geometry '
                   f"GENERATED ALWAYS AS (ST_Transform(geometry, 3857)) STORED")


def downgrade() -> None:
    for name in TABLES:
        op.execute(f'ALTER TABLE "{name}" DROP COLUMN IF EXISTS geom_3857')
