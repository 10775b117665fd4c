"""The site plan on the province map: VND formatting, the layer in the HTML when a plan exists (both
stores), and in Chromium its markers and popups with data from the real API (SYNTHETIC rows).

The hand-made plan P1 (4G, target 1.0, 26/11/2026): rank 1 co-locates on tower S-ON next to Bản Ón
(V4; 500 M capex + 5 × 60 M opex = 800 M VND); rank 2 is a new tower at Bản Dốc Mây (V2) that also
reaches Bản Cà Xen (V7; 2 000 M capex + 5 × 150 M = 2 750 M VND). Total 3 550 M VND = "3,55 tỷ đồng",
3 villages, 120 + 412 + 300 = 832 people.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from tests.maps.sample import VILLAGES, sample_inputs, village_centre, villages_gdf
from tests.maps.test_build import fill_store
from villagecov.maps.assets import render_html
from villagecov.maps.build import build_all_maps, read_inputs
from villagecov.maps.plan import format_vnd, format_vnd_short, latest_plan, plan_date, plan_layer_name
from villagecov.maps.province import build_province_map
from villagecov.maps.unit import build_unit_map
from villagecov.settings import Settings
from villagecov.storage import Store, open_store

CREATED = pd.Timestamp("2026-11-26T05:12:00Z")


def plan_rows(plan_id: str = "P1", created: pd.Timestamp = CREATED) -> dict[str, pd.DataFrame]:
    """SYNTHETIC rows of the three plan tables for the plan described above."""
    head = pd.DataFrame([{
        "plan_id": plan_id, "created_at": created, "technology": "4G", "mode": "target", "weight": "villages",
        "target_share": 1.0, "sites": 2, "cost_vnd": 3_550e6, "capex_vnd": 2_500e6, "opex_vnd_per_year": 210e6,
        "villages_covered": 3, "population_covered": 832.0, "method": "ilp", "exact_status": "optimal",
        "synthetic": True, "source": "SYNTHETIC test", "as_of": "2025-06-30",
    }])
    sites = gpd.GeoDataFrame({
        "plan_site_id": [f"{plan_id}-001", f"{plan_id}-002"], "plan_id": plan_id, "created_at": created,
        "technology": "4G", "mode": "target", "rank": [1, 2], "candidate_kind": ["colocation", "grid"],
        "site_id": ["S-ON", None], "operator": ["viettel", None], "backhaul": ["existing", "microwave"],
        "cost_vnd": [800e6, 2_750e6], "capex_vnd": [500e6, 2_000e6], "opex_vnd_per_year": [60e6, 150e6],
        "villages_covered": [1, 2], "population_covered": [120.0, 712.0], "village_ids": ["V4", "V2;V7"],
        "method": "ilp", "synthetic": True,
    }, geometry=[Point(village_centre("V4")), Point(village_centre("V2"))], crs="EPSG:4326")
    v = villages_gdf().set_index("village_id").loc[["V4", "V2", "V7"]].reset_index()
    villages = gpd.GeoDataFrame({
        "plan_village_id": [f"{plan_id}-{x}" for x in v["village_id"]], "plan_id": plan_id, "technology": "4G",
        "village_id": v["village_id"], "name": v["name"], "population": v["population"],
        "site_rank": [1, 2, 2], "plan_site_id": [f"{plan_id}-001", f"{plan_id}-002", f"{plan_id}-002"],
        "synthetic": True,
    }, geometry=v.geometry.values, crs="EPSG:4326")
    return {"plans": head, "plan_sites": sites, "plan_villages": villages}


def add_plan_rows(store: Store, **kw: object) -> None:
    rows = plan_rows(**kw)  # type: ignore[arg-type]
    with store.transaction() as tx:
        for name, frame in rows.items():
            tx.append(name, frame)


def test_vnd_is_formatted_the_vietnamese_way() -> None:
    assert format_vnd(2_750_000_000) == "2.750.000.000 ₫"
    assert format_vnd(2_750_000_000, "en") == "VND 2,750,000,000"
    assert format_vnd(800e6) == "800.000.000 ₫" and format_vnd(999) == "999 ₫" and format_vnd(None) == "–"
    assert format_vnd_short(3_550e6) == "3,55 tỷ đồng" and format_vnd_short(3_550e6, "en") == "3.55 billion VND"
    assert format_vnd_short(800e6) == "800 triệu đồng" and format_vnd_short(2e9) == "2 tỷ đồng"


def test_latest_plan_and_its_layer_name() -> None:
    older = plan_rows("P0", CREATED - pd.Timedelta(days=1))["plans"]
    plans = pd.concat([plan_rows()["plans"], older])
    plan = latest_plan(plans)
    assert plan is not None and plan["plan_id"] == "P1"
    assert plan_layer_name(plan, "vi") == "Trạm đề xuất (kế hoạch 4G, 26/11/2026): 2 trạm, 3,55 tỷ đồng"
    assert plan_layer_name(plan, "en") == "Proposed sites (plan 4G, 2026-11-26): 2 sites, 3.55 billion VND"
    assert latest_plan(plans.iloc[0:0]) is None and latest_plan(None) is None
    late = {**plan, "created_at": pd.Timestamp("2026-11-25T20:00Z")}  # 03:00 on the 26th in Việt Nam
    assert plan_date(late, "vi") == "26/11/2026" and plan_date(late, "en") == "2026-11-26"


def control_label(name: str) -> str:
    """A layer name as the page shell lists it in its grouped layer control (maps/shell.py)."""
    return '"name":' + json.dumps(name, ensure_ascii=False)


def test_province_map_has_the_plan_layer_only_when_a_plan_exists() -> None:
    data = sample_inputs()
    without = render_html(build_province_map(data, lang="vi"))
    assert "collections/plan/items" not in without and "Trạm đề xuất" not in without
    with_plan = replace(data, plans=plan_rows()["plans"])
    vi = render_html(build_province_map(with_plan, lang="vi"))
    assert '"/collections/plan/items?plan_id=P1&limit=1000"' in vi
    assert '"/collections/plan-villages/tiles/WebMercatorQuad/{z}/{y}/{x}?plan_id=P1"' in vi
    assert control_label("Thôn được phủ sóng theo kế hoạch") in vi
    assert "Kế hoạch 4G (26/11/2026)" in vi and "2 trạm · 3,55 tỷ đồng · 3 thôn · 832 người" in vi
    assert control_label("Trạm đề xuất (kế hoạch 4G, 26/11/2026): 2 trạm, 3,55 tỷ đồng") in vi
    assert "Dùng chung trạm hiện có" in vi and '"lang":"vi"' in vi
    en = render_html(build_province_map(with_plan, lang="en"))
    assert control_label("Proposed sites (plan 4G, 2026-11-26): 2 sites, 3.55 billion VND") in en
    assert "Co-location on an existing tower" in en
    assert "Plan 4G (2026-11-26)" in en and "2 sites · 3.55 billion VND · 3 villages · 832 people" in en


def test_unit_maps_show_the_latest_plan_and_what_it_brings_to_the_unit() -> None:
    """District 01 holds V2 (412 people) and V4 (120) of the plan's three villages; commune 0201
    none of them. The proposed sites are the province's: one outside a unit may cover its villages."""
    data = sample_inputs()
    assert "collections/plan/items" not in render_html(build_unit_map(data, "district", "01", lang="vi"))
    rows = plan_rows()
    with_plan = replace(data, plans=rows["plans"], plan_villages=rows["plan_villages"])
    vi = render_html(build_unit_map(with_plan, "district", "01", lang="vi"))
    assert '"/collections/plan/items?plan_id=P1&limit=1000"' in vi
    assert '"/collections/plan-villages/tiles/WebMercatorQuad/{z}/{y}/{x}?plan_id=P1"' in vi
    assert "Toàn tỉnh: 2 trạm · 3,55 tỷ đồng · 3 thôn · 832 người" in vi
    assert "Trong Huyện Minh Hóa: 2 thôn · 532 người" in vi
    commune = render_html(build_unit_map(with_plan, "commune", "0102", lang="en"))
    assert "Province: 2 sites · 3.55 billion VND · 3 villages · 832 people" in commune
    assert "In Xã Dân Hóa: 1 village · 120 people" in commune
    none = render_html(build_unit_map(with_plan, "commune", "0201", lang="vi"))
    assert "Trong Xã Quảng Phú: kế hoạch chưa phủ thôn nào" in none
    # another plan's rows for the unit's villages do not count
    other = replace(with_plan, plan_villages=rows["plan_villages"].assign(plan_id="P0"))
    assert "Trong Huyện Minh Hóa: kế hoạch chưa phủ thôn nào" in render_html(
        build_unit_map(other, "district", "01", lang="vi"))
    assert "Toàn tỉnh: 2 trạm" not in render_html(build_province_map(with_plan, lang="vi"))  # the province: totals only


def test_build_all_maps_shows_the_latest_plan_of_the_store(store: Store, tmp_path: Path) -> None:
    fill_store(store, sample_inputs())
    assert read_inputs(store).plans.empty and read_inputs(store).plan_villages.empty
    add_plan_rows(store, plan_id="P0", created=CREATED - pd.Timedelta(days=1))
    add_plan_rows(store)
    inputs = read_inputs(store)
    assert sorted(inputs.plans["plan_id"]) == ["P0", "P1"]
    assert set(inputs.plan_villages["plan_id"]) == {"P1"} and len(inputs.plan_villages) == 3
    build_all_maps(store, tmp_path)
    html = (tmp_path / "province.html").read_text(encoding="utf-8")
    assert "collections/plan/items?plan_id=P1&" in html and "plan_id=P0" not in html
    assert "collections/plan/" not in (tmp_path / "progress.html").read_text(encoding="utf-8")
    district = (tmp_path / "district-01.html").read_text(encoding="utf-8")
    assert "collections/plan/items?plan_id=P1&" in district and "Trong Huyện Minh Hóa: 2 thôn · 532 người" in district
    assert "In Phường Đức Ninh: 1 village · 300 people" in (tmp_path / "commune-0202.en.html").read_text(encoding="utf-8")


SAMPLE_NAMES = {v[0]: v[1] for v in VILLAGES}


@pytest.fixture(scope="module")
def plan_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.maps.server import serve
    from villagecov.api.app import create_app

    root = tmp_path_factory.mktemp("plan-e2e")
    url = str(root / "store.gpkg")
    with open_store(url, initialize=True) as st:
        fill_store(st, sample_inputs())
        add_plan_rows(st)
        build_all_maps(st, root / "maps")
    settings = Settings(store=url, maps_dir=root / "maps", archive_dir=root / "archive")
    with serve(create_app(settings)) as base:
        yield base


@pytest.mark.browser
@pytest.mark.parametrize(("page", "texts"), [
    ("province.html", ["Trạm đề xuất #2", "Trạm mới", "2.750.000.000 ₫", "2.000.000.000 ₫", "150.000.000 ₫",
                       "Vi ba", "712"]),
    ("province.en.html", ["Proposed site #2", "New tower", "VND 2,750,000,000", "Microwave", "712"]),
    ("district-01.html", ["Trạm đề xuất #2", "Trạm mới", "2.750.000.000 ₫", "Vi ba", "712"]),
])
def test_plan_markers_and_popup_in_chromium(browser, plan_api: str, artifacts: Path, page: str,
                                            texts: list[str]) -> None:
    from tests.maps.test_browser import open_session

    with open_session(browser, plan_api, console=("error", "warning")) as s:
        s.goto(page)
        assert s.status("/collections/plan/items?plan_id=P1") == [200]
        village_tiles = s.status("/collections/plan-villages/tiles/WebMercatorQuad/")
        assert village_tiles and set(village_tiles) == {200}
        assert all("plan_id=P1" in u for _, u in s.responses if "/plan-villages/" in u)
        markers = s.page.locator(".vc-plan-site")
        markers.first.wait_for(timeout=10000)
        assert markers.count() == 2
        assert sorted(markers.all_inner_texts()) == ["1", "2"]
        # the panel lists each site with the villages it covers, by name
        listed = [li.text_content() for li in s.page.locator(".vc-plan-list li").all()]
        assert len(listed) == 2 and listed[0].startswith(texts[0].replace("#2", "#1"))
        assert "2" in listed[1] and SAMPLE_NAMES["V2"] in listed[1] and SAMPLE_NAMES["V7"] in listed[1]
        assert "3,55 tỷ đồng" in s.layer_names() or "3.55 billion VND" in s.layer_names()
        [m] = s.maps()
        lon, lat = village_centre("V2")  # bring rank 2 clear of the legend and the controls
        s.page.evaluate(f"window[{m!r}].setView([{lat}, {lon}], window[{m!r}].getZoom(), {{animate: false}})")
        s.page.locator(".vc-plan-site", has_text="2").click()
        s.wait_popup(texts[0])
        text = s.page.locator(".leaflet-popup-content").inner_text()
        for expected in texts:
            assert expected in text, (expected, text)
        if page == "province.html":
            s.page.wait_for_timeout(400)  # the popup's fade-in
            s.screenshot(artifacts / "province.plan.png")
        s.assert_clean()
