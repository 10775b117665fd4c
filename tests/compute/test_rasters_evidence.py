"""Modelled (raster) coverage, measured evidence and the contradiction rule; hand-computed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS

from tests.compute.helpers import X0, Y0, box, coverage, points, villages
from villagecov.compute.rasters import RasterLayer
from villagecov.compute.status import effective_shares
from villagecov.compute.village_coverage import VintageInputs, compute_vintage
from villagecov.settings import Settings

S = Settings(store="unused.gpkg")


def raster(values: list[list[float]], cell: float = 500.0, kind: str = "signal_dbm") -> RasterLayer:
    """North-up grid whose top-left corner is (X0, Y0 + rows × cell), EPSG:32648."""
    arr = np.asarray(values, dtype="float64")
    t = Affine(cell, 0, X0, 0, -cell, Y0 + arr.shape[0] * cell)
    return RasterLayer(arr, t, CRS.from_epsg(32648), kind)


def run_raster(v, layer: RasterLayer, s: Settings = S) -> pd.DataFrame:
    c = coverage([{"geometry": box(0, 0, 1000, 1000), "raster_path": "r1", "evidence": "modelled",
                   "value_kind": layer.value_kind}])
    out = compute_vintage(VintageInputs("2024-01-01", v, c, rasters={"r1": layer}), s)
    return out[out["operator"] == "viettel"].set_index("village_id")


def test_signal_raster_share_and_best_signal() -> None:
    layer = raster([[-90, -110], [-100, -120]])  # top row first
    v = villages([{"geometry": box(0, 0, 1000, 1000)}, {"geometry": box(0, 0, 500, 1000)},
                  {"geometry": box(500, 0, 1000, 1000)}])
    out = run_raster(v, layer)
    assert out.loc["v0", "covered_area_share"] == pytest.approx(0.5, abs=1e-6)
    assert out.loc["v0", "best_signal_dbm"] == -90
    assert out.loc["v1", "covered_area_share"] == pytest.approx(1.0, abs=1e-6)
    assert out.loc["v2", "covered_area_share"] == pytest.approx(0.0, abs=1e-6)
    assert out.loc["v2", "best_signal_dbm"] == -110
    lower = run_raster(v, layer, Settings(store="unused.gpkg", threshold_dbm_4g=-115))
    # half of v2 lies outside the raster: covered only where -110 ≥ -115, one cell of four
    assert lower.loc["v2", "covered_area_share"] == pytest.approx(0.25, abs=1e-6)
    assert (out["evidence"] == "modelled").all()


def test_class_raster() -> None:
    layer = raster([[0, 1], [3, np.nan]], kind="class")
    out = run_raster(villages([{"geometry": box(0, 0, 1000, 1000)}]), layer)
    assert out.loc["v0", "covered_area_share"] == pytest.approx(0.5, abs=1e-6)
    assert np.isnan(out.loc["v0", "best_signal_dbm"])


@settings(max_examples=25, deadline=None)
@given(vals=st.lists(st.floats(-130, -60), min_size=16, max_size=16), t1=st.floats(-125, -70),
       dt=st.floats(0, 30), x=st.floats(-300, 1500), w=st.floats(50, 2000))
def test_higher_threshold_never_covers_more(vals, t1, dt, x, w) -> None:
    layer = raster(np.reshape(vals, (4, 4)).tolist(), cell=500.0)
    v = villages([{"geometry": box(x, 100, w, 1500)}])
    low = run_raster(v, layer, Settings(store="u.gpkg", threshold_dbm_4g=t1))
    high = run_raster(v, layer, Settings(store="u.gpkg", threshold_dbm_4g=t1 + dt))
    assert 0.0 <= high.loc["v0", "covered_area_share"] <= low.loc["v0", "covered_area_share"] + 1e-9 <= 1.0 + 1e-9


def _evidence(rsrps: list[float], inside: bool = True) -> pd.DataFrame:
    v = villages([{"geometry": box(0, 0, 1000, 1000)}])
    c = coverage([{"geometry": box(0, 0, 1000, 1000) if inside else box(0, 0, 500, 1000)}])
    m = points([{"xy": (700 + i, 500), "rsrp_dbm": r} for i, r in enumerate(rsrps)])
    out = compute_vintage(VintageInputs("2024-01-01", v, c, measurements=m), S)
    return out.set_index(["operator", "evidence"])


def test_declared_coverage_contradicted_by_measurements() -> None:
    out = _evidence([-120, -121, -119, -90, -95])  # 3 of 5 fail the 4G threshold (−105 dBm)
    row = out.loc[("viettel", "declared")]
    assert row["n_measurements"] == 5
    assert row["measured_ok_share"] == pytest.approx(0.4)
    assert bool(row["contradicted"]) is True
    measured = out.loc[("viettel", "measured")]
    assert measured["best_signal_dbm"] == -90
    assert measured["status"] == "partial"  # 40 % of tests meet the threshold
    eff = effective_shares(out.reset_index(), S)
    assert eff.set_index("operator").loc["viettel", "share"] == 0.0  # contradicted: does not count
    assert eff.set_index("operator").loc["ANY", "share"] == 0.0


def test_too_few_tests_or_enough_passing_do_not_contradict() -> None:
    assert not bool(_evidence([-120, -121, -119, -125]).loc[("viettel", "declared"), "contradicted"])
    assert not bool(_evidence([-120, -121, -90, -95, -80]).loc[("viettel", "declared"), "contradicted"])


def test_measurements_outside_declared_coverage_do_not_count_against_it() -> None:
    out = _evidence([-120] * 6, inside=False)  # tests at x=700.. lie outside the declared half
    row = out.loc[("viettel", "declared")]
    assert row["n_measurements"] == 0 and not bool(row["contradicted"])
    assert out.loc[("viettel", "measured"), "n_measurements"] == 6


@settings(max_examples=15, deadline=None)
@given(vals=st.lists(st.floats(-130, -60), min_size=9, max_size=9), x=st.floats(-200, 900), w=st.floats(100, 1200))
def test_cell_polygons_agree_with_exactextract_fractions(vals, x, w) -> None:
    from villagecov.compute.rasters import zonal

    layer = raster(np.reshape(vals, (3, 3)).tolist(), cell=500.0)
    v = villages([{"geometry": box(x, 200, w, 900)}])
    engine = run_raster(v, layer).loc["v0", "covered_area_share"]
    share, best = zonal(v.geometry.to_crs(32648), layer, S.threshold_dbm("4G"))
    assert engine == pytest.approx(share[0], abs=1e-6)


def test_terrain_elevation_rule() -> None:
    from villagecov.compute.remoteness import remoteness

    terrain = RasterLayer(np.array([[800.0, 100.0]]), Affine(1000, 0, X0, 0, -1000, Y0 + 1000), CRS.from_epsg(32648),
                          "elevation_m")
    v = villages([{"geometry": box(100, 100, 200, 200)}, {"geometry": box(1100, 100, 200, 200)}])
    r = remoteness(v, None, pd.Series(dtype=object), S, terrain).set_index("village_id")
    assert list(r["remote"]) == [True, False]
    assert r.loc["v0", "remote_reasons"] == "elevation=800m>400m"
