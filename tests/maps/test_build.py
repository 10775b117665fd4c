"""build_all_maps on both stores (GeoPackage and PostGIS) and the `villagecov maps build` command."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from shapely.geometry import box
from typer.testing import CliRunner

from tests.maps.sample import sample_inputs
from villagecov.cli import app
from villagecov.maps.assets import external_urls
from villagecov.maps.build import build_all_maps, read_inputs
from villagecov.maps.inputs import MapInputs
from villagecov.storage import Store


def fill_store(store: Store, data: MapInputs) -> None:
    """Write the SYNTHETIC sample into ``store``."""
    units = pd.concat([data.province, data.districts, data.communes], ignore_index=True)
    with store.transaction() as tx:
        tx.append("admin_units", units)
        for name in ("villages", "village_coverage", "sites", "coverage", "services", "indicators"):
            tx.append(name, getattr(data, name))


def test_build_all_maps_from_a_store(store: Store, tmp_path: Path) -> None:
    fill_store(store, sample_inputs())
    data = read_inputs(store)
    assert data.boundary_version == "2019" and len(data.villages) == 8 and data.synthetic
    assert data.vintages == ["2023-01-01", "2025-06-30"]

    report = build_all_maps(store, tmp_path / "out")
    expected = {f"{stem}{suffix}" for stem in ("index", "province", "progress", "dashboard", "district-01", "district-02",
                                                "commune-0101", "commune-0102", "commune-0201", "commune-0202")
                for suffix in (".html", ".en.html")}
    assert set(report.files) == expected
    assert all(size > 0 for size in report.files.values())
    out = tmp_path / "out"
    assert (out / "static" / "leaflet" / "leaflet.js").is_file()
    for name in expected:
        html = (out / name).read_text(encoding="utf-8")
        assert external_urls(html) == set(), name
        for asset in re.findall(r'(?:src|href)="(static/[^"]+)"', html):
            assert (out / asset).is_file(), asset
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "DỮ LIỆU GIẢ LẬP (SYNTHETIC)" in index and 'href="index.en.html"' in index
    assert '<a href="commune-0202.html">Phường Đức Ninh</a>' in index
    assert '<a href="district-01.html">Huyện Minh Hóa</a>' in index
    en = (out / "index.en.html").read_text(encoding="utf-8")
    assert '<a href="province.en.html">Province overview</a>' in en
    assert report.urls("http://127.0.0.1:8000/") == [
        f"http://127.0.0.1:8000/maps/{n}" for n in ("index.html", "province.html", "progress.html", "dashboard.html",
                                                     "index.en.html", "province.en.html", "progress.en.html",
                                                     "dashboard.en.html")]


def test_cli_maps_build(tmp_path: Path) -> None:
    from villagecov.storage import open_store

    url = str(tmp_path / "store.gpkg")
    with open_store(url, initialize=True) as st:
        fill_store(st, sample_inputs())
    out = tmp_path / "maps"
    out.mkdir()
    (out / "commune-99999.html").write_text("from an earlier build")
    (out / "notes.html").write_text("not ours")
    result = CliRunner().invoke(app, ["maps", "build", "--out", str(out), "--store", url, "--lang", "vi",
                                      "--no-units", "--base-url", "http://127.0.0.1:9"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.html")) == ["dashboard.html", "index.html", "notes.html", "progress.html",
                                                          "province.html"]
    assert "http://127.0.0.1:9/maps/province.html" in result.output
    assert '"http://127.0.0.1:9/collections/villages/tiles/WebMercatorQuad/{z}/{y}/{x}"' in (
        out / "province.html").read_text(encoding="utf-8")


def test_cli_maps_build_on_an_empty_store_fails_with_one_line(tmp_path: Path) -> None:
    from villagecov.storage import open_store

    url = str(tmp_path / "empty.gpkg")
    open_store(url, initialize=True).close()
    result = CliRunner().invoke(app, ["maps", "build", "--out", str(tmp_path / "m"), "--store", url])
    assert result.exit_code != 0
    assert "no communes of boundary version 2019" in result.output
    assert "Traceback" not in result.output


def test_villages_move_to_the_chosen_boundary_version(sample: MapInputs) -> None:
    from tests.maps.sample import _frame
    from villagecov.maps.build import villages_on_version

    merged = _frame("admin_units", [dict(code="X1", name="Xã Gộp Một", level="commune", version="2025-07"),
                                    dict(code="X2", name="Phường Gộp Hai", level="commune", version="2025-07")],
                    [box(106.0, 17.2, 106.4, 17.6), box(106.4, 17.2, 106.8, 17.6)])
    crosswalk = pd.DataFrame({"from_version": ["2019"], "from_code": ["0101"], "to_version": ["2025-07"],
                              "to_code": ["X1"], "level": ["commune"]})
    moved = villages_on_version(sample.villages, crosswalk, merged, "2025-07")
    # 0101 through the crosswalk, the others by where they lie
    assert dict(zip(moved["village_id"], moved["commune_code"], strict=True)) == {
        "V1": "X1", "V2": "X1", "V3": "X1", "V4": "X1", "V5": "X2", "V6": "X2", "V7": "X2", "V8": "X2"}
    assert set(moved["boundary_version"]) == {"2025-07"}
    assert villages_on_version(sample.villages, crosswalk, merged, "2019") is sample.villages


def test_index_groups_communes_by_district_and_offers_the_2025_07_units(tmp_path: Path) -> None:
    from tests.maps.sample import _frame
    from villagecov.storage import open_store

    url = str(tmp_path / "store.gpkg")
    with open_store(url, initialize=True) as st:
        fill_store(st, sample_inputs())
        merged = _frame("admin_units", [dict(code="X1", name="Xã Gộp Một", level="commune", version="2025-07"),
                                        dict(code="X2", name="Phường Gộp Hai", level="commune", version="2025-07")],
                        [box(106.0, 17.2, 106.4, 17.6), box(106.4, 17.2, 106.8, 17.6)])
        with st.transaction() as tx:
            tx.append("admin_units", merged)
        report = build_all_maps(st, tmp_path / "out", langs=["vi"])
    assert "province-2025-07.html" in report.files
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="province-2025-07.html"' in index and "Ranh giới sau sáp nhập (01/07/2025)" in index
    assert "UTC+7" in index and "UTC " not in index
    # communes under their district, each list in Vietnamese order
    minh_hoa, quang_ninh = index.index("<h3>Huyện Minh Hóa</h3>"), index.index("<h3>Thành phố Đồng Hới</h3>")
    assert minh_hoa < index.index("Xã Dân Hóa") < index.index("Xã Trọng Hóa") < quang_ninh
    assert quang_ninh < index.index("Phường Đức Ninh") < index.index("Xã Quảng Phú")
    alt = (tmp_path / "out" / "province-2025-07.html").read_text(encoding="utf-8")
    assert "Xã Gộp Một" in alt and '"province.html"' in alt  # a link back to the 2019 map
    province = (tmp_path / "out" / "province.html").read_text(encoding="utf-8")
    assert '"province-2025-07.html"' in province
