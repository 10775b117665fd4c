"""Web-Mercator copies of the polygon geometries the tiles draw.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

admin_units, villages, coverage and plan_villages gain ``geom_3857``, a stored generated column
``ST_Transform(geometry, 3857)``: PostgreSQL keeps it equal to ``geometry`` on every insert and
update, so no writer changes, and a vector tile no longer reprojects every polygon it draws on
every request (the largest single cost of a low-zoom village tile after the attribute encoding).
Reads of the canonical tables never see it (they select their schema's columns). In the schema
module: ``Table.mercator``.

Frozen: later tables that want the copy get their own revision.
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("admin_units", "villages", "coverage", "plan_villages")


def upgrade() -> None:
    for name in TABLES:
        op.add_column(name, sa.Column("geom_3857", Geometry(geometry_type=None, spatial_index=False),
                                      sa.Computed("ST_Transform(geometry, 3857)", persisted=True), nullable=True))


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_column(name, "geom_3857")
