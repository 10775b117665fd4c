"""`villagecov compute` on Dask (commune blocks) equals the single-process run: same rows, shares
within 1e-9, signals within 0.01 dB; and the CLI's --scheduler on both stores."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from tests.compute.synth import coverage_discs, villages_from_communes
from tests.compute.test_store_roundtrip import _fill
from tests.conftest import DATA_DIR
from villagecov.cli import app
from villagecov.compute.village_coverage import VintageInputs, compute_vintage
from villagecov.scale.blocks import commune_blocks, compute_vintage_blocks
from villagecov.schema import METRIC_CRS, STORAGE_CRS
from villagecov.settings import Settings
from villagecov.sources.boundaries import read_boundaries
from villagecov.storage import Store

KEY = ["village_id", "operator", "technology", "evidence", "as_of"]


def assert_same_rows(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert len(a) == len(b) and list(a.columns) == list(b.columns)
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    pd.testing.assert_frame_equal(a[KEY], b[KEY])  # same rows, same order
    for col in ("covered_area_share", "covered_pop_share", "measured_ok_share"):
        np.testing.assert_allclose(a[col].astype(float), b[col].astype(float), rtol=0, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(a["best_signal_dbm"].astype(float), b["best_signal_dbm"].astype(float), atol=0.01,
                               equal_nan=True)
    for col in ("status", "n_measurements", "contradicted"):
        assert a[col].tolist() == b[col].tolist(), col


@pytest.fixture(scope="module")
def vintage() -> VintageInputs:
    """SYNTHETIC villages over the real 2019 communes, random coverage discs of three operators,
    drive-test points and population points."""
    bounds = read_boundaries(DATA_DIR)
    au = bounds.admin_units
    communes = au[(au["level"] == "commune") & (au["version"] == "2019")]
    v = villages_from_communes(communes, "2023-01-01", per_side=2)
    b = tuple(communes.to_crs(METRIC_CRS).total_bounds)
    cov = pd.concat([coverage_discs(b, 60, 4000, i, op, tech, "2023-01-01", rows=2)
                     for i, (op, tech) in enumerate([("viettel", "4G"), ("mobifone", "4G"), ("viettel", "3G")])]
                    + [coverage_discs((b[0], b[1], b[0] + 20_000, b[1] + 20_000), 3, 3000, 9, "vinaphone", "4G",
                                      "2023-01-01")],  # a layer that reaches few blocks
                    ignore_index=True)
    rng = np.random.default_rng(5)
    n = 400
    x, y = rng.uniform(b[0], b[2], n), rng.uniform(b[1], b[3], n)
    meas = gpd.GeoDataFrame({
        "measurement_id": [f"m{i}" for i in range(n)], "kind": "drive_test", "time": pd.Timestamp("2022-12-01", tz="UTC"),
        "operator": rng.choice(["viettel", "mobifone"], n), "technology": "4G",
        "rsrp_dbm": rng.uniform(-125, -70, n), "dl_mbps": rng.uniform(1, 50, n), "as_of": "2022-12-01",
    }, geometry=shapely.points(x, y), crs=METRIC_CRS).to_crs(STORAGE_CRS)
    px, py = rng.uniform(b[0], b[2], 3000), rng.uniform(b[1], b[3], 3000)
    return VintageInputs("2023-01-01", v, gpd.GeoDataFrame(cov, crs=STORAGE_CRS), meas,
                         (px, py, rng.uniform(1, 50, 3000)))


def test_commune_blocks_keep_communes_whole() -> None:
    v = pd.DataFrame({"commune_code": ["b", "a", "b", "c", "a", None]})
    # commune-code order ("" for no code first), whole communes, at most 3 villages a block
    assert [b.tolist() for b in commune_blocks(v, 3)] == [[1, 4, 5], [0, 2, 3]]
    assert [b.tolist() for b in commune_blocks(v, 1)] == [[5], [1, 4], [0, 2], [3]]  # a commune is never split


def test_blocks_equal_single_process(vintage: VintageInputs, client) -> None:
    settings = Settings(store="unused.gpkg")
    single = compute_vintage(vintage, settings)
    assert len(single) > 1000 and (single["covered_area_share"] > 0).any() and (single["evidence"] == "measured").any()
    blocks = compute_vintage_blocks(client, vintage, settings, block_villages=60)
    assert len(commune_blocks(vintage.villages, 60)) > 4
    assert_same_rows(single, blocks)


def test_cli_compute_with_scheduler_address(store: Store, tmp_path, cluster) -> None:
    """The CLI against an explicit scheduler address gives the stored results of the plain run."""
    _fill(store, tmp_path)
    settings = Settings(store=store.url, archive_dir=tmp_path / "archive", reporting_period="date",
                        scale_block_villages=1)
    env = {"VILLAGECOV_STORE": store.url, "VILLAGECOV_ARCHIVE_DIR": str(tmp_path / "archive"),
           "VILLAGECOV_REPORTING_PERIOD": "date", "VILLAGECOV_SCALE_BLOCK_VILLAGES": "1"}
    runner = CliRunner()
    plain = runner.invoke(app, ["compute"], env=env)
    assert plain.exit_code == 0, plain.output
    first = store.read("village_coverage")
    res = runner.invoke(app, ["compute", "--scheduler", cluster.scheduler_address], env=env)
    assert res.exit_code == 0, res.output
    second = store.read("village_coverage")
    assert len(first) > 0 and settings.scale_block_villages == 1
    cols = [c for c in first.columns if c != "geometry"]
    assert_same_rows(first[cols], second[cols])
