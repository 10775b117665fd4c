"""The report as an XLSX workbook (openpyxl): cover, sources, one sheet per task, target groups,
commune annex, yearly trajectories, the catalogue and the progress charts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from villagecov.catalogue import records
from villagecov.reporting.charts import progress_png
from villagecov.reporting.model import Report
from villagecov.reporting.names import label
from villagecov.reporting.tables import annex_frame, cover_lines, rows_frame, sources_frame


def _sheet_name(key: str, lang: str) -> str:
    return label(key, lang).split(":")[0][:31]


def _unit_frames(report: Report, key: str) -> pd.DataFrame:
    parts = []
    for u in report.units:
        rows = u.groups if key == "groups" else u.tasks[key[-1]]
        f = rows_frame(rows, report.lang)
        if len(report.units) > 1 or key == "groups":
            f.insert(0, label(u.level, report.lang), u.unit_name)
        parts.append(f)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def write_xlsx(report: Report, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    lang = report.lang
    wb = Workbook()
    cover = wb.active
    cover.title = _sheet_name("cover", lang)
    cover["A1"] = report.title
    cover["A1"].font = Font(bold=True, size=14)
    for i, (k, v) in enumerate(cover_lines(report), start=3):
        cover.cell(i, 1, k).font = Font(bold=True)
        cover.cell(i, 2, v)
        if k == "SYNTHETIC":
            for c in (1, 2):
                cover.cell(i, c).fill = PatternFill("solid", fgColor="FFC7CE")
                cover.cell(i, c).font = Font(bold=True, color="9C0006")
    cover.column_dimensions["A"].width = 42
    cover.column_dimensions["B"].width = 110

    def add(name: str, frame: pd.DataFrame) -> None:
        ws = wb.create_sheet(name[:31])
        ws.append([str(c) for c in frame.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for rec in frame.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and v != v) else v for v in rec])
        ws.freeze_panes = "A2"
        for i, col in enumerate(frame.columns, start=1):
            longest = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)]) if len(frame) else len(str(col))
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))

    add(_sheet_name("sources", lang), sources_frame(report.sources, lang))
    add(label("task8", lang).split(":")[0], _unit_frames(report, "task8"))
    add(label("task9", lang).split(":")[0], _unit_frames(report, "task9"))
    groups = _unit_frames(report, "groups")
    if len(groups):
        add(_sheet_name("groups", lang), groups)
    annex = annex_frame(report)
    if len(annex):
        add(_sheet_name("annex", lang), annex)
    series = report.series.rename(columns={"indicator": label("code", lang), "as_of": label("as_of", lang),
                                           "value": label("actual", lang), "trajectory": label("expected", lang)})
    add(_sheet_name("trajectory_table", lang), series.drop(columns="unit_code", errors="ignore"))
    cat = pd.DataFrame(records(lang))[["indicator", "task", "name", "unit", "numerator", "denominator", "source",
                                      "definition"]]
    add("Danh mục chỉ tiêu" if lang == "vi" else "Indicator catalogue", cat)
    with tempfile.TemporaryDirectory() as tmp:
        png = progress_png(report, Path(tmp) / "progress.png")
        if png is not None:
            ws = wb.create_sheet(_sheet_name("charts", lang))
            ws["A1"] = label("charts", lang)
            ws.add_image(Image(str(png)), "A3")
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)  # the image is read while saving, inside the temporary directory's life
    return path
