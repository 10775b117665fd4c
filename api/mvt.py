"""Mapbox Vector Tiles of the published layers: the request's tile, its feature cap, the store draws it.

What a tile holds and how each backend draws it: :mod:`villagecov.storage.tiles` (the Python
encoder of the GeoPackage store) and :mod:`villagecov.storage.postgis_tiles` (the PostGIS SQL).
Here: the cap by layer and zoom, which the TileJSON also announces.
"""

from __future__ import annotations

from villagecov.publishing import BIG, Collection, LayerCache, StoreFrames
from villagecov.settings import Settings, TileSettings
from villagecov.storage import Store
from villagecov.storage.tiles import TMS, Tile, TileOptions, tile_box

__all__ = ["MVT", "TMS", "Tile", "cap_metadata", "feature_cap", "render_tile"]

MVT = "application/vnd.mapbox-vector-tile"


def feature_cap(coll: Collection, zoom: int, settings: TileSettings) -> int:
    """Most features one tile of ``coll`` keeps at ``zoom``: fewer for the big point layers at low
    zooms, where a tile would otherwise gather a million points (and a sort of all of them)."""
    if coll.id in BIG and zoom < settings.tile_points_full_zoom:
        return min(settings.tile_points_low_zoom_max, settings.tile_max_features)
    return settings.tile_max_features


def cap_metadata(coll: Collection, settings: TileSettings) -> list[dict[str, int]]:
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
    options = TileOptions.from_settings(settings, settings.request_time_budget_s)
    box = tile_box(z, x, y, options)
    return store.tile(coll, box, as_of=as_of, version=version, cap=feature_cap(coll, z, settings), options=options,
                      frames=StoreFrames(cache, store))
