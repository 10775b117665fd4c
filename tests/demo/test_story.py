"""The demo tells a plausible story: 4G spreads, gaps are remote and small, evidence disagrees
in a few mountain places, services progress."""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from tests.demo.conftest import DATA_DIR
from tests.demo.test_villages import load_villages
from villagecov.demo import DemoManifest, read_manifest
from villagecov.demo.frame import load_frame
from villagecov.schema import SERVICES

UTM = "EPSG:32648"


def declared(demo: DemoManifest, operator: str | None, technology: str | None, as_of: str) -> shapely.Geometry:
    """Union (EPSG:32648) of the declared polygons matching the filters (None = any)."""
    return _declared(demo.path, operator, technology, as_of)


@functools.cache
def _declared(manifest: Path, operator: str | None, technology: str | None, as_of: str) -> shapely.Geometry:
    demo = read_manifest(manifest)
    geoms = []
    for entry in demo.by_kind("coverage"):
        o = entry.options
        if entry.path.suffix == ".tif" or o["as_of"] != as_of or (operator and o["operator"] != operator):
            continue
        src = f"/vsizip/{entry.path}" if entry.path.suffix == ".zip" else entry.path
        for layer in pyogrio.list_layers(src)[:, 0]:
            frame = pyogrio.read_dataframe(src, layer=layer).to_crs(UTM)
            tech = o.get("technology", layer)
            if technology is None or tech == technology:
                geoms.extend(frame.geometry.values)
    return shapely.union_all(geoms) if geoms else shapely.GeometryCollection()


@pytest.fixture(scope="module")
def villages(demo: DemoManifest) -> gpd.GeoDataFrame:
    return load_villages(demo).to_crs(UTM)


def test_4g_expands_between_vintages(demo: DemoManifest) -> None:
    for operator in ("viettel", "vinaphone", "mobifone", "vietnamobile"):
        before = declared(demo, operator, "4G", "2019-12-31").area
        after = declared(demo, operator, "4G", "2024-12-31").area
        assert after > 1.15 * before > 0, operator


def test_coverage_has_mountain_holes(demo: DemoManifest) -> None:
    viettel = declared(demo, "viettel", "4G", "2024-12-31")
    holes = [shapely.Polygon(r) for p in shapely.get_parts(viettel) for r in p.interiors]
    assert len(holes) >= 5


@pytest.mark.parametrize("technology", [None, "4G"])
def test_gaps_are_remote_and_small(demo: DemoManifest, villages: gpd.GeoDataFrame,
                                   technology: str | None) -> None:
    frame = load_frame(DATA_DIR)
    pt = villages.geometry.representative_point()
    inland = frame.inland(pt.x.to_numpy(), pt.y.to_numpy())
    counts = []
    for as_of in ("2019-12-31", "2024-12-31"):
        cover = declared(demo, None, technology, as_of)
        area = villages.geometry.area.where(villages.geom_type != "Point", np.nan)
        share = shapely.area(shapely.intersection(villages.geometry.values, cover)) / area
        covered_point = shapely.intersects(cover, villages.geometry.values)
        uncovered = np.where(villages.geom_type == "Point", ~covered_point, share < 0.2)
        assert 0 < uncovered.sum() < 0.15 * len(villages)
        gap = villages[uncovered]
        assert gap["population"].median() < 0.8 * villages["population"].median()
        assert (inland[uncovered] > 0.35).mean() >= 0.8  # in the mountains, towards Laos
        assert gap["remote"].fillna(True).astype(bool).mean() >= 0.8  # flagged remote (or unflagged)
        counts.append(int(uncovered.sum()))
    assert counts[1] < counts[0]


def test_drive_tests_contradict_declared_coverage_in_the_zones(demo: DemoManifest) -> None:
    zones = demo.facts["contradiction_zones"]
    assert 2 <= len(zones) <= 6
    entry = next(e for e in demo.by_kind("measurements") if "drive_test" in e.path.name)
    drive = pd.read_csv(entry.path)
    pts = gpd.GeoSeries(gpd.points_from_xy(drive["lon"], drive["lat"]), crs="EPSG:4326").to_crs(UTM)
    for z in zones:
        centre = gpd.GeoSeries(gpd.points_from_xy([z["lon"]], [z["lat"]]), crs="EPSG:4326").to_crs(UTM)
        disc = centre.iloc[0].buffer(z["radius_m"] - 10.0)
        inside = pts.within(disc).to_numpy() & (drive["operator"] == z["operator"]).to_numpy()
        assert inside.sum() >= 10
        assert declared(demo, z["operator"], "4G", "2024-12-31").contains(disc)
        assert drive.loc[inside, "rsrp_dbm"].median() < -105.0  # below the 4G threshold
    # elsewhere the drive tests mostly agree with the declarations
    viettel = declared(demo, "viettel", "4G", "2024-12-31")
    mine = (drive["operator"] == "viettel").to_numpy()
    inside = shapely.contains(viettel, pts.values) & mine
    assert (drive.loc[inside, "rsrp_dbm"] >= -105.0).mean() > 0.9


def test_surveys_progress_and_remote_villages_lag(demo: DemoManifest, villages: gpd.GeoDataFrame) -> None:
    first, last = (pd.read_csv(e.path, dtype={"village_id": str}).set_index("village_id")
                   for e in demo.by_kind("services"))
    assert first.index.equals(last.index)
    assert set(first.index) == set(villages["village_id"])
    for service in SERVICES:
        assert (last[service] >= first[service]).all(), service  # nothing is lost
        assert last[service].mean() > first[service].mean(), service
    remote = villages.set_index("village_id")["remote"].reindex(last.index)
    flagged = remote.notna()
    r = remote[flagged].astype(bool)
    assert last.loc[r[r].index, "fixed_broadband"].mean() < last.loc[r[~r].index, "fixed_broadband"].mean()
