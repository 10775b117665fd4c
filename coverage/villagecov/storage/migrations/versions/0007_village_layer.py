"""The current village layer, kept ready for the map tiles (see ``villagecov.storage.village_layer``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

``village_layer`` (``schema.VILLAGE_LAYER``): one row per village of the latest register with its
status in the latest computed vintage, its people without 4G and its gap rank, both geometries, a
spatial index. ``village_layer_state``: one row, ``stale`` set by statement triggers on ``villages``
and ``village_summary`` (any INSERT, UPDATE, DELETE or TRUNCATE) and cleared by the rebuild that the
store runs at the end of each transaction. Created stale: ``Store.initialize`` fills it right after
the upgrade. Frozen.
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SOURCES = ("villages", "village_summary")


def upgrade() -> None:
    op.create_table("village_layer",
        sa.Column("village_id", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("commune_code", sa.Text(), nullable=True),
        sa.Column("population", sa.BigInteger(), nullable=True),
        sa.Column("remote", sa.Boolean(), nullable=True),
        sa.Column("status_2g", sa.Text(), nullable=True),
        sa.Column("status_3g", sa.Text(), nullable=True),
        sa.Column("status_4g", sa.Text(), nullable=True),
        sa.Column("status_5g", sa.Text(), nullable=True),
        sa.Column("pop_share_4g", sa.Float(precision=53), nullable=True),
        sa.Column("operators_4g", sa.BigInteger(), nullable=True),
        sa.Column("uncovered_population", sa.BigInteger(), nullable=True),
        sa.Column("gap_rank", sa.BigInteger(), nullable=True),
        sa.Column("geometry", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=True),
        sa.Column("geom_3857", Geometry(geometry_type=None, spatial_index=False), nullable=True),
    )
    op.create_index("ix_village_layer_geometry", "village_layer", ["geometry"], unique=False,
                    postgresql_using="gist")
    op.create_table("village_layer_state",
        sa.Column("one", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("one", name="village_layer_state_one_check"),
        sa.PrimaryKeyConstraint("one", name="village_layer_state_pkey"),
    )
    op.execute("INSERT INTO village_layer_state (stale) VALUES (true)")
    # Unconditional UPDATE: it also takes the row lock that queues concurrent writers of the sources.
    op.execute("""CREATE FUNCTION village_layer_mark_stale() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE village_layer_state SET stale = true;
            RETURN NULL;
        END $$""")
    for name in SOURCES:
        op.execute(f'CREATE TRIGGER village_layer_stale AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{name}" '
                   "FOR EACH STATEMENT EXECUTE FUNCTION village_layer_mark_stale()")


def downgrade() -> None:
    for name in SOURCES:
        op.execute(f'DROP TRIGGER village_layer_stale ON "{name}"')
    op.execute("DROP FUNCTION village_layer_mark_stale()")
    op.drop_table("village_layer_state")
    op.drop_index("ix_village_layer_geometry", table_name="village_layer", postgresql_using="gist")
    op.drop_table("village_layer")
