"""Mapbox Vector Tiles of the published layers, one function per backend.

Both backends produce the same tile: one layer named after the collection, the collection's
``tile_properties`` as attributes (nulls omitted), geometries in Web Mercator (EPSG:3857)
clipped to the tile plus ``settings.tile_buffer`` units, simplified (Douglas–Peucker) with a tolerance of
``settings.tile_simplify`` tile units (1 unit = tile width / extent, so the tolerance halves
at each zoom), quantised to ``settings.tile_extent``. Candidates are the features intersecting
the buffered tile (EPSG:4326 test); at most ``settings.tile_max_features`` are kept, in the
collection's ``tile_order`` and written in that order — the result says how many were dropped.

PostGIS builds the tile in SQL with ``ST_AsMVT``/``ST_AsMVTGeom``; the GeoPackage store
encodes it in Python with ``mapbox_vector_tile`` from the cached layer frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import morecantile
import numpy as np
import pandas as pd
import shapely

from villagecov.api.layers import BIG, LATEST, Collection, LayerCache, published
from villagecov.errors import NotFound, StoreUnavailable
from villagecov.rules import latest_per_key_sql
from villagecov.settings import Settings
from villagecov.storage import Store
from villagecov.storage.village_layer import ENVELOPE_4326, UNCOVERED, gap_rank_sql, is_fresh, villages_sql

TMS = morecantile.tms.get("WebMercatorQuad")
MVT = "application/vnd.mapbox-vector-tile"


@dataclass(frozen=True)
class Tile:
    data: bytes
    features: int  # features written
    dropped: int  # candidates left out by the feature cap


@dataclass(frozen=True)
class TileBox:
    """Tile bounds in EPSG:3857 metres, the buffered bounds, and the buffered bounds in degrees."""

    bounds: tuple[float, float, float, float]
    buffered: tuple[float, float, float, float]
    lonlat: tuple[float, float, float, float]
    unit: float  # metres per tile unit
    zoom: int


def tile_box(z: int, x: int, y: int, settings: Settings) -> TileBox:
    if not (0 <= z <= 24 and 0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFound(f"no tile {z}/{y}/{x} in WebMercatorQuad")
    b = TMS.xy_bounds(x, y, z)
    unit = (b.right - b.left) / settings.tile_extent
    m = unit * settings.tile_buffer
    lim = TMS.xy_bounds(0, 0, 0).right
    buffered = (max(b.left - m, -lim), max(b.bottom - m, -lim), min(b.right + m, lim), min(b.top + m, lim))
    lon0, lat0 = mercator_to_lonlat(buffered[0], buffered[1])
    lon1, lat1 = mercator_to_lonlat(buffered[2], buffered[3])
    return TileBox((b.left, b.bottom, b.right, b.top), buffered, (lon0, lat0, lon1, lat1), unit, z)


EARTH_RADIUS_M = 6378137.0  # EPSG:3857 sphere


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    """EPSG:3857 metres → lon/lat degrees (the inverse spherical Mercator, as pyproj gives it,
    without a CRS lookup per tile)."""
    return math.degrees(x / EARTH_RADIUS_M), math.degrees(math.atan(math.sinh(y / EARTH_RADIUS_M)))


def feature_cap(coll: Collection, zoom: int, settings: Settings) -> int:
    """Most features one tile of ``coll`` keeps at ``zoom``: fewer for the big point layers at low
    zooms, where a tile would otherwise gather a million points (and a sort of all of them)."""
    if coll.id in BIG and zoom < settings.tile_points_full_zoom:
        return min(settings.tile_points_low_zoom_max, settings.tile_max_features)
    return settings.tile_max_features


def cap_metadata(coll: Collection, settings: Settings) -> list[dict[str, int]]:
    """The caps of :func:`feature_cap` by zoom range, as TileJSON and tileset metadata say them."""
    if coll.id not in BIG or settings.tile_points_full_zoom == 0:
        return [{"minzoom": 0, "maxzoom": 24, "maxFeatures": settings.tile_max_features}]
    return [{"minzoom": 0, "maxzoom": settings.tile_points_full_zoom - 1,
             "maxFeatures": feature_cap(coll, 0, settings)},
            {"minzoom": settings.tile_points_full_zoom, "maxzoom": 24, "maxFeatures": settings.tile_max_features}]


def render_tile(
    store: Store, cache: LayerCache, coll: Collection, z: int, x: int, y: int, as_of: str | None, settings: Settings,
    version: str | None = None,
) -> Tile:
    """The MVT of ``coll`` for tile z/x/y (x = column, y = row) at vintage ``as_of``; ``version``:
    the version of a versioned collection (a plan id; None: no version, an empty tile)."""
    box = tile_box(z, x, y, settings)
    if store.kind == "postgis":
        kw: dict[str, Any] = {"capped_zooms": cache.get(store, ("__capped_zooms__", None), set)}
        if coll.table == "villages":
            # The latest vintage reads the prepared village layer unless a write bypassed the store.
            if as_of is None and cache.get(store, ("__village_layer_fresh__", None),
                                           lambda: village_layer_fresh(store, settings)):
                kw["layer"] = True
            else:
                kw["single_register"] = bool(cache.get(store, ("__one_register_row__", None),
                                                       lambda: one_register_row_per_village(store, settings)))
        return postgis_tile(store, coll, box, as_of, settings, version, **kw)
    return python_tile(store, cache, coll, box, as_of, settings, version)


# -- GeoPackage: Python encoder -------------------------------------------------------------


def _ordered(frame: pd.DataFrame, coll: Collection) -> pd.DataFrame:
    cols = [c for c, _ in coll.tile_order]
    asc = [not desc for _, desc in coll.tile_order]
    return frame.sort_values(cols, ascending=asc, kind="stable", na_position="last") if cols else frame


def _attrs(rec: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in rec.items():
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        out[k] = v.item() if isinstance(v, np.generic) else v
    return out


def to_tile_grid(geoms: np.ndarray, origin: tuple[float, float], unit: float) -> np.ndarray:
    """Web-Mercator geometries → integer tile units (y up; the encoder flips to y down), snapped to
    the grid as ST_AsMVTGeom does. Parts that collapse below one unit (a ring of two distinct
    points) become empty instead of invalid."""
    shifted = shapely.transform(geoms, lambda c: (c - np.asarray(origin)) / unit)
    return shapely.set_precision(shifted, grid_size=1.0)


def python_tile(
    store: Store, cache: LayerCache, coll: Collection, box: TileBox, as_of: str | None, settings: Settings,
    version: str | None = None,
) -> Tile:
    import mapbox_vector_tile
    from mapbox_vector_tile.encoder import on_invalid_geometry_make_valid

    if coll.version_column and version is None:
        return Tile(b"", 0, 0)
    cap = feature_cap(coll, box.zoom, settings)
    total = None
    if coll.id in BIG and cap < settings.tile_max_features and not coll.where:
        # A low zoom of a big point layer: read `cap` points of the tile, count the rest on the index.
        rows, total = store.sample(coll.table, box.lonlat, cap)
        frame = published(rows, coll)
        merc = frame.geometry.to_crs(3857).values
    elif coll.id in BIG:  # never the whole layer in memory: the tile's area only
        frame = cache.frame_in(store, coll, box.lonlat, as_of, version)
        merc = frame.geometry.to_crs(3857).values
    else:
        frame = cache.frame(store, coll, as_of, version)
        key = coll.id if version is None else f"{coll.id}@{version}"
        merc = cache.get(store, (key + "@3857", as_of), lambda: frame.geometry.to_crs(3857).values)
    idx = np.sort(frame.sindex.query(shapely.box(*box.lonlat), predicate="intersects"))
    cand = frame.iloc[idx][list(coll.tile_properties)].assign(_i=idx)
    cand = _ordered(cand, coll)
    kept = cand.iloc[:cap]
    dropped = (len(cand) if total is None else total) - len(kept)
    geoms = np.asarray(merc, dtype=object)[kept["_i"].to_numpy(dtype=int)]
    geoms = shapely.clip_by_rect(geoms, *box.buffered)
    tol = box.unit * settings.tile_simplify
    polys = shapely.get_dimensions(geoms) >= 1
    # Douglas–Peucker as ST_Simplify (topology is not preserved; the encoder repairs what it broke).
    geoms[polys] = shapely.simplify(geoms[polys], tol, preserve_topology=False)
    geoms = to_tile_grid(geoms, (box.bounds[0], box.bounds[1]), box.unit)
    plain = kept[list(coll.tile_properties)].astype(object)
    recs = plain.where(pd.notna(plain), None).to_dict("records")
    features = [
        {"geometry": g, "properties": _attrs(r)}
        for g, r in zip(geoms, recs, strict=True)
        if g is not None and not shapely.is_empty(g)
    ]
    if not features:
        return Tile(b"", 0, dropped)
    data = mapbox_vector_tile.encode(
        [{"name": coll.id, "features": features}],
        default_options={
            "extents": settings.tile_extent,
            "on_invalid_geometry": on_invalid_geometry_make_valid,
        },
    )
    return Tile(data, len(features), dropped)


# -- PostGIS: ST_AsMVT ----------------------------------------------------------------------


_ENGINES: dict[str, Any] = {}


def tile_engine(url: str, connections: int) -> Any:
    """A read-only engine for tile queries, ``connections`` sessions at most (``tile_db_connections``;
    the engine is made on first use, so the first caller's number holds until it is disposed):
    autocommit (one round trip per tile, no BEGIN/COMMIT), no pre-ping, and hash joins only — the vintage filters make the planner expect one row per
    CTE and pick nested loops that re-scan the summary or vintage rows once per village.

    JIT is off: a plan that still holds a (disabled, so priced at 10^10) nested loop — a join the
    planner proves empty, say — passes ``jit_above_cost`` and spends ~0.4 s compiling a query that
    runs in 20 ms."""
    import sqlalchemy as sa

    if url not in _ENGINES:
        _ENGINES[url] = sa.create_engine(
            url, isolation_level="AUTOCOMMIT", pool_size=connections, max_overflow=0, pool_recycle=600,
            connect_args={"options": "-c enable_nestloop=off -c jit=off -c default_transaction_read_only=on"})
    return _ENGINES[url]


def dispose_tile_engine(url: str) -> None:
    engine = _ENGINES.pop(url, None)
    if engine is not None:
        engine.dispose()


# Tables with a stored ``geom_3857`` (Alembic revision 0005; the village layer of 0007 copies it).
MERCATOR_TABLES = frozenset({"admin_units", "villages", "coverage", "plan_villages"})
LOOKUP_ZOOM = 10  # from this zoom on, village tiles look their status rows up by index (see villages_sql)


def one_register_row_per_village(store: Store, settings: Settings) -> bool:
    """Whether no village has more than one register row (the usual store: one register loaded).
    Then "the latest register row at or before the date" is just "a row at or before the date", and
    the tiles skip the per-village anti-join (a hash of every village, built for every tile)."""
    import sqlalchemy as sa

    with tile_engine(store.url, settings.tile_db_connections).connect() as conn:
        return bool(conn.execute(sa.text(
            "SELECT count(*) = count(DISTINCT village_id) FROM villages")).scalar())


def village_layer_fresh(store: Store, settings: Settings) -> bool:
    """Whether the tiles of the latest vintage may read the prepared village layer (revision 0007)."""
    with tile_engine(store.url, settings.tile_db_connections).connect() as conn:
        return is_fresh(conn)


def source_sql(
    coll: Collection, version: str | None = None, single_register: bool = False, lookup: bool = False,
    layer: bool = False,
) -> tuple[str, dict[str, Any]]:
    """``WITH`` clauses ending in a CTE named ``src`` with the tile properties and ``geometry``;
    ``layer``: villages and gaps of the latest vintage read the prepared ``village_layer``."""
    params: dict[str, Any] = {}
    if coll.id == "villages":
        if layer:
            return "WITH src AS (SELECT * FROM village_layer)", params
        return "WITH " + villages_sql(True, single_register, lookup) + ", src AS (SELECT * FROM vs)", params
    if coll.id == "gaps":
        if layer:
            return "WITH src AS (SELECT *, gap_rank AS rank FROM village_layer WHERE gap_rank IS NOT NULL)", params
        # The rank is province-wide, so it is computed over every gap village, but without their
        # geometries (vs is inlined twice: the ranking reads no geometry, the tile reads only its own).
        return "WITH " + villages_sql(False, single_register) + f""",
        r AS (SELECT village_id, {UNCOVERED} AS uncovered_population, {gap_rank_sql()} AS rank FROM vs),
        src AS (SELECT vs.*, r.uncovered_population, r.rank FROM vs JOIN r USING (village_id)
                WHERE r.rank IS NOT NULL)""", params
    conds = []
    for i, (col, val) in enumerate(coll.where.items()):
        conds.append(f'"{col}" = :w{i}')
        params[f"w{i}"] = val
    if coll.id == "coverage":
        conds += ["raster_path IS NULL", latest_per_key_sql("coverage", ["operator", "technology", "evidence"])]
    elif coll.temporal == "vintage" and coll.table == "sites":
        conds.append(latest_per_key_sql("sites", ["site_id"]))
    if coll.version_column:
        conds.append(f'"{coll.version_column}" = :version' if version is not None else "false")
        if version is not None:
            params["version"] = version
    where = " AND ".join(conds) or "true"
    return f'WITH src AS (SELECT * FROM "{coll.table}" WHERE {where})', params


def _prop_sql(coll: Collection, name: str) -> str:
    kind = coll.prop_kind(name)
    if name == "time":
        return "to_char(\"time\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+00:00' AS \"time\""
    if kind == "date":
        return f'"{name}"::text AS "{name}"'
    return f'"{name}"'


@lru_cache(maxsize=256)
def _statement(sql: str) -> Any:
    """The parsed statement of a tile query: the SQL differs only per collection, so parsing its
    bind parameters once saves a regex pass and ~30 parameter objects per tile."""
    import sqlalchemy as sa

    return sa.text(sql)


def tile_sql(
    coll: Collection, version: str | None = None, single_register: bool = False, lookup: bool = False,
    layer: bool = False,
) -> tuple[str, str, str, dict[str, Any]]:
    """The tile statements of ``coll`` with their fixed parameters: the usual one, the one for a tile
    that reached the cap, and the statement counting a capped tile's candidates.

    Candidates are the features whose EPSG:4326 bounding box touches the buffered tile (the exact
    test only for those crossing its edge). Each kept feature is clipped, simplified and quantised
    on its stored Web-Mercator geometry, then encoded in ``tile_order``. Text sorts by code point
    (``COLLATE "C"``), as the GeoPackage path's pandas sort does.

    - Usual: at most ``:cap + 1`` candidates, in no particular order, and the encoder sorts the
      small encoded rows (``ST_AsMVT(… ORDER BY …)``). Sorting the candidates before encoding
      means copying every attribute and geometry: ~1.5 ms on a z8 tile of 1,557 villages.
    - Capped (the usual statement kept more than ``:cap``): the candidates are sorted by
      ``tile_order`` and cut at ``:cap`` before encoding, so that the first ones in order are kept;
      PostgreSQL computes the costly output expression after the sort and limit."""
    head, params = source_sql(coll, version, single_register, lookup, layer)
    props = ", ".join(_prop_sql(coll, p) for p in coll.tile_properties)
    collate = {c: ' COLLATE "C"' if coll.prop_kind(c) == "str" else "" for c, _ in coll.tile_order}
    order = ", ".join(f'"{c}"{collate[c]} {"DESC" if d else "ASC"} NULLS LAST' for c, d in coll.tile_order)
    # Polygon tables keep a stored Web-Mercator copy (migration 0005): no reprojection per request.
    merc, dim = ("geom_3857", "geom_3857") if coll.table in MERCATOR_TABLES else ("ST_Transform(geometry, 3857)", "geometry")
    # The envelopes are scalar subqueries, built once per tile: a prepared statement's generic plan
    # cannot fold ST_MakeEnvelope of its parameters and would build them again for every row.
    once = f"(SELECT {ENVELOPE_4326})"
    where = f"geometry && {ENVELOPE_4326} AND (geometry @ {once} OR ST_Intersects(geometry, {once}))"
    geom = (f"ST_AsMVTGeom(CASE WHEN ST_Dimension({dim}) >= 1 THEN ST_Simplify(ST_ClipByBox2D({merc}, "
            f"(SELECT ST_MakeEnvelope(:bx0, :by0, :bx1, :by1, 3857)::box2d)), :tol, true) ELSE {merc} END, "
            f"(SELECT ST_MakeEnvelope(:x0, :y0, :x1, :y1, 3857)::box2d), :extent, :buffer, true)")
    sort = f" ORDER BY {order}" if order else ""

    def statement(inner: str, encoder_sort: str) -> str:
        return f"""{head}
    SELECT count(*) AS kept, count(*) FILTER (WHERE geom IS NOT NULL) AS written,
           ST_AsMVT(t.*, :layer, :extent, 'geom'{encoder_sort}) FILTER (WHERE geom IS NOT NULL) AS tile
    FROM (SELECT {props}, {geom} AS geom FROM src WHERE {where}{inner}) t"""

    usual = statement(" LIMIT :cap + 1", sort)
    capped = statement(f"{sort} LIMIT :cap", "")
    return usual, capped, f"{head}\n    SELECT count(*) FROM src WHERE {where}", params


def postgis_tile(
    store: Store, coll: Collection, box: TileBox, as_of: str | None, settings: Settings, version: str | None = None,
    single_register: bool = False, layer: bool = False, capped_zooms: set[tuple[str, int]] | None = None,
) -> Tile:
    """The tile by :func:`tile_sql`'s usual statement, or by the capped one when it had more than
    the cap. ``capped_zooms``: the (collection, zoom) pairs where a tile reached the cap (kept by the
    caller while the store is unchanged); their tiles go to the capped statement at once instead of
    encoding up to cap + 1 features for nothing first (the layer of measurements at low zooms)."""
    import sqlalchemy as sa

    # From z10 on a tile holds a small share of the villages: their status rows are looked up by
    # index instead of hashing the whole vintage's summary for every tile.
    sql, capped_sql, count_sql, params = tile_sql(coll, version, single_register, box.zoom >= LOOKUP_ZOOM, layer)
    params.update(
        d=as_of or LATEST, cap=settings.tile_max_features, tol=box.unit * settings.tile_simplify,
        extent=settings.tile_extent, buffer=settings.tile_buffer, layer=coll.id,
        lx0=box.lonlat[0], ly0=box.lonlat[1], lx1=box.lonlat[2], ly1=box.lonlat[3],
        bx0=box.buffered[0], by0=box.buffered[1], bx1=box.buffered[2], by1=box.buffered[3],
        x0=box.bounds[0], y0=box.bounds[1], x1=box.bounds[2], y1=box.bounds[3],
    )
    if ":d" not in sql:
        params.pop("d")
    cap, key = feature_cap(coll, box.zoom, settings), (coll.id, box.zoom)
    params["cap"] = cap
    sample = cap < settings.tile_max_features  # big point layer at a low zoom: any `cap` points, no sort
    try:
        with tile_engine(store.url, settings.tile_db_connections).connect() as conn:
            # The database gives up on this tile's statements at the request's time budget.
            conn.execute(sa.text("SELECT set_config('statement_timeout', :ms, true)"),
                         {"ms": str(int(settings.request_time_budget_s * 1000))})
            if sample:
                row = conn.execute(_statement(sql.replace("LIMIT :cap + 1", "LIMIT :cap")), params).one()
                n = int(row.kept)
                if n >= cap:  # counted on the GiST index, without reading the points
                    n = int(conn.execute(_statement(count_sql), params).scalar_one())
                written, data = int(row.written), bytes(row.tile or b"")
                return Tile(data if written else b"", written, max(0, n - cap))
            ordered = capped_zooms is not None and key in capped_zooms
            if not ordered:
                row = conn.execute(_statement(sql), params).one()
                ordered = int(row.kept) > cap
                if ordered and capped_zooms is not None:
                    capped_zooms.add(key)
            if ordered:  # keep the first in order, count those left out
                row = conn.execute(_statement(capped_sql), params).one()
            n = int(row.kept)
            if ordered and n >= cap:
                n = int(conn.execute(_statement(count_sql), params).scalar_one())
            written, data = int(row.written), bytes(row.tile or b"")
    except sa.exc.OperationalError as exc:
        if "statement timeout" in str(exc):
            raise StoreUnavailable(f"the tile took longer than {settings.request_time_budget_s:g} s: try a higher "
                                   "zoom, or again later") from exc
        raise StoreUnavailable("cannot reach the PostGIS store for tiles") from exc
    except sa.exc.TimeoutError as exc:  # every tile connection busy for pool_timeout (30 s)
        raise StoreUnavailable("the PostGIS store is too busy drawing tiles; try again") from exc
    return Tile(data if written else b"", written, max(0, n - cap))
