"""Mapbox Vector Tiles of the published layers: what every store's :meth:`Store.tile` draws.

Both backends produce the same tile: one layer named after the collection, the collection's
``tile_properties`` as attributes (nulls omitted), geometries in Web Mercator (EPSG:3857)
clipped to the tile plus ``options.buffer`` units, simplified (Douglas–Peucker) with a tolerance of
``options.simplify`` tile units (1 unit = tile width / extent, so the tolerance halves
at each zoom), quantised to ``options.extent``. Candidates are the features intersecting
the buffered tile (EPSG:4326 test); at most ``cap`` are kept, in the
collection's ``tile_order`` and written in that order — the result says how many were dropped.

PostGIS builds the tile in SQL with ``ST_AsMVT``/``ST_AsMVTGeom``
(:mod:`villagecov.storage.postgis_tiles`); the GeoPackage store encodes it here, in Python with
``mapbox_vector_tile``, from the published layer frames (:func:`python_tile`).

The layers themselves (the collection catalogue and the joined village frames) belong to the
publishing side, not to the store: a store sees a layer through :class:`TileLayer` and reads its
frames through :class:`LayerFrames`, which the API's layer cache provides.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import morecantile
import numpy as np
import pandas as pd
import shapely

from villagecov.errors import NotFound

if TYPE_CHECKING:
    import geopandas as gpd

    from villagecov.settings import TileSettings

BBox = tuple[float, float, float, float]  # minx, miny, maxx, maxy in EPSG:4326 (as villagecov.storage.base)
TMS = morecantile.tms.get("WebMercatorQuad")
EARTH_RADIUS_M = 6378137.0  # EPSG:3857 sphere


@dataclass(frozen=True)
class Tile:
    data: bytes
    features: int  # features written
    dropped: int  # candidates left out by the feature cap


@dataclass(frozen=True)
class TileOptions:
    """How tiles are drawn (from the ``tile_*`` settings, read once at the edge)."""

    extent: int  # tile units per side
    buffer: int  # tile units drawn beyond each edge
    simplify: float  # Douglas–Peucker tolerance in tile units
    max_features: int  # the cap of a tile at full zoom
    time_budget_s: float  # PostGIS gives up on a tile's statements after this long
    db_connections: int  # PostGIS sessions for tiles at most (the first caller's number holds)

    @classmethod
    def from_settings(cls, settings: TileSettings, time_budget_s: float) -> TileOptions:
        """From the tile settings and the request's time budget (``request_time_budget_s``)."""
        return cls(settings.tile_extent, settings.tile_buffer, settings.tile_simplify, settings.tile_max_features,
                   time_budget_s, settings.tile_db_connections)


@dataclass(frozen=True)
class TileBox:
    """Tile bounds in EPSG:3857 metres, the buffered bounds, and the buffered bounds in degrees."""

    bounds: tuple[float, float, float, float]
    buffered: tuple[float, float, float, float]
    lonlat: tuple[float, float, float, float]
    unit: float  # metres per tile unit
    zoom: int


def tile_box(z: int, x: int, y: int, options: TileOptions) -> TileBox:
    """The box of tile z/x/y (x = column, y = row) of WebMercatorQuad; :class:`NotFound` off the grid."""
    if not (0 <= z <= 24 and 0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFound(f"no tile {z}/{y}/{x} in WebMercatorQuad")
    b = TMS.xy_bounds(x, y, z)
    unit = (b.right - b.left) / options.extent
    m = unit * options.buffer
    lim = TMS.xy_bounds(0, 0, 0).right
    buffered = (max(b.left - m, -lim), max(b.bottom - m, -lim), min(b.right + m, lim), min(b.top + m, lim))
    lon0, lat0 = mercator_to_lonlat(buffered[0], buffered[1])
    lon1, lat1 = mercator_to_lonlat(buffered[2], buffered[3])
    return TileBox((b.left, b.bottom, b.right, b.top), buffered, (lon0, lat0, lon1, lat1), unit, z)


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    """EPSG:3857 metres → lon/lat degrees (the inverse spherical Mercator, as pyproj gives it,
    without a CRS lookup per tile)."""
    return math.degrees(x / EARTH_RADIUS_M), math.degrees(math.atan(math.sinh(y / EARTH_RADIUS_M)))


class TileLayer(Protocol):
    """What a store needs to know of a published layer to tile it (the API's ``Collection``)."""

    @property
    def id(self) -> str: ...  # the MVT layer's name; PostGIS also picks the villages/gaps/coverage SQL by it
    @property
    def table(self) -> str: ...
    @property
    def temporal(self) -> str: ...  # vintage / time / fixed
    @property
    def where(self) -> Mapping[str, str]: ...  # equality filters of the layer
    @property
    def tile_properties(self) -> tuple[str, ...]: ...
    @property
    def tile_order(self) -> tuple[tuple[str, bool], ...]: ...  # (column, descending)
    @property
    def version_column(self) -> str | None: ...

    def prop_kind(self, name: str) -> str: ...


class LayerFrames(Protocol):
    """The published frames of one store's layers and a memo that lives as long as the store's
    state (:meth:`Store.state_token`): the API's layer cache, bound to the store."""

    def get(self, key: tuple[str, str | None], build: Callable[[], Any]) -> Any:
        """The value kept under ``key`` for the store's current state, built when missing."""

    def tile_frame(
        self, layer: TileLayer, bbox: BBox, as_of: str | None, version: str | None
    ) -> tuple[gpd.GeoDataFrame, np.ndarray]:
        """The layer's features a tile over ``bbox`` needs (at least those that intersect it; the
        frame has a spatial index) and their geometries in EPSG:3857, row for row."""

    def sample(self, layer: TileLayer, bbox: BBox, limit: int) -> tuple[gpd.GeoDataFrame, np.ndarray, int]:
        """At most ``limit`` features of a big point layer in ``bbox`` (which ones: the store's
        choice), their EPSG:3857 geometries, and how many there are in all."""


# -- the Python encoder (GeoPackage) ----------------------------------------------------------


def _ordered(frame: pd.DataFrame, layer: TileLayer) -> pd.DataFrame:
    cols = [c for c, _ in layer.tile_order]
    asc = [not desc for _, desc in layer.tile_order]
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
    layer: TileLayer, box: TileBox, as_of: str | None, version: str | None, cap: int, options: TileOptions,
    frames: LayerFrames,
) -> Tile:
    """The tile encoded in Python from the layer's frames (the GeoPackage store's :meth:`Store.tile`).
    A cap below ``options.max_features`` (a big point layer at a low zoom) reads a sample of the
    tile's points instead of all of them."""
    import mapbox_vector_tile
    from mapbox_vector_tile.encoder import on_invalid_geometry_make_valid

    if layer.version_column and version is None:
        return Tile(b"", 0, 0)
    total = None
    if cap < options.max_features and not layer.where:
        # A low zoom of a big point layer: read `cap` points of the tile, count the rest on the index.
        frame, merc, total = frames.sample(layer, box.lonlat, cap)
    else:
        frame, merc = frames.tile_frame(layer, box.lonlat, as_of, version)
    idx = np.sort(frame.sindex.query(shapely.box(*box.lonlat), predicate="intersects"))
    cand = frame.iloc[idx][list(layer.tile_properties)].assign(_i=idx)
    cand = _ordered(cand, layer)
    kept = cand.iloc[:cap]
    dropped = (len(cand) if total is None else total) - len(kept)
    geoms = np.asarray(merc, dtype=object)[kept["_i"].to_numpy(dtype=int)]
    geoms = shapely.clip_by_rect(geoms, *box.buffered)
    tol = box.unit * options.simplify
    polys = shapely.get_dimensions(geoms) >= 1
    # Douglas–Peucker as ST_Simplify (topology is not preserved; the encoder repairs what it broke).
    geoms[polys] = shapely.simplify(geoms[polys], tol, preserve_topology=False)
    geoms = to_tile_grid(geoms, (box.bounds[0], box.bounds[1]), box.unit)
    plain = kept[list(layer.tile_properties)].astype(object)
    recs = plain.where(pd.notna(plain), None).to_dict("records")
    features = [
        {"geometry": g, "properties": _attrs(r)}
        for g, r in zip(geoms, recs, strict=True)
        if g is not None and not shapely.is_empty(g)
    ]
    if not features:
        return Tile(b"", 0, dropped)
    data = mapbox_vector_tile.encode(
        [{"name": layer.id, "features": features}],
        default_options={
            "extents": options.extent,
            "on_invalid_geometry": on_invalid_geometry_make_valid,
        },
    )
    return Tile(data, len(features), dropped)
