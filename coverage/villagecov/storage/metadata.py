"""The PostGIS schema as SQLAlchemy metadata, derived from :mod:`villagecov.schema`.

:data:`METADATA` is what `alembic revision --autogenerate` compares a database with (see the
migrations' ``env.py``) and what the PostGIS store queries. It holds every canonical table
(``schema.TABLES``: an identity ``fid``, the columns, a GiST index on the geometry, the declared
indexes), the derived tables (``schema.DERIVED_TABLES``) and what only PostGIS keeps: the stored
Web-Mercator copies (``Table.mercator``), the index measurement pages walk, the village layer's
state row. The migrations themselves are frozen: they never import this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry

from villagecov.schema import DERIVED_TABLES, TABLES, ColumnKind, Table

SA_TYPES: dict[ColumnKind, Callable[[], sa.types.TypeEngine[Any]]] = {
    "str": sa.Text,
    "int": sa.BigInteger,
    "float": lambda: sa.Float(precision=53),  # double precision
    "bool": sa.Boolean,
    "date": sa.Date,
    "datetime": lambda: sa.DateTime(timezone=True),
}
MERCATOR = "ST_Transform(geometry, 3857)"  # geom_3857 of a canonical table (Alembic 0005)
# Tables PostGIS itself creates in the database: not ours to compare or to drop.
POSTGIS_TABLES = frozenset({"spatial_ref_sys"})
# Indexes autogenerate cannot compare: SQLAlchemy reflects an index column's COLLATE as the bare
# column, so every comparison would drop and re-create them. tests/storage/test_migrations.py
# checks their definition in pg_indexes instead.
UNREFLECTED_INDEXES = frozenset({"ix_measurements_page"})


def _geometry(spec: Table, spatial_index: bool) -> Geometry:
    gtype = "GEOMETRY" if spec.geometry == "Geometry" else str(spec.geometry).upper()
    return Geometry(gtype, srid=4326, spatial_index=spatial_index)


def _columns(spec: Table) -> list[sa.Column[Any]]:
    return [sa.Column(name, SA_TYPES[kind]()) for name, kind in spec.columns.items()]


def canonical_table(metadata: sa.MetaData, spec: Table) -> sa.Table:
    """A canonical table: ``fid`` (identity key, the insertion order ties are broken by), its
    columns, the geometry with a GiST index named ``idx_<table>_geometry`` (GeoAlchemy2's name),
    ``geom_3857`` generated from it where ``spec.mercator``, and ``ix_<table>_<columns>`` indexes."""
    cols: list[sa.Column[Any]] = [sa.Column("fid", sa.BigInteger, sa.Identity(), primary_key=True)]
    cols += _columns(spec)
    if spec.geometry:
        cols.append(sa.Column("geometry", _geometry(spec, spatial_index=True)))
        if spec.mercator:
            cols.append(sa.Column("geom_3857", Geometry(geometry_type=None, spatial_index=False),
                                  sa.Computed(MERCATOR, persisted=True)))
    t = sa.Table(spec.name, metadata, *cols)
    for idx_cols in spec.indexes:
        sa.Index(f"ix_{spec.name}_{'_'.join(idx_cols)}", *[t.c[c] for c in idx_cols])
    return t


def derived_table(metadata: sa.MetaData, spec: Table) -> sa.Table:
    """A table the store rebuilds from others (no ``fid``: it is never paged or appended to);
    ``geom_3857`` is a plain copy of the source's."""
    cols = _columns(spec)
    if spec.geometry:
        cols.append(sa.Column("geometry", _geometry(spec, spatial_index=False)))
        if spec.mercator:
            cols.append(sa.Column("geom_3857", Geometry(geometry_type=None, spatial_index=False)))
    t = sa.Table(spec.name, metadata, *cols)
    if spec.geometry:
        sa.Index(f"ix_{spec.name}_geometry", t.c.geometry, postgresql_using="gist")
    return t


def build_metadata(
    tables: Mapping[str, Table] = TABLES, derived: Mapping[str, Table] = DERIVED_TABLES
) -> sa.MetaData:
    """SQLAlchemy tables for ``tables`` and ``derived`` and the PostGIS-only objects that go with them."""
    metadata = sa.MetaData()
    for spec in tables.values():
        canonical_table(metadata, spec)
    for spec in derived.values():
        derived_table(metadata, spec)
    if "measurements" in metadata.tables:
        # Store.read_page orders text by code point, ties by fid: pages walk this index (Alembic 0006).
        m = metadata.tables["measurements"]
        sa.Index("ix_measurements_page", m.c.measurement_id.collate("C"), m.c.fid)
    if "village_layer" in metadata.tables:
        # One row: whether the village layer must be rebuilt (set by triggers on its sources, 0007).
        sa.Table(
            "village_layer_state", metadata,
            sa.Column("one", sa.Boolean, sa.CheckConstraint("one"), primary_key=True, server_default=sa.true()),
            sa.Column("stale", sa.Boolean, nullable=False),
            sa.Column("refreshed_at", sa.DateTime(timezone=True)),
        )
    return metadata


METADATA = build_metadata()


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's filter for autogenerate: leave out the tables the PostGIS extension owns and the
    indexes reflection cannot describe."""
    if type_ == "table":
        return not (reflected and compare_to is None and name in POSTGIS_TABLES)
    return not (type_ == "index" and name in UNREFLECTED_INDEXES)
