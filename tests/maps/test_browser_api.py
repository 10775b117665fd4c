"""End to end: `build_all_maps` from a store, served by the real API (`api.app.create_app`),
opened in headless Chromium. Tiles and village details come from the API itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.maps.sample import sample_inputs, village_centre
from tests.maps.server import serve
from tests.maps.test_browser import Session, open_session
from tests.maps.test_build import fill_store
from villagecov.maps.build import build_all_maps
from villagecov.settings import Settings
from villagecov.storage import open_store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app_module = pytest.importorskip("villagecov.api.app")
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


def test_challenge_round_trip(api_session: Session, api_server: str, artifacts: Path) -> None:
    """Report a problem from a village popup; it is stored by the real API, listed publicly, and the
    map marks the village; an admin sees the contact (checked through the API with an admin key)."""
    import json
    import urllib.request

    s = api_session
    s.goto("province.html")
    [m] = s.maps()
    lon, lat = village_centre("V4")
    s.click_lonlat(m, lon, lat)
    s.wait_popup("Phủ sóng theo nhà mạng")
    s.page.locator(".leaflet-popup .vc-report").click()
    form = s.page.locator("form.vc-challenge-form")
    assert form.is_visible() and "Báo sai sót về phủ sóng" in form.inner_text()
    form.locator("select[name=problem]").select_option("no_signal")
    form.locator("select[name=operator]").select_option("viettel")
    form.locator("select[name=technology]").select_option("4G")
    form.locator("textarea[name=details]").fill("Cả bản không gọi được từ tháng 10")
    form.locator("input[name=contact]").fill("0912 000 111")
    with s.page.expect_response(lambda r: r.url.endswith("/challenges") and r.request.method == "POST") as resp:
        form.locator(".vc-send").click()
    assert resp.value.status == 201
    s.page.wait_for_function("!!document.querySelector('.vc-challenge-result[data-challenge-id]')")
    cid = s.page.locator(".vc-challenge-result").get_attribute("data-challenge-id")
    assert "Đã nhận phản ánh" in s.page.locator(".vc-challenge-result").inner_text() and cid.startswith("C")
    with urllib.request.urlopen(f"{api_server}/challenges/villages") as r:
        public = json.load(r)
    assert {"village_id": "V4", "open": 1, "problems": ["no_signal"]} in public["villages"]
    assert "0912" not in json.dumps(public)
    # the map marks the challenged village (after the refresh the form triggered, and on a new load)
    s.page.wait_for_function("!!document.querySelector('.vc-challenge-marker[data-village-id=\"V4\"]')")
    s.goto("province.html")
    assert s.page.locator('.vc-challenge-marker[data-village-id="V4"]').count() == 1
    # and the village's popup says a report is under review
    [m] = s.maps()
    s.click_lonlat(m, lon, lat)
    s.wait_popup("Phủ sóng theo nhà mạng")
    assert "Thôn có phản ánh đang xem xét: Không có sóng dù bản đồ ghi có" in s.page.locator(
        ".leaflet-popup-content").inner_text()
    s.screenshot(artifacts / "province.challenge.png")
    s.assert_clean()


def test_dashboard_draws_live_api_values(api_session: Session, api_server: str, artifacts: Path) -> None:
    import json
    import urllib.request

    def get(path: str) -> dict:
        with urllib.request.urlopen(api_server + path) as r:
            return json.load(r)

    s = api_session
    s.goto("dashboard.html")
    s.page.wait_for_function("document.body.dataset.loaded === 'true'", timeout=15000)
    assert s.page.title() == "Bảng điều hành phủ sóng – tỉnh"
    province = {r["indicator"]: r for r in get("/indicators?level=province&boundaries=2019")["indicators"]}
    cards = s.page.locator(".vc-card")
    assert cards.count() == len([i for i in province if i in (
        "t8.villages_4g_share", "t8.population_4g_share", "t8.remote_villages_4g_share", "t8.villages_no_signal",
        "t9.villages_internet_share", "t9.villages_all_services_share")])
    share = s.page.locator('.vc-card[data-indicator="t8.villages_4g_share"]')
    assert float(share.get_attribute("data-value")) == province["t8.villages_4g_share"]["value"]
    text = share.inner_text()
    assert "50,0 %" in text and "4 trên 8 thôn" in text and "tăng" in text and "(25,0 %)" in text
    no_signal = s.page.locator('.vc-card[data-indicator="t8.villages_no_signal"]')
    assert "giảm" in no_signal.inner_text() and no_signal.locator(".vc-good").count() == 1  # fewer is better
    # every bar is a value of the indicator's series in the API, every target line the API's target
    series = get("/indicators/t8.villages_4g_share/series?level=province&boundaries=2019")
    bars = s.page.locator('.vc-bar[data-indicator="t8.villages_4g_share"]')
    drawn = [(b.get_attribute("data-as-of"), float(b.get_attribute("data-value"))) for b in bars.all()]
    assert drawn == [(p["as_of"], p["value"]) for p in series["series"]]
    widths = [float(b.get_attribute("width")) for b in bars.all()]
    assert widths[1] == pytest.approx(2 * widths[0], rel=0.01)  # 50 % is drawn twice as long as 25 %
    target = s.page.locator('.vc-target[data-indicator="t8.villages_4g_share"]')
    assert float(target.get_attribute("data-value")) == series["target"]
    # the communes with the largest gaps, from the commune indicators
    rows = s.page.locator(".vc-gaps tbody tr")
    communes = get("/indicators?level=commune&indicator=t8.villages_4g_share&boundaries=2019")["indicators"]
    assert rows.count() == min(10, len(communes))
    first = communes[0]
    assert rows.first.get_attribute("data-code") == first["unit_code"]
    assert float(rows.first.get_attribute("data-gap")) == first["denominator"] - first["numerator"]
    s.screenshot(artifacts / "dashboard.png")
    s.assert_clean()
