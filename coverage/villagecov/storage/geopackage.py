"""The embedded default store: one GeoPackage file (opens in QGIS as it is).

Atomicity: a transaction writes into a copy of the file and replaces the original with
``os.replace`` only when every change succeeded, so a failure or a ``kill -9`` half-way leaves
the store exactly as before. Writers are serialised by an ``fcntl`` lock on a side file; readers
never block (they keep reading the file they opened).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio

from villagecov.errors import StoreError
from villagecov.frames import normalize
from villagecov.schema import STORAGE_CRS, TABLES, ColumnKind, Table, table
from villagecov.storage.base import BBox, Store, TimeRange, Transaction, Where, check_columns, where_values

if TYPE_CHECKING:
    from villagecov.storage.tiles import LayerFrames, Tile, TileBox, TileLayer, TileOptions

_TMP_SUFFIX = ".writing.gpkg"
# SQLite's side files of a database: a rollback journal left by a killed writer is "hot" and is
# replayed into whatever file next bears the name, so a working copy's must go with it.
_SIDE_SUFFIXES = ("-journal", "-wal", "-shm")


def _sql_literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def where_sql(spec: Table, where: Where | None) -> str | None:
    """SQLite WHERE clause for an equality/IN mapping (values quoted, columns checked)."""
    clauses = []
    for col, values in where_values(where):
        check_columns(spec, [col])
        if values and isinstance(values[0], TimeRange):
            # Stored as ISO text (``…T08:00:00Z``, ``…T08:00:00.500Z``): text order is time order
            # against a bound without a zone suffix, and the column's index serves it.
            bounds = [f'"{col}" >= {_sql_literal(values[0].start)}' if values[0].start else None,
                      f'"{col}" < {_sql_literal(values[0].stop)}' if values[0].stop else None]
            clauses.append("(" + " AND ".join(b for b in bounds if b) + ")" if any(bounds) else "1")
            continue
        non_null = [v for v in values if v is not None]
        parts = []
        if non_null:
            parts.append(f'"{col}" IN ({", ".join(_sql_literal(v) for v in non_null)})')
        if len(non_null) < len(values):
            parts.append(f'"{col}" IS NULL')
        clauses.append("(" + " OR ".join(parts) + ")" if parts else "0")
    return " AND ".join(clauses) if clauses else None


# The column type GDAL declares for each kind's normalised dtype when it creates a layer (dates are
# ISO text): a column added to an older store is declared as a new store declares it.
GPKG_TYPES: dict[ColumnKind, str] = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "BOOLEAN",
                                     "date": "TEXT", "datetime": "DATETIME"}


def missing_tables(con: sqlite3.Connection) -> list[str]:
    """The canonical tables the GeoPackage open on ``con`` lacks, in schema order."""
    have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [name for name in TABLES if name not in have]


def schema_ddl(con: sqlite3.Connection) -> list[str]:
    """The statements that give the store's canonical tables the columns and indexes of
    ``villagecov.schema`` they lack (columns added at the end, nullable, as Alembic adds them)."""
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    out = []
    for name, spec in TABLES.items():
        if name not in tables:
            continue
        have = {r[1] for r in con.execute(f'PRAGMA table_info("{name}")')}
        out += [f'ALTER TABLE "{name}" ADD COLUMN "{c}" {GPKG_TYPES[kind]}'
                for c, kind in spec.columns.items() if c not in have]
        for cols in spec.indexes:
            index = f"ix_{name}_{'_'.join(cols)}"
            if index not in indexes:
                quoted = ", ".join(f'"{c}"' for c in cols)
                out.append(f'CREATE INDEX "{index}" ON "{name}" ({quoted})')
    return out


def _empty_frame(spec: Table) -> pd.DataFrame:
    return normalize(pd.DataFrame(), spec)


@contextmanager
def _bulk_sqlite() -> Iterator[None]:
    """Bulk-write settings for GDAL's SQLite: no fsync per commit, a larger page cache.

    Safe here: a transaction writes a private copy that is fsynced before ``os.replace``, and a
    crash before that discards the copy.
    """
    wanted = {"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_SQLITE_CACHE": "256"}
    before = {k: pyogrio.get_gdal_config_option(k) for k in wanted}
    pyogrio.set_gdal_config_options(wanted)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


class GeoPackageTransaction(Transaction):
    """Writes into the working copy ``path``; the store's writer lock is held throughout, so
    reads here see every committed change and no other writer (no extra lock is needed)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self, name: str, where: Where | None = None) -> pd.DataFrame:
        spec = table(name)
        if not self.path.exists():
            return _empty_frame(spec)
        return normalize(GeoPackageStore(self.path)._read(spec, where, None), spec)

    def append(self, name: str, frame: pd.DataFrame) -> int:
        spec = table(name)
        rows = normalize(frame, spec)
        if rows.empty:
            return 0
        kwargs = {"geometry_type": spec.geometry} if spec.geometry else {}
        if spec.geometry == "Geometry":
            kwargs = {"geometry_type": "Unknown"}
        with _bulk_sqlite():
            pyogrio.write_dataframe(rows, self.path, layer=name, append=True, driver="GPKG", use_arrow=True, **kwargs)
        return len(rows)

    def delete(self, name: str, where: Where) -> int:
        spec = table(name)
        clause = where_sql(spec, where)
        if not clause:
            raise ValueError("delete needs a non-empty where")
        con = sqlite3.connect(self.path)
        try:
            cur = con.execute(f'DELETE FROM "{name}" WHERE {clause}')
            con.commit()
            return cur.rowcount
        finally:
            con.close()


class GeoPackageStore(Store):
    kind = "geopackage"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url = str(self.path)

    @property
    def _lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def initialize(self) -> None:
        """Create the tables the store lacks and add the columns and indexes its tables lack, all
        derived from ``villagecov.schema`` (the GeoPackage side of the Alembic revisions); the file
        is not rewritten when nothing is missing."""
        if self.path.exists():
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                missing, ddl = missing_tables(con), schema_ddl(con)
            finally:
                con.close()
            if not missing and not ddl:
                return
        else:
            missing = list(TABLES)
        with self.transaction() as tx:
            for name in missing:
                spec = TABLES[name]
                kwargs: dict[str, object] = {}
                if spec.geometry:
                    kwargs["geometry_type"] = "Unknown" if spec.geometry == "Geometry" else spec.geometry
                pyogrio.write_dataframe(_empty_frame(spec), tx.path, layer=name, driver="GPKG", **kwargs)
            con = sqlite3.connect(tx.path)
            try:
                for statement in schema_ddl(con):  # the new tables' indexes too
                    con.execute(statement)
                con.commit()
            finally:
                con.close()

    @property
    def _working_copy(self) -> Path:
        return self.path.with_name(self.path.name + _TMP_SUFFIX)

    def _clear_working_copy(self) -> list[Path]:
        """Remove a working copy and its SQLite side files left by a killed writer (call with
        the writer lock held); return what was removed. The store itself is untouched: the
        copy was never renamed over it, so the store holds the last committed state."""
        tmp = self._working_copy
        removed = []
        for path in (tmp, *(tmp.with_name(tmp.name + s) for s in _SIDE_SUFFIXES)):
            if path.exists():
                path.unlink()
                removed.append(path)
        return removed

    def repair(self) -> list[str]:
        """Clear what a killed writer left and check the store's integrity (``doctor --repair``);
        the actions taken, one line each. :class:`StoreError` when the store itself is damaged."""
        actions: list[str] = []
        with self._writer_lock():
            actions += [f"removed stale working file {p.name}" for p in self._clear_working_copy()]
            if self.path.exists():
                con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
                try:
                    result = [r[0] for r in con.execute("PRAGMA integrity_check")]
                except sqlite3.DatabaseError as exc:
                    raise StoreError(f"store {self.path.name} is damaged ({exc}): restore it from a backup") from None
                finally:
                    con.close()
                if result != ["ok"]:
                    raise StoreError(f"store {self.path.name} is damaged ({result[0]}): restore it from a backup")
                actions.append("integrity check: ok")
        return actions

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._writer_lock():
            tmp = self._working_copy
            self._clear_working_copy()  # left behind by a writer that was killed
            if self.path.exists():
                shutil.copy2(self.path, tmp)
            try:
                yield GeoPackageTransaction(tmp)
                with open(tmp, "rb+") as fh:
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                self._clear_working_copy()
                raise

    def _read(self, spec: Table, where: Where | None, bbox: BBox | None) -> pd.DataFrame:
        kwargs: dict[str, object] = {"layer": spec.name, "where": where_sql(spec, where)}
        if bbox is not None:
            kwargs["bbox"] = tuple(bbox)
        return self._read_ogr(spec, **kwargs)

    def _read_page(
        self, spec: Table, where: Where | None, order_by: list[str], limit: int, offset: int,
        start: list[object] | None = None,
    ) -> pd.DataFrame:
        clause = where_sql(spec, where)
        if start is not None:  # a row value comparison (SQLite ≥ 3.15), BINARY collation: by code point
            cols = ", ".join('"' + c + '"' for c in order_by)
            seek = f"({cols}) >= ({', '.join(_sql_literal(v) for v in start)})"
            clause = f"{clause} AND {seek}" if clause else seek
        # SQLite's BINARY collation orders UTF-8 text by code point, as pandas sorts strings.
        order = ", ".join([*(f'"{c}"' for c in order_by), "fid"])
        sql = (f'SELECT * FROM "{spec.name}"' + (f" WHERE {clause}" if clause else "")
               + f" ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}")
        return self._read_ogr(spec, sql=sql)

    def _read_ogr(self, spec: Table, **kwargs: object) -> pd.DataFrame:
        """``pyogrio.read_dataframe`` of the store (a layer, or an SQL query) with the store's errors,
        and an empty geometry column when no row came back."""
        if not self.path.exists():
            raise StoreError(f"store {self.path} does not exist; run `villagecov ingest boundaries` first")
        try:
            frame = pyogrio.read_dataframe(self.path, read_geometry=bool(spec.geometry), **kwargs)
        except (pyogrio.errors.DataLayerError, pyogrio.errors.DataSourceError) as exc:
            raise StoreError(f"store {self.path} has no table {spec.name}: run `villagecov doctor`") from exc
        if spec.geometry and not isinstance(frame, gpd.GeoDataFrame):
            frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=STORAGE_CRS))
        return frame

    def sample(self, name: str, bbox: BBox, limit: int) -> tuple[pd.DataFrame, int]:
        """Reads stop at ``limit`` rows (GDAL's spatial filter on the R-tree); the count comes from
        the R-tree alone (bounding boxes: exact for points)."""
        spec = table(name)
        frame = normalize(self._read_ogr(spec, layer=name, bbox=tuple(bbox), max_features=max(1, limit)), spec)
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            column = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                                 (name,)).fetchone()
            if column is None:
                return super().sample(name, bbox, limit)
            minx, miny, maxx, maxy = bbox
            total = con.execute(f'SELECT count(*) FROM "rtree_{name}_{column[0]}" WHERE minx <= ? AND maxx >= ? '
                                "AND miny <= ? AND maxy >= ?", (maxx, minx, maxy, miny)).fetchone()[0]
        except sqlite3.OperationalError:  # no R-tree (a file made by another tool)
            return super().sample(name, bbox, limit)
        finally:
            con.close()
        return frame.head(limit).reset_index(drop=True), int(total)

    def count(self, name: str, where: Where | None = None) -> int:
        spec = table(name)
        clause = where_sql(spec, where)
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            sql = f'SELECT COUNT(*) FROM "{name}"' + (f" WHERE {clause}" if clause else "")
            return int(con.execute(sql).fetchone()[0])
        finally:
            con.close()

    def state_token(self) -> str:
        """The file's inode, size and mtime: writes replace the file atomically."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "missing"
        return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"

    def tile(
        self, layer: TileLayer, box: TileBox, *, as_of: str | None, version: str | None, cap: int,
        options: TileOptions, frames: LayerFrames,
    ) -> Tile:
        """Encoded in Python from the published frames (SQLite has no MVT encoder)."""
        from villagecov.storage.tiles import python_tile

        return python_tile(layer, box, as_of, version, cap, options, frames)

    def info(self) -> dict[str, str]:
        return {
            "backend": "GeoPackage (embedded)",
            "location": str(self.path),
            "size_bytes": str(self.path.stat().st_size if self.path.exists() else 0),
            "sqlite": sqlite3.sqlite_version,
        }
