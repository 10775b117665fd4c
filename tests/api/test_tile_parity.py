"""The two stores draw the same vector tiles: same layer, features in the same order with the same
attributes, and geometries that agree to within a tile unit (the GeoPackage store encodes in Python,
PostGIS with ST_AsMVT).

The PostGIS database is collated in Vietnamese (ICU vi-VN), as a Vietnamese DBA might create it, and
four more villages tie on population and on the population without 4G, with ids that a Vietnamese
collation orders differently from code points ("a4" "Ấp-3" "b1" "B2" vs "B2" "a4" "b1" "Ấp-3"): the
tile order and the gap ranks must still be the code-point order on both stores."""

from __future__ import annotations

from collections.abc import Iterator

import mapbox_vector_tile
import morecantile
import pytest
import shapely
from fastapi.testclient import TestClient

from tests.api.conftest import NEW, OLD, SRC, Seeded, _square, seeded_store, summaries

TMS = morecantile.tms.get("WebMercatorQuad")
LAYERS = ("villages", "gaps", "coverage", "sites", "measurements", "communes-2019")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Seeded, TestClient, TestClient]]:
    from villagecov.api.app import create_app

    with seeded_store("geopackage", tmp_path_factory.mktemp("parity-gpkg")) as g, \
            seeded_store("postgis", tmp_path_factory.mktemp("parity-pg"), icu_locale="vi-VN") as p:
        for seeded in (g, p):
            add_tied_villages(seeded)
        with TestClient(create_app(g.settings)) as cg, TestClient(create_app(p.settings)) as cp:
            yield g, cg, cp


TIED = ["b1", "B2", "Ấp-3", "a4"]


def add_tied_villages(seeded: Seeded) -> None:
    """Four villages of 500 people without 4G around V1 (gaps tied on uncovered population), and
    the village_summary rebuilt for every village, as compute would."""
    import geopandas as gpd
    import pandas as pd

    from villagecov.storage import open_store

    lon, lat = seeded.centres["V1"]
    new = gpd.GeoDataFrame({
        "village_id": TIED, "name": ["Bản Một", "bản Hai", "Ấp Ba", "Thôn Bốn"], "commune_code": seeded.communes[0],
        "boundary_version": "2019", "population": 500, "households": 125, "remote": False,
        "remote_official": False, "derived": False, "synthetic": True, "source": SRC, "as_of": "2024-01-01",
    }, geometry=[_square(lon + 0.02 * (i + 1), lat - 0.02, 0.003) for i in range(len(TIED))], crs="EPSG:4326")
    vc_new = pd.DataFrame([{"village_id": v, "operator": "ANY", "technology": "4G", "evidence": "declared",
                            "as_of": OLD, "covered_area_share": 0.0, "covered_pop_share": 0.0, "status": "none",
                            "run_id": "test"} for v in TIED])
    with open_store(seeded.settings.store) as store:
        villages = pd.concat([store.read("villages"), new], ignore_index=True)
        vc = pd.concat([store.read("village_coverage"), vc_new], ignore_index=True)
        rows = summaries(gpd.GeoDataFrame(villages, geometry="geometry", crs="EPSG:4326"), vc, seeded.settings)
        with store.transaction() as tx:
            tx.append("villages", new)
            tx.append("village_coverage", vc_new)
            tx.delete("village_summary", {"as_of": [OLD, NEW]})
            tx.append("village_summary", rows)


@pytest.mark.postgis
def test_ties_are_broken_by_code_point_in_a_vietnamese_collated_database(
    both: tuple[Seeded, TestClient, TestClient],
) -> None:
    seeded, gpkg, pg = both
    t = TMS.tile(*seeded.centres["V1"], 10)
    for client in (gpkg, pg):
        villages = [f["properties"]["village_id"] for f in features(client, "villages", 10, t.x, t.y)]
        tied = [v for v in villages if v in TIED]
        assert tied == ["B2", "a4", "b1", "Ấp-3"], tied  # population 500 each: then by id, code point
        ranks = {f["properties"]["village_id"]: f["properties"]["rank"] for f in features(client, "gaps", 10, t.x, t.y)}
        assert [ranks[v] for v in ("B2", "a4", "b1", "Ấp-3")] == sorted(ranks[v] for v in TIED), ranks


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
