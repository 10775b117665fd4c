"""The annual-report table and the CSV/XLSX export (values checked by hand)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.analysis import frames as F
from villagecov.analysis.report import REPORT_COLUMNS, annual_report_table, with_headings, write_table
from villagecov.errors import NotFound


def test_report_rows_province_first_then_districts_in_code_order() -> None:
    t = annual_report_table(F.indicator_rows(), as_of="2025-06-30")
    assert list(t.columns) == list(REPORT_COLUMNS)
    assert list(zip(t["unit_code"], t["indicator"], strict=True)) == [
        ("44", "t8.villages_4g_share"), ("44", "t8.villages_no_signal"),
        ("450", "t8.villages_4g_share"), ("450", "t8.villages_no_signal"),
        ("452", "t8.villages_4g_share"), ("452", "t8.villages_no_signal"),
    ]
    assert t["level"].tolist() == ["Tỉnh", "Tỉnh", "Huyện", "Huyện", "Huyện", "Huyện"]
    assert set(t["as_of"]) == {F.V2} and set(t["previous_as_of"]) == {F.V1} and set(t["baseline_as_of"]) == {F.V1}


def test_report_values_in_percent_with_change_and_target_reached() -> None:
    t = annual_report_table(F.indicator_rows(), as_of=F.V2).set_index(["unit_code", "indicator"])
    cols = ["unit", "baseline", "previous", "value", "target", "change", "target_reached_pct"]
    assert t.loc[("44", "t8.villages_4g_share"), cols].tolist() == ["%", 40.0, 40.0, 70.0, 100.0, 30.0, 70.0]
    # stored baseline missing for Minh Hóa: the first vintage's value (1/6 = 16.7 %)
    assert t.loc[("452", "t8.villages_4g_share"), cols].tolist() == ["%", 16.7, 16.7, 50.0, 100.0, 33.3, 50.0]
    no_sig = t.loc[("44", "t8.villages_no_signal"), cols].tolist()
    assert no_sig[:6] == ["thôn", 3.0, 3.0, 1.0, 0.0, -2.0]
    assert pd.isna(no_sig[6])  # lower is better: no "share of target reached"


def test_report_at_the_first_vintage_has_no_previous_and_english_labels() -> None:
    t = annual_report_table(F.indicator_rows(), as_of="2020-01-01", levels=("province",), lang="en")
    assert t["unit_code"].tolist() == ["44", "44"]
    assert t["previous"].isna().all() and t["previous_as_of"].isna().all()
    assert t["label"].tolist() == ["Villages covered by 4G", "Villages without any mobile signal"]
    assert t["level"].tolist() == ["Province", "Province"]
    assert t["change"].isna().all()  # no earlier period: no change to report (not 0.0)
    assert t["baseline_as_of"].tolist() == [F.V1, F.V1]


def test_report_before_any_vintage_is_not_found() -> None:
    with pytest.raises(NotFound, match="2010-01-01"):
        annual_report_table(F.indicator_rows(), as_of="2010-01-01")


def test_write_table_csv_and_xlsx_round_trip_with_vietnamese_headings(tmp_path: Path) -> None:
    t = with_headings(annual_report_table(F.indicator_rows(), as_of=F.V2))
    paths = write_table(t, tmp_path / "out", "annual_report_2024", title="Báo cáo năm 2024", synthetic=True)
    assert paths["csv"].name == "SYNTHETIC_annual_report_2024.csv"
    assert paths["xlsx"].name == "SYNTHETIC_annual_report_2024.xlsx"
    assert paths["csv"].read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the diacritics
    back = pd.read_csv(paths["csv"], encoding="utf-8-sig", dtype={"Mã đơn vị (Unit code)": str})
    assert list(back.columns) == list(REPORT_COLUMNS.values())
    assert back["Đơn vị hành chính (Administrative unit)"].tolist()[0] == "Quảng Bình"
    wb = openpyxl.load_workbook(paths["xlsx"])
    assert wb.sheetnames == ["data", "notes"]
    rows = list(wb["data"].iter_rows(values_only=True))
    assert rows[0] == tuple(REPORT_COLUMNS.values())
    assert len(rows) == 1 + len(t)
    assert rows[1][REPORT_COLUMNS_INDEX["value"]] == 70.0
    notes = [r[0] for r in wb["notes"].iter_rows(values_only=True)]
    assert notes[1] == "Báo cáo năm 2024" and notes[2].startswith("SYNTHETIC")


REPORT_COLUMNS_INDEX = {k: i for i, k in enumerate(REPORT_COLUMNS)}


def test_write_table_drops_geometry_and_keeps_real_names(tmp_path: Path) -> None:
    frame = F.villages()[["village_id", "name", "geometry"]]
    paths = write_table(frame, tmp_path, "shortlist", xlsx=False)
    assert set(paths) == {"csv"} and paths["csv"].name == "shortlist.csv"
    assert pd.read_csv(paths["csv"], encoding="utf-8-sig").columns.tolist() == ["village_id", "name"]


def test_baseline_is_the_first_period_with_data_for_that_series() -> None:
    """t8.median_dl_mbps measured only in the second vintage: its baseline is that vintage's value,
    labelled with that vintage, not the first vintage of the other indicators (change 0, not a
    2019 baseline)."""
    rows = F.indicator_rows()
    first = rows[(rows["indicator"] == "t8.villages_4g_share") & (rows["level"] == "province")].copy()
    dl = first.assign(indicator="t8.median_dl_mbps", numerator=float("nan"), denominator=[float("nan"), 12.0],
                      value=[float("nan"), 25.0], baseline=25.0, target=float("nan"))
    t = annual_report_table(pd.concat([rows, dl], ignore_index=True), as_of=F.V2, levels=("province",))
    t = t.set_index("indicator")
    assert t.loc["t8.median_dl_mbps", "baseline_as_of"] == F.V2 and t.loc["t8.median_dl_mbps", "baseline"] == 25.0
    assert t.loc["t8.villages_4g_share", "baseline_as_of"] == F.V1
