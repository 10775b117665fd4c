"""The annual-report table of the department in charge of telecom (Sở Khoa học và Công nghệ since
1 March 2025), and table export. The full filed report is :mod:`villagecov.reporting`.

The table lists, per administrative unit (province first, then districts), every indicator at the
report vintage beside its baseline, the previous vintage and the target, with the change since
the baseline and the share of the target reached. Shares are shown in per cent (changes in
percentage points), rounded to one decimal; values come unchanged from the ``indicators`` table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from villagecov.analysis.labels import (
    Lang,
    indicator_unit,
    level_label,
    report_value,
)
from villagecov.analysis.progress import LOWER_IS_BETTER, indicator_order, progress_long
from villagecov.errors import NotFound
from villagecov.spreadsheet import neutralise_formulas

REPORT_COLUMNS: dict[str, str] = {
    "indicator": "Mã chỉ tiêu (Indicator id)",
    "label": "Chỉ tiêu (Indicator)",
    "level": "Cấp (Level)",
    "unit_code": "Mã đơn vị (Unit code)",
    "unit_name": "Đơn vị hành chính (Administrative unit)",
    "unit": "Đơn vị tính (Unit)",
    "baseline_as_of": "Kỳ gốc (Baseline date)",
    "baseline": "Giá trị kỳ gốc (Baseline)",
    "previous_as_of": "Kỳ trước (Previous date)",
    "previous": "Giá trị kỳ trước (Previous)",
    "as_of": "Kỳ báo cáo (Report date)",
    "value": "Giá trị kỳ báo cáo (Current)",
    "target": "Mục tiêu (Target)",
    "change": "Thay đổi so với kỳ gốc (Change since baseline)",
    "target_reached_pct": "Mức đạt mục tiêu, % (Target reached, %)",
}
LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2, "village": 3}


def _reached(indicator: str, value: float, target: float) -> float | None:
    """value / target in per cent for higher-is-better indicators with a positive target."""
    if indicator in LOWER_IS_BETTER or not np.isfinite(value) or not np.isfinite(target) or target <= 0:
        return None
    return round(100.0 * value / target, 1)


def annual_report_table(
    indicators: pd.DataFrame,
    as_of: str,
    boundary_version: str = "2019",
    levels: Sequence[str] = ("province", "district"),
    ids: Iterable[str] | None = None,
    lang: Lang = "vi",
) -> pd.DataFrame:
    """The report table at the latest vintage at or before ``as_of``; columns are the keys of
    :data:`REPORT_COLUMNS` (rename with :func:`with_headings` for the file the Department sends)."""
    parts = [progress_long(indicators, level, boundary_version, ids, lang) for level in levels]
    nonempty = [p for p in parts if len(p)]
    long = pd.concat(nonempty, ignore_index=True) if nonempty else parts[0]
    dates = sorted(d for d in long["as_of"].dropna().unique() if d <= as_of)
    if not dates:
        raise NotFound(f"no indicators at or before {as_of} for boundary version {boundary_version}")
    current, previous = dates[-1], (dates[-2] if len(dates) > 1 else None)
    key = ["indicator", "level", "unit_code"]
    prev_values = long[long["as_of"] == previous].set_index(key)["value"] if previous else pd.Series(dtype=float)
    order = {k: n for n, k in enumerate(indicator_order(long["indicator"].unique()))}
    rows = []
    for rec in long[long["as_of"] == current].itertuples(index=False):
        indicator, level = str(rec.indicator), str(rec.level)
        value, target, baseline = float(rec.value), float(rec.target), float(rec.baseline)
        prev = float(prev_values.get((indicator, level, rec.unit_code), np.nan))
        rows.append({
            "indicator": indicator,
            "label": rec.label,
            "level": level_label(level, lang),
            "unit_code": rec.unit_code,
            "unit_name": rec.unit_name,
            "unit": indicator_unit(indicator, lang),
            "baseline_as_of": rec.baseline_as_of if rec.baseline_as_of == rec.baseline_as_of else None,
            "baseline": report_value(indicator, baseline),
            "previous_as_of": previous,
            "previous": report_value(indicator, prev),
            "as_of": current,
            "value": report_value(indicator, value),
            "target": report_value(indicator, target),
            "change": report_value(indicator, float(rec.change)),  # empty without earlier data
            "target_reached_pct": _reached(indicator, value, target),
            "_level": LEVEL_ORDER.get(level, 9),
            "_ind": order[indicator],
        })
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=list(REPORT_COLUMNS))
    table = table.sort_values(["_level", "unit_code", "_ind"], kind="stable")
    return table[list(REPORT_COLUMNS)].reset_index(drop=True)


def with_headings(table: pd.DataFrame) -> pd.DataFrame:
    """The report table with its Vietnamese (English) column headings."""
    return table.rename(columns=REPORT_COLUMNS)


def _stem(stem: str, synthetic: bool) -> str:
    return f"SYNTHETIC_{stem}" if synthetic and not stem.upper().startswith("SYNTHETIC") else stem


def write_table(
    frame: pd.DataFrame,
    out_dir: Path | str,
    stem: str,
    *,
    title: str = "",
    notes: Sequence[str] = (),
    synthetic: bool = False,
    xlsx: bool = True,
) -> dict[str, Path]:
    """Write ``frame`` as ``<stem>.csv`` (UTF-8 with BOM, which Excel reads with diacritics) and
    ``<stem>.xlsx`` (sheet "data", plus a "notes" sheet with the title and notes). With
    ``synthetic`` the file names start with ``SYNTHETIC_`` and the notes say so. Returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = _stem(stem, synthetic)
    paths = {"csv": out / f"{name}.csv"}
    # Text that Excel would run (=, +, -, @ …) is written as text (villagecov.spreadsheet).
    plain = neutralise_formulas(pd.DataFrame(frame.drop(columns="geometry", errors="ignore")))
    plain.to_csv(paths["csv"], index=False, encoding="utf-8-sig")
    if xlsx:
        paths["xlsx"] = out / f"{name}.xlsx"
        lines = [title] if title else []
        if synthetic:
            lines.append("SYNTHETIC: dữ liệu mô phỏng, không phải số liệu thật / synthetic demo data, not real figures")
        lines.extend(notes)
        _write_xlsx(plain, paths["xlsx"], lines)
    return paths


REPORT_KINDS = {"baseline_as_of": "date", "previous_as_of": "date", "as_of": "date", "baseline": "num",
                "previous": "num", "value": "num", "target": "num", "change": "num", "target_reached_pct": "num"}


def _write_xlsx(frame: pd.DataFrame, path: Path, notes: list[str]) -> None:
    """The report's workbook: dates as dates, number formats, an auto-filter, frozen headings
    (:func:`villagecov.analysis.export.write_xlsx`); sheets "data" and "notes"."""
    from datetime import date

    from villagecov.analysis.export import write_xlsx

    kinds = {REPORT_COLUMNS[k]: v for k, v in REPORT_KINDS.items()}
    out = frame.copy()
    for col, kind in kinds.items():
        if kind == "date" and col in out.columns:
            out[col] = out[col].map(lambda v: date.fromisoformat(str(v)[:10]) if isinstance(v, str) and v else None)
    write_xlsx(out, path, notes, kinds, sheets=("data", "notes"))
