""""No data", never 0: indicators whose inputs are absent are null with a reason, the others are values."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from tests.compute.synth import coverage_discs, villages_from_communes
from tests.conftest import DATA_DIR
from villagecov.compute.nodata import missing_reason
from villagecov.compute.run import ComputeInputs, compute_all_vintages
from villagecov.schema import METRIC_CRS, STORAGE_CRS
from villagecov.settings import Settings
from villagecov.sources.boundaries import read_boundaries

S = Settings(store="unused.gpkg")


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    bounds = read_boundaries(DATA_DIR)
    au = bounds.admin_units
    communes = au[(au["level"] == "commune") & (au["version"] == "2019")].sort_values("code").head(6)
    v = villages_from_communes(communes, "2024-01-01", per_side=2)
    cov = coverage_discs(tuple(communes.to_crs(METRIC_CRS).total_bounds), 10, 3000, 1, "viettel", "4G",
                         "2024-01-01", rows=2)
    radio = pd.DataFrame({"village_id": v["village_id"], "service": "radio", "available": False,
                          "as_of": "2024-01-01"})
    inputs = ComputeInputs(villages=v, coverage=gpd.GeoDataFrame(cov, crs=STORAGE_CRS), admin_units=au,
                           crosswalk=bounds.crosswalk, places=bounds.places, services=radio)
    ind = compute_all_vintages(inputs, S).indicators
    return ind[(ind["level"] == "province") & (ind["boundary_version"] == "2019")].set_index("indicator")


def test_absent_inputs_are_no_data_with_a_reason(indicators: pd.DataFrame) -> None:
    g2 = indicators.loc["t8.population_2g_share"]
    assert pd.isna(g2["value"]) and g2["status"] == "no_data"
    assert g2["reason"] == "no 2G coverage submitted at or before 2024-01-01"
    tv = indicators.loc["t9.villages_tv_share"]
    assert pd.isna(tv["value"]) and tv["reason"] == "no tv survey submitted at or before 2024-01-01"
    dl = indicators.loc["t8.median_dl_mbps"]  # no measurement at all: still a row, as no data
    assert pd.isna(dl["value"]) and dl["status"] == "no_data" and "download speed" in dl["reason"]


def test_present_inputs_give_values_even_when_zero(indicators: pd.DataFrame) -> None:
    radio = indicators.loc["t9.villages_radio_share"]  # surveyed, and no village has radio: a real 0
    assert radio["value"] == 0.0 and radio["status"] == "ok" and pd.isna(radio["reason"])
    g4 = indicators.loc["t8.population_4g_share"]
    assert 0.0 <= g4["value"] <= 1.0 and g4["status"] == "ok"
    internet = indicators.loc["t9.villages_internet_share"]  # 4G counts for Internet without a fibre survey
    assert internet["status"] == "ok"
    all_services = indicators.loc["t9.villages_all_services_share"]
    assert all_services["status"] == "no_data" and "tv survey" in all_services["reason"]


def test_the_rules() -> None:
    assert missing_reason("t9.villages_internet_share", {"coverage:5G"}, "2025-01-01") is None
    assert missing_reason("t9.villages_internet_share", set(), "2025-01-01") == (
        "no fixed broadband survey or 4G coverage or 5G coverage submitted at or before 2025-01-01")
    assert missing_reason("t8.some_new_indicator", set(), "2025-01-01") is None  # needs only the register
