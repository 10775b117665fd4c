"""Plans: plans, plan_sites and plan_villages tables (`villagecov plan` results).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Idempotent: a database created by 0001 from a newer schema module already has them.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("plans", "plan_sites", "plan_villages")


def upgrade() -> None:
    from villagecov.storage.postgis import METADATA

    METADATA.create_all(op.get_bind(), tables=[METADATA.tables[name] for name in TABLES], checkfirst=True)


def downgrade() -> None:
    for name in reversed(TABLES):
        op.execute(f'DROP TABLE IF EXISTS "{name}"')
