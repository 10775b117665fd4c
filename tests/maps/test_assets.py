"""Offline assets: folium's CDN links become local files that exist; nothing points outside."""

from __future__ import annotations

import re

import folium
import pytest
from folium.plugins import DualMap, Fullscreen, MarkerCluster, MiniMap

from villagecov.errors import ConfigError
from villagecov.maps.assets import STATIC_DIR, copy_static, external_urls, local_url, localize, render_html

PACKAGES = ("leaflet", "leaflet.markercluster", "leaflet.fullscreen", "leaflet-minimap", "leaflet.vectorgrid",
            "leaflet.sync")


def local_files(html: str, prefix: str) -> list[str]:
    return re.findall(r'(?:src|href)="' + re.escape(prefix) + r'([^"]+)"', html)


def test_cdn_links_map_to_vendored_files_or_are_dropped() -> None:
    assert local_url("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js") == "/maps/static/leaflet/leaflet.js"
    assert local_url("https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css",
                     "static") == "static/leaflet.markercluster/MarkerCluster.css"
    assert local_url("https://code.jquery.com/jquery-3.7.1.min.js") is None
    assert local_url("https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css") is None
    assert local_url("vc:villagecov/villagecov.js", "/x/") == "/x/villagecov/villagecov.js"
    with pytest.raises(ConfigError, match="not vendored"):
        local_url("https://unpkg.com/some-plugin@1/plugin.js")
    with pytest.raises(ConfigError, match="not in"):
        local_url("vc:villagecov/missing.js")


def test_a_map_with_folium_plugins_renders_with_local_assets_only() -> None:
    m = folium.Map(tiles=None)
    MarkerCluster().add_to(m)
    Fullscreen().add_to(m)
    html = render_html(m, "/maps/static/")
    assert external_urls(html) == set()
    files = local_files(html, "/maps/static/")
    assert "leaflet/leaflet.js" in files and "leaflet.markercluster/leaflet.markercluster.js" in files
    assert all((STATIC_DIR / f).is_file() for f in files)
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()
    # class defaults are untouched: other folium users keep their CDN links
    assert folium.Map.default_js[0][1].startswith("https://")


def test_dual_map_gets_the_vendored_leaflet_sync() -> None:
    dual = DualMap(tiles=None)
    html = render_html(dual, "static/")
    assert "static/leaflet.sync/L.Map.Sync.js" in html and external_urls(html) == set()


def test_minimap_localizes_and_an_unvendored_link_is_refused() -> None:
    m = folium.Map(tiles=None)
    MiniMap().add_to(m)  # its default tile layer is OpenStreetMap: fine, tiles are not assets
    localize(m)
    m2 = folium.Map(tiles=None)
    m2.default_js = [*m2.default_js, ("x", "https://example.org/x.js")]
    with pytest.raises(ConfigError):
        render_html(m2)


def test_external_urls_finds_script_link_and_img_tags() -> None:
    html = ('<script src="https://a.example/x.js"></script><link rel="stylesheet" href="//b.example/y.css">'
            '<img src="/local.png"><a href="https://c.example/">not loaded</a>')
    assert external_urls(html) == {"https://a.example/x.js", "//b.example/y.css"}


def test_vendored_packages_have_versions_and_licences(tmp_path) -> None:
    versions = (STATIC_DIR / "VERSIONS.md").read_text(encoding="utf-8")
    for pkg in PACKAGES:
        assert f"| {pkg} |" in versions
        assert (STATIC_DIR / pkg / "LICENSE").is_file()
    copied = copy_static(tmp_path / "static")
    assert (copied / "leaflet" / "leaflet.js").read_bytes() == (STATIC_DIR / "leaflet" / "leaflet.js").read_bytes()
    assert (copied / "leaflet" / "leaflet.js").read_bytes()[:40].decode().startswith("/* @preserve\n * Leaflet 1.9.4")
