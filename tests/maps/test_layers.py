"""Lookups and layers built from frames: classes, services, gaps ranking, search index, sites."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.maps.sample import V1, V2, VILLAGES
from villagecov.maps.inputs import MapInputs, as_of_rows, sites_in_service
from villagecov.maps.layers import (
    classes_at,
    gap_frame,
    outline_geojson,
    search_index,
    service_classes,
    share_4g,
    shares_4g_at,
    site_rows,
    summary_classes,
    village_classes,
)
from villagecov.maps.panels import format_value, indicator_table_html
from villagecov.maps.progress import comparison_html


def test_village_classes_take_the_best_technology_of_any_operator(sample: MapInputs) -> None:
    latest = as_of_rows(sample.village_coverage, V2, ["village_id", "operator", "technology", "evidence"])
    assert village_classes(latest) == {v[0]: v[7] for v in VILLAGES}
    baseline = sample.village_coverage[sample.village_coverage["as_of"] == V1]
    assert village_classes(baseline) == {v[0]: v[6] for v in VILLAGES}


def test_village_classes_from_operator_rows_when_any_is_missing() -> None:
    vc = pd.DataFrame({
        "village_id": ["A", "A", "A", "B", "B", "C"],
        "operator": ["viettel", "vinaphone", "viettel", "viettel", "mobifone", "viettel"],
        "technology": ["4G", "4G", "2G", "4G", "3G", "4G"],
        "status": ["partial", "covered", "covered", "partial", "none", "none"],
    })
    assert village_classes(vc) == {"A": "4G", "B": "partial", "C": "none"}
    assert village_classes(vc.iloc[0:0]) == {}


def test_service_classes_count_mobile_broadband_as_internet() -> None:
    sv = pd.DataFrame({
        "village_id": ["A"] * 4 + ["B"] * 4 + ["C"] * 2,
        "service": ["fixed_broadband", "radio", "tv", "press"] * 2 + ["radio", "tv"],
        "available": [False, True, True, True, False, True, True, True, False, False],
    })
    # A: no fibre but 4G -> Internet -> all four; B: no fibre, 3G only -> some; C: nothing -> no
    assert service_classes(sv, {"A": "4G", "B": "3G"}) == {"A": "all", "B": "some", "C": "no"}


def test_gaps_are_villages_without_4g_ranked_by_people_without_4g(sample: MapInputs) -> None:
    classes = {v[0]: v[7] for v in VILLAGES}
    gaps = gap_frame(sample.villages, classes, share_4g(sample.latest_coverage))
    # latest classes without 4G/5G: V2 partial (412), V4 none (120), V6 3G (650), V7 2G (300); no 4G share
    assert list(gaps["village_id"]) == ["V6", "V2", "V7", "V4"]
    assert list(gaps["rank"]) == [1, 2, 3, 4]
    assert list(gaps["uncovered"]) == [650, 412, 300, 120]
    # half of Bản Dốc Mây's 412 people get 4G: 206 left, it drops behind Bản Cà Xen (300)
    vc = pd.DataFrame({"village_id": ["V2", "V2"], "operator": ["ANY", "ANY"], "technology": ["4G", "4G"],
                       "evidence": ["declared", "modelled"], "covered_pop_share": [0.5, 0.25]})
    gaps = gap_frame(sample.villages, classes, share_4g(vc))
    assert list(gaps["village_id"]) == ["V6", "V7", "V2", "V4"]
    assert list(gaps["uncovered"]) == [650, 300, 206, 120]
    assert all(g.geom_type == "Point" for g in gaps.geometry)
    assert all(p.within(poly) for p, poly in zip(gaps.geometry, sample.villages.set_index("village_id")
                                                 .loc[gaps["village_id"]].geometry, strict=True))
    # a unit where every village has 4G has no gaps (and no error: the empty id column stays text)
    assert gap_frame(sample.villages, {v[0]: "4G" for v in VILLAGES}, share_4g(sample.latest_coverage)).empty


def test_search_index_rows_are_sorted_and_inside_their_village(sample: MapInputs) -> None:
    rows = search_index(sample.villages, sample.commune_names)
    assert [r[1] for r in rows] == sorted(v[1] for v in VILLAGES)
    dong_hoa = next(r for r in rows if r[0] == "V1")
    assert dong_hoa[1:3] == ["Thôn Đồng Hóa", "Xã Trọng Hóa"]
    assert 17.3 < dong_hoa[3] < 17.5 and 106.01 < dong_hoa[4] < 106.09


def test_site_rows_carry_popup_fields_in_the_language(sample: MapInputs) -> None:
    rows = site_rows(sample.sites, "vi")
    assert rows[0] == [17.55, 106.25, "Viettel", "Trạm BTS", "2G,4G", 42.0, "2019-05-01", "VT", False]
    assert site_rows(sample.sites, "en")[0][3] == "Mobile tower"


def test_sites_in_service_at_a_date(sample: MapInputs) -> None:
    assert list(sites_in_service(sample.sites, "2020-01-01")["site_id"]) == ["S1"]
    assert list(sites_in_service(sample.sites, V2)["site_id"]) == ["S1", "S2", "S3"]


def test_classes_at_follow_the_vintage_rule(sample: MapInputs) -> None:
    cov, services = classes_at(sample, "2024-01-01")  # between the vintages: the baseline applies
    assert cov == {v[0]: v[6] for v in VILLAGES}
    assert services == {}  # the survey is from the latest vintage only
    cov, services = classes_at(sample, V2)
    assert services["V3"] == "all" and services["V1"] == "some"


def test_outline_geojson_is_simplified_and_rounded(sample: MapInputs) -> None:
    gj = outline_geojson(sample.communes)
    assert [f["properties"]["name"] for f in gj["features"]][0] == "Xã Trọng Hóa"
    def flat(x):
        return [x] if isinstance(x, float) else [c for item in x for c in flat(item)]

    numbers = flat([f["geometry"]["coordinates"] for f in gj["features"]])
    assert numbers and all(round(c, 5) == c for c in numbers)


@pytest.mark.parametrize(
    ("indicator", "value", "lang", "expected"),
    [
        ("t8.villages_4g_share", 0.5, "vi", "50,0 %"),
        ("t8.villages_4g_share", 0.5, "en", "50.0 %"),
        ("t8.villages_no_signal", 1234.0, "vi", "1.234"),
        ("t8.sites_per_10k_people", 12.25, "en", "12.2"),
        ("t8.median_dl_mbps", 1234.5, "vi", "1.234,5"),
        ("t8.villages_no_signal", None, "vi", "–"),
        ("t8.villages_no_signal", float("nan"), "vi", "–"),
    ],
)
def test_format_value(indicator: str, value: object, lang: str, expected: str) -> None:
    assert format_value(indicator, value, lang) == expected


def test_indicator_tables(sample: MapInputs) -> None:
    unit = sample.for_unit("commune", "0101")
    html = indicator_table_html(unit.indicators, "vi")
    assert "Tỷ lệ thôn có sóng 4G" in html and "<td>50,0 %</td><td>25,0 %</td><td>100,0 %</td>" in html
    assert "Số liệu đến 2025-06-30" in html
    cmp = comparison_html(sample.indicators, V1, V2, "en")
    assert "<td>Villages with 4G</td><td>25.0 %</td><td>50.0 %</td><td>100.0 %</td>" in cmp
    assert "No data" in indicator_table_html(unit.indicators.iloc[0:0], "en")


def test_with_a_compute_run_the_maps_count_as_the_engine(sample: MapInputs) -> None:
    """Inputs read from a computed store carry village_summary: classes and 4G shares are the
    engine's effective ones (a declared 4G map contradicted by measurements does not cover), the
    same the indicators and the API's villages and gaps count; without it, the coverage rows."""
    from dataclasses import replace

    from tests.maps.sample import V2

    raw = classes_at(sample, V2)[0]
    assert raw["V1"] in ("4G", "5G")
    summary = pd.DataFrame({
        "village_id": [v[0] for v in VILLAGES], "as_of": V2,
        "status_5g": None, "status_4g": ["none" if v[0] == "V1" else "covered" for v in VILLAGES],
        "status_3g": "covered", "status_2g": "covered",
        "pop_share_4g": [0.0 if v[0] == "V1" else 1.0 for v in VILLAGES],
    })
    summary.loc[summary["village_id"] == VILLAGES[-1][0], ["status_4g", "status_3g", "status_2g"]] = None
    computed = replace(sample, village_summary=summary)
    cov, _ = classes_at(computed, V2)
    assert cov["V1"] == "3G" and VILLAGES[-1][0] not in cov  # contradicted 4G; all unknown: left out
    assert all(c == "4G" for v, c in cov.items() if v != "V1")
    assert shares_4g_at(computed, V2)["V1"] == 0.0
    gaps = gap_frame(computed.villages, cov, shares_4g_at(computed, V2))
    assert "V1" in set(gaps["village_id"])
    assert summary_classes(summary.iloc[0:0]) == {}
    # before the summary's first vintage there are no effective statuses: nothing is claimed
    assert classes_at(computed, "2000-01-01")[0] == {}
    assert computed.for_unit("commune", str(sample.communes["code"].iloc[0])).village_summary["village_id"].isin(
        sample.villages["village_id"]).all()
