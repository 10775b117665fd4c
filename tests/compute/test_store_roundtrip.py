"""compute_all on both store backends: stored results, vintages, determinism, CLI output."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from typer.testing import CliRunner

from tests.compute.helpers import X0, Y0, box, coverage, points, villages
from villagecov.cli import app
from villagecov.compute_pipeline import compute_all, read_indicators
from villagecov.schema import METRIC_CRS, STORAGE_CRS
from villagecov.settings import Settings
from villagecov.storage import Store


def _units() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    rows = [
        ("44", "province", "Tỉnh Quảng Bình", None, "2019", box(-5000, -5000, 20000, 20000)),
        ("450", "district", "Thành phố Đồng Hới", "44", "2019", box(-5000, -5000, 20000, 20000)),
        ("c1", "commune", "Phường Hải Thành", "450", "2019", box(-5000, -5000, 7000, 20000)),
        ("c2", "commune", "Xã Bảo Ninh", "450", "2019", box(2000, -5000, 15000, 20000)),
        ("44", "province", "Tỉnh Quảng Trị", None, "2025-07", box(-5000, -5000, 20000, 20000)),
        ("n1", "commune", "Phường Đồng Hới", "44", "2025-07", box(-5000, -5000, 20000, 20000)),
    ]
    units = gpd.GeoDataFrame(
        [{"code": c, "level": lv, "name": n, "parent_code": p, "version": v, "as_of": "2019-04-01", "source": "SYNTHETIC",
          "geometry": g} for c, lv, n, p, v, g in rows], geometry="geometry", crs=METRIC_CRS).to_crs(STORAGE_CRS)
    cw = pd.DataFrame({"from_version": "2019", "from_code": ["c1", "c2"], "to_version": "2025-07", "to_code": "n1",
                       "level": "commune", "weight": 1.0, "as_of": "2025-07-01", "source": "SYNTHETIC"})
    return units, cw


def _raster(path) -> str:
    arr = np.array([[-90.0, -120.0]], dtype="float32")  # two 1 km cells over x 0..2000, y 0..1000
    t = rasterio.transform.from_origin(X0, Y0 + 1000, 1000, 1000)
    with rasterio.open(path, "w", driver="GTiff", width=2, height=1, count=1, dtype="float32", crs="EPSG:32648",
                       transform=t, nodata=-9999) as dst:
        dst.write(arr, 1)
    return str(path)


def _fill(store: Store, tmp_path) -> None:
    units, cw = _units()
    v1 = villages([{"geometry": box(0, 0, 1000, 1000)}, {"geometry": box(5000, 0, 1000, 1000), "commune_code": "c2",
                                                          "remote_official": True}])
    v2 = villages([{"geometry": box(0, 0, 2000, 1000), "as_of": "2024-06-01"}])  # v0 re-registered, larger
    c = pd.concat([
        coverage([{"geometry": box(500, -1000, 9000, 5000)}]),
        coverage([{"geometry": box(0, 0, 500, 1000), "operator": "mobifone", "as_of": "2024-03-01"}]),
        coverage([{"geometry": box(0, 0, 2000, 1000), "evidence": "modelled", "raster_path": _raster(tmp_path / "m.tif"),
                   "value_kind": "signal_dbm"}]),
    ], ignore_index=True)
    m = points([{"xy": (800 + i, 500), "rsrp_dbm": -80.0, "dl_mbps": 20.0 + i} for i in range(3)])
    services = pd.DataFrame({"village_id": ["v0", "v1"], "service": "fixed_broadband", "available": [True, False],
                             "as_of": "2024-01-01", "source": "SYNTHETIC"})
    sites = gpd.GeoDataFrame({"site_id": ["s1"], "kind": "mobile_tower", "operator": "viettel", "as_of": "2024-01-01",
                              "in_service_from": "2020-01-01", "source": "SYNTHETIC"},
                             geometry=[shapely.Point(X0 + 100, Y0 + 100)], crs=METRIC_CRS).to_crs(STORAGE_CRS)
    with store.transaction() as tx:
        tx.append("admin_units", units)
        tx.append("crosswalk", cw)
        tx.append("villages", pd.concat([v1, v2], ignore_index=True))
        tx.append("coverage", gpd.GeoDataFrame(c, crs=STORAGE_CRS))
        tx.append("measurements", m)
        tx.append("services", services)
        tx.append("sites", sites)


def test_compute_all_stores_results_and_is_deterministic(store: Store, tmp_path) -> None:
    _fill(store, tmp_path)
    # one reporting period per date here (the default is a year: see test_periods)
    settings = Settings(store=store.url, archive_dir=tmp_path / "archive", reporting_period="date")
    first = compute_all(settings)
    assert first.vintages == ["2024-01-01", "2024-03-01", "2024-06-01"]
    vc = store.read("village_coverage").set_index(["village_id", "operator", "technology", "evidence", "as_of"])
    share = vc["covered_area_share"]
    assert share[("v0", "viettel", "4G", "declared", "2024-01-01")] == pytest.approx(0.5, abs=1e-9)
    assert share[("v0", "viettel", "4G", "declared", "2024-03-01")] == pytest.approx(0.5, abs=1e-9)  # old village
    assert share[("v0", "ANY", "4G", "declared", "2024-03-01")] == pytest.approx(1.0, abs=1e-9)
    assert share[("v0", "viettel", "4G", "declared", "2024-06-01")] == pytest.approx(0.75, abs=1e-9)  # new polygon
    assert share[("v0", "viettel", "4G", "modelled", "2024-06-01")] == pytest.approx(0.5, abs=1e-6)
    assert vc.loc[("v0", "viettel", "4G", "modelled", "2024-06-01"), "best_signal_dbm"] == -90
    assert vc.loc[("v0", "viettel", "4G", "measured", "2024-01-01"), "n_measurements"] == 3
    summary = store.read("village_summary").set_index(["village_id", "as_of"])
    assert bool(summary.loc[("v1", "2024-01-01"), "remote"]) is True
    assert summary.loc[("v1", "2024-01-01"), "remote_reasons"] == "official"
    # viettel: declared 50 % but modelled 100 % (the −90 dBm cell) counts; mobifone: declared 50 %
    assert summary.loc[("v0", "2024-03-01"), "n_operators_4g"] == 1
    # the map layers' status: ANY 4G declared over the whole village; no 2G evidence at all
    assert summary.loc[("v0", "2024-03-01"), "status_4g"] == "covered"
    assert summary.loc[("v0", "2024-03-01"), "pop_share_4g"] == pytest.approx(1.0, abs=1e-9)
    assert pd.isna(summary.loc[("v0", "2024-03-01"), "status_2g"])
    runs = store.read("runs")
    assert list(runs["run_id"]) == [first.run_id] and runs["inputs_hash"].iloc[0] == first.inputs_hash

    before = {t: store.read(t) for t in ("village_coverage", "indicators", "village_summary")}
    second = compute_all(settings)
    assert second.run_id == first.run_id and second.unchanged
    for name, frame in before.items():
        pd.testing.assert_frame_equal(store.read(name), frame)
    assert len(store.read("runs")) == 1

    prov = read_indicators(settings, level="province", boundaries="2025-07").set_index("indicator")
    assert prov.loc["t8.villages_4g_share", "denominator"] == 2  # v1 stays from its 2024-01-01 register
    assert prov.loc["t8.villages_4g_share", "unit_name"] == "Tỉnh Quảng Trị"
    assert prov.loc["t8.sites_per_10k_people", "value"] == pytest.approx(1 / (200 / 10_000))
    assert prov.loc["t8.median_dl_mbps", "value"] == pytest.approx(21.0)
    jan = read_indicators(settings, level="commune", as_of="2024-02-01").set_index(["indicator", "unit_code"])
    assert jan.loc[("t9.villages_fixed_broadband_share", "c1"), "value"] == 1.0
    assert jan.loc[("t9.villages_fixed_broadband_share", "c2"), "value"] == 0.0

    out = CliRunner().invoke(app, ["indicators", "--store", store.url, "--level", "commune", "--as-of", "2024-02-01"])
    assert out.exit_code == 0, out.output
    assert "Phường Hải Thành" in out.output and "Xã Bảo Ninh" in out.output
    csv = CliRunner().invoke(app, ["indicators", "--store", store.url, "--format", "csv", "--boundaries", "2025-07"])
    assert csv.exit_code == 0 and "Tỉnh Quảng Trị" in csv.output
    export = tmp_path / "vc.geojson"
    ex = CliRunner().invoke(app, ["export", "village_coverage", "--store", store.url, "--format", "geojson",
                                  "--out", str(export), "--as-of", "2024-06-01"])
    assert ex.exit_code == 0, ex.output
    exported = gpd.read_file(export)
    assert set(exported["as_of"].astype(str).str[:10]) == {"2024-06-01"} and exported.geometry.notna().all()
