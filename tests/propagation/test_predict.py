"""Best-server prediction written as a Cloud-Optimized GeoTIFF."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from shapely.geometry import Point

from villagecov.frames import normalize
from villagecov.propagation.linkbudget import default_budget, site_budget
from villagecov.propagation.predict import best_server
from villagecov.propagation.raster import Grid
from villagecov.propagation.run import predict_to_dir, select_sites
from villagecov.schema import TABLES
from villagecov.settings import Settings


def _sites() -> gpd.GeoDataFrame:
    rows = [
        ("S1", "mobile_tower", "viettel", "2G,4G", 40.0, None, 106.60, 17.47),
        ("S2", "mobile_tower", "viettel", "4G", None, 58.0, 106.45, 17.40),
        ("S3", "mobile_tower", "vinaphone", "3G", 30.0, None, 106.50, 17.45),
        ("P1", "post_office", "vnpost", None, None, None, 106.55, 17.45),
    ]
    frame = gpd.GeoDataFrame(
        [dict(zip(["site_id", "kind", "operator", "technologies", "height_m", "eirp_dbm"], r[:6], strict=True))
         for r in rows],
        geometry=[Point(r[6], r[7]) for r in rows], crs="EPSG:4326",
    )
    frame["synthetic"] = True
    return normalize(frame, TABLES["sites"])


def test_select_sites_by_operator_and_technology() -> None:
    assert list(select_sites(_sites(), "viettel", "4G")["site_id"]) == ["S1", "S2"]
    assert list(select_sites(_sites(), "viettel", "2G")["site_id"]) == ["S1"]
    assert select_sites(_sites(), "mobifone", "4G").empty


def test_site_budget_uses_site_values_or_defaults() -> None:
    s = Settings()
    b = site_budget("4G", s, 45.0, float("nan"))
    assert (b.tx_height_m, b.eirp_dbm, b.threshold_dbm) == (45.0, 60.0, -105.0)
    assert b.max_loss_db == pytest.approx(60.0 - 30.792 + 105.0, abs=0.01)
    assert site_budget("2G", s, None, 50.0).eirp_dbm == 50.0


def test_best_server_takes_the_strongest_site() -> None:
    grid = Grid(0.0, 10_000.0, 500.0, 20, 40)
    budgets = [default_budget("4G", Settings()), default_budget("4G", Settings())]
    pred = best_server(grid, np.array([[2_000.0, 5_000.0], [18_000.0, 5_000.0]]), budgets)
    assert pred.server[10, 2] == 0 and pred.server[10, 37] == 1
    assert pred.signal_dbm[10, 4] > pred.signal_dbm[10, 10]  # weaker with distance
    assert not pred.terrain and pred.meta["terrain"].startswith("no")


def test_predict_writes_cogs_with_overviews(tmp_path: Path) -> None:
    out = predict_to_dir(_sites(), Settings(), tmp_path, res=200.0, radius_m=15_000.0)
    assert {(p.operator, p.technology) for p in out} == {("viettel", "2G"), ("viettel", "4G"), ("vinaphone", "3G")}
    layer = next(p for p in out if p.technology == "4G")
    assert layer.path.name == "signal_viettel_4G_SYNTHETIC.tif" and layer.sites == 2 and layer.covered_km2 > 10
    with rasterio.open(layer.path) as src:
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert src.overviews(1)
        assert src.crs.to_epsg() == 32648 and src.res == (200.0, 200.0)
        tags = src.tags()
        assert tags["VILLAGECOV_TERRAIN"].startswith("no") and tags["VILLAGECOV_EVIDENCE"] == "modelled"
        assert tags["VILLAGECOV_SYNTHETIC"] == "yes"
        data = src.read(1)
        assert np.nanmax(data) == -40.0 and np.isnan(data).any() and np.nanmin(data) >= -150.0


def test_dem_is_reprojected_and_shadows_the_prediction(tmp_path: Path) -> None:
    from affine import Affine

    from villagecov.propagation.terrain import load_dem

    # SYNTHETIC DEM in EPSG:4326: 100 m plain with a 900 m north–south wall at lon 106.55–106.56
    lon0, lat0, step = 106.40, 17.55, 0.001
    cols, rows = 300, 200
    lon = lon0 + (np.arange(cols) + 0.5) * step
    heights = np.where((lon > 106.55) & (lon < 106.56), 900.0, 100.0)[None, :].repeat(rows, 0).astype("float32")
    path = tmp_path / "SYNTHETIC_dem.tif"
    with rasterio.open(path, "w", driver="GTiff", width=cols, height=rows, count=1, dtype="float32",
                       crs="EPSG:4326", transform=Affine(step, 0, lon0, 0, -step, lat0), nodata=-9999) as dst:
        dst.write(heights, 1)
        dst.update_tags(VILLAGECOV_SYNTHETIC="yes")
    grid = Grid.from_bounds((650_000.0, 1_920_000.0, 670_000.0, 1_930_000.0), 100.0)
    dem = load_dem(path, grid.bounds, 100.0)
    assert dem.synthetic and dem.crs == "EPSG:32648"
    assert dem.heights.min() == pytest.approx(100.0, abs=0.5) and dem.heights.max() == pytest.approx(900.0, abs=1)

    site = gpd.GeoDataFrame({"site_id": ["W"], "kind": "mobile_tower", "operator": "viettel", "technologies": "4G",
                             "height_m": 30.0}, geometry=[Point(106.50, 17.45)], crs="EPSG:4326")
    sites = normalize(site, TABLES["sites"])
    flat = predict_to_dir(sites, Settings(), tmp_path / "flat", bounds=grid.bounds, res=100.0)[0]
    hilly = predict_to_dir(sites, Settings(), tmp_path / "dem", bounds=grid.bounds, res=100.0, dem_path=path)[0]
    assert hilly.terrain and not flat.terrain and hilly.covered_km2 < flat.covered_km2
    with rasterio.open(flat.path) as a, rasterio.open(hilly.path) as b:
        assert b.tags()["VILLAGECOV_TERRAIN"] == "yes"
        fa, fb = a.read(1), b.read(1)
    east = np.s_[:, -30:]  # cells beyond the wall
    assert np.nanmean(fb[east]) < np.nanmean(fa[east]) - 20
