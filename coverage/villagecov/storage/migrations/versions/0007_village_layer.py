"""The current village layer, kept ready for the map tiles (see ``villagecov.storage.village_layer``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

``village_layer``: one row per village of the latest register with its status in the latest
computed vintage, its people without 4G and its gap rank, both geometries, a spatial index.
``village_layer_state``: one row, ``stale`` set by statement triggers on ``villages`` and
``village_summary`` (any INSERT, UPDATE, DELETE or TRUNCATE) and cleared by the rebuild that the
store runs at the end of each transaction. Created stale: ``Store.initialize`` fills it right after
the upgrade. Idempotent.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SOURCES = ("villages", "village_summary")


def upgrade() -> None:
    op.execute("""CREATE TABLE IF NOT EXISTS village_layer (
        village_id text, name text, commune_code text, population bigint, remote boolean,
        status_2g text, status_3g text, status_4g text, status_5g text, pop_share_4g double precision,
        operators_4g bigint, uncovered_population bigint, gap_rank bigint,
        geometry geometry(MultiPolygon, 4326), geom_3857 geometry)""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_village_layer_geometry ON village_layer USING gist (geometry)")
    op.execute("""CREATE TABLE IF NOT EXISTS village_layer_state (
        one boolean PRIMARY KEY DEFAULT true CHECK (one), stale boolean NOT NULL,
        refreshed_at timestamptz)""")
    op.execute("INSERT INTO village_layer_state (stale) VALUES (true) ON CONFLICT (one) DO NOTHING")
    # Unconditional UPDATE: it also takes the row lock that queues concurrent writers of the sources.
    op.execute("""CREATE OR REPLACE FUNCTION village_layer_mark_stale() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE village_layer_state SET stale = true;
            RETURN NULL;
        END $$""")
    for name in SOURCES:
        op.execute(f'DROP TRIGGER IF EXISTS village_layer_stale ON "{name}"')
        op.execute(f'CREATE TRIGGER village_layer_stale AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{name}" '
                   "FOR EACH STATEMENT EXECUTE FUNCTION village_layer_mark_stale()")


def downgrade() -> None:
    for name in SOURCES:
        op.execute(f'DROP TRIGGER IF EXISTS village_layer_stale ON "{name}"')
    op.execute("DROP FUNCTION IF EXISTS village_layer_mark_stale()")
    op.execute("DROP TABLE IF EXISTS village_layer_state")
    op.execute("DROP TABLE IF EXISTS village_layer")
