"""Initial schema: every canonical table, a GiST index on each geometry.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Written out as ``villagecov.schema`` stood at this revision (commit 87b9aef); frozen: never edited
once released, whatever the schema module says now.

Stores made before these revisions were written out (up to and including 0010) had 0001 build the
tables from the schema module of the day; each later revision's columns and tables entered that
module in the commit that added the revision, so a store stamped N holds exactly what revisions up
to N create here, and the plain ``op.add_column``/``op.create_table`` of later revisions apply.
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table('admin_units',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('code', sa.Text(), nullable=True),
        sa.Column('level', sa.Text(), nullable=True),
        sa.Column('name', sa.Text(), nullable=True),
        sa.Column('name_ascii', sa.Text(), nullable=True),
        sa.Column('unit_type', sa.Text(), nullable=True),
        sa.Column('parent_code', sa.Text(), nullable=True),
        sa.Column('version', sa.Text(), nullable=True),
        sa.Column('population', sa.BigInteger(), nullable=True),
        sa.Column('area_km2', sa.Float(precision=53), nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('sha256', sa.Text(), nullable=True),
        sa.Column('geometry', Geometry('MULTIPOLYGON', srid=4326, spatial_index=False), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('idx_admin_units_geometry', 'admin_units', ['geometry'], unique=False, postgresql_using='gist')
    op.create_index('ix_admin_units_version_level', 'admin_units', ['version', 'level'], unique=False)
    op.create_table('api_keys',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('key_id', sa.Text(), nullable=True),
        sa.Column('key_hash', sa.Text(), nullable=True),
        sa.Column('role', sa.Text(), nullable=True),
        sa.Column('operator', sa.Text(), nullable=True),
        sa.Column('communes', sa.Text(), nullable=True),
        sa.Column('label', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked', sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_table('coverage',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('coverage_id', sa.Text(), nullable=True),
        sa.Column('operator', sa.Text(), nullable=True),
        sa.Column('technology', sa.Text(), nullable=True),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.Column('raster_path', sa.Text(), nullable=True),
        sa.Column('value_kind', sa.Text(), nullable=True),
        sa.Column('synthetic', sa.Boolean(), nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('sha256', sa.Text(), nullable=True),
        sa.Column('geometry', Geometry('MULTIPOLYGON', srid=4326, spatial_index=False), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('idx_coverage_geometry', 'coverage', ['geometry'], unique=False, postgresql_using='gist')
    op.create_index('ix_coverage_operator_technology_as_of', 'coverage', ['operator', 'technology', 'as_of'], unique=False)
    op.create_table('crosswalk',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('from_version', sa.Text(), nullable=True),
        sa.Column('from_code', sa.Text(), nullable=True),
        sa.Column('to_version', sa.Text(), nullable=True),
        sa.Column('to_code', sa.Text(), nullable=True),
        sa.Column('level', sa.Text(), nullable=True),
        sa.Column('weight', sa.Float(precision=53), nullable=True),
        sa.Column('inferred', sa.Boolean(), nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('sha256', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_table('indicators',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('indicator', sa.Text(), nullable=True),
        sa.Column('level', sa.Text(), nullable=True),
        sa.Column('unit_code', sa.Text(), nullable=True),
        sa.Column('unit_name', sa.Text(), nullable=True),
        sa.Column('boundary_version', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('value', sa.Float(precision=53), nullable=True),
        sa.Column('numerator', sa.Float(precision=53), nullable=True),
        sa.Column('denominator', sa.Float(precision=53), nullable=True),
        sa.Column('baseline', sa.Float(precision=53), nullable=True),
        sa.Column('target', sa.Float(precision=53), nullable=True),
        sa.Column('run_id', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('ix_indicators_indicator_level_boundary_version', 'indicators', ['indicator', 'level', 'boundary_version'], unique=False)
    op.create_table('measurements',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('measurement_id', sa.Text(), nullable=True),
        sa.Column('kind', sa.Text(), nullable=True),
        sa.Column('time', sa.DateTime(timezone=True), nullable=True),
        sa.Column('operator', sa.Text(), nullable=True),
        sa.Column('technology', sa.Text(), nullable=True),
        sa.Column('rsrp_dbm', sa.Float(precision=53), nullable=True),
        sa.Column('rsrq_db', sa.Float(precision=53), nullable=True),
        sa.Column('sinr_db', sa.Float(precision=53), nullable=True),
        sa.Column('dl_mbps', sa.Float(precision=53), nullable=True),
        sa.Column('ul_mbps', sa.Float(precision=53), nullable=True),
        sa.Column('latency_ms', sa.Float(precision=53), nullable=True),
        sa.Column('tests', sa.BigInteger(), nullable=True),
        sa.Column('devices', sa.BigInteger(), nullable=True),
        sa.Column('synthetic', sa.Boolean(), nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('sha256', sa.Text(), nullable=True),
        sa.Column('geometry', Geometry('GEOMETRY', srid=4326, spatial_index=False), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('idx_measurements_geometry', 'measurements', ['geometry'], unique=False, postgresql_using='gist')
    op.create_index('ix_measurements_operator_technology', 'measurements', ['operator', 'technology'], unique=False)
    op.create_table('places',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('place_id', sa.Text(), nullable=True),
        sa.Column('name', sa.Text(), nullable=True),
        sa.Column('place_kind', sa.Text(), nullable=True),
        sa.Column('commune_code', sa.Text(), nullable=True),
        sa.Column('population', sa.BigInteger(), nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('sha256', sa.Text(), nullable=True),
        sa.Column('geometry', Geometry('POINT', srid=4326, spatial_index=False), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('idx_places_geometry', 'places', ['geometry'], unique=False, postgresql_using='gist')
    op.create_table('runs',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('run_id', sa.Text(), nullable=True),
        sa.Column('kind', sa.Text(), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('inputs_hash', sa.Text(), nullable=True),
        sa.Column('details', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_table('services',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('village_id', sa.Text(), nullable=True),
        sa.Column('service', sa.Text(), nullable=True),
        sa.Column('available', sa.Boolean(), nullable=True),
        sa.Column('synthetic', sa.Boolean(), nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('sha256', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_table('sites',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('site_id', sa.Text(), nullable=True),
        sa.Column('kind', sa.Text(), nullable=True),
        sa.Column('operator', sa.Text(), nullable=True),
        sa.Column('technologies', sa.Text(), nullable=True),
        sa.Column('height_m', sa.Float(precision=53), nullable=True),
        sa.Column('eirp_dbm', sa.Float(precision=53), nullable=True),
        sa.Column('in_service_from', sa.Date(), nullable=True),
        sa.Column('in_service_to', sa.Date(), nullable=True),
        sa.Column('n_cells', sa.BigInteger(), nullable=True),
        sa.Column('synthetic', sa.Boolean(), nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('sha256', sa.Text(), nullable=True),
        sa.Column('geometry', Geometry('POINT', srid=4326, spatial_index=False), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('idx_sites_geometry', 'sites', ['geometry'], unique=False, postgresql_using='gist')
    op.create_index('ix_sites_kind', 'sites', ['kind'], unique=False)
    op.create_index('ix_sites_operator', 'sites', ['operator'], unique=False)
    op.create_table('submissions',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('sha256', sa.Text(), nullable=True),
        sa.Column('kind', sa.Text(), nullable=True),
        sa.Column('filename', sa.Text(), nullable=True),
        sa.Column('archive_path', sa.Text(), nullable=True),
        sa.Column('options', sa.Text(), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rows_accepted', sa.BigInteger(), nullable=True),
        sa.Column('rows_rejected', sa.BigInteger(), nullable=True),
        sa.Column('quarantine_path', sa.Text(), nullable=True),
        sa.Column('status', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_table('village_coverage',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('village_id', sa.Text(), nullable=True),
        sa.Column('operator', sa.Text(), nullable=True),
        sa.Column('technology', sa.Text(), nullable=True),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('covered_area_share', sa.Float(precision=53), nullable=True),
        sa.Column('covered_pop_share', sa.Float(precision=53), nullable=True),
        sa.Column('best_signal_dbm', sa.Float(precision=53), nullable=True),
        sa.Column('status', sa.Text(), nullable=True),
        sa.Column('run_id', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('ix_village_coverage_as_of_technology', 'village_coverage', ['as_of', 'technology'], unique=False)
    op.create_table('villages',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('village_id', sa.Text(), nullable=True),
        sa.Column('name', sa.Text(), nullable=True),
        sa.Column('commune_code', sa.Text(), nullable=True),
        sa.Column('boundary_version', sa.Text(), nullable=True),
        sa.Column('population', sa.BigInteger(), nullable=True),
        sa.Column('households', sa.BigInteger(), nullable=True),
        sa.Column('remote', sa.Boolean(), nullable=True),
        sa.Column('remote_official', sa.Boolean(), nullable=True),
        sa.Column('remote_reasons', sa.Text(), nullable=True),
        sa.Column('derived', sa.Boolean(), nullable=True),
        sa.Column('synthetic', sa.Boolean(), nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('sha256', sa.Text(), nullable=True),
        sa.Column('geometry', Geometry('MULTIPOLYGON', srid=4326, spatial_index=False), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('idx_villages_geometry', 'villages', ['geometry'], unique=False, postgresql_using='gist')
    op.create_index('ix_villages_commune_code', 'villages', ['commune_code'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_villages_commune_code', table_name='villages')
    op.drop_index('idx_villages_geometry', table_name='villages', postgresql_using='gist')
    op.drop_table('villages')
    op.drop_index('ix_village_coverage_as_of_technology', table_name='village_coverage')
    op.drop_table('village_coverage')
    op.drop_table('submissions')
    op.drop_index('ix_sites_operator', table_name='sites')
    op.drop_index('ix_sites_kind', table_name='sites')
    op.drop_index('idx_sites_geometry', table_name='sites', postgresql_using='gist')
    op.drop_table('sites')
    op.drop_table('services')
    op.drop_table('runs')
    op.drop_index('idx_places_geometry', table_name='places', postgresql_using='gist')
    op.drop_table('places')
    op.drop_index('ix_measurements_operator_technology', table_name='measurements')
    op.drop_index('idx_measurements_geometry', table_name='measurements', postgresql_using='gist')
    op.drop_table('measurements')
    op.drop_index('ix_indicators_indicator_level_boundary_version', table_name='indicators')
    op.drop_table('indicators')
    op.drop_table('crosswalk')
    op.drop_index('ix_coverage_operator_technology_as_of', table_name='coverage')
    op.drop_index('idx_coverage_geometry', table_name='coverage', postgresql_using='gist')
    op.drop_table('coverage')
    op.drop_table('api_keys')
    op.drop_index('ix_admin_units_version_level', table_name='admin_units')
    op.drop_index('idx_admin_units_geometry', table_name='admin_units', postgresql_using='gist')
    op.drop_table('admin_units')
