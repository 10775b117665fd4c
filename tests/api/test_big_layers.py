"""Measurements (possibly millions of rows): bbox requests read only their area from the store, and
pages without bbox read only their page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.layers import FIXED, LayerCache
from tests.api.conftest import Seeded
from villagecov.storage import open_store


def _around(lon: float, lat: float, half: float = 0.005) -> tuple[float, float, float, float]:
    return lon - half, lat - half, lon + half, lat + half


def test_bbox_items_read_only_their_area(client: TestClient, seeded: Seeded) -> None:
    bbox = _around(*seeded.centres["V1"])  # M1–M4 lie within 0.002° east/west of V1's centre; M5 is at V3
    r = client.get("/collections/measurements/items", params={"bbox": ",".join(map(str, bbox))})
    assert r.status_code == 200
    body = r.json()
    assert body["numberMatched"] == 4 and sorted(f["id"] for f in body["features"]) == ["M1", "M2", "M3", "M4"]
    store = open_store(seeded.settings.store)
    try:
        cache = LayerCache()
        coll = FIXED["measurements"]
        part = cache.frame_in(store, coll, bbox)
        assert sorted(part["measurement_id"]) == ["M1", "M2", "M3", "M4"]
        assert list(cache.feature(store, coll, "M5")["measurement_id"]) == ["M5"]
        assert cache.feature(store, coll, "M404").empty
        assert cache.peek(coll, None) is None  # the whole layer was never loaded
        assert len(cache.frame_in(store, coll, None)) == 5  # no bbox: the whole (cached) layer
    finally:
        store.close()


def test_single_measurement(client: TestClient) -> None:
    r = client.get("/collections/measurements/items/M5")
    assert r.status_code == 200 and r.json()["id"] == "M5" and r.json()["properties"]["dl_mbps"] == 1.0
    assert client.get("/collections/measurements/items/M404").status_code == 404


def test_pages_without_bbox_read_one_page_from_the_store(seeded: Seeded) -> None:
    """Paging through measurements without bbox: the pages, their order, numberMatched and the
    links are those of the whole layer, filters apply, and the app never loads the layer whole."""
    from api.app import create_app

    with TestClient(create_app(seeded.settings)) as c:
        ids, url = [], "/collections/measurements/items?limit=2"
        while url:
            body = c.get(url).json()
            assert body["numberMatched"] == 5 and body["numberReturned"] <= 2
            ids += [f["id"] for f in body["features"]]
            url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        assert ids == ["M1", "M2", "M3", "M4", "M5"]
        first = c.get("/collections/measurements/items?limit=1").json()["features"][0]
        assert first["properties"]["time"] == "2025-03-01T08:00:00+00:00" and first["geometry"]["type"] == "Point"
        viettel = c.get("/collections/measurements/items", params={"operator": "viettel", "offset": 1}).json()
        assert viettel["numberMatched"] == 4 and [f["id"] for f in viettel["features"]] == ["M2", "M3", "M5"]
        assert c.get("/collections/measurements/items", params={"operator": "nobody"}).json()["numberMatched"] == 0
        assert c.get("/collections/measurements/items", params={"nope": "1"}).status_code == 400
        # a float filter (tolerance) still works, through the in-memory path
        assert [f["id"] for f in c.get("/collections/measurements/items", params={"rsrp_dbm": "-95"}).json()[
            "features"]] == ["M2"]
        coll = FIXED["measurements"]
        layers = c.app.state.layers
        layers.clear()
        assert c.get("/collections/measurements/items?limit=3&offset=1").json()["numberReturned"] == 3
        assert "rsrp_dbm" in c.get("/collections/measurements/queryables").json()["properties"]
        assert layers.peek(coll, None) is None  # neither the pages nor the queryables loaded the layer
