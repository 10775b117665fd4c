"""Plans: plans, plan_sites and plan_villages tables (`villagecov plan` results).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Written out as ``villagecov.schema`` stood at this revision (commit ede67ed); frozen: never edited
once released, whatever the schema module says now.
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plan_sites',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('plan_site_id', sa.Text(), nullable=True),
        sa.Column('plan_id', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('technology', sa.Text(), nullable=True),
        sa.Column('mode', sa.Text(), nullable=True),
        sa.Column('rank', sa.BigInteger(), nullable=True),
        sa.Column('candidate_id', sa.Text(), nullable=True),
        sa.Column('candidate_kind', sa.Text(), nullable=True),
        sa.Column('site_id', sa.Text(), nullable=True),
        sa.Column('operator', sa.Text(), nullable=True),
        sa.Column('height_m', sa.Float(precision=53), nullable=True),
        sa.Column('ground_m', sa.Float(precision=53), nullable=True),
        sa.Column('backhaul', sa.Text(), nullable=True),
        sa.Column('fibre_km', sa.Float(precision=53), nullable=True),
        sa.Column('cost_vnd', sa.Float(precision=53), nullable=True),
        sa.Column('capex_vnd', sa.Float(precision=53), nullable=True),
        sa.Column('opex_vnd_per_year', sa.Float(precision=53), nullable=True),
        sa.Column('villages_covered', sa.BigInteger(), nullable=True),
        sa.Column('population_covered', sa.Float(precision=53), nullable=True),
        sa.Column('village_ids', sa.Text(), nullable=True),
        sa.Column('method', sa.Text(), nullable=True),
        sa.Column('synthetic', sa.Boolean(), nullable=True),
        sa.Column('geometry', Geometry('POINT', srid=4326, spatial_index=False), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('idx_plan_sites_geometry', 'plan_sites', ['geometry'], unique=False, postgresql_using='gist')
    op.create_index('ix_plan_sites_plan_id', 'plan_sites', ['plan_id'], unique=False)
    op.create_table('plan_villages',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('plan_village_id', sa.Text(), nullable=True),
        sa.Column('plan_id', sa.Text(), nullable=True),
        sa.Column('technology', sa.Text(), nullable=True),
        sa.Column('village_id', sa.Text(), nullable=True),
        sa.Column('name', sa.Text(), nullable=True),
        sa.Column('commune_code', sa.Text(), nullable=True),
        sa.Column('population', sa.BigInteger(), nullable=True),
        sa.Column('remote', sa.Boolean(), nullable=True),
        sa.Column('status', sa.Text(), nullable=True),
        sa.Column('uncovered_population', sa.Float(precision=53), nullable=True),
        sa.Column('site_rank', sa.BigInteger(), nullable=True),
        sa.Column('plan_site_id', sa.Text(), nullable=True),
        sa.Column('candidate_id', sa.Text(), nullable=True),
        sa.Column('synthetic', sa.Boolean(), nullable=True),
        sa.Column('geometry', Geometry('MULTIPOLYGON', srid=4326, spatial_index=False), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )
    op.create_index('idx_plan_villages_geometry', 'plan_villages', ['geometry'], unique=False, postgresql_using='gist')
    op.create_index('ix_plan_villages_plan_id', 'plan_villages', ['plan_id'], unique=False)
    op.create_table('plans',
        sa.Column('fid', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('plan_id', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('technology', sa.Text(), nullable=True),
        sa.Column('mode', sa.Text(), nullable=True),
        sa.Column('weight', sa.Text(), nullable=True),
        sa.Column('budget_vnd', sa.Float(precision=53), nullable=True),
        sa.Column('target_share', sa.Float(precision=53), nullable=True),
        sa.Column('target_value', sa.Float(precision=53), nullable=True),
        sa.Column('gap_villages', sa.BigInteger(), nullable=True),
        sa.Column('gap_population', sa.Float(precision=53), nullable=True),
        sa.Column('candidates', sa.BigInteger(), nullable=True),
        sa.Column('terrain', sa.Boolean(), nullable=True),
        sa.Column('method', sa.Text(), nullable=True),
        sa.Column('sites', sa.BigInteger(), nullable=True),
        sa.Column('cost_vnd', sa.Float(precision=53), nullable=True),
        sa.Column('capex_vnd', sa.Float(precision=53), nullable=True),
        sa.Column('opex_vnd_per_year', sa.Float(precision=53), nullable=True),
        sa.Column('villages_covered', sa.BigInteger(), nullable=True),
        sa.Column('population_covered', sa.Float(precision=53), nullable=True),
        sa.Column('greedy_sites', sa.BigInteger(), nullable=True),
        sa.Column('greedy_cost_vnd', sa.Float(precision=53), nullable=True),
        sa.Column('greedy_value', sa.Float(precision=53), nullable=True),
        sa.Column('greedy_status', sa.Text(), nullable=True),
        sa.Column('greedy_seconds', sa.Float(precision=53), nullable=True),
        sa.Column('exact_sites', sa.BigInteger(), nullable=True),
        sa.Column('exact_cost_vnd', sa.Float(precision=53), nullable=True),
        sa.Column('exact_value', sa.Float(precision=53), nullable=True),
        sa.Column('exact_status', sa.Text(), nullable=True),
        sa.Column('exact_seconds', sa.Float(precision=53), nullable=True),
        sa.Column('relative_gap', sa.Float(precision=53), nullable=True),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('synthetic', sa.Boolean(), nullable=True),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('fid')
    )


def downgrade() -> None:
    op.drop_table('plans')
    op.drop_index('ix_plan_villages_plan_id', table_name='plan_villages')
    op.drop_index('idx_plan_villages_geometry', table_name='plan_villages', postgresql_using='gist')
    op.drop_table('plan_villages')
    op.drop_index('ix_plan_sites_plan_id', table_name='plan_sites')
    op.drop_index('idx_plan_sites_geometry', table_name='plan_sites', postgresql_using='gist')
    op.drop_table('plan_sites')
