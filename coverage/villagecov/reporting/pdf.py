"""The report as a PDF (fpdf2) with an embedded TrueType font that has the Vietnamese glyphs:
DejaVu Sans, shipped inside matplotlib (a dependency) or from Debian's fonts-dejavu-core.

Landscape A4: cover (reporting body, period, recipients, run), data sources, one table per task,
target groups, the commune annex and the progress charts. SYNTHETIC data is said on every page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from villagecov.errors import ConfigError
from villagecov.reporting.charts import progress_png
from villagecov.reporting.model import Report, UnitTables
from villagecov.reporting.names import label
from villagecov.reporting.tables import annex_frame, cover_lines, rows_frame, sources_frame, text

FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
TASK_COLUMNS = (0, 1, 2, 3, 6, 7, 8, 9, 11, 12)  # code, name, unit, value, baseline, period, target, year, traj, status
TASK_WIDTHS = (34, 78, 16, 16, 16, 20, 16, 12, 18, 30)


def font_paths() -> tuple[Path, Path]:
    """DejaVu Sans regular and bold: matplotlib's copy, else Debian's."""
    import matplotlib

    for folder in (Path(matplotlib.get_data_path()) / "fonts" / "ttf", Path("/usr/share/fonts/truetype/dejavu")):
        regular, bold = (folder / f for f in FONT_FILES)
        if regular.exists() and bold.exists():
            return regular, bold
    raise ConfigError("no DejaVu Sans font found (matplotlib's or Debian's fonts-dejavu-core) for the PDF")


class _PDF:
    def __init__(self, report: Report) -> None:
        from fpdf import FPDF

        self.report = report
        regular, bold = font_paths()
        banner = label("synthetic_banner", report.lang) if report.synthetic else ""
        footer_text = f"{report.names.reporting_body(report.lang)} · {report.period} · run {report.run_id}"

        class Doc(FPDF):
            def header(self) -> None:
                if banner:
                    self.set_font("DejaVu", "B", 9)
                    self.set_text_color(156, 0, 6)
                    self.cell(0, 5, banner, align="C", new_x="LMARGIN", new_y="NEXT")
                    self.set_text_color(0, 0, 0)

            def footer(self) -> None:
                self.set_y(-10)
                self.set_font("DejaVu", "", 7)
                self.cell(0, 5, f"{footer_text} · {self.page_no()}", align="C")

        self.pdf = Doc(orientation="L", unit="mm", format="A4")
        self.pdf.add_font("DejaVu", "", str(regular))
        self.pdf.add_font("DejaVu", "B", str(bold))
        self.pdf.set_auto_page_break(True, margin=14)
        self.pdf.set_title(report.title)
        self.pdf.set_author(report.names.reporting_body(report.lang))
        self.pdf.set_lang("vi" if report.lang == "vi" else "en")

    def heading(self, s: str, size: int = 12) -> None:
        self.pdf.set_font("DejaVu", "B", size)
        self.pdf.multi_cell(0, 6, s, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def table(self, frame: pd.DataFrame, widths: tuple[float, ...] | None = None, size: float = 7) -> None:
        if frame.empty:
            return
        lang = self.report.lang
        self.pdf.set_font("DejaVu", "", size)
        with self.pdf.table(col_widths=widths, text_align="LEFT", line_height=size * 0.5,
                            headings_style=_heading_style()) as t:
            row = t.row()
            for c in frame.columns:
                row.cell(str(c))
            for rec in frame.itertuples(index=False):
                row = t.row()
                for v in rec:
                    row.cell(text(None if (isinstance(v, float) and v != v) else v, lang))
        self.pdf.ln(3)

    def cover(self) -> None:
        r = self.report
        self.pdf.add_page()
        self.pdf.set_font("DejaVu", "B", 11)
        self.pdf.cell(0, 6, r.names.reporting_body(r.lang).upper(), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(8)
        self.heading(r.title, 16)
        self.pdf.ln(4)
        self.pdf.set_font("DejaVu", "", 10)
        for k, v in cover_lines(r):
            self.pdf.set_font("DejaVu", "B", 10)
            self.pdf.cell(90, 6, k)
            self.pdf.set_font("DejaVu", "", 10)
            self.pdf.multi_cell(0, 6, v, new_x="LMARGIN", new_y="NEXT")

    def unit(self, u: UnitTables, many: bool) -> None:
        lang = self.report.lang
        for key in ("task8", "task9"):
            self.pdf.add_page()
            title = label(key, lang) + (f" — {u.unit_name}" if many else "")
            self.heading(title)
            frame = rows_frame(u.tasks[key[-1]], lang)
            self.table(frame.iloc[:, list(TASK_COLUMNS)], TASK_WIDTHS)
        if u.groups and not many:
            self.pdf.add_page()
            self.heading(label("groups", lang))
            frame = rows_frame(u.groups, lang)
            self.table(frame.iloc[:, list(TASK_COLUMNS)], TASK_WIDTHS)


def _heading_style():  # type: ignore[no-untyped-def]
    from fpdf.fonts import FontFace

    return FontFace(family="DejaVu", emphasis="BOLD", fill_color=(225, 230, 240))


def write_pdf(report: Report, path: Path) -> Path:
    doc = _PDF(report)
    lang = report.lang
    doc.cover()
    doc.pdf.add_page()
    doc.heading(label("sources", lang))
    doc.table(sources_frame(report.sources, lang), (16, 110, 24, 24, 16, 24))
    for u in report.units:
        doc.unit(u, many=len(report.units) > 1)
    annex = annex_frame(report)
    if len(annex):
        doc.pdf.add_page()
        doc.heading(label("annex", lang))
        doc.table(annex, size=6.5)
    with tempfile.TemporaryDirectory() as tmp:
        png = progress_png(report, Path(tmp) / "progress.png")
        if png is not None:
            doc.pdf.add_page()
            doc.heading(label("charts", lang))
            doc.pdf.image(str(png), w=doc.pdf.epw * 0.85)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc.pdf.output(str(path))
    return path
