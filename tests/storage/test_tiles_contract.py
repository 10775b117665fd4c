"""The store's share of the API (``Store.state_token`` and ``Store.tile``), run on the GeoPackage
and the PostGIS store (the ``store`` fixture): same token behaviour, same tile."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import pytest
from shapely.geometry import Point

from villagecov.schema import table
from villagecov.storage import Store
from villagecov.storage.base import BBox
from villagecov.storage.tiles import TMS, TileOptions, tile_box

OPTIONS = TileOptions(extent=4096, buffer=64, simplify=1.0, max_features=10, time_budget_s=10.0, db_connections=2)
LON, LAT = 106.6, 17.5  # SYNTHETIC sites around Đồng Hới


@dataclass(frozen=True)
class Layer:
    """A plain published layer of the sites table (no vintage rule, no version)."""

    id: str = "towers"
    table: str = "sites"
    temporal: str = "fixed"
    where: dict[str, str] = field(default_factory=dict)
    tile_properties: tuple[str, ...] = ("site_id", "operator", "height_m")
    tile_order: tuple[tuple[str, bool], ...] = (("site_id", False),)
    version_column: str | None = None

    def prop_kind(self, name: str) -> str:
        return table(self.table).columns[name]


class Frames:
    """The least a caller provides: the layer's rows of ``store`` as published and a memo (no cache)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.memo: dict[tuple[str, str | None], Any] = {}

    def get(self, key: tuple[str, str | None], build: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]

    def tile_frame(self, layer: Layer, bbox: BBox, as_of: str | None,
                   version: str | None) -> tuple[gpd.GeoDataFrame, np.ndarray]:
        frame = self.store.read(layer.table, where=layer.where or None)
        return frame, frame.geometry.to_crs(3857).values

    def sample(self, layer: Layer, bbox: BBox, limit: int) -> tuple[gpd.GeoDataFrame, np.ndarray, int]:
        rows, total = self.store.sample(layer.table, bbox, limit)
        return rows, rows.geometry.to_crs(3857).values, total


def sites(ids: list[str], dx: list[float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": ids, "kind": "mobile_tower", "operator": ["viettel", None, "vinaphone"][: len(ids)],
         "height_m": [30.0, 45.5, None][: len(ids)], "synthetic": True, "source": "SYNTHETIC test",
         "as_of": "2025-01-01"},
        geometry=[Point(LON + d, LAT) for d in dx], crs="EPSG:4326")


def tile_at(store: Store, z: int, options: TileOptions = OPTIONS) -> tuple[dict[str, Any], int, int]:
    t = TMS.tile(LON, LAT, z)
    out = store.tile(Layer(), tile_box(z, t.x, t.y, options), as_of=None, version=None, cap=options.max_features,
                     options=options, frames=Frames(store))
    return (mapbox_vector_tile.decode(out.data) if out.data else {}), out.features, out.dropped


def settled(store: Store) -> str:
    """The token once two reads agree: PostGIS's statistics counters reach it lazily (up to ~1 s
    after a commit), which at worst empties a cache once more than needed."""
    deadline = time.monotonic() + 5
    token = store.state_token()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        again = store.state_token()
        if again == token:
            return token
        token = again
    raise AssertionError("the state token keeps changing without writes")


def test_state_token_changes_with_each_write(store: Store) -> None:
    before = settled(store)
    with store.transaction() as tx:
        tx.append("sites", sites(["S1"], [0.0]))
    assert store.state_token() != before  # at once (the highest row id on PostGIS)
    after = settled(store)
    with store.transaction() as tx:
        tx.delete("sites", {"site_id": "S1"})
    assert store.state_token() != after


def test_tile_of_a_plain_layer(store: Store) -> None:
    """Features inside the tile only, in ``tile_order``, nulls left out, the cap counted: the
    same answer on both backends (one Python encoder, one SQL statement)."""
    with store.transaction() as tx:
        tx.append("sites", sites(["S2", "S1", "S3"], [0.001, 0.0, 1.0]))  # S3 a degree east: another z12 tile
    layers, written, dropped = tile_at(store, 12)
    feats = layers["towers"]["features"]
    assert (written, dropped) == (2, 0)
    assert [f["properties"] for f in feats] == [{"site_id": "S1", "height_m": 45.5},
                                                {"site_id": "S2", "operator": "viettel", "height_m": 30.0}]
    assert all(f["geometry"]["type"] == "Point" for f in feats)
    # (A cap below options.max_features is a big layer's low zoom: any points, a sample.)
    layers, written, dropped = tile_at(store, 12, replace(OPTIONS, max_features=1))
    assert [f["properties"]["site_id"] for f in layers["towers"]["features"]] == ["S1"] and (written, dropped) == (1, 1)


def test_tile_outside_the_grid_or_the_data(store: Store) -> None:
    from villagecov.errors import NotFound

    with pytest.raises(NotFound):
        tile_box(3, 8, 0, OPTIONS)
    assert tile_at(store, 12) == ({}, 0, 0)
