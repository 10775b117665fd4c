"""OGC API – Features routes on both stores: landing, conformance, collections, items, queryables."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Seeded

PROBLEM = "application/problem+json"


def test_landing_and_conformance(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    rels = {link["rel"] for link in r.json()["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= rels
    conf = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf


def test_collections_list(client: TestClient) -> None:
    body = client.get("/collections").json()
    ids = [c["id"] for c in body["collections"]]
    for cid in ("province", "province-2019", "districts-2019", "districts-2025-01", "communes-2019",
                "communes-2025-01", "communes-2025-07", "villages", "gaps", "sites", "coverage", "measurements"):
        assert cid in ids
    assert "districts-2025-07" not in ids  # districts were abolished in July 2025
    villages = next(c for c in body["collections"] if c["id"] == "villages")
    assert villages["extent"]["temporal"]["interval"] == [["2024-01-01", "2024-01-01"]]
    minx, miny, maxx, maxy = villages["extent"]["spatial"]["bbox"][0]
    assert 105.5 < minx < maxx < 107.2 and 16.8 < miny < maxy < 18.2


def test_admin_items_counts(client: TestClient) -> None:
    expected = {"communes-2019": 159, "communes-2025-01": 145, "communes-2025-07": 41, "districts-2019": 8,
                "province": 1}
    for cid, n in expected.items():
        body = client.get(f"/collections/{cid}/items", params={"limit": 1}).json()
        assert body["numberMatched"] == n, cid
        assert body["numberReturned"] == 1


def test_items_paging_links(client: TestClient) -> None:
    r = client.get("/collections/communes-2019/items", params={"limit": 50, "offset": 100})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert body["numberMatched"] == 159 and body["numberReturned"] == 50
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert parse_qs(urlparse(links["next"]).query)["offset"] == ["150"]
    assert parse_qs(urlparse(links["prev"]).query)["offset"] == ["50"]
    last = client.get(links["next"]).json()
    assert last["numberReturned"] == 9 and "next" not in {link["rel"] for link in last["links"]}
    ids = [f["id"] for f in body["features"]]
    assert ids == sorted(ids)
    f = body["features"][0]
    assert f["geometry"]["type"] == "MultiPolygon" and f["properties"]["version"] == "2019"


def test_limit_default_and_cap(client: TestClient, seeded: Seeded) -> None:
    body = client.get("/collections/communes-2019/items").json()
    assert body["numberReturned"] == seeded.settings.items_limit_default == 100
    big = client.get("/collections/communes-2019/items", params={"limit": 10**9}).json()
    assert big["numberReturned"] == 159


def test_villages_joined_status(client: TestClient) -> None:
    body = client.get("/collections/villages/items").json()
    props = {f["id"]: f["properties"] for f in body["features"]}
    assert sorted(props) == ["V1", "V2", "V3", "V4", "V5", "V6"]
    assert props["V1"]["status_4g"] == "covered" and props["V1"]["operators_4g"] == 2
    assert props["V1"]["status_2g"] == "covered" and props["V1"]["status_3g"] is None
    assert props["V1"]["ind_t8_villages_4g_share"] == 1.0
    assert props["V3"]["status_4g"] == "none"  # the measured row is not counted evidence
    assert props["V4"]["status_4g"] is None and props["V4"]["operators_4g"] == 0
    assert props["V6"]["status_4g"] == "covered"
    assert props["V2"]["name"] == "Thôn Hai"
    old = client.get("/collections/villages/items", params={"datetime": "2024-12-31"}).json()
    assert {f["id"]: f["properties"]["status_4g"] for f in old["features"]}["V6"] == "none"


def test_gaps_ranked(client: TestClient) -> None:
    body = client.get("/collections/gaps/items").json()
    got = [(f["properties"]["rank"], f["id"], f["properties"]["uncovered_population"]) for f in body["features"]]
    assert got == [(1, "V3", 800), (2, "V2", 250), (3, "V5", 160)]
    old = client.get("/collections/gaps/items", params={"datetime": "2024-12-31"}).json()
    assert [f["id"] for f in old["features"]] == ["V3", "V2", "V5", "V6"]


def test_equality_filters_and_bbox(client: TestClient, seeded: Seeded) -> None:
    body = client.get("/collections/villages/items", params={"commune_code": seeded.communes[1]}).json()
    assert [f["id"] for f in body["features"]] == ["V3", "V4"]
    body = client.get("/collections/villages/items", params={"remote": "true", "population": "300"}).json()
    assert [f["id"] for f in body["features"]] == ["V4"]
    lon, lat = seeded.centres["V1"]
    bbox = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    body = client.get("/collections/villages/items", params={"bbox": bbox}).json()
    assert [f["id"] for f in body["features"]] == ["V1"] and body["numberMatched"] == 1
    r = client.get("/collections/villages/items", params={"nonsense": "1"})
    assert r.status_code == 400 and r.headers["content-type"] == PROBLEM
    r = client.get("/collections/villages/items", params={"population": "many"})
    assert r.status_code == 400
    assert client.get("/collections/villages/items", params={"bbox": "1,2,3"}).status_code == 400
    crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    assert client.get("/collections/villages/items", params={"bbox": bbox, "bbox-crs": crs84}).status_code == 200
    epsg3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
    assert client.get("/collections/villages/items", params={"bbox": bbox, "bbox-crs": epsg3857}).status_code == 400


def test_datetime_vintages(client: TestClient) -> None:
    latest = client.get("/collections/coverage/items").json()
    assert [f["id"] for f in latest["features"]] == ["C2", "C3"]  # R1 is a raster, served under /rasters
    old = client.get("/collections/coverage/items", params={"datetime": "2024-12-31"}).json()
    assert [f["id"] for f in old["features"]] == ["C1", "C3"]
    none = client.get("/collections/coverage/items", params={"datetime": "2020-01-01"}).json()
    assert none["numberMatched"] == 0
    sites = client.get("/collections/sites/items", params={"datetime": "../2024-12-31"}).json()
    assert {f["id"]: f["properties"]["height_m"] for f in sites["features"]}["S1"] == 30.0
    sites = client.get("/collections/sites/items").json()
    assert {f["id"]: f["properties"]["height_m"] for f in sites["features"]}["S1"] == 42.0
    m = client.get("/collections/measurements/items", params={"datetime": "2025-03-01/2025-04-30"}).json()
    assert [f["id"] for f in m["features"]] == ["M1", "M2", "M3"]
    assert client.get("/collections/coverage/items", params={"datetime": "yesterday"}).status_code == 400


def test_single_feature_and_404(client: TestClient) -> None:
    r = client.get("/collections/villages/items/V1")
    assert r.status_code == 200 and r.json()["properties"]["population"] == 1000
    assert r.json()["id"] == "V1"
    r = client.get("/collections/villages/items/NOPE")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    assert r.json()["status"] == 404 and "NOPE" in r.json()["detail"]
    r = client.get("/collections/nope/items")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM


def test_queryables(client: TestClient) -> None:
    r = client.get("/collections/villages/queryables")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/schema+json")
    props = r.json()["properties"]
    assert props["population"]["type"] == "integer" and props["remote"]["type"] == "boolean"
    assert props["status_4g"]["type"] == "string" and props["pop_share_4g"]["type"] == "number"


def test_etag_and_cache_control(client: TestClient) -> None:
    r = client.get("/collections/villages/items")
    assert r.headers["cache-control"].startswith("public, max-age=")
    again = client.get("/collections/villages/items", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == r.headers["etag"]
    item = client.get("/collections/villages/items/V1")
    assert client.get("/collections/villages/items/V1", headers={"If-None-Match": item.headers["etag"]}).status_code == 304


@pytest.mark.parametrize("path", ["/health", "/openapi.json", "/docs", "/redoc"])
def test_service_routes(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    if path in ("/docs", "/redoc"):
        assert "/static/api/" in r.text and "cdn" not in r.text.lower() and "https://" not in r.text


def test_docs_assets_local(client: TestClient) -> None:
    for path in ("/static/api/swagger-ui/swagger-ui-bundle.js", "/static/api/swagger-ui/swagger-ui.css",
                 "/static/api/redoc/redoc.standalone.js"):
        r = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200 and len(r.content) > 10_000
        assert r.headers.get("content-encoding") == "gzip"


def test_cors(client: TestClient) -> None:
    r = client.get("/collections", headers={"Origin": "http://localhost"})
    assert r.headers["access-control-allow-origin"] == "http://localhost"
    r = client.get("/collections", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_health_without_store(tmp_path) -> None:
    from villagecov.api.app import create_app
    from villagecov.settings import Settings

    with TestClient(create_app(Settings(store=str(tmp_path / "missing.gpkg")))) as c:
        r = c.get("/health")
        assert r.status_code == 503 and r.headers["content-type"] == PROBLEM
        assert "missing.gpkg" not in r.text  # user-safe: no paths
