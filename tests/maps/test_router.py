"""/maps/ router: index, built pages, vendored assets with the right types, no path escapes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from villagecov.api.routers.maps import create_router, router_for
from villagecov.settings import Settings


def client(maps_dir: Path) -> TestClient:
    app = FastAPI()
    app.include_router(create_router(maps_dir))
    return TestClient(app)


def test_index_before_and_after_a_build(tmp_path: Path) -> None:
    c = client(tmp_path)
    r = c.get("/maps/")
    assert r.status_code == 404 and "villagecov maps build" in r.json()["detail"]
    (tmp_path / "index.html").write_text("<h1>Bản đồ</h1>", encoding="utf-8")
    r = c.get("/maps/")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.text == "<h1>Bản đồ</h1>"
    r = c.get("/maps", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/maps/"


def test_pages_and_static_assets(tmp_path: Path) -> None:
    (tmp_path / "province.html").write_text("<p>tỉnh</p>", encoding="utf-8")
    c = client(tmp_path)
    assert c.get("/maps/province.html").text == "<p>tỉnh</p>"
    js = c.get("/maps/static/leaflet/leaflet.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "max-age=86400" in js.headers["cache-control"]
    css = c.get("/maps/static/leaflet.markercluster/MarkerCluster.css")
    assert css.headers["content-type"].startswith("text/css")
    svg = c.get("/maps/static/leaflet.fullscreen/icon-fullscreen.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert c.get("/maps/static/villagecov/villagecov.js").text.startswith("/* villagecov maps")


def test_no_escape_from_the_served_folders(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    maps_dir = tmp_path / "maps"
    maps_dir.mkdir()
    c = client(maps_dir)
    for url in ("/maps/../secret.txt", "/maps/%2e%2e/secret.txt", "/maps/static/../../pyproject.toml",
                "/maps/static/%2e%2e/%2e%2e/pyproject.toml", "/maps/static/", "/maps/nothing.html"):
        assert c.get(url).status_code == 404, url


def test_router_for_settings_uses_maps_dir(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("ok")
    app = FastAPI()
    app.include_router(router_for(Settings(store=str(tmp_path / "s.gpkg"), maps_dir=tmp_path)))
    assert TestClient(app).get("/maps/").text == "ok"
