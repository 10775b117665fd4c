"""The `villagecov` command as a user runs it: a real subprocess, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from tests.conftest import PROJECT_ROOT


def run(args: list[str], store: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VILLAGECOV_STORE": store, "VILLAGECOV_ARCHIVE_DIR": str(tmp_path / "archive")}
    exe = Path(sys.executable).with_name("villagecov")
    return subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=300,
                          cwd=PROJECT_ROOT)


@pytest.fixture
def loaded(store_url: str, tmp_path: Path) -> str:
    result = run(["ingest", "boundaries"], store_url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "895,430" in result.stdout and "commune      159" in result.stdout
    return store_url


def test_export_communes_geojson_opens_with_159_communes_and_diacritics(loaded: str, tmp_path: Path) -> None:
    out = tmp_path / "communes.geojson"
    result = run(["export", "communes", "--format", "geojson", "--out", str(out)], loaded, tmp_path)
    assert result.returncode == 0, result.stderr
    communes = gpd.read_file(out)
    assert len(communes) == 159
    assert "Xã Thượng Trạch" in set(communes["name"])
    assert communes.crs.to_epsg() == 4326


def test_export_csv_and_gpkg_and_other_versions(loaded: str, tmp_path: Path) -> None:
    csv = tmp_path / "c.csv"
    assert run(["export", "communes", "--format", "csv", "--out", str(csv), "--boundaries", "2025-07"],
               loaded, tmp_path).returncode == 0
    frame = pd.read_csv(csv)
    assert len(frame) == 41 and frame["geometry"].str.startswith("MULTIPOLYGON").all()
    gpkg = tmp_path / "d.gpkg"
    assert run(["export", "districts", "--format", "gpkg", "--out", str(gpkg)], loaded, tmp_path).returncode == 0
    assert len(gpd.read_file(gpkg)) == 8
    stdout = run(["export", "province", "--format", "geojson"], loaded, tmp_path)
    assert json.loads(stdout.stdout)["features"][0]["properties"]["name"] == "Tỉnh Quảng Bình"


def test_doctor_reports_library_and_store_versions(loaded: str, tmp_path: Path) -> None:
    result = run(["doctor"], loaded, tmp_path)
    assert result.returncode == 0, result.stderr
    for word in ("GDAL", "PROJ", "GEOS", "store backend"):
        assert word in result.stdout
    if loaded.startswith("postgresql"):
        assert "POSTGIS=" in result.stdout


def test_bad_requests_exit_non_zero_with_one_line_and_no_traceback(loaded: str, tmp_path: Path) -> None:
    for args, expected in [
        (["export", "communes", "--format", "shp", "--out", str(tmp_path / "x")], "unknown format 'shp'"),
        (["export", "towers", "--format", "csv"], "unknown layer 'towers'"),
    ]:
        result = run(args, loaded, tmp_path)
        assert result.returncode != 0
        assert expected in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unreachable_postgis_is_a_one_line_error(tmp_path: Path) -> None:
    result = run(["doctor"], "postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path)
    assert result.returncode != 0
    assert "cannot connect to PostGIS store" in result.stderr and "Traceback" not in result.stderr
