"""Measurements (possibly millions of rows): bbox requests read only their area from the store."""

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
