"""Progress tables from hand-made indicator rows (values checked by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.analysis import frames as F
from villagecov.analysis.progress import (
    furthest_behind,
    indicator_order,
    lineage,
    progress_long,
    progress_wide,
)

S4G, NOSIG = "t8.villages_4g_share", "t8.villages_no_signal"


def test_progress_long_districts_baseline_change_and_distance_to_target() -> None:
    long = progress_long(F.indicator_rows(), "district", "2019")
    assert list(zip(long["indicator"], long["unit_code"], long["as_of"], strict=True)) == [
        (S4G, "450", F.V1), (S4G, "450", F.V2), (S4G, "452", F.V1), (S4G, "452", F.V2),
        (NOSIG, "450", F.V1), (NOSIG, "450", F.V2), (NOSIG, "452", F.V1), (NOSIG, "452", F.V2),
    ]
    by = long.set_index(["indicator", "unit_code", "as_of"])
    # Minh Hóa: no baseline stored -> the first vintage's value, 1/6
    assert by.loc[(S4G, "452", F.V2), "baseline"] == pytest.approx(1 / 6)
    assert by.loc[(S4G, "452", F.V2), "change"] == pytest.approx(0.5 - 1 / 6)
    assert by.loc[(S4G, "452", F.V2), "to_target"] == pytest.approx(0.5)
    assert by.loc[(S4G, "450", F.V2), "change"] == pytest.approx(0.25)
    assert by.loc[(S4G, "450", F.V2), "to_target"] == pytest.approx(0.0)
    # villages without signal: lower is better, target 0 -> distance = value
    assert by.loc[(NOSIG, "452", F.V2), "change"] == -2.0
    assert by.loc[(NOSIG, "452", F.V2), "to_target"] == 1.0
    assert by.loc[(S4G, "452", F.V1), "label"] == "Tỷ lệ thôn được phủ sóng 4G"


def test_progress_long_keeps_boundary_versions_apart() -> None:
    ind = F.indicator_rows()
    new = progress_long(ind, "commune", "2025-07", lang="en")
    assert new[["unit_code", "value", "label"]].values.tolist() == [["99001", 1.0, "Villages covered by 4G"]]
    assert progress_long(ind, "commune", "2019").empty
    only = progress_long(ind, "province", "2019", ids=[NOSIG])
    assert only["value"].tolist() == [3.0, 1.0]


def test_progress_wide_has_baseline_vintages_target_side_by_side() -> None:
    wide = progress_wide(progress_long(F.indicator_rows(), "district", "2019"))
    assert list(wide.columns) == ["indicator", "label", "unit_code", "unit_name", "baseline_as_of", "baseline", F.V1,
                                  F.V2, "target", "change", "to_target"]
    row = wide[(wide["indicator"] == S4G) & (wide["unit_code"] == "452")].iloc[0]
    assert (row["baseline"], row[F.V1], row[F.V2], row["target"]) == pytest.approx((1 / 6, 1 / 6, 0.5, 1.0))
    assert row["unit_name"] == "Minh Hóa"
    assert wide["indicator"].tolist() == [S4G, S4G, NOSIG, NOSIG]
    assert progress_wide(progress_long(F.indicator_rows(), "village", "2019")).empty


def test_baseline_is_the_earliest_period_with_data_and_dated_so() -> None:
    """A series first measured at V2 (null at V1, e.g. download speed before any test) has its V2
    value as baseline dated V2, and no change (never "2019 baseline = the 2024 value, change 0")."""
    ind = F.indicator_rows()
    late = ind[ind["indicator"] == S4G].assign(indicator="t8.median_dl_mbps")
    late.loc[late["as_of"] == F.V1, ["value", "numerator", "baseline"]] = None
    late.loc[late["as_of"] == F.V2, "baseline"] = late.loc[late["as_of"] == F.V2, "value"]  # as the engine stores it
    long = progress_long(pd.concat([ind, late], ignore_index=True), "province", "2019")
    by = long.set_index(["indicator", "as_of"])
    assert by.loc[("t8.median_dl_mbps", F.V2), "baseline_as_of"] == F.V2
    assert pd.isna(by.loc[("t8.median_dl_mbps", F.V2), "change"])
    assert by.loc[("t8.median_dl_mbps", F.V1), "baseline_as_of"] == F.V2  # the baseline is later than this row
    assert pd.isna(by.loc[("t8.median_dl_mbps", F.V1), "change"])
    assert by.loc[(S4G, F.V2), "baseline_as_of"] == F.V1 and by.loc[(S4G, F.V2), "change"] == pytest.approx(0.3)
    assert pd.isna(by.loc[(S4G, F.V1), "change"])  # at the baseline period itself: nothing to compare with


def test_furthest_behind_ranks_by_distance_to_target_at_the_vintage() -> None:
    long = progress_long(F.indicator_rows(), "district", "2019")
    latest = furthest_behind(long, S4G, F.V2)
    assert latest["unit_code"].tolist() == ["452", "450"]
    assert latest["to_target"].tolist() == pytest.approx([0.5, 0.0])
    earlier = furthest_behind(long, S4G, "2023-06-30", n=1)  # -> vintage 2019-12-31
    assert earlier["unit_code"].tolist() == ["452"]
    assert earlier["to_target"].iloc[0] == pytest.approx(5 / 6)
    assert furthest_behind(long, S4G, "2010-01-01").empty


def test_lineage_lists_the_2019_communes_merged_into_each_2025_07_commune() -> None:
    lin = lineage(F.crosswalk(), F.admin_units())
    assert lin.to_dict("records") == [
        {"unit_code": "99001", "unit_name": "Xã Dân Hóa", "n_from": 2, "from_codes": "1002, 1003",
         "from_names": "Xã Dân Hóa, Xã Trọng Hóa"},
        {"unit_code": "99002", "unit_name": "Phường Đồng Hới", "n_from": 1, "from_codes": "1001",
         "from_names": "Phường Hải Thành"},
    ]


def test_indicator_order_follows_design_with_population_shares_grouped() -> None:
    ids = ["t9.villages_tv_share", "zz.other", "t8.population_3g_share", S4G, NOSIG, "t8.population_4g_share"]
    assert indicator_order(ids) == [S4G, "t8.population_3g_share", "t8.population_4g_share", NOSIG,
                                    "t9.villages_tv_share", "zz.other"]


def test_empty_input_gives_empty_tables() -> None:
    empty = F.indicator_rows().iloc[0:0]
    assert progress_long(empty, "district", "2019").empty
    assert isinstance(progress_wide(progress_long(empty, "district", "2019")), pd.DataFrame)
