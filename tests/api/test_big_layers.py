"""Measurements (possibly millions of rows): bbox requests read only their area from the store, and
pages without bbox read only their page."""

from __future__ import annotations

import base64
import json

from fastapi.testclient import TestClient

from tests.api.conftest import Seeded
from villagecov.publishing import FIXED, LayerCache
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
    from villagecov.api.app import create_app

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


def test_next_links_carry_a_cursor_that_seeks(client: TestClient) -> None:
    """The `next` links of measurement pages carry a cursor: following them gives the pages the
    offsets give (filtered too); a cursor decides where the page starts whatever the offset; `prev`
    goes back by offset; a token the server did not issue is a 400 naming the parameter."""
    from urllib.parse import parse_qs, urlparse

    def page(**params: object) -> dict:
        r = client.get("/collections/measurements/items", params=params)
        assert r.status_code == 200, r.text
        return r.json()

    def link(body: dict, rel: str) -> dict[str, list[str]] | None:
        href = next((x["href"] for x in body["links"] if x["rel"] == rel), None)
        return None if href is None else parse_qs(urlparse(href).query)

    for filters in ({}, {"operator": "viettel"}):
        by_offset = [f["id"] for o in range(0, 5, 2) for f in page(limit=2, offset=o, **filters)["features"]]
        ids, params = [], {"limit": "2", **filters}
        while params is not None:
            body = page(**params)
            ids += [f["id"] for f in body["features"]]
            nxt = link(body, "next")
            params = None if nxt is None else {k: v[0] for k, v in nxt.items()}
            assert params is None or "cursor" in params and params["offset"] in ("2", "4")
        assert ids == by_offset == (["M1", "M2", "M3", "M4", "M5"] if not filters else ["M1", "M2", "M3", "M5"])
    second = page(limit=2)
    cursor = link(second, "next")["cursor"][0]
    assert [f["id"] for f in page(limit=2, offset=0, cursor=cursor)["features"]] == ["M3", "M4"]
    third = page(limit=2, offset=2, cursor=cursor)
    assert link(third, "self")["cursor"] == [cursor] and "cursor" not in link(third, "prev")
    assert link(third, "prev")["offset"] == ["0"] and third["numberMatched"] == 5
    bad = client.get("/collections/measurements/items", params={"cursor": "not-ours!"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert "cursor" in bad.json()["detail"]
    for forged in ([5, 0], ["M1", 10**30], ["M1", -1], {"k": 1}, ["M1", 0, 0], ["M3", 0]):  # base64 JSON, unsigned
        token = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
        assert client.get("/collections/measurements/items", params={"cursor": token}).status_code == 400, forged
    from villagecov.api.paging import Cursor

    # Signed, but with another key, or for another layer, or altered: not one this server issued.
    payload, mac = cursor.split(".")
    altered = base64.urlsafe_b64encode(b'["M4",0]').decode().rstrip("=") + "." + mac
    for token in (Cursor("M3", 0).encode(b"another server's key", "measurements"),
                  Cursor("M3", 0).encode(client.app.state.cursor_key, "sites"), altered):
        assert client.get("/collections/measurements/items", params={"cursor": token}).status_code == 400, token
    # a bbox request pages in memory: the cursor has no meaning there and is not passed on
    boxed = page(limit=1, bbox="105.5,16.5,107.5,18.5", cursor=cursor)
    assert boxed["features"][0]["id"] == "M1" and "cursor" not in link(boxed, "next")


def test_cursor_after_a_page_of_tied_ids() -> None:
    """Ids need not be unique: the cursor counts the features with the last id shown so far."""
    from villagecov.api.paging import Cursor, next_cursor

    assert next_cursor(["a", "b", "b"], None) == Cursor("b", 2)
    assert next_cursor(["b", "b"], Cursor("b", 2)) == Cursor("b", 4)  # the whole page continued the tie
    assert next_cursor(["b", "c"], Cursor("b", 4)) == Cursor("c", 1)
    assert next_cursor([], Cursor("b", 4)) is None and next_cursor(["a", None], None) is None
    token = Cursor("Đ-Thôn-1", 3).encode(b"k", "villages")
    assert Cursor.decode(token, b"k", "villages") == Cursor("Đ-Thôn-1", 3) and "=" not in token
