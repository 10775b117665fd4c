"""`villagecov predict` on Dask equals the single-process prediction (within 0.01 dB)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from affine import Affine
from shapely.geometry import Point

from villagecov.frames import normalize
from villagecov.propagation.run import predict_to_dir
from villagecov.scale.predict import Partial, merge
from villagecov.scale.predict_layers import predict_to_dir_dask
from villagecov.schema import TABLES
from villagecov.settings import Settings

BOUNDS = (640_000.0, 1_915_000.0, 676_000.0, 1_941_000.0)  # EPSG:32648 m, 36 × 26 km


def synthetic_dem(path: Path) -> Path:
    """SYNTHETIC rough terrain, 90 m cells in EPSG:32648: smooth hills up to ~700 m."""
    rng = np.random.default_rng(7)
    cols, rows = 460, 340
    x0, y0 = BOUNDS[0] - 2000, BOUNDS[3] + 2000
    yy, xx = np.mgrid[0:rows, 0:cols].astype("float32")
    z = np.full((rows, cols), 50.0, dtype="float32")
    for cx, cy, h, w in zip(rng.uniform(0, cols, 25), rng.uniform(0, rows, 25), rng.uniform(100, 700, 25),
                            rng.uniform(8, 40, 25), strict=True):
        z += h * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * w * w))
    with rasterio.open(path, "w", driver="GTiff", width=cols, height=rows, count=1, dtype="float32",
                       crs="EPSG:32648", transform=Affine(90.0, 0, x0, 0, -90.0, y0), nodata=-9999) as dst:
        dst.write(z, 1)
        dst.update_tags(VILLAGECOV_SYNTHETIC="yes")
    return path


def synthetic_sites() -> gpd.GeoDataFrame:
    """SYNTHETIC towers of two operators; two Viettel sites share a position (equal signals: a tie)."""
    rng = np.random.default_rng(11)
    pts = gpd.GeoSeries([Point(x, y) for x, y in zip(rng.uniform(645_000, 671_000, 9),
                                                     rng.uniform(1_920_000, 1_936_000, 9), strict=True)]
                        + [Point(655_000, 1_928_000)] * 2, crs="EPSG:32648").to_crs("EPSG:4326")
    n = len(pts)
    frame = gpd.GeoDataFrame({
        "site_id": [f"S{i}" for i in range(n)], "kind": "mobile_tower",
        "operator": ["viettel" if i % 3 else "vinaphone" for i in range(n - 2)] + ["viettel", "viettel"],
        "technologies": "4G", "height_m": rng.uniform(20, 45, n).round(1), "synthetic": True,
    }, geometry=pts.values, crs="EPSG:4326")
    return normalize(frame, TABLES["sites"])


def _read(path: Path) -> tuple[np.ndarray, dict[str, str], int]:
    with rasterio.open(path) as src:
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG" and src.overviews(1)
        return src.read(1), src.tags(), src.crs.to_epsg()


def test_dask_prediction_equals_single_process(tmp_path: Path, client) -> None:
    dem = synthetic_dem(tmp_path / "SYNTHETIC_dem.tif")
    sites, settings = synthetic_sites(), Settings()
    kw = dict(bounds=BOUNDS, res=200.0, radius_m=12_000.0, dem_path=dem)
    single = predict_to_dir(sites, settings, tmp_path / "one", **kw)
    # small tiles and batches: many tiles, several batches per tile, a real merge tree
    dist = predict_to_dir_dask(client, sites, settings, tmp_path / "dask", tile=48, batch_sites=2, **kw)
    assert [(p.operator, p.technology, p.sites, p.path.name) for p in single] == \
        [(p.operator, p.technology, p.sites, p.path.name) for p in dist]
    for a, b in zip(single, dist, strict=True):
        va, ta, ea = _read(a.path)
        vb, tb, eb = _read(b.path)
        assert ea == eb == 32648 and va.shape == vb.shape
        assert ta == tb  # same VILLAGECOV_* tags (terrain, model, sites, synthetic)
        assert np.array_equal(np.isnan(va), np.isnan(vb))
        assert np.nanmax(np.abs(va - vb)) <= 0.01
        assert abs(a.covered_km2 - b.covered_km2) <= 0.04 + 1e-9  # at most one 200 m cell on a 0.01 dB edge


def test_merge_keeps_the_stronger_signal_and_the_lower_index_on_ties() -> None:
    a = Partial((0, 0), 0, 0, np.array([[-90.0, -80.0, np.nan]], "float32"), np.array([[3, 3, -1]], "int32"))
    b = Partial((0, 0), 0, 1, np.array([[-80.0, -70.0]], "float32"), np.array([[1, 5]], "int32"))
    for m in (merge((1, 3), a, b), merge((1, 3), b, a)):
        assert m.signal.tolist() == [[-90.0, -80.0, -70.0]] and m.server.tolist() == [[3, 1, 5]]


def test_cli_predict_with_a_scheduler_address(store, tmp_path: Path, cluster) -> None:
    from typer.testing import CliRunner

    from villagecov.cli import app

    sites = synthetic_sites()
    path = tmp_path / "SYNTHETIC_sites.gpkg"
    sites.to_file(path, driver="GPKG")
    args = ["predict", "--sites", str(path), "--resolution", "400", "--radius-km", "8", "--technology", "4G",
            "--no-ingest", "--store", store.url]
    runner = CliRunner()
    one = runner.invoke(app, [*args, "--out", str(tmp_path / "one")])
    assert one.exit_code == 0, one.output
    two = runner.invoke(app, [*args, "--out", str(tmp_path / "two"), "--scheduler", cluster.scheduler_address])
    assert two.exit_code == 0, two.output
    assert one.output.splitlines()[:2] == [line.replace("/two/", "/one/") for line in two.output.splitlines()[:2]]
    names = sorted(p.name for p in (tmp_path / "one").glob("*.tif"))
    assert names == sorted(p.name for p in (tmp_path / "two").glob("*.tif")) and len(names) == 2
    for name in names:
        a, b = _read(tmp_path / "one" / name)[0], _read(tmp_path / "two" / name)[0]
        assert np.array_equal(np.isnan(a), np.isnan(b)) and np.nanmax(np.abs(a - b)) <= 0.01
