"""The PostGIS store's vector tiles: one SQL statement per tile, ``ST_AsMVT``/``ST_AsMVTGeom``.

The tile is the one :mod:`villagecov.storage.tiles` describes, byte for byte the GeoPackage
store's Python encoding. Tiles run on their own read-only engine (:func:`tile_engine`), beside the
store's read/write one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from villagecov.errors import StoreUnavailable
from villagecov.rules import latest_per_key_sql
from villagecov.schema import LATEST, TABLES
from villagecov.storage.tiles import LayerFrames, Tile, TileBox, TileLayer, TileOptions
from villagecov.storage.village_layer import ENVELOPE_4326, UNCOVERED, gap_rank_sql, is_fresh, villages_sql


def tile_engine(url: str, connections: int) -> sa.Engine:
    """A read-only engine for tile queries, ``connections`` sessions at most (``tile_db_connections``):
    autocommit (one round trip per tile, no BEGIN/COMMIT), no pre-ping, and hash joins only — the vintage filters make the planner expect one row per
    CTE and pick nested loops that re-scan the summary or vintage rows once per village.

    JIT is off: a plan that still holds a (disabled, so priced at 10^10) nested loop — a join the
    planner proves empty, say — passes ``jit_above_cost`` and spends ~0.4 s compiling a query that
    runs in 20 ms."""
    return sa.create_engine(
        url, isolation_level="AUTOCOMMIT", pool_size=connections, max_overflow=0, pool_recycle=600,
        connect_args={"options": "-c enable_nestloop=off -c jit=off -c default_transaction_read_only=on"})


# Tables with a stored ``geom_3857`` (Alembic revision 0005; the village layer of 0007 copies it).
MERCATOR_TABLES = frozenset(name for name, table in TABLES.items() if table.mercator)
LOOKUP_ZOOM = 10  # from this zoom on, village tiles look their status rows up by index (see villages_sql)


def one_register_row_per_village(engine: sa.Engine) -> bool:
    """Whether no village has more than one register row (the usual store: one register loaded).
    Then "the latest register row at or before the date" is just "a row at or before the date", and
    the tiles skip the per-village anti-join (a hash of every village, built for every tile)."""
    with engine.connect() as conn:
        return bool(conn.execute(sa.text(
            "SELECT count(*) = count(DISTINCT village_id) FROM villages")).scalar())


def village_layer_fresh(engine: sa.Engine) -> bool:
    """Whether the tiles of the latest vintage may read the prepared village layer (revision 0007)."""
    with engine.connect() as conn:
        return is_fresh(conn)


def render(
    engine: sa.Engine, layer: TileLayer, box: TileBox, as_of: str | None, version: str | None, cap: int,
    options: TileOptions, frames: LayerFrames,
) -> Tile:
    """The tile (:meth:`PostGISStore.tile`, on its :func:`tile_engine`): villages and gaps of the latest vintage read the prepared
    village layer unless a write bypassed the store; the flags that choose the statement are kept in
    ``frames``' memo while the store is unchanged."""
    kw: dict[str, Any] = {"capped_zooms": frames.get(("__capped_zooms__", None), set)}
    if layer.table == "villages":
        if as_of is None and frames.get(("__village_layer_fresh__", None), lambda: village_layer_fresh(engine)):
            kw["prepared"] = True
        else:
            kw["single_register"] = bool(frames.get(("__one_register_row__", None),
                                                    lambda: one_register_row_per_village(engine)))
    return postgis_tile(engine, layer, box, as_of, cap, options, version, **kw)


def source_sql(
    layer: TileLayer, version: str | None = None, single_register: bool = False, lookup: bool = False,
    prepared: bool = False,
) -> tuple[str, dict[str, Any]]:
    """``WITH`` clauses ending in a CTE named ``src`` with the tile properties and ``geometry``;
    ``prepared``: villages and gaps of the latest vintage read the prepared ``village_layer``."""
    params: dict[str, Any] = {}
    if layer.id == "villages":
        if prepared:
            return "WITH src AS (SELECT * FROM village_layer)", params
        return "WITH " + villages_sql(True, single_register, lookup) + ", src AS (SELECT * FROM vs)", params
    if layer.id == "gaps":
        if prepared:
            return "WITH src AS (SELECT *, gap_rank AS rank FROM village_layer WHERE gap_rank IS NOT NULL)", params
        # The rank is province-wide, so it is computed over every gap village, but without their
        # geometries (vs is inlined twice: the ranking reads no geometry, the tile reads only its own).
        return "WITH " + villages_sql(False, single_register) + f""",
        r AS (SELECT village_id, {UNCOVERED} AS uncovered_population, {gap_rank_sql()} AS rank FROM vs),
        src AS (SELECT vs.*, r.uncovered_population, r.rank FROM vs JOIN r USING (village_id)
                WHERE r.rank IS NOT NULL)""", params
    conds = []
    for i, (col, val) in enumerate(layer.where.items()):
        conds.append(f'"{col}" = :w{i}')
        params[f"w{i}"] = val
    if layer.id == "coverage":
        conds += ["raster_path IS NULL", latest_per_key_sql("coverage", ["operator", "technology", "evidence"])]
    elif layer.temporal == "vintage" and layer.table == "sites":
        conds.append(latest_per_key_sql("sites", ["site_id"]))
    if layer.version_column:
        conds.append(f'"{layer.version_column}" = :version' if version is not None else "false")
        if version is not None:
            params["version"] = version
    where = " AND ".join(conds) or "true"
    return f'WITH src AS (SELECT * FROM "{layer.table}" WHERE {where})', params


def _prop_sql(layer: TileLayer, name: str) -> str:
    kind = layer.prop_kind(name)
    if name == "time":
        return "to_char(\"time\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+00:00' AS \"time\""
    if kind == "date":
        return f'"{name}"::text AS "{name}"'
    return f'"{name}"'


@lru_cache(maxsize=256)
def _statement(sql: str) -> Any:
    """The parsed statement of a tile query: the SQL differs only per collection, so parsing its
    bind parameters once saves a regex pass and ~30 parameter objects per tile."""
    return sa.text(sql)


def tile_sql(
    layer: TileLayer, version: str | None = None, single_register: bool = False, lookup: bool = False,
    prepared: bool = False,
) -> tuple[str, str, str, dict[str, Any]]:
    """The tile statements of ``layer`` with their fixed parameters: the usual one, the one for a tile
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
    head, params = source_sql(layer, version, single_register, lookup, prepared)
    props = ", ".join(_prop_sql(layer, p) for p in layer.tile_properties)
    collate = {c: ' COLLATE "C"' if layer.prop_kind(c) == "str" else "" for c, _ in layer.tile_order}
    order = ", ".join(f'"{c}"{collate[c]} {"DESC" if d else "ASC"} NULLS LAST' for c, d in layer.tile_order)
    # Polygon tables keep a stored Web-Mercator copy (migration 0005): no reprojection per request.
    merc, dim = ("geom_3857", "geom_3857") if layer.table in MERCATOR_TABLES else ("ST_Transform(geometry, 3857)", "geometry")
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
    engine: sa.Engine, layer: TileLayer, box: TileBox, as_of: str | None, cap: int, options: TileOptions,
    version: str | None = None, single_register: bool = False, prepared: bool = False,
    capped_zooms: set[tuple[str, int]] | None = None,
) -> Tile:
    """The tile by :func:`tile_sql`'s usual statement, or by the capped one when it had more than
    ``cap``. ``capped_zooms``: the (collection, zoom) pairs where a tile reached the cap (kept by the
    caller while the store is unchanged); their tiles go to the capped statement at once instead of
    encoding up to cap + 1 features for nothing first (the layer of measurements at low zooms)."""
    # From z10 on a tile holds a small share of the villages: their status rows are looked up by
    # index instead of hashing the whole vintage's summary for every tile.
    sql, capped_sql, count_sql, params = tile_sql(layer, version, single_register, box.zoom >= LOOKUP_ZOOM, prepared)
    params.update(
        d=as_of or LATEST, cap=cap, tol=box.unit * options.simplify,
        extent=options.extent, buffer=options.buffer, layer=layer.id,
        lx0=box.lonlat[0], ly0=box.lonlat[1], lx1=box.lonlat[2], ly1=box.lonlat[3],
        bx0=box.buffered[0], by0=box.buffered[1], bx1=box.buffered[2], by1=box.buffered[3],
        x0=box.bounds[0], y0=box.bounds[1], x1=box.bounds[2], y1=box.bounds[3],
    )
    if ":d" not in sql:
        params.pop("d")
    key = (layer.id, box.zoom)
    sample = cap < options.max_features  # big point layer at a low zoom: any `cap` points, no sort
    try:
        with engine.connect() as conn:
            # The database gives up on this tile's statements at the request's time budget.
            conn.execute(sa.text("SELECT set_config('statement_timeout', :ms, true)"),
                         {"ms": str(int(options.time_budget_s * 1000))})
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
            raise StoreUnavailable(f"the tile took longer than {options.time_budget_s:g} s: try a higher "
                                   "zoom, or again later") from exc
        raise StoreUnavailable("cannot reach the PostGIS store for tiles") from exc
    except sa.exc.TimeoutError as exc:  # every tile connection busy for pool_timeout (30 s)
        raise StoreUnavailable("the PostGIS store is too busy drawing tiles; try again") from exc
    return Tile(data if written else b"", written, max(0, n - cap))
