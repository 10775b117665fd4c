"""Vector tiles on both stores: decoded with mapbox_vector_tile and checked (layers, attributes, extent)."""

from __future__ import annotations

import mapbox_vector_tile
import morecantile
import pytest
import shapely
from fastapi.testclient import TestClient

from tests.api.conftest import BACKENDS, Seeded, seeded_store

TMS = morecantile.tms.get("WebMercatorQuad")
MVT = "application/vnd.mapbox-vector-tile"


def tile_url(cid: str, lon: float, lat: float, z: int) -> str:
    t = TMS.tile(lon, lat, z)
    return f"/collections/{cid}/tiles/WebMercatorQuad/{z}/{t.y}/{t.x}"


def decode(content: bytes) -> dict:
    return mapbox_vector_tile.decode(content) if content else {}


def test_village_tile_attributes(client: TestClient, seeded: Seeded) -> None:
    r = client.get(tile_url("villages", *seeded.centres["V1"], 14))
    assert r.status_code == 200 and r.headers["content-type"] == MVT
    assert "x-tile-truncated" not in r.headers
    layers = decode(r.content)
    assert list(layers) == ["villages"]
    layer = layers["villages"]
    assert layer["extent"] == 4096
    feats = {f["properties"]["village_id"]: f for f in layer["features"]}
    assert "V1" in feats
    p = feats["V1"]["properties"]
    assert p["name"] == "Thôn Một" and p["population"] == 1000 and p["status_4g"] == "covered"
    assert p["status_2g"] == "covered" and p["operators_4g"] == 2 and p["remote"] is False
    assert p["pop_share_4g"] == pytest.approx(0.95)
    assert "status_3g" not in p  # nulls are omitted
    assert set(p) <= {"village_id", "name", "commune_code", "population", "remote", "status_2g", "status_3g",
                      "status_4g", "status_5g", "pop_share_4g", "operators_4g"}
    geom = shapely.geometry.shape(feats["V1"]["geometry"])
    assert geom.geom_type in ("Polygon", "MultiPolygon")
    minx, miny, maxx, maxy = geom.bounds
    assert -64 <= minx < maxx <= 4096 + 64 and -64 <= miny < maxy <= 4096 + 64
    # a 0.008° square at z14 (≈ 0.022° per tile) spans about a third of the tile
    assert 1000 < maxx - minx < 2000


def test_all_villages_over_the_province(client: TestClient, seeded: Seeded) -> None:
    seen: set[str] = set()
    for t in TMS.tiles(105.5, 16.9, 107.2, 18.2, [8]):
        r = client.get(f"/collections/villages/tiles/WebMercatorQuad/8/{t.y}/{t.x}")
        assert r.status_code == 200
        for f in decode(r.content).get("villages", {}).get("features", []):
            seen.add(f["properties"]["village_id"])
    assert seen == {"V1", "V2", "V3", "V4", "V5", "V6"}


def test_gaps_and_coverage_tiles(client: TestClient, seeded: Seeded) -> None:
    lon, lat = seeded.centres["V3"]
    gaps = decode(client.get(tile_url("gaps", lon, lat, 12)).content)["gaps"]["features"]
    v3 = next(f["properties"] for f in gaps if f["properties"]["village_id"] == "V3")
    assert v3["rank"] == 1 and v3["uncovered_population"] == 800 and v3["status_4g"] == "none"
    lon, lat = seeded.centres["V1"]
    cov = decode(client.get(tile_url("coverage", lon, lat, 10)).content)["coverage"]["features"]
    cov = [f for f in cov if f["properties"]["operator"] == "viettel"]
    assert {f["properties"]["coverage_id"] for f in cov} == {"C2"}
    assert cov[0]["properties"] == {"coverage_id": "C2", "operator": "viettel", "technology": "4G",
                                    "evidence": "declared", "value_kind": "polygon", "synthetic": True,
                                    "as_of": "2025-06-30"}
    old = client.get(tile_url("coverage", lon, lat, 10), params={"datetime": "2024-12-31"})
    old_ids = {f["properties"]["coverage_id"] for f in decode(old.content)["coverage"]["features"]}
    assert "C1" in old_ids and "C2" not in old_ids


def test_points_and_admin_tiles(client: TestClient, seeded: Seeded) -> None:
    lon, lat = seeded.centres["V1"]
    sites = decode(client.get(tile_url("sites", lon, lat, 13)).content)["sites"]["features"]
    s1 = next(f for f in sites if f["properties"]["site_id"] == "S1")
    assert s1["geometry"]["type"] == "Point" and s1["properties"]["height_m"] == pytest.approx(42.0)
    m = decode(client.get(tile_url("measurements", lon, lat, 13)).content)["measurements"]["features"]
    assert {f["properties"]["measurement_id"] for f in m} >= {"M1", "M2", "M3", "M4"}
    assert next(f for f in m if f["properties"]["measurement_id"] == "M1")["properties"]["time"].startswith(
        "2025-03-01T08:00:00")
    communes = decode(client.get(tile_url("communes-2019", lon, lat, 9)).content)["communes-2019"]["features"]
    codes = {f["properties"]["code"] for f in communes}
    assert seeded.communes[0] in codes
    one = next(f["properties"] for f in communes if f["properties"]["code"] == seeded.communes[0])
    assert one["version"] == "2019" and one["level"] == "commune" and isinstance(one["name"], str)


def test_feature_cap_is_announced(seeded: Seeded) -> None:
    from villagecov.api.app import create_app

    capped = seeded.settings.model_copy(update={"tile_max_features": 2})
    with TestClient(create_app(capped)) as c:
        lon, lat = seeded.centres["V1"]
        r = c.get(tile_url("villages", lon, lat, 6))
        assert r.headers["x-tile-truncated"] == "true"
        assert r.headers["x-tile-features-dropped"] == "4"
        kept = {f["properties"]["village_id"] for f in decode(r.content)["villages"]["features"]}
        assert kept == {"V1", "V3"}  # the two most populous villages are kept


@pytest.mark.parametrize("cap", [5, 6])
def test_a_tile_one_over_the_cap_drops_one_and_one_at_the_cap_drops_none(seeded: Seeded, cap: int) -> None:
    """PostGIS draws a tile without sorting its candidates first unless it has more than the cap:
    both sides of that edge keep the most populous villages, written in tile order."""
    from villagecov.api.app import create_app

    settings = seeded.settings.model_copy(update={"tile_max_features": cap, "tile_cache_mb": 0})
    with TestClient(create_app(settings)) as c:
        r = c.get(tile_url("villages", *seeded.centres["V1"], 6))
        feats = [f["properties"] for f in decode(r.content)["villages"]["features"]]
        # Once a z6 tile was capped, PostGIS sorts z6 tiles before encoding at once: the same tile.
        again = c.get(tile_url("villages", *seeded.centres["V1"], 6))
        assert again.content == r.content and again.headers["x-tile-cache"] == "miss"
        assert again.headers.get("x-tile-features-dropped") == r.headers.get("x-tile-features-dropped")
        gaps = c.get(tile_url("gaps", *seeded.centres["V1"], 6))  # another layer at that zoom, under the cap
        assert gaps.status_code == 200 and "x-tile-truncated" not in gaps.headers
    assert r.headers["x-tile-features"] == str(min(cap, 6))
    assert r.headers.get("x-tile-features-dropped") == ("1" if cap == 5 else None)
    assert ("x-tile-truncated" in r.headers) == (cap == 5)
    order = [(-p["population"], p["village_id"]) for p in feats]
    assert order == sorted(order) and len(feats) == min(cap, 6)
    assert ("V6" in {p["village_id"] for p in feats}) == (cap == 6)  # the least populous is the one left out


def test_empty_bad_and_cached_tiles(client: TestClient, seeded: Seeded) -> None:
    r = client.get("/collections/villages/tiles/WebMercatorQuad/10/0/0")
    assert r.status_code == 200 and r.content == b""
    assert client.get("/collections/villages/tiles/WebMercatorQuad/3/0/100").status_code == 404
    assert client.get("/collections/villages/tiles/WebMercatorQuad/30/0/0").status_code in (400, 404)
    assert client.get("/collections/nope/tiles/WebMercatorQuad/3/0/0").status_code == 404
    url = tile_url("villages", *seeded.centres["V1"], 12)
    first = client.get(url)
    assert first.headers["cache-control"].startswith("public, max-age=")
    assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_tilejson_and_tilesets(client: TestClient) -> None:
    tj = client.get("/collections/villages/tiles/WebMercatorQuad/tilejson.json").json()
    assert tj["tilejson"] == "3.0.0" and tj["vector_layers"][0]["id"] == "villages"
    assert tj["tiles"][0].endswith("/collections/villages/tiles/WebMercatorQuad/{z}/{y}/{x}")
    assert tj["vector_layers"][0]["fields"]["population"] == "Number"
    ts = client.get("/collections/villages/tiles").json()
    assert ts["tilesets"][0]["dataType"] == "vector"
    assert client.get("/tileMatrixSets/WebMercatorQuad").json()["id"] == "WebMercatorQuad"


@pytest.mark.parametrize("z", [8, 13])
@pytest.mark.parametrize("layer", ["villages", "gaps"])
def test_the_latest_tile_equals_the_tile_at_the_latest_vintage(client: TestClient, seeded: Seeded, layer: str,
                                                               z: int) -> None:
    """On PostGIS the latest tiles read the prepared village layer (Alembic 0007) and a tile with
    ``datetime`` joins the register and the summary on the fly: at the latest vintage, the same bytes."""
    from tests.api.conftest import NEW

    url = tile_url(layer, *seeded.centres["V2"], z)
    latest, dated = client.get(url), client.get(url, params={"datetime": NEW})
    assert latest.status_code == dated.status_code == 200 and latest.content
    assert latest.content == dated.content


@pytest.mark.parametrize("z", [8, 13])  # PostGIS: the summary hashed per tile (z8), looked up by index (z13)
def test_village_tile_vintages(client: TestClient, seeded: Seeded, z: int) -> None:
    url = tile_url("villages", *seeded.centres["V6"], z)
    def status(**params: str) -> str | None:
        feats = decode(client.get(url, params=params).content)["villages"]["features"]
        return next(f["properties"] for f in feats if f["properties"]["village_id"] == "V6").get("status_4g")
    assert status() == "covered"
    assert status(datetime="2024-12-31") == "none"
    assert status(datetime="2024-03-01") is None  # registered, no computed coverage yet
    assert client.get(url, params={"datetime": "2020-01-01"}).content == b""  # before the village register


@pytest.mark.postgis
def test_postgis_tile_sessions_are_read_only_without_jit_or_nested_loops() -> None:
    """The tile engine's sessions: at most ``tile_db_connections`` of them, a write fails, and the
    planner settings the tile SQL relies on hold (a JIT compile of a tile query costs ~0.4 s;
    nested loops re-scan the vintage rows)."""
    import sqlalchemy as sa

    from tests.conftest import drop_postgis_database, fresh_postgis_database
    from villagecov.storage import open_store

    url = fresh_postgis_database()
    try:
        store = open_store(url, initialize=True)
        engine = store.tile_engine(2)  # type: ignore[attr-defined]
        assert engine.pool.size() == 2 and engine.pool._max_overflow == 0  # tile_db_connections, no overflow
        with engine.connect() as conn:
            assert conn.execute(sa.text("SHOW jit")).scalar() == "off"
            assert conn.execute(sa.text("SHOW enable_nestloop")).scalar() == "off"
            with pytest.raises(sa.exc.InternalError, match="read-only"):
                conn.execute(sa.text("DELETE FROM villages"))
        assert store.tile_engine(5) is engine  # type: ignore[attr-defined]  # the first number holds
        store.close()  # and its tile sessions with it
    finally:
        drop_postgis_database(url)


def test_more_tile_requests_than_connections_wait_their_turn(seeded: Seeded) -> None:
    """With one tile connection, 12 concurrent tile requests all answer 200 with the same tile as
    one request alone (they queue for the connection; none fails)."""
    from concurrent.futures import ThreadPoolExecutor

    from villagecov.api.app import create_app

    one = seeded.settings.model_copy(update={"tile_db_connections": 1, "tile_cache_mb": 0})
    with TestClient(create_app(one)) as c:  # its own store, so its own tile engine of this size
        lon, lat = seeded.centres["V1"]
        alone = c.get(tile_url("villages", lon, lat, 12))
        with ThreadPoolExecutor(12) as ex:
            answers = list(ex.map(lambda _: c.get(tile_url("villages", lon, lat, 12)), range(12)))
    assert alone.status_code == 200 and alone.content
    assert all(a.status_code == 200 and a.content == alone.content for a in answers)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_re_registered_village_is_drawn_where_its_latest_register_puts_it(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """V1 moves 0.05° east in a 2025 register: its tile shows it at the new place only, the old
    place only for dates before 2025. PostGIS tiles skip the latest-register test while each village
    has one register row, and must take it up again once one has two."""
    import geopandas as gpd

    from villagecov.api.app import create_app
    from villagecov.storage import open_store

    with seeded_store(backend, tmp_path_factory.mktemp(f"rereg-{backend}")) as seeded, \
            TestClient(create_app(seeded.settings)) as c:
        lon, lat = seeded.centres["V1"]
        old_url, new_url = tile_url("villages", lon, lat, 14), tile_url("villages", lon + 0.05, lat, 14)

        def ids(url: str, **params: str) -> list[str]:
            feats = decode(c.get(url, params=params).content).get("villages", {"features": []})["features"]
            return sorted(f["properties"]["village_id"] for f in feats)

        assert "V1" in ids(old_url) and "V1" not in ids(new_url)
        with open_store(seeded.settings.store) as store:
            row = store.read("villages", where={"village_id": "V1"})
            moved = gpd.GeoDataFrame(row.drop(columns="geometry").assign(as_of="2025-01-01"),
                                     geometry=row.geometry.translate(xoff=0.05), crs=row.crs)
            with store.transaction() as tx:
                tx.append("villages", moved)
        c.app.state.layers.clear()
        assert "V1" not in ids(old_url) and "V1" in ids(new_url)
        assert "V1" in ids(old_url, datetime="2024-12-31") and "V1" not in ids(new_url, datetime="2024-12-31")
