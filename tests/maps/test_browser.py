"""The maps in a real browser: headless Chromium against a live local server.

Checks: no console errors, only local requests, the expected Leaflet layers, tiles answered
(MVT 200/204 with some 200, raster PNG 200), a click on a village opens its popup with the
Vietnamese text intact, search with and without diacritics, the language switch, synchronised
progress maps, indicator tables, and a screenshot that is not blank (kept in test-artifacts/).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from tests.maps.sample import village_centre
from villagecov.maps.i18n import t
from villagecov.maps.layers import CLASS_COLOURS

pytestmark = pytest.mark.browser

FIND_MAPS = "Object.keys(window).filter(k => window[k] instanceof L.Map)"


@dataclass
class Session:
    page: object
    base: str
    errors: list[str] = field(default_factory=list)
    responses: list[tuple[int, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def goto(self, name: str) -> None:
        self.page.goto(f"{self.base}/maps/{name}")
        self.page.wait_for_load_state("networkidle")

    def maps(self) -> list[str]:
        return self.page.evaluate(FIND_MAPS)

    def status(self, fragment: str) -> list[int]:
        return [s for s, u in self.responses if fragment in u]

    def click_lonlat(self, map_name: str, lon: float, lat: float) -> None:
        x, y = self.page.evaluate(
            f"""(() => {{ const m = window[{map_name!r}]; const p = m.latLngToContainerPoint([{lat}, {lon}]);
                const r = m.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }})()"""
        )
        self.page.mouse.click(x, y)

    def wait_popup(self, text: str) -> None:
        """Wait until the open popup contains ``text`` (its details came back from the API)."""
        self.page.wait_for_function(
            "t => { const p = document.querySelector('.leaflet-popup-content'); return !!p && p.innerText.includes(t); }",
            arg=text,
            timeout=10000,
        )

    def layer_names(self) -> str:
        """The layers listed in the panel's grouped layer control (collapsed groups too)."""
        return " | ".join(self.page.locator(".vc-layer").all_text_contents())

    def screenshot(self, path: Path) -> None:
        png = self.page.screenshot(path=str(path))
        img = Image.open(io.BytesIO(png)).convert("RGB").resize((160, 100))
        colours = img.getcolors(maxcolors=160 * 100)
        top = max(c for c, _ in colours)
        assert len(colours) > 20 and top < 0.8 * 160 * 100, "screenshot looks blank"

    def assert_clean(self) -> None:
        assert not self.errors, (self.errors, [r for r in self.responses if r[0] >= 400])
        foreign = [u for u in self.requests if not u.startswith((self.base, "data:", "blob:"))]
        assert not foreign, f"requests left the machine: {foreign}"


@contextmanager
def open_session(browser, base: str, *, locale: str | None = None,
                 console: tuple[str, ...] = ("error",)) -> Iterator[Session]:
    """A new browser context on ``base`` recording console messages of the ``console`` types,
    page errors, requests and responses; closed on exit."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, **({"locale": locale} if locale else {}))
    page = context.new_page()
    s = Session(page, base)
    page.on("console", lambda m: s.errors.append(m.text) if m.type in console else None)
    page.on("pageerror", lambda e: s.errors.append(f"pageerror: {e}"))
    page.on("request", lambda r: s.requests.append(r.url))
    page.on("response", lambda r: s.responses.append((r.status, r.url)))
    try:
        yield s
    finally:
        context.close()


@pytest.fixture
def session(browser, live_server: str) -> Iterator[Session]:
    with open_session(browser, live_server, locale="vi-VN") as s:
        yield s


def test_province_map_layers_tiles_popup_search(session: Session, artifacts: Path) -> None:
    s = session
    s.goto("province.html")
    [m] = s.maps()
    kinds = s.page.evaluate(
        f"""(() => {{ const m = window[{m!r}]; const out = {{vector: 0, cluster: 0, geojson: 0}};
            m.eachLayer(l => {{ if (l instanceof L.VectorGrid) out.vector++;
                               if (l instanceof L.MarkerClusterGroup) out.cluster++;
                               if (l instanceof L.GeoJSON) out.geojson++; }}); return out; }})()"""
    )
    assert kinds["vector"] == 1 and kinds["cluster"] >= 1 and kinds["geojson"] >= 3, kinds
    names = s.layer_names()
    for key in ("layer.offline_base", "layer.osm", "layer.villages", "layer.sites", "layer.gaps", "layer.remote",
                "layer.services"):
        assert t(key, "vi") in names
    assert "Vùng phủ sóng do nhà mạng công bố: Viettel 4G (30/06/2025)" in names
    assert "Tín hiệu mô phỏng: Viettel 4G (30/06/2025)" in names
    # village tiles: real MVT answered, polygons drawn in the tiles pane
    tiles = s.status("/collections/villages/tiles/")
    assert tiles and set(tiles) <= {200, 204} and 200 in tiles
    assert s.page.locator(".leaflet-vcTiles-pane path").count() >= 8
    assert s.page.locator(".vc-banner").inner_text().startswith("DỮ LIỆU GIẢ LẬP (SYNTHETIC)")
    s.screenshot(artifacts / "province.png")

    # a click on Thôn Tân Lý opens its popup, fetched from /villages/V3
    lon, lat = village_centre("V3")
    s.click_lonlat(m, lon, lat)
    s.wait_popup("Phủ sóng theo nhà mạng")
    text = s.page.locator(".leaflet-popup-content").inner_text()
    assert "Thôn Tân Lý" in text and "Xã Dân Hóa" in text and "Dân số" in text and "1.500" in text
    assert "Bất kỳ nhà mạng nào" in text and "Có sóng 100 %" in text and "Internet cáp quang" in text
    assert "Tốc độ đo được" in text and "18,4" in text
    assert s.status("/villages/V3") == [200]

    # search without diacritics finds Bản Dốc Mây and opens its popup (remote reasons shown)
    s.page.locator(".vc-search-input").fill("doc may")
    hit = s.page.locator(".vc-search-hit").first
    assert hit.get_attribute("data-kind") == "village" and hit.text_content() == "ThônBản Dốc Mây – Xã Trọng Hóa"
    hit.click()
    s.wait_popup("Vùng sâu, vùng xa")
    text = s.page.locator(".leaflet-popup-content").inner_text()
    assert "Bản Dốc Mây" in text and "Vùng núi cao (512 m > 400 m); Xã biên giới" in text
    s.page.locator(".vc-search-input").fill("Đồng Hóa")
    assert "Thôn Đồng Hóa" in s.page.locator(".vc-search-hit").first.text_content()
    s.assert_clean()


def test_optional_layers_load_their_tiles(session: Session) -> None:
    s = session
    s.goto("province.html")
    for label, url in (("Vùng phủ sóng do nhà mạng công bố: Viettel 4G (30/06/2025)", "/collections/coverage/tiles/"),
                       ("Tín hiệu mô phỏng: Viettel 4G (30/06/2025)", "/rasters/R-vt-4g/tiles/")):
        with s.page.expect_response(lambda r, url=url: url in r.url):
            s.page.get_by_text(label, exact=True).click()
    s.page.get_by_text(t("layer.gaps", "vi"), exact=True).click()
    s.page.wait_for_timeout(1000)
    coverage = s.status("/collections/coverage/tiles/")
    assert coverage and set(coverage) <= {200, 204} and 200 in coverage
    rasters = s.status("/rasters/R-vt-4g/tiles/WebMercatorQuad/")
    assert rasters and set(rasters) == {200}
    assert s.page.locator(".leaflet-vcCoverage-pane path").count() >= 1  # declared polygons drawn
    assert s.page.locator(".leaflet-vcCoverage-pane img.leaflet-tile-loaded").count() >= 1
    s.assert_clean()


def test_language_switch(session: Session, artifacts: Path) -> None:
    s = session
    s.goto("province.html")
    assert "Chú giải" in s.page.locator(".vc-legend-sec").inner_text()
    s.page.get_by_role("link", name="English").click()
    s.page.wait_for_load_state("networkidle")
    assert s.page.url.split("#")[0].endswith("/maps/province.en.html")
    assert s.page.title() == "Village coverage map – Quảng Bình province"
    assert s.page.evaluate("document.documentElement.lang") == "en"
    legend = s.page.locator(".vc-legend-sec").inner_text()
    assert "Legend" in legend and "4G coverage" in legend and "Chú giải" not in legend
    assert t("layer.villages", "en") in s.layer_names()
    [m] = s.maps()
    lon, lat = village_centre("V8")
    s.click_lonlat(m, lon, lat)
    s.wait_popup("Coverage by operator")
    text = s.page.locator(".leaflet-popup-content").inner_text()
    assert "Tổ dân phố Đức Ninh" in text and "Population" in text and "Any operator" in text
    s.screenshot(artifacts / "province.en.png")
    s.page.get_by_role("link", name="Tiếng Việt").click()
    s.page.wait_for_load_state("networkidle")
    assert s.page.url.split("#")[0].endswith("/maps/province.html")
    s.assert_clean()


def test_progress_maps_are_synchronised(session: Session, artifacts: Path) -> None:
    s = session
    s.goto("progress.html")
    left, right = s.maps()
    assert s.page.locator(".leaflet-vcTiles-pane path").count() >= 16  # both sides drew the villages
    assert "Kỳ gốc: 01/01/2023" in s.page.inner_text("body")
    assert "Kỳ mới nhất: 30/06/2025" in s.page.inner_text("body")
    panel = s.page.locator(".vc-panel").text_content()
    assert "Tỷ lệ thôn có sóng 4G" in panel and "25,0 %" in panel and "50,0 %" in panel
    # only the latest side has a 5G village (Tổ dân phố Đức Ninh)
    fills = s.page.evaluate(
        """(() => { const out = {}; Object.keys(window).filter(k => window[k] instanceof L.Map).forEach((k, i) => {
             out[i] = Array.from(window[k].getContainer().querySelectorAll('.leaflet-vcTiles-pane path'))
               .map(p => p.getAttribute('fill')); }); return out; })()"""
    )
    five_g = CLASS_COLOURS["5G"]
    assert five_g not in fills["0"] and five_g in fills["1"]
    s.page.evaluate(f"window[{left!r}].setView([17.4, 106.3], 11, {{animate: false}})")
    s.page.wait_for_timeout(300)
    centre = s.page.evaluate(f"(() => {{ const c = window[{right!r}].getCenter(); return [c.lat, c.lng, "
                             f"window[{right!r}].getZoom()]; }})()")
    assert centre[2] == 11 and abs(centre[0] - 17.4) < 1e-3 and abs(centre[1] - 106.3) < 1e-3
    s.screenshot(artifacts / "progress.png")
    s.assert_clean()


@pytest.mark.parametrize(("name", "title"), [("district-01.html", "Huyện Minh Hóa"), ("commune-0101.html", "Xã Trọng Hóa")])
def test_unit_maps_show_their_indicator_table(session: Session, artifacts: Path, name: str, title: str) -> None:
    s = session
    s.goto(name)
    assert title in s.page.locator("#vc-title").inner_text()
    panel = s.page.locator(".vc-panel").inner_text()
    assert "Tỷ lệ thôn có sóng 4G" in panel and "50,0 %" in panel and "Số thôn lõm sóng" in panel
    tiles = s.status("/collections/villages/tiles/")
    assert tiles and 200 in tiles
    fills = s.page.evaluate("Array.from(document.querySelectorAll('.leaflet-vcTiles-pane path')).map(p => p.getAttribute('fill'))")
    assert fills and CLASS_COLOURS["unknown"] not in fills  # only the unit's own villages are drawn, all with a class
    s.screenshot(artifacts / name.replace(".html", ".png"))
    s.assert_clean()
