"""Extent-aware evidence, corrections and withdrawals, end to end through ingest and compute (both stores).

A newer coverage submission supersedes earlier evidence of the same operator × technology ×
evidence inside its extent only; a corrected register of the same date replaces the earlier one;
a withdrawn submission has no effect on any later computation.
"""

from __future__ import annotations

from pathlib import Path

import pandas.testing as pdt
import pytest
from updates_helpers import coverage_file, indicators, ingest, square, status_4g, two_districts, villages_file

from villagecov.compute_pipeline import compute_all
from villagecov.errors import InputError, NotFound
from villagecov.settings import Settings
from villagecov.storage import Store
from villagecov.submissions import change_log, list_submissions, withdraw

VIETTEL_4G = {"operator": "viettel", "technology": "4G"}


def _province(store: Store):
    return store.read("admin_units", where={"version": "2019", "level": "province"}).geometry.iloc[0]


def test_a_partial_file_supersedes_inside_its_footprint_only(loaded: Store, settings: Settings, files: Path) -> None:
    places = two_districts(loaded)
    ingest(settings, loaded, "villages", villages_file(files / "villages.geojson", places), as_of="2024-01-01")
    ingest(settings, loaded, "coverage", coverage_file(files / "full.geojson", [_province(loaded)]),
           as_of="2024-01-01", **VIETTEL_4G)
    assert status_4g(settings, loaded) == {"V-a": "covered", "V-b": "covered"}
    # district a's new file: its whole district except a hole around village a
    partial = places["a"]["district_geom"].difference(square(places["a"]["point"], 0.002))
    report = ingest(settings, loaded, "coverage", coverage_file(files / "partial.geojson", [partial]),
                    as_of="2024-06-30", **VIETTEL_4G)
    assert report.submission_id.startswith("sub-")
    # village b, in another district, keeps its earlier evidence; village a's commune is the new file's
    assert status_4g(settings, loaded) == {"V-a": "none", "V-b": "covered"}
    extent = loaded.read("extents", where={"submission_id": report.submission_id})
    assert extent["extent_kind"].tolist() == ["footprint"]
    assert extent.geometry.iloc[0].covers(places["a"]["point"])
    assert not extent.geometry.iloc[0].intersects(places["b"]["commune_geom"].representative_point())


def test_a_declared_extent_and_its_withdrawal(loaded: Store, settings: Settings, files: Path) -> None:
    places = two_districts(loaded)
    ingest(settings, loaded, "villages", villages_file(files / "villages.geojson", places), as_of="2024-01-01")
    ingest(settings, loaded, "coverage", coverage_file(files / "full.geojson", [_province(loaded)]),
           as_of="2024-01-01", **VIETTEL_4G)
    assert status_4g(settings, loaded) == {"V-a": "covered", "V-b": "covered"}
    before = indicators(loaded)
    run_before = loaded.read("runs")["run_id"].iloc[-1]
    # a tiny polygon elsewhere, but the operator declares it speaks for commune b: b is no longer covered
    tiny = square(places["a"]["point"], 0.001)
    report = ingest(settings, loaded, "coverage", coverage_file(files / "b.geojson", [tiny]), as_of="2024-06-30",
                    extent=str(places["b"]["code"]), **VIETTEL_4G)
    assert status_4g(settings, loaded) == {"V-a": "covered", "V-b": "none"}
    assert loaded.read("extents")["extent_kind"].tolist()[-1] == "declared"
    withdraw(loaded, report.submission_id, "wrong commune declared", "reviewer")
    assert status_4g(settings, loaded) == {"V-a": "covered", "V-b": "covered"}
    pdt.assert_frame_equal(indicators(loaded), before)  # withdrawn data has no effect at all
    assert compute_all(settings).run_id == run_before
    listed = list_submissions(loaded).set_index("submission_id")
    assert listed.loc[report.submission_id, "status"] == "withdrawn"
    assert listed.loc[report.submission_id, "withdraw_reason"] == "wrong commune declared"
    assert listed.loc[report.submission_id, "submitted_by"] == "tester"
    assert listed.loc[report.submission_id, "rows_accepted"] == 1
    log = change_log(loaded)
    assert log[log["action"] == "withdraw"][["actor", "target"]].values.tolist() == [["reviewer", report.submission_id]]
    assert ["tester", "ingest", report.submission_id] in log[["actor", "action", "target"]].values.tolist()
    assert (settings.archive_dir / report.sha256[:2] / report.sha256 / "b.geojson").exists()  # the file stays
    with pytest.raises(InputError, match="already withdrawn"):
        withdraw(loaded, report.submission_id, "again", "reviewer")
    with pytest.raises(NotFound):
        withdraw(loaded, "sub-000000000000", "nothing", "reviewer")


def test_an_unknown_extent_code_is_refused_and_the_store_left_as_it_was(loaded: Store, settings: Settings,
                                                                         files: Path) -> None:
    digest = loaded.digest()
    path = coverage_file(files / "c.geojson", [_province(loaded)])
    with pytest.raises(InputError, match="unknown unit code '99999'"):
        ingest(settings, loaded, "coverage", path, as_of="2024-01-01", extent="99999", **VIETTEL_4G)
    assert loaded.digest() == digest


def test_a_corrected_register_for_the_same_date_replaces_the_earlier(loaded: Store, settings: Settings,
                                                                      files: Path) -> None:
    places = two_districts(loaded)
    ingest(settings, loaded, "villages", villages_file(files / "v1.geojson", places, 500), as_of="2024-01-01")
    ingest(settings, loaded, "coverage", coverage_file(files / "full.geojson", [_province(loaded)]),
           as_of="2024-01-01", **VIETTEL_4G)
    # the correction: same date, village a's population fixed, village b left out of the register
    ingest(settings, loaded, "villages", villages_file(files / "v2.geojson", {"a": places["a"]}, 650),
           as_of="2024-01-01")
    compute_all(settings)  # used to raise InvalidIndexError
    summary = loaded.read("village_summary")
    # b's commune is not in the correction: its earlier row stands; a's row is the corrected one
    assert dict(zip(summary["village_id"], summary["population"], strict=True)) == {"V-a": 650, "V-b": 500}
    prov = loaded.read("indicators", where={"indicator": "t8.villages_4g_share", "level": "province",
                                             "boundary_version": "2019"})
    assert prov["denominator"].tolist() == [2.0]


def _raster_over(path: Path, geom, dbm: float) -> Path:
    """A declared-signal GeoTIFF (EPSG:32648, 200 m cells) over the bounds of ``geom``, every cell ``dbm``."""
    import geopandas as gpd
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    x0, y0, x1, y1 = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs("EPSG:32648").total_bounds
    w, h = int((x1 - x0) // 200) + 1, int((y1 - y0) // 200) + 1
    profile = {"driver": "GTiff", "width": w, "height": h, "count": 1, "dtype": "float32", "nodata": -9999.0,
               "crs": "EPSG:32648", "transform": from_origin(x0, y1, 200, 200)}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.full((h, w), dbm, dtype="float32"), 1)
    return path


def test_a_partial_raster_supersedes_inside_its_valid_data_only(loaded: Store, settings: Settings,
                                                                files: Path) -> None:
    places = two_districts(loaded)
    ingest(settings, loaded, "villages", villages_file(files / "villages.geojson", places), as_of="2024-01-01")
    ingest(settings, loaded, "coverage", coverage_file(files / "full.geojson", [_province(loaded)]),
           as_of="2024-01-01", evidence="declared", **VIETTEL_4G)
    district_a = places["a"]["district_geom"]
    assert not district_a.envelope.intersects(places["b"]["commune_geom"])  # the raster stays away from b
    # the operator's new raster of district a's area: −120 dBm everywhere, below the 4G threshold
    report = ingest(settings, loaded, "coverage", _raster_over(files / "SYNTHETIC_a.tif", district_a, -120.0),
                    as_of="2024-06-30", evidence="declared", **VIETTEL_4G)
    assert loaded.read("extents", where={"submission_id": report.submission_id})["extent_kind"].tolist() == [
        "valid_data"]
    assert status_4g(settings, loaded) == {"V-a": "none", "V-b": "covered"}
