"""Indicators: sums up the levels, crosswalk aggregation, baseline/target, remoteness."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.compute.helpers import box, villages
from tests.compute.synth import coverage_discs, villages_from_communes
from tests.conftest import DATA_DIR
from villagecov.catalogue import CATALOGUE
from villagecov.compute.remoteness import remoteness
from villagecov.compute.run import ComputeInputs, compute_all_vintages
from villagecov.schema import METRIC_CRS, STORAGE_CRS
from villagecov.settings import Settings
from villagecov.sources.boundaries import read_boundaries

S = Settings(store="unused.gpkg")


@pytest.fixture(scope="module")
def bounds():
    return read_boundaries(DATA_DIR)


@pytest.fixture(scope="module")
def result(bounds):
    communes = bounds.admin_units[(bounds.admin_units["level"] == "commune") & (bounds.admin_units["version"] == "2019")]
    v = villages_from_communes(communes, "2023-01-01", per_side=2)
    b = tuple(communes.to_crs(METRIC_CRS).total_bounds)
    cov = pd.concat([
        coverage_discs(b, 120, 4000, i, op, "4G", date, rows=2)
        for i, (op, date) in enumerate([("viettel", "2023-01-01"), ("mobifone", "2023-01-01"), ("viettel", "2024-06-30")])
    ], ignore_index=True)
    services = pd.DataFrame({"village_id": v["village_id"], "service": "radio", "available": True,
                             "as_of": "2023-01-01"})
    inputs = ComputeInputs(villages=v, coverage=gpd.GeoDataFrame(cov, crs=STORAGE_CRS), admin_units=bounds.admin_units,
                           crosswalk=bounds.crosswalk, places=bounds.places, services=services)
    return v, inputs, compute_all_vintages(inputs, S)


def test_vintages_and_baseline(result) -> None:
    _, _, res = result
    assert res.vintages == ["2023-01-01", "2024-06-30"]
    ind = res.indicators
    p = ind[(ind["indicator"] == "t8.villages_4g_share") & (ind["level"] == "province") & (ind["boundary_version"] == "2019")]
    assert list(p["as_of"]) == ["2023-01-01", "2024-06-30"]
    assert (p["baseline"] == p["value"].iloc[0]).all()
    assert p["target"].isna().all()  # data/targets: no official target for it, not 100 %
    radio = ind[(ind["indicator"] == "t9.villages_radio_share") & (ind["level"] == "province")]
    assert (radio["value"] == 1.0).all()
    no_sig = ind[(ind["indicator"] == "t8.villages_no_signal") & (ind["level"] == "province")]
    assert no_sig["target"].isna().all()


def test_aggregation_matches_village_rows(result) -> None:
    v, _, res = result
    ind = res.indicators
    for date in res.vintages:
        cur = ind[ind["as_of"] == date]
        village = cur[cur["level"] == "village"].merge(
            v[["village_id", "commune_code"]], left_on="unit_code", right_on="village_id")
        sums = village.groupby(["indicator", "commune_code"])[["numerator", "denominator"]].sum()
        communes = cur[(cur["level"] == "commune") & (cur["boundary_version"] == "2019")]
        summed = [i for i, d in CATALOGUE.items() if d.basis == "village" and d.kind != "median"]  # not breakdowns
        communes = communes[communes["indicator"].isin(summed)].set_index(["indicator", "unit_code"])
        joined = communes.join(sums.add_suffix("_v").rename_axis(["indicator", "unit_code"]), how="inner")
        assert len(joined) == len(communes) > 0
        np.testing.assert_allclose(joined["numerator"], joined["numerator_v"])
        np.testing.assert_allclose(joined["denominator"], joined["denominator_v"])
        prov = cur[(cur["level"] == "province") & (cur["boundary_version"] == "2019")].set_index("indicator")
        tot = village.groupby("indicator")[["numerator", "denominator"]].sum()
        assert prov.loc["t8.villages_4g_share", "numerator"] == tot.loc["t8.villages_4g_share", "numerator"]
        assert prov.loc["t8.villages_4g_share", "denominator"] == len(v)
        vc = res.village_coverage
        covered = vc[(vc["as_of"] == date) & (vc["operator"] == "ANY") & (vc["technology"] == "4G")
                     & (vc["covered_pop_share"] >= S.covered_share)]
        assert prov.loc["t8.villages_4g_share", "numerator"] == covered["village_id"].nunique()


def test_crosswalk_aggregation_equals_direct_computation_on_merged_units(result, bounds) -> None:
    v, inputs, res = result
    cw = bounds.crosswalk
    to_2025_07 = cw[(cw["from_version"] == "2019") & (cw["to_version"] == "2025-07") & (cw["level"] == "commune")]
    recoded = v.assign(commune_code=v["commune_code"].map(to_2025_07.set_index("from_code")["to_code"]),
                       boundary_version="2025-07")
    direct = compute_all_vintages(ComputeInputs(**{**inputs.__dict__, "villages": recoded}), S).indicators
    keys = ["indicator", "level", "unit_code", "as_of"]
    sel = ["commune", "province"]
    # remoteness depends on the register's boundaries (2025-07 villages: distance to the commune
    # centre, others: to the district seat), so what rests on it is left out of this comparison
    same = ~res.indicators["indicator"].str.contains("remote")
    a = res.indicators[same & (res.indicators["boundary_version"] == "2025-07") & res.indicators["level"].isin(sel)]
    b = direct[~direct["indicator"].str.contains("remote") & (direct["boundary_version"] == "2025-07")
               & direct["level"].isin(sel)]
    merged = a.merge(b, on=keys, suffixes=("_cw", "_direct"))
    assert len(merged) == len(a) == len(b) > 0
    np.testing.assert_allclose(merged["numerator_cw"].fillna(-1), merged["numerator_direct"].fillna(-1))
    np.testing.assert_allclose(merged["denominator_cw"], merged["denominator_direct"])
    assert merged["unit_name_cw"].str.contains("Phường|Xã|Tỉnh", regex=True).all()
    # 2025-07 has no districts; 2019 and 2025-01 do
    assert "district" not in set(a["level"])
    assert "district" in set(res.indicators[res.indicators["boundary_version"] == "2025-01"]["level"])


def test_remoteness_official_flag_wins_and_rules_give_reasons() -> None:
    seats = gpd.GeoDataFrame({"commune_code": ["c1"], "place_kind": ["district_seat"]},
                             geometry=[shapely.Point(600_000, 1_900_000)], crs=METRIC_CRS).to_crs(STORAGE_CRS)
    v = villages([
        {"geometry": box(0, 0, 100, 100), "remote_official": True},           # near, official remote
        {"geometry": box(40_000, 0, 100, 100), "remote_official": False},     # far, official not remote
        {"geometry": box(40_000, 0, 100, 100)},                               # far: rule
        {"geometry": box(1_000, 0, 100, 100), "commune_code": "c9"},          # near, mountainous list
        {"geometry": box(1_000, 0, 100, 100)},                                # near: not remote
    ])
    s = Settings(store="u.gpkg", remote_mountainous_communes=["c9"])
    r = remoteness(v, seats, pd.Series({"c1": "d1", "c9": "d1"}), s).set_index("village_id")
    assert list(r["remote"]) == [True, False, True, True, False]
    assert r.loc["v0", "remote_reasons"] == "official"
    assert r.loc["v2", "remote_reasons"].startswith("distance_to_seat=40.")
    assert r.loc["v3", "remote_reasons"] == "mountainous_commune"
    assert pd.isna(r.loc["v4", "remote_reasons"])


def test_remoteness_on_2025_07_from_commune_centres() -> None:
    """Villages on boundaries without districts are measured from their commune's centre
    (configurable); the others still from their district seat."""
    seats = gpd.GeoDataFrame({"commune_code": ["c1"], "place_kind": ["district_seat"]},
                             geometry=[shapely.Point(600_000, 1_900_000)], crs=METRIC_CRS).to_crs(STORAGE_CRS)
    v = villages([
        {"geometry": box(20_000, 0, 100, 100), "boundary_version": "2025-07", "commune_code": "n1"},  # 20 km out
        {"geometry": box(1_000, 0, 100, 100), "boundary_version": "2025-07", "commune_code": "n1"},   # 1 km out
        {"geometry": box(30_000, 0, 100, 100)},                                                         # 2019: seat
    ])
    centres = pd.Series([shapely.Point(600_000, 1_900_050)], index=pd.MultiIndex.from_tuples([("2025-07", "n1")]),
                        dtype=object)
    r = remoteness(v, seats, pd.Series({"c1": "d1"}), S, commune_centres=centres).set_index("village_id")
    assert list(r["remote"]) == [True, False, True]
    assert r.loc["v0", "remote_reasons"].startswith("distance_to_commune_centre=20.")
    assert r.loc["v0", "remote_reasons"].endswith(">15km")
    assert r.loc["v2", "remote_reasons"].startswith("distance_to_seat=30.")
    seat_only = Settings(store="u.gpkg", remote_centre="district_seat")
    r2 = remoteness(v, seats, pd.Series({"c1": "d1"}), seat_only, commune_centres=centres).set_index("village_id")
    assert bool(r2.loc["v0", "remote"]) is False and pd.isna(r2.loc["v0", "remote_reasons"])  # 20 km < 25 km
    assert r2.loc["v0", "seat_distance_km"] == pytest.approx(20.05, abs=0.01)
