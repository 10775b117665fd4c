"""The annual report the province files: built from a computed run, written as XLSX, PDF or CSV.

:func:`~villagecov.reporting.load.load_report` reads the store and builds a
:class:`~villagecov.reporting.model.Report`; :func:`write_report` lays it out in one format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from villagecov.reporting.model import Report

Format = Literal["xlsx", "pdf", "csv"]
FORMATS: tuple[str, ...] = ("xlsx", "pdf", "csv")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


def file_name(report: Report, fmt: str) -> str:
    """``[SYNTHETIC_]bao-cao_<period>_<level>_<boundaries>[.en].<fmt>``."""
    stem = f"bao-cao_{report.period}_{report.level}_{report.boundaries}"
    if len(report.units) == 1 and report.level != "province":
        stem += f"_{report.units[0].unit_code}"
    if report.lang != "vi":
        stem += f".{report.lang}"
    return ("SYNTHETIC_" if report.synthetic else "") + f"{stem}.{fmt}"


def write_report(report: Report, out: Path, fmt: str) -> Path:
    """Write ``report`` to ``out`` (a file, or a directory that gets :func:`file_name`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    path = out / file_name(report, fmt) if out.is_dir() else out
    if report.synthetic and not path.name.upper().startswith("SYNTHETIC"):
        path = path.with_name(f"SYNTHETIC_{path.name}")  # data that is not real says so in the file name
    if fmt == "xlsx":
        from villagecov.reporting.xlsx import write_xlsx

        return write_xlsx(report, path)
    if fmt == "pdf":
        from villagecov.reporting.pdf import write_pdf

        return write_pdf(report, path)
    from villagecov.reporting.tables import long_frame

    path.parent.mkdir(parents=True, exist_ok=True)
    frame = long_frame(report)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        frame.to_csv(fh, index=False)
    return path
