"""Hand-computed covered shares: exact values for simple geometries (EPSG:32648 boxes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from tests.compute.helpers import box, coverage, villages
from villagecov.compute.village_coverage import VintageInputs, compute_vintage
from villagecov.settings import Settings

S = Settings(store="unused.gpkg")


def run(v, c, **kw) -> pd.DataFrame:
    out = compute_vintage(VintageInputs("2024-01-01", v, c, **kw), S)
    return out.set_index(["village_id", "operator", "technology", "evidence"])


def share(out: pd.DataFrame, vid: str, op: str = "viettel", col: str = "covered_area_share") -> float:
    return float(out.loc[(vid, op, "4G", "declared"), col])


def test_village_half_inside_a_coverage_polygon() -> None:
    out = run(villages([{"geometry": box(0, 0, 1000, 1000)}]), coverage([{"geometry": box(500, -2000, 5000, 5000)}]))
    assert share(out, "v0") == pytest.approx(0.5, abs=1e-9)
    assert out.loc[("v0", "viettel", "4G", "declared"), "status"] == "partial"
    assert share(out, "v0", "ANY") == pytest.approx(0.5, abs=1e-9)


def test_coverage_with_a_hole() -> None:
    ring = box(-5000, -5000, 12000, 12000)
    hole = box(250, 250, 500, 500)  # 500×500 = 25 % of the village
    cov = shapely.Polygon(ring.exterior.coords, [hole.exterior.coords])
    out = run(villages([{"geometry": box(0, 0, 1000, 1000)}, {"geometry": box(3000, 0, 1000, 1000)}]),
              coverage([{"geometry": cov}]))
    assert share(out, "v0") == pytest.approx(0.75, abs=1e-9)
    assert share(out, "v1") == pytest.approx(1.0, abs=1e-12)
    assert out.loc[("v1", "viettel", "4G", "declared"), "status"] == "covered"


def test_multipolygon_and_overlapping_rows() -> None:
    multi = shapely.MultiPolygon([box(0, 0, 200, 1000), box(600, 0, 200, 1000)])  # 40 %
    extra = box(100, 0, 200, 1000)  # second row overlapping the first part: +10 %
    out = run(villages([{"geometry": box(0, 0, 1000, 1000)}]), coverage([{"geometry": multi}, {"geometry": extra}]))
    assert share(out, "v0") == pytest.approx(0.5, abs=1e-9)


def test_any_is_the_union_not_the_sum() -> None:
    c = coverage([{"geometry": box(0, 0, 600, 1000)}, {"geometry": box(400, 0, 600, 1000), "operator": "mobifone"}])
    out = run(villages([{"geometry": box(0, 0, 1000, 1000)}]), c)
    assert share(out, "v0") == pytest.approx(0.6, abs=1e-9)
    assert share(out, "v0", "mobifone") == pytest.approx(0.6, abs=1e-9)
    assert share(out, "v0", "ANY") == pytest.approx(1.0, abs=1e-9)


def test_coverage_crossing_a_commune_border_and_tiles() -> None:
    v = villages([{"geometry": box(0, 0, 4000, 2000), "commune_code": "c1"},
                  {"geometry": box(4000, 0, 4000, 2000), "commune_code": "c2"}])
    # 3 km wide strip over the border between the two villages: 1.5 km in each; crosses 4 km tiles
    out = run(v, coverage([{"geometry": box(2500, -1000, 3000, 5000)}]))
    assert share(out, "v0") == pytest.approx(1500 / 4000, abs=1e-9)
    assert share(out, "v1") == pytest.approx(1500 / 4000, abs=1e-9)


def test_population_weighted_share_from_points() -> None:
    v = villages([{"geometry": box(0, 0, 1000, 1000)}])
    xs, ys = np.array([600_100.0, 600_900.0, 600_900.0]), np.array([1_900_500.0, 1_900_500.0, 1_900_100.0])
    pop = (xs, ys, np.array([10.0, 30.0, 60.0]))
    out = run(v, coverage([{"geometry": box(500, 0, 2000, 1000)}]), population=pop)
    assert share(out, "v0") == pytest.approx(0.5, abs=1e-9)
    assert share(out, "v0", col="covered_pop_share") == pytest.approx(0.9)
    assert out.loc[("v0", "viettel", "4G", "declared"), "status"] == "covered"


def test_village_without_people_falls_back_to_area() -> None:
    v = villages([{"geometry": box(0, 0, 1000, 1000)}, {"geometry": box(5000, 0, 1000, 1000)}])
    pop = (np.array([600_100.0]), np.array([1_900_500.0]), np.array([5.0]))
    out = run(v, coverage([{"geometry": box(5500, 0, 2000, 1000)}]), population=pop)
    assert share(out, "v0", col="covered_pop_share") == 0.0
    assert share(out, "v1", col="covered_pop_share") == pytest.approx(0.5, abs=1e-9)


def test_every_village_gets_a_row_even_when_uncovered() -> None:
    out = run(villages([{"geometry": box(0, 0, 10, 10)}, {"geometry": box(90_000, 0, 10, 10)}]),
              coverage([{"geometry": box(0, 0, 100, 100)}]))
    assert share(out, "v1") == 0.0
    assert out.loc[("v1", "viettel", "4G", "declared"), "status"] == "none"
    assert len(out) == 4  # 2 villages × (viettel, ANY)
