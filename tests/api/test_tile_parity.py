"""The two stores draw the same vector tiles: same layer, features in the same order with the same
attributes, and geometries that agree to within a tile unit (the GeoPackage store encodes in Python,
PostGIS with ST_AsMVT)."""

from __future__ import annotations

from collections.abc import Iterator

import mapbox_vector_tile
import morecantile
import pytest
import shapely
from fastapi.testclient import TestClient

from tests.api.conftest import Seeded, seeded_store

TMS = morecantile.tms.get("WebMercatorQuad")
LAYERS = ("villages", "gaps", "coverage", "sites", "measurements", "communes-2019")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Seeded, TestClient, TestClient]]:
    from api.app import create_app

    with seeded_store("geopackage", tmp_path_factory.mktemp("parity-gpkg")) as g, \
            seeded_store("postgis", tmp_path_factory.mktemp("parity-pg")) as p, \
            TestClient(create_app(g.settings)) as cg, TestClient(create_app(p.settings)) as cp:
        yield g, cg, cp


def features(client: TestClient, layer: str, z: int, x: int, y: int) -> list[dict]:
    r = client.get(f"/collections/{layer}/tiles/WebMercatorQuad/{z}/{y}/{x}")
    assert r.status_code == 200
    return mapbox_vector_tile.decode(r.content).get(layer, {}).get("features", []) if r.content else []


@pytest.mark.postgis
@pytest.mark.parametrize("z", [6, 9, 10, 12, 14])
@pytest.mark.parametrize("layer", LAYERS)
def test_both_stores_draw_the_same_tile(both: tuple[Seeded, TestClient, TestClient], layer: str, z: int) -> None:
    seeded, gpkg, pg = both
    tiles = {TMS.tile(*seeded.centres[v], z) for v in ("V1", "V3", "V5")}
    drawn = 0
    for t in sorted(tiles, key=lambda t: (t.x, t.y)):
        a, b = features(gpkg, layer, z, t.x, t.y), features(pg, layer, z, t.x, t.y)
        assert [f["properties"] for f in a] == [f["properties"] for f in b], (layer, t)
        for fa, fb in zip(a, b, strict=True):
            ga, gb = shapely.geometry.shape(fa["geometry"]), shapely.geometry.shape(fb["geometry"])
            assert ga.geom_type.removeprefix("Multi") == gb.geom_type.removeprefix("Multi"), (layer, t)
            assert ga.bounds == pytest.approx(gb.bounds, abs=1.0), (layer, t, fa["properties"])
            if ga.area:
                assert ga.symmetric_difference(gb).area <= 0.5 * ga.length, (layer, t)  # within half a unit
        drawn += len(a)
    assert drawn > 0
