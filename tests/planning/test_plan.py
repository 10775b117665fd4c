"""Gaps, candidates, costs and whole plans on a small hand-made province (SYNTHETIC)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from villagecov.frames import normalize
from villagecov.planning.candidates import candidate_sites, coverage_sets, hilltop_candidates
from villagecov.planning.cost import candidate_costs
from villagecov.planning.gaps import find_gaps
from villagecov.planning.output import write_plan
from villagecov.planning.plan import make_plan
from villagecov.propagation.terrain import Dem
from villagecov.schema import METRIC_CRS, TABLES
from villagecov.settings import Settings

X0, Y0 = 700_000.0, 1_930_000.0
VILLAGE_X = [0.0, 3_000.0, 6_000.0, 20_000.0]


def villages() -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame(
        {"village_id": ["V1", "V2", "V3", "V4"], "name": ["Thôn Một", "Bản Hai", "Bản Ba", "Bản Bốn"],
         "commune_code": "19000", "population": [900, 400, 300, 200], "households": [200, 90, 70, 40],
         "remote": [False, False, True, True], "synthetic": True},
        geometry=[box(X0 + x - 500, Y0 - 500, X0 + x + 500, Y0 + 500) for x in VILLAGE_X], crs=METRIC_CRS,
    )
    return normalize(g, TABLES["villages"])


def village_coverage() -> pd.DataFrame:
    return pd.DataFrame({
        "village_id": ["V1", "V2", "V3", "V1"], "operator": "ANY", "technology": ["4G", "4G", "4G", "2G"],
        "evidence": "modelled", "as_of": "2025-01-01", "covered_pop_share": [0.9, 0.5, 0.0, 1.0],
        "contradicted": False,
    })


def sites() -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame(
        {"site_id": ["T1", "F1"], "kind": ["mobile_tower", "fibre_pop"], "operator": ["viettel", "vnpt"],
         "technologies": ["2G", None], "height_m": [35.0, None], "synthetic": True},
        geometry=[Point(X0 + 20_500, Y0), Point(X0, Y0 + 4_000)], crs=METRIC_CRS,
    )
    return normalize(g, TABLES["sites"])


def test_gaps_are_none_and_partial_villages_remote_first() -> None:
    gaps = find_gaps(villages(), village_coverage(), "4G", Settings())
    assert list(gaps["village_id"]) == ["V3", "V4", "V2"]  # remote first, then by uncovered people
    assert list(gaps["status"]) == ["none", "none", "partial"]
    assert list(gaps["uncovered_pop"]) == [300.0, 200.0, 200.0]  # V2: 400 × (1 − 0.5)
    assert find_gaps(villages(), village_coverage(), "2G", Settings())["village_id"].tolist() == ["V3", "V4", "V2"]


def test_costs_by_hand() -> None:
    s = Settings()
    cands = gpd.GeoDataFrame({"kind": ["colocation", "grid", "grid"], "x": [0.0, 4_000.0, 50_000.0],
                              "y": [0.0, 0.0, 0.0]}, geometry=[Point(0, 0)] * 3, crs=METRIC_CRS)
    c = candidate_costs(cands, np.array([[0.0, 0.0]]), s)
    assert list(c["backhaul"]) == ["existing", "fibre", "microwave"]
    # co-location: 500 M + 5 × 60 M; fibre site: 1 500 M + 200 M + 4 km × 50 M, + 5 × 150 M opex
    assert list(c["cost_vnd"]) == [800e6, 2_650e6, 2_750e6]
    assert list(c["capex_vnd"]) == [500e6, 1_900e6, 2_000e6]


def test_candidates_include_colocation_and_grid_and_hilltops() -> None:
    s = Settings()
    gaps = find_gaps(villages(), village_coverage(), "4G", s)
    c = candidate_sites(gaps, sites(), None, "4G", s)
    assert c.crs.to_epsg() == 4326
    assert (c["kind"] == "colocation").sum() == 1 and c.loc[c["kind"] == "colocation", "site_id"].item() == "T1"
    assert (c["kind"] == "grid").sum() >= 3  # every gap village has one
    # a 600 m hill 2 km north of V3 is found as a hilltop
    n = 200
    h = np.zeros((n, n), dtype=np.float32)
    yy, xx = np.mgrid[0:n, 0:n]
    h += 600 * np.exp(-((xx - 70) ** 2 + (yy - 80) ** 2) / 50.0)
    dem = Dem(h, X0 - 1_000.0, Y0 + 10_000.0, 100.0, synthetic=True)  # cell (80, 70) = (X0+6050, Y0+1950)
    hills = hilltop_candidates(dem, gaps.to_crs(METRIC_CRS), 10_000.0, 5)
    assert len(hills) == 1 and hills.iloc[0][["x", "y"]].tolist() == [X0 + 6_050.0, Y0 + 1_950.0]


def test_coverage_sets_follow_distance_on_flat_earth() -> None:
    s = Settings()
    gaps = find_gaps(villages(), village_coverage(), "4G", s)  # V3, V4, V2
    cands = gpd.GeoDataFrame({"x": [X0 + 4_500.0, X0 + 20_000.0], "y": [Y0, Y0], "height_m": [40.0, 40.0]},
                             geometry=[Point(0, 0)] * 2, crs=METRIC_CRS)
    cover = coverage_sets(cands, gaps, "4G", s)
    assert [sorted(gaps["village_id"].iloc[cover.villages_alone(i)]) for i in range(2)] == [["V2", "V3"], ["V4"]]
    assert list(cover.need) == [4, 4, 4]  # 80 % of 5 sample points


@pytest.mark.parametrize("weight", ["population", "villages"])
def test_budget_plan_and_target_plan(tmp_path: Path, weight: str) -> None:
    s = Settings()
    one_site = make_plan(villages(), village_coverage(), sites(), "4G", s, budget_vnd=2.8e9, weight=weight,
                         curve_points=4)  # type: ignore[arg-type]
    best = one_site.best
    assert len(best.chosen) == 1 and best.cost <= 2.8e9
    assert one_site.greedy.value <= one_site.exact.value + 1e-9
    covered = set(one_site.covered_villages()["village_id"])
    assert covered == {"V2", "V3"}  # one tower between V2 and V3 beats the co-location at V4

    everyone = make_plan(villages(), village_coverage(), sites(), "4G", s, target_share=1.0, weight=weight,
                         curve_points=4)  # type: ignore[arg-type]
    assert everyone.exact.status == "optimal"
    assert set(everyone.covered_villages()["village_id"]) == {"V2", "V3", "V4"}
    kinds = sorted(everyone.proposed_sites()["kind"])
    assert kinds == ["colocation", "grid"]  # V4 by co-locating on T1 (800 M), V2+V3 by one new tower
    assert everyone.best.cost == pytest.approx(800e6 + everyone.proposed_sites().query("kind == 'grid'")["cost_vnd"].item())
    assert everyone.greedy.cost >= everyone.exact.cost
    # the curve never decreases with the budget
    assert np.all(np.diff(everyone.curve["exact_value"]) >= -1e-9)
    assert np.all(np.diff(everyone.curve["greedy_value"]) >= -1e-9)
    assert np.all(everyone.curve["greedy_value"] <= everyone.curve["exact_value"] + 1e-9)

    paths = write_plan(everyone, tmp_path, s)
    assert {p.name for p in paths.values()} == {"proposed_sites.csv", "covered_villages.csv", "plan.gpkg",
                                                "coverage_curve.csv", "coverage_curve.png", "summary.json"}
    table = pd.read_csv(paths["sites_csv"])
    assert table["villages_covered"].sum() == 3 and {"lon", "lat", "cost_vnd"} <= set(table.columns)
    assert paths["curve_png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads(paths["summary"].read_text(encoding="utf-8"))
    assert summary["exact"]["status"] == "optimal" and summary["terrain"] is False
    layers = gpd.list_layers(paths["gpkg"])["name"].tolist()
    assert set(layers) == {"proposed_sites", "covered_villages", "gaps"}
    assert "Bản Bốn" in set(gpd.read_file(paths["gpkg"], layer="covered_villages")["name"])


def test_plan_needs_budget_or_target() -> None:
    from villagecov.errors import InputError

    with pytest.raises(InputError):
        make_plan(villages(), village_coverage(), sites(), "4G", Settings())


def test_no_gaps_gives_an_empty_plan(tmp_path: Path) -> None:
    vc = pd.concat([village_coverage(), pd.DataFrame({
        "village_id": ["V2", "V3", "V4"], "operator": "ANY", "technology": "4G", "evidence": "declared",
        "as_of": "2025-01-01", "covered_pop_share": 1.0, "contradicted": False})])
    plan = make_plan(villages(), vc, sites(), "4G", Settings(), target_share=1.0)
    assert plan.gaps.empty and plan.best.chosen == [] and plan.best.cost == 0.0
    assert plan.notes == ["no gaps: every village is covered by 4G"]
    paths = write_plan(plan, tmp_path, Settings())
    assert pd.read_csv(paths["sites_csv"]).empty and "curve_png" not in paths


def test_a_long_village_out_of_reach_of_one_tower_gets_two() -> None:
    s = Settings()
    strip = gpd.GeoDataFrame(
        {"village_id": ["L1"], "name": "Bản Dài", "commune_code": "19000", "population": 1000, "households": 200,
         "remote": True, "synthetic": True},
        geometry=[box(X0, Y0 - 300, X0 + 80_000, Y0 + 300)], crs=METRIC_CRS,  # 80 km long, no coverage
    )
    v = normalize(strip, TABLES["villages"])
    plan = make_plan(v, village_coverage().iloc[0:0], None, "4G", s, target_share=1.0, curve_points=0)
    assert not any(len(plan.cover.villages_alone(i)) for i in range(len(plan.candidates)))  # no tower alone
    assert plan.exact.status == "optimal" and plan.exact.value == 1.0 and len(plan.exact.chosen) >= 2
    assert plan.greedy.value == 1.0 and plan.greedy.cost >= plan.exact.cost
    sites_ = plan.proposed_sites()
    assert sites_["village_ids"].tolist()[-1] == "L1" and sites_["villages_covered"].sum() == 1
