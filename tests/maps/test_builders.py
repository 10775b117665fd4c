"""Builders: data in, folium map out; the HTML is offline, small, and in the asked language."""

from __future__ import annotations

import json
import re
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from tests.maps.sample import V2, _frame
from villagecov.errors import NotFound
from villagecov.maps.assets import external_urls, render_html
from villagecov.maps.contract import ApiUrls
from villagecov.maps.inputs import MapInputs
from villagecov.maps.progress import build_progress_map
from villagecov.maps.province import build_province_map
from villagecov.maps.unit import build_unit_map
from villagecov.settings import PROJECT_ROOT

BOUNDARIES = PROJECT_ROOT / "data" / "boundaries"


def test_province_map_is_offline_and_uses_tiles(sample: MapInputs) -> None:
    html = render_html(build_province_map(sample, alternate_url="province.en.html"))
    assert external_urls(html) == set()
    assert '"/collections/villages/tiles/WebMercatorQuad/{z}/{y}/{x}"' in html
    assert '"/collections/coverage/tiles/WebMercatorQuad/{z}/{y}/{x}"' in html
    assert '"/rasters/R-vt-4g/tiles/WebMercatorQuad/{z}/{y}/{x}.png"' in html
    assert "106.09" not in html  # village polygons are not inline: their corners never appear
    assert "Thôn bản theo tình trạng phủ sóng" in html and "DỮ LIỆU GIẢ LẬP (SYNTHETIC)" in html
    assert '"altUrl":"province.en.html"' in html  # the language switch, in the panel's config
    # OpenStreetMap is an option, off by default: its layer is never added on load
    assert "OpenStreetMap (cần Internet)" in html
    assert html.count("tile.openstreetmap.org") == 1


def test_remote_villages_layer_explains_why(sample: MapInputs) -> None:
    import folium

    from villagecov.maps.layers import add_remote

    m = folium.Map(tiles=None)
    add_remote(m, sample.villages, "vi")
    [layer] = [c for c in m._children.values() if isinstance(c, folium.GeoJson)]
    props = {f["properties"]["name"]: f["properties"]["reasons"] for f in layer.data["features"]}
    assert props == {"Bản Dốc Mây": "Vùng núi cao (512 m > 400 m); Xã biên giới",
                     "Bản Ón": "Xa trung tâm huyện (31,2 km > 25 km)", "Bản Cà Xen": "Danh sách chính thức"}


def test_api_base_url_goes_into_every_template(sample: MapInputs) -> None:
    urls = ApiUrls(base="http://10.0.0.5:8000/")
    html = render_html(build_province_map(sample, urls, "en"), "static/")
    assert '"http://10.0.0.5:8000/collections/villages/tiles/WebMercatorQuad/{z}/{y}/{x}"' in html
    assert '"villageUrl":"http://10.0.0.5:8000/villages/{id}"' in html
    assert 'src="static/leaflet/leaflet.js"' in html
    assert "Villages by coverage status" in html and "SYNTHETIC DATA" in html
    assert "Thôn bản theo tình trạng phủ sóng" not in html


def test_province_colours_use_the_latest_vintage_only(sample: MapInputs) -> None:
    from dataclasses import replace

    vc = sample.village_coverage
    worse = vc[vc["village_id"] != "V8"]  # Tổ dân phố Đức Ninh: 4G at the baseline, nothing later
    v8_base = vc[(vc["village_id"] == "V8") & (vc["as_of"] == "2023-01-01")]
    v8_late = v8_base.assign(as_of=V2, status="none", covered_pop_share=0.0)
    data = replace(sample, village_coverage=pd.concat([worse, v8_base, v8_late], ignore_index=True))
    html = render_html(build_province_map(data))
    villages = html[html.index('VC.vectorLayer("/collections/villages'):]
    villages = villages[: villages.index("\n")]
    assert '"V8":"none"' in villages and '"V8":"4G"' not in villages  # the village layer: latest vintage
    cfg = json.loads(html[html.index("var cfg = ") + 10:].split(";\n", 1)[0])
    assert cfg["period"] == V2 and cfg["periodClasses"][V2]["V8"] == "none"  # the period selector: each vintage
    assert cfg["periodClasses"]["2023-01-01"]["V8"] == "4G"


def test_no_synthetic_banner_for_real_data(sample: MapInputs) -> None:
    from dataclasses import replace

    real = replace(sample, villages=sample.villages.assign(synthetic=False), sites=sample.sites.assign(synthetic=False),
                   coverage=sample.coverage.assign(synthetic=False), services=sample.services.assign(synthetic=False))
    assert not real.synthetic
    assert "vc-banner" not in render_html(build_province_map(real))
    assert "vc-banner" in render_html(build_province_map(sample))


def test_progress_and_unit_maps(sample: MapInputs) -> None:
    html = render_html(build_progress_map(sample))
    assert html.count("L.map(") == 2 and ".sync(" in html and external_urls(html) == set()
    text = re.sub(r"<[^<>]*>", "", html)  # the side labels' dates sit in their own span (the period selector)
    assert "Kỳ gốc: 01/01/2023" in text and "Kỳ mới nhất: 30/06/2025" in text
    html = render_html(build_unit_map(sample, "commune", "0202", lang="en"))
    assert "Phường Đức Ninh" in html and "Indicators" in html
    with pytest.raises(NotFound, match="no district 99"):
        build_unit_map(sample, "district", "99")
    with pytest.raises(ValueError, match="unsupported language"):
        build_province_map(sample, lang="fr")


def realistic_province(n_villages: int = 2500, n_sites: int = 1500, seed: int = 7) -> MapInputs:
    """SYNTHETIC villages and sites over the real 2019 boundaries (data/boundaries)."""
    if not (BOUNDARIES / "quangbinh_communes_2019_vietnam63.geojson").exists():
        pytest.skip("data/boundaries not present")
    rng = np.random.default_rng(seed)
    raw = gpd.read_file(BOUNDARIES / "quangbinh_communes_2019_vietnam63.geojson")
    communes = _frame("admin_units", [dict(code=c, name=n, parent_code=d, level="commune", version="2019")
                                      for c, n, d in zip(raw["commune_code"], raw["commune_name"],
                                                         raw["district_code"], strict=True)], list(raw.geometry))
    raw_d = gpd.read_file(BOUNDARIES / "quangbinh_districts_2019_gischinhphu.geojson")
    districts = _frame("admin_units", [dict(code=c, name=n, level="district", version="2019")
                                       for c, n in zip(raw_d["district_code"], raw_d["district_name"], strict=True)],
                       list(raw_d.geometry))
    raw_p = gpd.read_file(BOUNDARIES / "quangbinh_province_2019_gischinhphu.geojson")
    province = _frame("admin_units", [dict(code="44", name="Tỉnh Quảng Bình", level="province", version="2019")],
                      list(raw_p.geometry))
    minx, miny, maxx, maxy = province.total_bounds
    pts = gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in zip(rng.uniform(minx, maxx, 4 * n_villages),
                                                                 rng.uniform(miny, maxy, 4 * n_villages),
                                                                 strict=True)], crs="EPSG:4326")
    inside = gpd.sjoin(pts, communes[["code", "geometry"]], predicate="within").head(n_villages)
    ids = [f"SYN-{i:05d}" for i in range(len(inside))]
    villages = _frame("villages", [dict(village_id=v, name=f"Thôn Giả Lập Số {i}", commune_code=c, population=int(p),
                                        remote=bool(r), remote_reasons="distance" if r else None, synthetic=True,
                                        as_of=V2)
                                   for i, (v, c, p, r) in enumerate(zip(ids, inside["code"], rng.integers(50, 3000, len(ids)),
                                                                        rng.random(len(ids)) < 0.15, strict=True))],
                      [box(g.x - 0.004, g.y - 0.004, g.x + 0.004, g.y + 0.004) for g in inside.geometry])
    statuses = np.array(["covered", "partial", "none"])
    vc = pd.DataFrame([dict(village_id=v, operator="ANY", technology=t, evidence="declared", as_of=a,
                            status=statuses[rng.integers(0, 3)])
                       for v in ids for t in ("2G", "3G", "4G", "5G") for a in ("2023-01-01", V2)])
    site_pts = pts.geometry.iloc[-n_sites:]
    sites = _frame("sites", [dict(site_id=f"S{i}", kind="mobile_tower", operator=op, technologies="2G,4G",
                                  height_m=30.0 + i % 20, in_service_from="2020-01-01", synthetic=True, as_of=V2)
                             for i, op in enumerate(rng.choice(["viettel", "vinaphone", "mobifone"], n_sites))],
                   list(site_pts))
    return MapInputs(province=province, communes=communes, districts=districts, villages=villages,
                     village_coverage=_frame("village_coverage", vc.to_dict("records")), sites=sites)


def test_province_html_of_a_realistic_province_stays_under_5_mb(record_property) -> None:
    data = realistic_province()
    start = time.perf_counter()
    html = render_html(build_province_map(data))
    seconds = time.perf_counter() - start
    size = len(html.encode("utf-8"))
    record_property("province_html_bytes", size)
    record_property("province_build_seconds", round(seconds, 2))
    print(f"\nprovince map: {len(data.villages)} villages, {len(data.sites)} sites -> {size / 1e6:.2f} MB "
          f"in {seconds:.1f} s")
    assert size < 5_000_000
    assert external_urls(html) == set()
