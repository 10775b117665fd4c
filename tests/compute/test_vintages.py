"""Which dates are vintages, and which sites count at a vintage."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from villagecov.compute import indicators as ind
from villagecov.compute.run import ComputeInputs, sites_known_at, vintages


def _villages(dates: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"village_id": [f"v{i}" for i in range(len(dates))], "as_of": dates},
                            geometry=[box(106, 17, 106.01, 17.01)] * len(dates), crs=4326)


def _inputs(village_dates: list[str], coverage_dates: list[str], service_dates: list[str]) -> ComputeInputs:
    coverage = pd.DataFrame({"as_of": coverage_dates})
    services = pd.DataFrame({"as_of": service_dates})
    return ComputeInputs(villages=_villages(village_dates), coverage=coverage, admin_units=pd.DataFrame(),
                         crosswalk=pd.DataFrame(), services=services)


def test_a_register_dated_before_any_evidence_is_not_a_vintage() -> None:
    inputs = _inputs(["2019-04-01"], ["2019-12-31", "2024-12-31"], ["2019-12-31"])
    assert vintages(inputs) == ["2019-12-31", "2024-12-31"]


def test_evidence_before_the_first_register_is_not_a_vintage_but_later_registers_are() -> None:
    inputs = _inputs(["2020-06-30", "2022-01-01"], ["2018-12-31", "2024-12-31"], [])
    assert vintages(inputs) == ["2020-06-30", "2022-01-01", "2024-12-31"]


def test_without_any_evidence_the_registers_are_the_vintages() -> None:
    assert vintages(_inputs(["2019-12-31"], [], [])) == ["2019-12-31"]


def _sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "site_id": ["a", "b", "a", "c"],
            "kind": "mobile_tower",
            "in_service_from": ["2018-05-01", "2021-03-01", "2018-05-01", "2023-01-01"],
            "in_service_to": [None, None, "2022-06-30", None],
            "as_of": ["2019-12-31", "2024-12-31", "2024-12-31", "2024-12-31"],
        },
        geometry=[Point(106.005, 17.005)] * 4, crs=4326,
    )


def test_a_later_register_tells_which_sites_were_in_service_earlier() -> None:
    villages = _villages(["2019-12-31"])
    at_2019 = sites_known_at(_sites(), "2019-12-31")
    assert sorted(at_2019["site_id"]) == ["a", "b", "c"]
    assert at_2019.set_index("site_id").loc["a", "as_of"] == "2019-12-31"  # its own register wins
    assert ind.site_counts(villages, at_2019, "2019-12-31").tolist() == [1]  # only a was in service
    at_2024 = sites_known_at(_sites(), "2024-12-31")
    assert at_2024.set_index("site_id").loc["a", "in_service_to"] == "2022-06-30"
    assert ind.site_counts(villages, at_2024, "2024-12-31").tolist() == [2]  # b and c; a retired
