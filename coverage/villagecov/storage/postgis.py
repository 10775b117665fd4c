"""PostGIS store through SQLAlchemy 2 + GeoAlchemy2. Schema versioned by Alembic migrations.

Every transaction is one database transaction. Bulk inserts use ``COPY`` with hex EWKB
geometries, on the same connection and so inside the same transaction.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from villagecov.errors import StoreError, StoreUnavailable
from villagecov.frames import normalize
from villagecov.schema import STORAGE_CRS, TABLES, Table, table
from villagecov.storage.base import BBox, Store, TimeRange, Transaction, Where, check_columns, where_values
from villagecov.storage.metadata import METADATA
from villagecov.storage.village_layer import refresh_if_stale
from villagecov.storage.village_layer import state as village_layer_state

if TYPE_CHECKING:
    from villagecov.storage.tiles import LayerFrames, Tile, TileBox, TileLayer, TileOptions

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _copy_value(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _copy_column(s: pd.Series, kind: str) -> list[object]:
    """A normalised column as plain Python values for COPY (None for nulls), converted in bulk:
    the same values :func:`_copy_value` gives one by one."""
    if kind in ("int", "bool"):
        return s.to_numpy(dtype=object, na_value=None).tolist()
    if kind == "float":
        values = s.to_numpy(dtype="float64")
        out = values.astype(object)
        out[np.isnan(values)] = None
        return out.tolist()
    if kind == "datetime":
        out = np.array(s.dt.to_pydatetime(), dtype=object)
        out[s.isna().to_numpy()] = None
        return out.tolist()
    return s.astype(object).where(s.notna(), None).tolist()  # str / ISO date text


def _fetch_on(conn: Connection, spec: Table, query: sa.Select[Any]) -> pd.DataFrame:
    try:
        result = conn.execute(query)
    except sa.exc.ProgrammingError as exc:
        raise StoreError(f"PostGIS store has no table {spec.name}: run `villagecov doctor`") from exc
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    if spec.geometry:
        wkb = frame["geometry"].map(lambda b: None if b is None else bytes(b)).to_numpy(dtype=object)
        frame = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=shapely.from_wkb(wkb), crs=STORAGE_CRS)
    return frame


class PostGISTransaction(Transaction):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def read(self, name: str, where: Where | None = None) -> pd.DataFrame:
        spec = table(name)
        query = PostGISStore._select(spec).where(_where_clause(METADATA.tables[name], spec, where))
        return normalize(_fetch_on(self.conn, spec, query), spec)

    def lock(self, name: str) -> None:
        """A transaction-level advisory lock on ``name`` (released at commit or rollback)."""
        self.conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name})

    def append(self, name: str, frame: pd.DataFrame) -> int:
        spec = table(name)
        rows = normalize(frame, spec)
        if rows.empty:
            return 0
        columns = list(spec.columns)
        data = [_copy_column(rows[c], kind) for c, kind in spec.columns.items()]
        if spec.geometry:
            geoms = np.asarray(rows.geometry.values, dtype=object)
            srid_geoms = shapely.set_srid(geoms, 4326)
            wkb = shapely.to_wkb(srid_geoms, hex=True, include_srid=True)
            data.append([None if g is None else w for g, w in zip(geoms, wkb, strict=True)])
            columns = columns + ["geometry"]
        quoted = ", ".join(f'"{c}"' for c in columns)
        raw = self.conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
            for row in zip(*data, strict=True):
                copy.write_row(row)
        return len(rows)

    def delete(self, name: str, where: Where) -> int:
        if not where:
            raise ValueError("delete needs a non-empty where")
        t = METADATA.tables[name]
        result = self.conn.execute(sa.delete(t).where(_where_clause(t, table(name), where)))
        return int(result.rowcount or 0)


def _where_clause(t: sa.Table, spec: Table, where: Where | None) -> sa.ColumnElement[bool]:
    clauses: list[sa.ColumnElement[bool]] = []
    for col, values in where_values(where):
        check_columns(spec, [col])
        if values and isinstance(values[0], TimeRange):
            rng = values[0]
            if rng.start:
                clauses.append(t.c[col] >= pd.Timestamp(rng.start, tz="UTC").to_pydatetime())
            if rng.stop:
                clauses.append(t.c[col] < pd.Timestamp(rng.stop, tz="UTC").to_pydatetime())
            continue
        non_null = [_bind_value(spec.columns[col], v) for v in values if v is not None]
        parts: list[sa.ColumnElement[bool]] = []
        if non_null:
            parts.append(t.c[col].in_(non_null))
        if len(non_null) < len(values):
            parts.append(t.c[col].is_(None))
        clauses.append(sa.or_(*parts) if parts else sa.false())
    return sa.and_(sa.true(), *clauses)


def _bind_value(kind: str, value: object) -> object:
    """Filter values as the driver expects them (ISO strings → date/timestamp)."""
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value[:10])
    if kind == "datetime" and isinstance(value, str):
        return pd.Timestamp(value).to_pydatetime()
    return value


class PostGISStore(Store):
    kind = "postgis"

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._tile_engine: Engine | None = None
        self._tile_engine_lock = threading.Lock()  # concurrent first tiles make one engine, not one each

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.url, pool_pre_ping=True)
        return self._engine

    def tile_engine(self, connections: int) -> Engine:
        """The read-only engine the tiles run on (:func:`villagecov.storage.postgis_tiles.tile_engine`),
        ``connections`` sessions at most: made on first use, so the first caller's number holds
        until the store is closed."""
        if self._tile_engine is None:
            from villagecov.storage.postgis_tiles import tile_engine

            with self._tile_engine_lock:
                if self._tile_engine is None:
                    self._tile_engine = tile_engine(self.url, connections)
        return self._tile_engine

    def _connect(self) -> Connection:
        try:
            return self.engine.connect()
        except sa.exc.OperationalError as exc:
            host = self.engine.url.render_as_string(hide_password=True)
            raise StoreUnavailable(f"cannot connect to PostGIS store {host}") from exc

    def initialize(self) -> None:
        """Bring the database to the newest Alembic revision (creates the PostGIS extension)."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self._connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            refresh_if_stale(conn)  # a new 0007 layer, or rows written to its sources by other means
            conn.commit()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._connect() as conn, conn.begin():
            yield PostGISTransaction(conn)
            refresh_if_stale(conn)  # the village layer follows its sources in the same commit

    def _read(self, spec: Table, where: Where | None, bbox: BBox | None) -> pd.DataFrame:
        t = METADATA.tables[spec.name]
        query = self._select(spec).where(_where_clause(t, spec, where))
        if bbox is not None and spec.geometry:
            envelope = sa.func.ST_MakeEnvelope(*bbox, 4326)
            query = query.where(t.c.geometry.op("&&")(envelope)).where(
                sa.func.ST_Intersects(t.c.geometry, envelope)
            )
        return self._fetch(spec, query)

    def _read_page(
        self, spec: Table, where: Where | None, order_by: list[str], limit: int, offset: int,
        start: list[object] | None = None,
    ) -> pd.DataFrame:
        t = METADATA.tables[spec.name]
        # Text by code point (COLLATE "C"), as pandas and SQLite sort it.
        keys = [t.c[c].collate("C") if spec.columns[c] == "str" else t.c[c] for c in order_by]
        query = self._select(spec).where(_where_clause(t, spec, where))
        if start is not None:  # seeks in the (key COLLATE "C", fid) index instead of walking to an offset
            query = query.where(sa.tuple_(*keys) >= sa.tuple_(*(sa.literal(v) for v in start)))
        query = query.order_by(*keys, t.c.fid).limit(limit).offset(offset)
        return self._fetch(spec, query)

    @staticmethod
    def _select(spec: Table) -> sa.Select[Any]:
        t = METADATA.tables[spec.name]
        cols: list[sa.ColumnElement[object]] = [t.c[c] for c in spec.columns]
        if spec.geometry:
            cols.append(sa.func.ST_AsBinary(t.c.geometry).label("geometry"))
        return sa.select(*cols)

    def _fetch(self, spec: Table, query: sa.Select[Any]) -> pd.DataFrame:
        with self._connect() as conn:
            return _fetch_on(conn, spec, query)

    def count(self, name: str, where: Where | None = None) -> int:
        spec = table(name)
        t = METADATA.tables[name]
        with self._connect() as conn:
            q = sa.select(sa.func.count()).select_from(t).where(_where_clause(t, spec, where))
            return int(conn.execute(q).scalar_one())

    def state_token(self) -> str:
        """The per-table insert/update/delete counters of the statistics collector, and the highest
        row id of each table: the counters are flushed lazily, the row ids catch appends at once."""
        fids = ", ".join(f'(SELECT max(fid) FROM "{name}")' for name in TABLES)
        with self._connect() as conn:
            row = conn.execute(sa.text(
                "SELECT (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables), "
                + fids
            )).one()
        return ":".join(str(v) for v in row)

    def tile(
        self, layer: TileLayer, box: TileBox, *, as_of: str | None, version: str | None, cap: int,
        options: TileOptions, frames: LayerFrames,
    ) -> Tile:
        """One SQL statement per tile (:mod:`villagecov.storage.postgis_tiles`)."""
        from villagecov.storage.postgis_tiles import render

        return render(self.tile_engine(options.db_connections), layer, box, as_of, version, cap, options, frames)

    def info(self) -> dict[str, str]:
        with self._connect() as conn:
            pg = conn.execute(sa.text("SELECT version()")).scalar_one()
            postgis = conn.execute(sa.text("SELECT postgis_full_version()")).scalar_one()
            try:
                rev = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
            except sa.exc.ProgrammingError:
                rev = "(not migrated)"
                conn.rollback()
            layer = village_layer_state(conn)
        return {
            "backend": "PostGIS (GeoAlchemy2)",
            "location": self.engine.url.render_as_string(hide_password=True),
            "postgresql": str(pg),
            "postgis_full_version": str(postgis),
            "schema_revision": str(rev),
            "village_layer": layer,
        }

    def close(self) -> None:
        for engine in (self._engine, self._tile_engine):
            if engine is not None:
                engine.dispose()
        self._engine = self._tile_engine = None


def explain(store: PostGISStore, sql: str) -> str:
    """EXPLAIN output as one string (used by tests to check that indexes are used)."""
    with store._connect() as conn:
        return json.dumps([r[0] for r in conn.execute(sa.text("EXPLAIN " + sql))])
