"""Tables handed to officials: Vietnamese headings (English on request), shares in per cent, whole
numbers with separators, dates as dates, booleans as có/không, no internal codes as values; an
XLSX with number formats, filters and frozen headings beside a UTF-8 CSV (with BOM, for Excel).

Every file is named ``<stem>_<period>_<boundary version>`` (``SYNTHETIC_`` first for demo data),
so a run for another period or boundary version never overwrites an earlier export.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from villagecov.analysis.fmt import fmt_date
from villagecov.spreadsheet import neutralise_cell, neutralise_formulas

# column -> (Vietnamese, English, kind); kind: text | int | num | share | date | bool | vnd
COLUMNS: dict[str, tuple[str, str, str]] = {
    "indicator": ("Mã chỉ tiêu", "Indicator id", "text"),
    "label": ("Chỉ tiêu", "Indicator", "text"),
    "unit_code": ("Mã đơn vị", "Unit code", "text"),
    "unit_name": ("Đơn vị hành chính", "Administrative unit", "text"),
    "unit": ("Đơn vị tính", "Unit", "text"),
    "baseline_as_of": ("Kỳ gốc", "Baseline date", "date"),
    "baseline": ("Giá trị kỳ gốc", "Baseline", "num"),
    "target": ("Mục tiêu", "Target", "num"),
    "change": ("Thay đổi so với kỳ gốc", "Change since baseline", "num"),
    "to_target": ("Còn thiếu so với mục tiêu", "Still to go", "num"),
    "n_from": ("Số xã cũ hợp thành", "Former communes merged", "int"),
    "from_codes": ("Mã các xã cũ", "Former commune codes", "text"),
    "from_names": ("Các xã cũ hợp thành", "Former communes", "text"),
    "village_id": ("Mã thôn", "Village id", "text"),
    "name": ("Tên thôn", "Village", "text"),
    "commune_code": ("Mã xã", "Commune code", "text"),
    "commune_name": ("Xã", "Commune", "text"),
    "boundary_version": ("Phiên bản ranh giới", "Boundary version", "text"),
    "population": ("Dân số", "Population", "int"),
    "covered_share": ("Tỷ lệ dân được phủ sóng 4G (hoặc ngưỡng)", "Share of people with 4G (or threshold)", "share"),
    "people_without_4g": ("Số người chưa có 4G", "People without 4G", "int"),
    "remote": ("Vùng sâu, vùng xa", "Remote", "bool"),
    "remote_reasons": ("Lý do vùng sâu, vùng xa", "Why remote", "text"),
    "best_technology": ("Công nghệ tốt nhất", "Best technology", "text"),
    "no_signal": ("Không có sóng di động", "No mobile signal", "bool"),
    "has_4g": ("Đạt chuẩn 4G", "Meets the 4G rule", "bool"),
    "gap": ("Loại vùng lõm", "Kind of gap", "text"),
    "priority": ("Điểm ưu tiên (0–1)", "Priority score (0–1)", "num"),
    "rank": ("Thứ tự ưu tiên", "Rank", "int"),
    "lon": ("Kinh độ", "Longitude", "num"),
    "lat": ("Vĩ độ", "Latitude", "num"),
    "villages": ("Số thôn", "Villages", "int"),
    "villages_no_4g": ("Số thôn chưa có 4G", "Villages without 4G", "int"),
    "villages_no_signal": ("Số thôn không có sóng", "Villages without signal", "int"),
    "remote_villages_no_4g": ("Số thôn vùng sâu chưa có 4G", "Remote villages without 4G", "int"),
    "population_gap_villages": ("Toàn bộ dân số các thôn chưa đạt chuẩn (số cũ)",
                                "Whole population of villages below the rule (older figure)", "int"),
    "share_no_4g": ("Tỷ lệ thôn chưa có 4G", "Share of villages without 4G", "share"),
    "operator": ("Doanh nghiệp", "Operator", "text"),
    "technology": ("Công nghệ", "Technology", "text"),
    "villages_declared": ("Số thôn doanh nghiệp công bố có sóng", "Villages declared covered", "int"),
    "villages_tested": ("Số thôn có đo kiểm", "Villages tested", "int"),
    "villages_contradicted": ("Số thôn có kết quả đo mâu thuẫn", "Villages contradicted", "int"),
    "contradicted_share": ("Tỷ lệ thôn mâu thuẫn", "Share contradicted", "share"),
    "tests": ("Số lần đo", "Tests", "int"),
    "tests_ok_share": ("Tỷ lệ lần đo đạt ngưỡng", "Share of tests meeting the threshold", "share"),
    "villages_measured": ("Số thôn có kết quả đo", "Villages measured", "int"),
    "measured_covered_not_declared": ("Thôn đo có sóng nhưng không công bố", "Measured covered, not declared", "int"),
    "declared_status": ("Trạng thái công bố", "Declared status", "text"),
    "declared_pop_share": ("Tỷ lệ dân trong vùng công bố", "Declared population share", "share"),
    "n_measurements": ("Số lần đo trong vùng công bố", "Tests inside the declared coverage", "int"),
    "measured_ok_share": ("Tỷ lệ lần đo trong vùng công bố đạt ngưỡng", "Share of those tests meeting the threshold",
                          "share"),
    "kind": ("Loại số liệu", "Kind of data", "text"),
    "field": ("Trường", "Field", "text"),
    "reason": ("Lý do loại", "Reason", "text"),
    "rows": ("Số dòng bị loại", "Rows rejected", "int"),
    "files": ("Số tệp", "Files", "int"),
    "example_file": ("Tệp ví dụ", "Example file", "text"),
    "example_row": ("Dòng ví dụ", "Example row", "int"),
    "example_value": ("Giá trị ví dụ", "Example value", "text"),
    "tests_ok_low": ("Cận dưới tin cậy 95 %", "95 % interval, low", "share"),
    "tests_ok_high": ("Cận trên tin cậy 95 %", "95 % interval, high", "share"),
    "measured_ok_low": ("Cận dưới tin cậy 95 % (thôn)", "95 % interval, low (village)", "share"),
    "measured_ok_high": ("Cận trên tin cậy 95 % (thôn)", "95 % interval, high (village)", "share"),
    "interval_width": ("Độ rộng khoảng tin cậy", "Interval width", "share"),
    "few_tests": ("Quá ít lần đo để kết luận", "Too few tests to judge", "bool"),
    "villages_tested_enough": ("Số thôn đủ lần đo để kết luận", "Villages tested enough to judge", "int"),
    "never_tested_share": ("Tỷ lệ chưa từng được đo", "Share never tested", "share"),
    "villages_covered": ("Số thôn được phủ sóng", "Villages covered", "int"),
    "villages_covered_share": ("Tỷ lệ thôn được phủ sóng", "Share of villages covered", "share"),
    "people_covered": ("Số người trong vùng phủ", "People covered", "int"),
    "single_operator_villages": ("Số thôn chỉ có một doanh nghiệp", "Villages with this operator alone", "int"),
    "candidate_id": ("Mã vị trí ứng viên", "Candidate id", "text"),
    "site_kind": ("Loại vị trí", "Kind of site", "text"),
    "cost_vnd": ("Chi phí (đồng)", "Cost (VND)", "vnd"),
    "vnd_per_person": ("Chi phí mỗi người (đồng)", "VND per person", "vnd"),
    "vnd_per_village": ("Chi phí mỗi thôn (đồng)", "VND per village", "vnd"),
    "people_per_billion_vnd": ("Số người trên 1 tỷ đồng", "People per billion VND", "num"),
    "cumulative_cost_vnd": ("Chi phí lũy kế (đồng)", "Cumulative cost (VND)", "vnd"),
    "cumulative_people": ("Số người lũy kế", "Cumulative people", "int"),
    "marginal_people": ("Số người tăng thêm", "People added", "int"),
    "why_no_village": ("Vì sao không hoàn tất thôn nào", "Why it completes no village", "text"),
    "method": ("Phương pháp", "Method", "text"),
    "sites": ("Số trạm", "Sites", "int"),
    "status": ("Trạng thái", "Status", "text"),
    "seconds": ("Thời gian (giây)", "Seconds", "num"),
    "relative_gap": ("Chênh lệch tương đối", "Relative gap", "share"),
    "proposed": ("Được đề xuất", "Proposed", "bool"),
    "budget_vnd": ("Ngân sách (đồng)", "Budget (VND)", "vnd"),
    "greedy_value": ("Tham lam: số người", "Greedy: people", "int"),
    "greedy_cost_vnd": ("Tham lam: chi phí (đồng)", "Greedy: cost (VND)", "vnd"),
    "greedy_sites": ("Tham lam: số trạm", "Greedy: sites", "int"),
    "exact_value": ("Chính xác: số người", "Exact: people", "int"),
    "exact_cost_vnd": ("Chính xác: chi phí (đồng)", "Exact: cost (VND)", "vnd"),
    "exact_sites": ("Chính xác: số trạm", "Exact: sites", "int"),
    "exact_status": ("Chính xác: trạng thái", "Exact: status", "text"),
    "greedy_vnd_per_extra_person": ("Tham lam: chi phí biên mỗi người (đồng)", "Greedy: marginal VND per person", "vnd"),
    "exact_vnd_per_extra_person": ("Chính xác: chi phí biên mỗi người (đồng)", "Exact: marginal VND per person", "vnd"),
    "site_id": ("Mã trạm", "Site id", "text"),
    "in_service_from": ("Ngày đưa vào hoạt động", "In service from", "date"),
    "distance_km": ("Khoảng cách (km)", "Distance (km)", "num"),
    "status_before": ("Trạng thái 4G kỳ trước", "4G status before", "text"),
    "status_after": ("Trạng thái 4G kỳ này", "4G status now", "text"),
    "status_4g": ("Trạng thái 4G", "4G status", "text"),
    "people_newly_covered": ("Số người được phủ sóng mới", "People newly covered", "int"),
    "villages_closed": ("Số thôn hết lõm", "Gaps closed", "int"),
    "partial_share": ("Ngưỡng 'phủ một phần'", "Partial threshold", "share"),
    "villages_4g_share": ("Tỷ lệ thôn có 4G", "Villages with 4G", "share"),
    "remote_villages_4g_share": ("Tỷ lệ thôn vùng sâu có 4G", "Remote villages with 4G", "share"),
    "villages_below_rule": ("Số thôn chưa đạt chuẩn 4G", "Villages below the 4G rule", "int"),
    "threshold_dbm": ("Ngưỡng tín hiệu (dBm)", "Signal threshold (dBm)", "num"),
    "population_4g_share": ("Tỷ lệ dân số có 4G", "Population with 4G", "share"),
    "figure": ("Số liệu", "Figure", "text"),
    "people": ("Số người", "People", "int"),
    "difference": ("Chênh lệch so với định nghĩa", "Difference from the definition", "int"),
    "explanation": ("Giải thích", "Explanation", "text"),
    "key": ("Mã kết luận", "Key", "text"),
    "value": ("Giá trị", "Value", "num"),
    "text": ("Kết luận", "Finding", "text"),
}
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "gap": {"no_4g": ("Có sóng, chưa có 4G", "Some signal, no 4G"), "no_signal": ("Không có sóng", "No signal")},
    "declared_status": {"covered": ("Đủ chuẩn", "Covered"), "partial": ("Một phần", "Partial"), "none": ("Không", "None")},
    "status_before": {"covered": ("Đủ chuẩn", "Covered"), "partial": ("Một phần", "Partial"), "none": ("Không", "None")},
    "status_after": {"covered": ("Đủ chuẩn", "Covered"), "partial": ("Một phần", "Partial"), "none": ("Không", "None")},
    "status_4g": {"covered": ("Đủ chuẩn", "Covered"), "partial": ("Một phần", "Partial"), "none": ("Không", "None")},
    "site_kind": {"colocation": ("Dùng chung trạm có sẵn", "Co-location"), "hilltop": ("Đỉnh đồi", "Hilltop"),
             "grid": ("Điểm lưới", "Grid point")},
    "method": {"greedy": ("Tham lam", "Greedy"), "ilp": ("Tối ưu chính xác (ILP)", "Exact (ILP)")},
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOOL = {True: ("có", "yes"), False: ("không", "no")}


def heading(column: str, lang: str = "vi") -> str:
    """The heading of ``column`` in exported files (a period column ``2024-12-31`` → ``31/12/2024``)."""
    if column in COLUMNS:
        vi, en, _ = COLUMNS[column]
        return vi if lang == "vi" else en
    if _ISO_DATE.match(str(column)):
        return fmt_date(column, lang)
    return str(column)


def kind_of(column: str) -> str:
    if column in COLUMNS:
        return COLUMNS[column][2]
    if str(column).endswith("_share"):
        return "share"
    if str(column).endswith("_vnd"):
        return "vnd"
    return "text"


def export_name(stem: str, period: str, boundary_version: str, synthetic: bool) -> str:
    """``[SYNTHETIC_]<stem>_<period>_<boundary version>``."""
    name = f"{stem}_{period}_{boundary_version}"
    return f"SYNTHETIC_{name}" if synthetic and not name.upper().startswith("SYNTHETIC") else name


def for_officials(frame: pd.DataFrame, lang: str = "vi", kinds: dict[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with headings in ``lang``, booleans and codes as words, shares as per cent (two
    decimals), dates as dates; geometry dropped. ``kinds`` overrides the kind of some columns."""
    plain = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).copy()
    kinds = kinds or {}
    for col in plain.columns:
        k = kinds.get(col, kind_of(col))
        if col in VALUES:
            words = {code: (vi if lang == "vi" else en) for code, (vi, en) in VALUES[col].items()}
            plain[col] = plain[col].map(lambda v, w=words: w.get(v, v))
        elif k == "bool":
            plain[col] = plain[col].map(lambda v: None if pd.isna(v) else _BOOL[bool(v)][0 if lang == "vi" else 1])
        elif k == "share":
            plain[col] = (pd.to_numeric(plain[col], errors="coerce") * 100).round(2)
        elif k in ("int", "vnd"):  # whole people, whole đồng
            plain[col] = pd.to_numeric(plain[col], errors="coerce").round().astype("Int64")
        elif k == "date":
            plain[col] = plain[col].map(lambda v: None if pd.isna(v) or v == "" else date.fromisoformat(str(v)[:10]))
    renamed = {c: heading(c, lang) + (" (%)" if kinds.get(c, kind_of(c)) == "share" else "") for c in plain.columns}
    out = plain.rename(columns=renamed)
    out.attrs["kinds"] = {renamed[c]: kinds.get(c, kind_of(c)) for c in plain.columns}
    return out


def write_export(table: pd.DataFrame, out_dir: Path | str, name: str, *, title: str = "",
                 notes: Sequence[str] = (), synthetic: bool = False, xlsx: bool = True, lang: str = "vi") -> dict[str, Path]:
    """Write ``table`` (already :func:`for_officials`) as ``<name>.csv`` and ``<name>.xlsx``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out / f"{name}.csv"}
    kinds = table.attrs.get("kinds", {})
    # text a spreadsheet would run (=, +, -, @ …) is written as text (villagecov.spreadsheet)
    table = neutralise_formulas(table)
    table.to_csv(paths["csv"], index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")
    if xlsx:
        paths["xlsx"] = out / f"{name}.xlsx"
        lines = [title] if title else []
        if synthetic:
            lines.append("SYNTHETIC: dữ liệu mô phỏng, không phải số liệu thật / synthetic demo data, not real figures")
        lines.extend(notes)
        write_xlsx(table, paths["xlsx"], [str(neutralise_cell(line)) for line in lines], kinds, lang)
    return paths


NUMBER_FORMATS = {"int": "#,##0", "num": "#,##0.0##", "share": "0.0", "date": "DD/MM/YYYY", "vnd": "#,##0"}


def write_xlsx(frame: pd.DataFrame, path: Path, notes: Sequence[str], kinds: dict[str, str], lang: str = "vi",
               sheets: tuple[str, str] | None = None) -> None:
    """Sheet of data (headings frozen, an auto-filter over every column, number formats per kind,
    widths to fit) and a sheet of notes (``sheets``: their names; by default in ``lang``)."""
    from openpyxl.utils import get_column_letter

    data_sheet, notes_sheet = sheets or (("Số liệu", "Ghi chú") if lang == "vi" else ("data", "notes"))
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=data_sheet, index=False)
        sheet = writer.sheets[data_sheet]
        sheet.freeze_panes = "A2"
        if len(frame.columns):
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
        for i, col in enumerate(frame.columns, start=1):
            letter = get_column_letter(i)
            fmt = NUMBER_FORMATS.get(kinds.get(col, ""))
            if fmt:
                for (cell,) in sheet.iter_rows(min_row=2, max_row=len(frame) + 1, min_col=i, max_col=i):
                    cell.number_format = fmt
            longest = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
            sheet.column_dimensions[letter].width = min(60, max(10, longest + 2))
        pd.DataFrame({notes_sheet: list(notes) or [""]}).to_excel(writer, sheet_name=notes_sheet, index=False)


def export_table(frame: pd.DataFrame, out_dir: Path | str, stem: str, *, period: str, boundary_version: str,
                 lang: str = "vi", title: str = "", notes: Sequence[str] = (), synthetic: bool = False,
                 xlsx: bool = True, kinds: dict[str, str] | None = None) -> dict[str, Path]:
    """:func:`for_officials` then :func:`write_export`, named by :func:`export_name`."""
    name = export_name(stem, period, boundary_version, synthetic)
    return write_export(for_officials(frame, lang, kinds), out_dir, name, title=title, notes=notes,
                        synthetic=synthetic, xlsx=xlsx, lang=lang)
