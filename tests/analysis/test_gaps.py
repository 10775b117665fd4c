"""Gap analysis on five hand-made villages (priority scores computed by hand)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.analysis import frames as F
from villagecov.analysis.gaps import (
    SHORTLIST_COLUMNS,
    PriorityWeights,
    gap_summary,
    rank_gaps,
    shortlist,
    unit_gaps,
    village_gaps,
    village_status,
)
from villagecov.errors import ConfigError


def _status() -> gpd.GeoDataFrame:
    return village_status(F.village_summary(), F.village_indicator_rows(), F.villages())


def test_village_status_takes_4g_from_the_engine_village_rows_of_the_same_vintage() -> None:
    st = _status()
    assert isinstance(st, gpd.GeoDataFrame) and st.crs == "EPSG:4326"
    assert dict(zip(st["village_id"], st["has_4g"], strict=True)) == {
        "v1": True, "v2": False, "v3": False, "v4": False, "v5": False,  # v5: engine says no 4G despite "5G"
    }
    assert st.loc[st["village_id"] == "v3", "name"].item() == "Bản Ka Ai"
    assert st.geometry.notna().all()


def test_village_status_without_villages_is_a_plain_frame_and_refuses_mixed_vintages() -> None:
    st = village_status(F.village_summary(), F.village_indicator_rows())
    assert not isinstance(st, gpd.GeoDataFrame) and st["name"].isna().all()
    mixed = F.village_summary()
    mixed.loc[0, "as_of"] = F.V1
    with pytest.raises(ConfigError):
        village_status(mixed, F.village_indicator_rows())


def test_village_gaps_lists_villages_without_4g_and_marks_no_signal() -> None:
    gaps = village_gaps(_status())
    assert dict(zip(gaps["village_id"], gaps["gap"], strict=True)) == {
        "v2": "no_4g", "v3": "no_signal", "v4": "no_4g", "v5": "no_4g"}


def test_rank_gaps_default_weights() -> None:
    ranked = rank_gaps(village_gaps(_status()))
    # people without 4G among the gaps: v2 400, v3 200, v4 70, v5 300 (max 400);
    # score = 0.5·people/400 + 0.3·remote + 0.2·no_signal
    assert ranked["village_id"].tolist() == ["v3", "v2", "v4", "v5"]
    assert ranked["priority"].tolist() == pytest.approx([0.75, 0.5, 0.3875, 0.375], abs=1e-6)
    assert ranked["rank"].tolist() == [1, 2, 3, 4]


def test_rank_gaps_weights_are_parameters_and_ties_go_to_population() -> None:
    by_pop = rank_gaps(village_gaps(_status()), PriorityWeights(population=1, remote=0, no_signal=0))
    assert by_pop["village_id"].tolist() == ["v2", "v5", "v3", "v4"]
    assert by_pop["priority"].tolist() == pytest.approx([1.0, 0.75, 0.5, 0.175], abs=1e-6)
    remote_only = rank_gaps(village_gaps(_status()), PriorityWeights(population=0, remote=2, no_signal=0))
    assert remote_only["village_id"].tolist() == ["v3", "v4", "v2", "v5"]  # 1, 1, 0, 0; ties by people without 4G
    assert remote_only["priority"].tolist() == [1.0, 1.0, 0.0, 0.0]


@pytest.mark.parametrize("weights", [(-1.0, 1.0, 0.0), (0.0, 0.0, 0.0), (float("nan"), 1.0, 1.0)])
def test_priority_weights_are_validated(weights: tuple[float, float, float]) -> None:
    with pytest.raises(ConfigError):
        PriorityWeights(*weights)


def test_unit_gaps_by_commune_and_district_2019() -> None:
    st = _status()
    communes = unit_gaps(st, F.admin_units(), F.crosswalk(), "2019", "commune")
    cols = ["unit_code", "villages", "villages_no_4g", "villages_no_signal", "remote_villages_no_4g",
            "population", "people_without_4g", "population_gap_villages", "share_no_4g"]
    assert communes[cols].values.tolist() == [  # largest number of people without 4G first
        ["1002", 2, 2, 1, 1, 600, 600, 600, 1.0],
        ["1003", 2, 2, 0, 1, 700, 370, 700, 1.0],
        ["1001", 1, 0, 0, 0, 800, 40, 0, 0.0],  # 5 % of a covered village's 800 people are outside coverage
    ]
    assert communes["unit_name"].tolist() == ["Xã Dân Hóa", "Xã Trọng Hóa", "Phường Hải Thành"]
    districts = unit_gaps(st, F.admin_units(), F.crosswalk(), "2019", "district")
    assert districts[cols].values.tolist() == [
        ["452", 4, 4, 1, 2, 1300, 970, 1300, 1.0],
        ["450", 1, 0, 0, 0, 800, 40, 0, 0.0],
    ]


def test_unit_gaps_on_2025_07_communes_through_the_crosswalk() -> None:
    st = _status()
    new = unit_gaps(st, F.admin_units(), F.crosswalk(), "2025-07", "commune")
    assert new[["unit_code", "unit_name", "villages", "villages_no_4g", "people_without_4g"]].values.tolist() == [
        ["99001", "Xã Dân Hóa", 4, 4, 970],
        ["99002", "Phường Đồng Hới", 1, 0, 40],
    ]
    assert unit_gaps(st, F.admin_units(), F.crosswalk(), "2025-07", "district").empty  # no districts after 2025-07


def test_shortlist_has_commune_names_and_a_point_inside_each_village() -> None:
    ranked = rank_gaps(village_gaps(_status()))
    short = shortlist(ranked, n=2, admin_units=F.admin_units())
    assert list(short.columns) == SHORTLIST_COLUMNS
    assert short[["rank", "village_id", "commune_name", "gap"]].values.tolist() == [
        [1, "v3", "Xã Dân Hóa", "no_signal"], [2, "v2", "Xã Dân Hóa", "no_4g"]]
    v3 = F.villages().set_index("village_id").geometry["v3"]
    minx, miny, maxx, maxy = v3.bounds
    assert minx <= short.loc[0, "lon"] <= maxx and miny <= short.loc[0, "lat"] <= maxy
    plain = shortlist(rank_gaps(village_gaps(village_status(F.village_summary(), F.village_indicator_rows()))))
    assert len(plain) == 4 and plain["lon"].isna().all()


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 5000), st.booleans(), st.booleans()), min_size=1, max_size=30),
    w=st.tuples(*[st.floats(0, 10, allow_nan=False)] * 3).filter(lambda t: sum(t) > 0),
    scale=st.floats(0.1, 100),
)
def test_rank_gaps_invariants(rows: list[tuple[int, bool, bool]], w: tuple[float, float, float], scale: float) -> None:
    """Scores stay in [0, 1]; ranks are 1..n in order of non-increasing score; scaling every
    weight by the same factor changes nothing."""
    gaps = pd.DataFrame([{"village_id": f"v{i:03d}", "population": p, "remote": r, "no_signal": n}
                         for i, (p, r, n) in enumerate(rows)])
    ranked = rank_gaps(gaps, PriorityWeights(*w))
    assert ranked["priority"].between(0, 1).all()
    assert ranked["rank"].tolist() == list(range(1, len(rows) + 1))
    assert ranked["priority"].is_monotonic_decreasing
    scaled = rank_gaps(gaps, PriorityWeights(*(x * scale for x in w)))
    assert scaled["priority"].tolist() == pytest.approx(ranked["priority"].tolist(), abs=2e-6)


def test_gap_summary_headline_numbers() -> None:
    summary = gap_summary(_status())
    assert summary[["villages", "villages_no_4g", "villages_no_signal", "remote_villages_no_4g", "population",
                    "people_without_4g", "population_gap_villages"]].tolist() == [5, 4, 1, 2, 2100, 1010, 1300]
    assert summary["share_villages_no_4g"] == pytest.approx(0.8)
    assert summary["share_people_without_4g"] == pytest.approx(1010 / 2100)
