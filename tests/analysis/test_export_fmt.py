"""Numbers, dates and tables for officials: Vietnamese conventions, headings, XLSX formats."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from villagecov.analysis.export import COLUMNS, export_name, export_table, for_officials, heading
from villagecov.analysis.fmt import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_pp, fmt_vnd
from villagecov.analysis.operators import wilson


def test_vietnamese_and_english_number_conventions() -> None:
    assert (fmt_int(13250), fmt_int(13250, "en")) == ("13.250", "13,250")
    assert (fmt_pct(0.891520), fmt_pct(0.891520, lang="en")) == ("89,2 %", "89.2%")
    assert (fmt_pp(0.076), fmt_pp(-0.02, lang="en")) == ("+7,6 điểm %", "−2.0 pp")
    assert (fmt_num(-105, 0), fmt_num(1234.5, 1)) == ("−105", "1.234,5")
    assert (fmt_date("2019-12-31"), fmt_date("2019-12-31", "en")) == ("31/12/2019", "31 Dec 2019")
    assert fmt_vnd(19.7e9) == "19.700 triệu đồng" and fmt_int(None) == "—" and fmt_pct(float("nan")) == "—"


@pytest.mark.parametrize("lang", [0, 1])
def test_headings_are_unique_per_language(lang: int) -> None:
    names = [v[lang] for v in COLUMNS.values()]
    assert len(names) == len(set(names))


def test_tables_for_officials_have_words_per_cent_and_dates() -> None:
    frame = pd.DataFrame({"village_id": ["v1"], "remote": [True], "gap": ["no_signal"], "covered_share": [0.8915],
                          "people_without_4g": [331.7], "baseline_as_of": ["2019-12-31"], "geometry": [None]})
    out = for_officials(frame)
    assert list(out.columns) == ["Mã thôn", "Vùng sâu, vùng xa", "Loại vùng lõm", "Tỷ lệ dân được phủ sóng 4G (hoặc ngưỡng) (%)",
                                 "Số người chưa có 4G", "Kỳ gốc"]
    assert out.iloc[0].tolist() == ["v1", "có", "Không có sóng", 89.15, 332, date(2019, 12, 31)]
    en = for_officials(frame, "en")
    assert en.iloc[0, 1] == "yes" and en.columns[4] == "People without 4G"
    assert heading("2024-12-31") == "31/12/2024" and heading("2024-12-31", "en") == "31 Dec 2024"


def test_export_names_carry_period_and_boundary_version(tmp_path: Path) -> None:
    assert export_name("gap_villages", "2024-12-31", "2025-07", True) == "SYNTHETIC_gap_villages_2024-12-31_2025-07"
    frame = pd.DataFrame({"unit_name": ["Xã Dân Hóa"], "population": [12345], "share_no_4g": [0.25],
                          "baseline_as_of": ["2019-12-31"]})
    paths = export_table(frame, tmp_path, "gap_communes", period="2024-12-31", boundary_version="2019",
                         title="Tiêu đề", notes=["Ghi chú một"], synthetic=True)
    assert paths["xlsx"].name == "SYNTHETIC_gap_communes_2024-12-31_2019.xlsx"
    wb = openpyxl.load_workbook(paths["xlsx"])
    sheet = wb["Số liệu"]
    assert [c.value for c in sheet[1]] == ["Đơn vị hành chính", "Dân số", "Tỷ lệ thôn chưa có 4G (%)", "Kỳ gốc"]
    assert sheet.auto_filter.ref == "A1:D2" and sheet.freeze_panes == "A2"
    assert (sheet["B2"].value, sheet["B2"].number_format) == (12345, "#,##0")
    assert (sheet["C2"].value, sheet["C2"].number_format) == (25.0, "0.0")
    assert sheet["D2"].is_date and sheet["D2"].number_format == "DD/MM/YYYY"
    notes = [r[0] for r in wb["Ghi chú"].iter_rows(values_only=True)]
    assert notes[1:] == ["Tiêu đề", notes[2], "Ghi chú một"] and notes[2].startswith("SYNTHETIC")
    back = pd.read_csv(paths["csv"], encoding="utf-8-sig")
    assert back.iloc[0].tolist() == ["Xã Dân Hóa", 12345, 25.0, "2019-12-31"]


def test_wilson_interval() -> None:
    lo, hi = wilson([8, 0, 5], [10, 0, 5])
    # 8 of 10: the textbook Wilson 95 % interval is 0.490–0.943
    assert lo[0] == pytest.approx(0.4902, abs=1e-4) and hi[0] == pytest.approx(0.9433, abs=1e-4)
    assert pd.isna(lo[1]) and pd.isna(hi[1])
    assert hi[2] == pytest.approx(1.0) and lo[2] == pytest.approx(0.5655, abs=1e-4)  # 5 of 5: still uncertain


def test_exported_text_cannot_run_as_a_formula(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A1", "Thôn Một"], "population": [10, 20]})
    paths = export_table(frame, tmp_path, "villages", period="2024-12-31", boundary_version="2019",
                         notes=["+evil()"])
    assert pd.read_csv(paths["csv"], encoding="utf-8-sig")["Tên thôn"].tolist() == ["'=cmd|' /C calc'!A1", "Thôn Một"]
    wb = openpyxl.load_workbook(paths["xlsx"])
    assert wb["Số liệu"]["A2"].value == "'=cmd|' /C calc'!A1" and wb["Số liệu"]["A2"].data_type == "s"
    assert [r[0] for r in wb["Ghi chú"].iter_rows(values_only=True)][1] == "'+evil()"


def test_annual_report_workbook_has_dates_number_formats_and_a_filter(tmp_path: Path) -> None:
    from tests.analysis import frames as F
    from villagecov.analysis.report import REPORT_COLUMNS, annual_report_table, with_headings, write_table

    t = with_headings(annual_report_table(F.indicator_rows(), as_of=F.V2))
    paths = write_table(t, tmp_path, "annual_report_2024-12-31_2019")
    sheet = openpyxl.load_workbook(paths["xlsx"])["data"]
    header = [c.value for c in sheet[1]]
    as_of = sheet.cell(2, header.index(REPORT_COLUMNS["as_of"]) + 1)
    assert as_of.is_date and as_of.value.date() == date(2024, 12, 31) and as_of.number_format == "DD/MM/YYYY"
    value = sheet.cell(2, header.index(REPORT_COLUMNS["value"]) + 1)
    assert value.value == 70.0 and value.number_format == "#,##0.0##"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(t) + 1}"
