"""Make the annual report or the survey template from the store (the CLI and the API call these)."""

from __future__ import annotations

from pathlib import Path

from villagecov.errors import InputError
from villagecov.reporting import FORMATS, write_report
from villagecov.reporting.load import load_report
from villagecov.reporting.model import Report
from villagecov.reporting.names import ReportNames
from villagecov.schema import BOUNDARY_VERSIONS
from villagecov.settings import Settings, StoreSettings
from villagecov.storage import open_store
from villagecov.targets import load_targets

REPORT_LEVELS = ("province", "district", "commune")


def check_report_args(period: str, level: str, boundaries: str, fmt: str, lang: str) -> None:
    """One-line errors for options that cannot make a report."""
    if not (len(period) == 4 and period.isdigit()) and not (len(period) == 10 and period[4] == "-"):
        raise InputError(f"period {period!r} is neither a year (2024) nor a date (2024-12-31)", field="--period")
    if level not in REPORT_LEVELS:
        raise InputError(f"unknown level {level!r}: use {', '.join(REPORT_LEVELS)}", field="--level")
    if boundaries not in BOUNDARY_VERSIONS:
        raise InputError(f"unknown boundaries {boundaries!r}: use {', '.join(BOUNDARY_VERSIONS)}", field="--boundaries")
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}", field="--format")
    if lang not in ("vi", "en"):
        raise InputError(f"unknown language {lang!r}: use vi or en", field="--lang")


def build(settings: Settings, *, period: str, level: str, boundaries: str, lang: str = "vi",
          unit: str | None = None, run_id: str | None = None) -> Report:
    targets = load_targets(settings.targets_file)
    store = open_store(settings.store)
    try:
        return load_report(store, period=period, level=level, boundaries=boundaries, targets=targets,
                           names=ReportNames.from_settings(settings), lang=lang, unit=unit, run_id=run_id)
    finally:
        store.close()


def make_report(settings: Settings, *, period: str, level: str, boundaries: str, fmt: str, out: Path,
                lang: str = "vi", unit: str | None = None, run_id: str | None = None) -> tuple[Report, Path]:
    """Build the report and write it to ``out`` (a file, or a directory that gets its standard name)."""
    check_report_args(period, level, boundaries, fmt, lang)
    report = build(settings, period=period, level=level, boundaries=boundaries, lang=lang, unit=unit, run_id=run_id)
    return report, write_report(report, out, fmt)


def make_survey_template(settings: StoreSettings, commune: str, out: Path | None, as_of: str | None = None) -> Path:
    """The pre-filled survey workbook of one commune (default name ``khao-sat_<commune>.xlsx``)."""
    from villagecov.reporting.survey_template import survey_frame, write_survey_template

    store = open_store(settings.store)
    try:
        frame = survey_frame(store, commune, as_of)
        units = store.read("admin_units", where={"code": commune, "level": "commune"})
        villages = store.read("villages", where={"commune_code": commune})
    finally:
        store.close()
    name = str(units["name"].iloc[0]) if len(units) else commune
    synthetic = bool(villages["synthetic"].fillna(False).astype(bool).any()) if len(villages) else False
    path = out if out is not None else Path(f"khao-sat_{commune}.xlsx")
    if path.is_dir():
        path = path / f"khao-sat_{commune}.xlsx"
    if synthetic and not path.name.upper().startswith("SYNTHETIC"):
        path = path.with_name(f"SYNTHETIC_{path.name}")
    return write_survey_template(frame, path, name, synthetic)
