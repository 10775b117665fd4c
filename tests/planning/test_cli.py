"""`villagecov plan` and `villagecov predict` end to end on both stores (SYNTHETIC rows)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import rasterio
from shapely.geometry import Point
from typer.testing import CliRunner

from villagecov.cli import app
from villagecov.pipeline import ingest_boundaries
from villagecov.schema import METRIC_CRS
from villagecov.settings import Settings
from villagecov.storage import Store, open_store

from .test_plan import sites, village_coverage, villages


def _fill(store: Store) -> None:
    vc = village_coverage().assign(run_id="test", status=None)
    with store.transaction() as tx:
        tx.append("villages", villages().assign(as_of="2024-01-01", source="SYNTHETIC test"))
        tx.append("village_coverage", vc)
        tx.append("sites", sites().assign(as_of="2024-01-01", source="SYNTHETIC test"))


def test_plan_command_writes_the_plan(store: Store, tmp_path: Path) -> None:
    _fill(store)
    out = tmp_path / "plan"
    res = CliRunner().invoke(app, ["plan", "--technology", "4G", "--target", "1", "--out", str(out),
                                   "--curve-points", "3", "--store", store.url])
    assert res.exit_code == 0, res.output
    assert "proposed (ilp): 2 sites" in res.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["exact"]["status"] == "optimal" and summary["gap_villages"] == 3
    assert len(pd.read_csv(out / "proposed_sites.csv")) == 2


def test_plan_command_rejects_bad_options(store: Store, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["plan", "--technology", "6G", "--budget", "1e9", "--store", store.url])
    assert res.exit_code == 2 and "unknown technology '6G'" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["plan", "--technology", "4G", "--store", store.url, "--out", str(tmp_path)])
    assert res.exit_code == 2 and "the store has no villages" in res.output


@pytest.fixture(scope="module")
def boundaries_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("predict")
    s = Settings(store=str(folder / "store.gpkg"), archive_dir=folder / "archive")
    ingest_boundaries(s, s.data_dir)
    return s


def test_predict_command_writes_and_ingests_modelled_coverage(boundaries_store: Settings, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VILLAGECOV_ARCHIVE_DIR", str(boundaries_store.archive_dir))
    frame = gpd.GeoDataFrame(
        {"site_id": ["A", "B"], "kind": "mobile_tower", "operator": "viettel", "technologies": ["2G;4G", "4G"],
         "height_m": [35.0, 30.0], "synthetic": True},
        geometry=[Point(106.60, 17.47), Point(106.50, 17.40)], crs="EPSG:4326",
    )
    path = tmp_path / "SYNTHETIC_sites.geojson"
    frame.to_file(path, driver="GeoJSON")
    out = tmp_path / "pred"
    args = ["predict", "--sites", str(path), "--technology", "4G", "--out", str(out), "--resolution", "1000",
            "--as-of", "2024-06-30", "--store", boundaries_store.store]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "no DEM given: flat earth" in res.output and "ingested as modelled viettel 4G" in res.output
    cog = out / "signal_viettel_4G_SYNTHETIC.tif"
    with rasterio.open(cog) as src:
        assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG" and src.crs.to_epsg() == 32648
    with open_store(boundaries_store.store) as st:
        rows = st.read("coverage", where={"evidence": "modelled"})
    assert rows[["operator", "technology", "value_kind", "as_of"]].values.tolist() == [
        ["viettel", "4G", "signal_dbm", "2024-06-30"]]
    assert rows.to_crs(METRIC_CRS).area.iloc[0] > 100e6  # the footprint of the predicted signal
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "unchanged" in again.output


def test_predict_command_rejects_unknown_model(boundaries_store: Settings, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["predict", "--model", "itm", "--out", str(tmp_path), "--store",
                                   boundaries_store.store])
    assert res.exit_code == 2 and "unknown model 'itm'" in res.output
