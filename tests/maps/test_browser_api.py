"""End to end: `build_all_maps` from a store, served by the real API (`api.app.create_app`),
opened in headless Chromium. Tiles and village details come from the API itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from maps.build import build_all_maps
from tests.maps.sample import sample_inputs, village_centre
from tests.maps.server import serve
from tests.maps.test_browser import Session, open_session
from tests.maps.test_build import fill_store
from villagecov.settings import Settings
from villagecov.storage import open_store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app_module = pytest.importorskip("api.app")
    root = tmp_path_factory.mktemp("e2e")
    url = str(root / "store.gpkg")
    with open_store(url, initialize=True) as st:
        fill_store(st, sample_inputs())
        build_all_maps(st, root / "maps", unit_maps=False)
    settings = Settings(store=url, maps_dir=root / "maps", archive_dir=root / "archive")
    with serve(app_module.create_app(settings)) as base:
        yield base


@pytest.fixture
def api_session(browser, api_server: str) -> Iterator[Session]:
    with open_session(browser, api_server) as s:
        yield s


def test_maps_served_by_the_api(api_session: Session, artifacts: Path) -> None:
    s = api_session
    s.goto("")  # /maps/ -> index
    assert "Bản đồ phủ sóng viễn thông – Quảng Bình" in s.page.inner_text("h1")
    s.page.get_by_role("link", name="Toàn tỉnh").click()
    s.page.wait_for_load_state("networkidle")
    assert s.page.url.split("#")[0].endswith("/maps/province.html")
    assert s.status("/maps/static/leaflet/leaflet.js") == [200]
    tiles = s.status("/collections/villages/tiles/WebMercatorQuad/")
    assert tiles and set(tiles) <= {200, 204} and 200 in tiles
    assert s.page.locator(".leaflet-vcTiles-pane path").count() >= 8
    [m] = s.maps()
    lon, lat = village_centre("V3")
    s.click_lonlat(m, lon, lat)
    s.wait_popup("Phủ sóng theo nhà mạng")
    text = s.page.locator(".leaflet-popup-content").inner_text()
    assert "Thôn Tân Lý" in text and "Xã Dân Hóa" in text and "1.500" in text and "Có sóng" in text
    assert s.status("/villages/V3") == [200]
    s.screenshot(artifacts / "province.api.png")
    s.assert_clean()
