"""`villagecov report` and `villagecov template survey` (registered on the app by cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from villagecov.cli_common import StoreOpt, _settings, handle_errors


def _say(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, width=200).print(message, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``report``, ``catalogue`` and ``template survey`` to the ``villagecov`` app."""
    template_app = typer.Typer(help="Pre-filled templates for the communes.", no_args_is_help=True)
    app.add_typer(template_app, name="template")
    app.command("report")(handle_errors(report))
    app.command("catalogue")(handle_errors(catalogue))
    template_app.command("survey")(handle_errors(survey))


def report(
    period: Annotated[str, typer.Option("--period", help="year (2024) or date (2024-12-31)")],
    out: Annotated[Path, typer.Option("--out", help="output file, or a directory for the standard name")],
    level: Annotated[str, typer.Option("--level", help="province | commune (district before 2025-07)")] = "province",
    boundaries: Annotated[str, typer.Option("--boundaries", help="2019 | 2025-01 | 2025-07")] = "2019",
    fmt: Annotated[str, typer.Option("--format", help="xlsx | pdf | csv")] = "xlsx",
    lang: Annotated[str, typer.Option("--lang", help="vi (default) | en")] = "vi",
    unit: Annotated[str | None, typer.Option("--unit", help="only this unit code (e.g. one commune)")] = None,
    run: Annotated[str | None, typer.Option("--run", help="run id (default: the latest published/computed run)")] = None,
    store: StoreOpt = None,
) -> None:
    """The annual report on tasks 8 and 9: cover, sources, one table per task with baseline, target,
    trajectory and status, target groups, commune annex, progress charts."""
    from villagecov.reporting.run import make_report

    rep, path = make_report(_settings(store), period=period, level=level, boundaries=boundaries, fmt=fmt, out=out,
                            lang=lang, unit=unit, run_id=run)
    synthetic = " (SYNTHETIC data)" if rep.synthetic else ""
    _say(f"wrote {path} — report {rep.period} (data as of {rep.as_of}) from run {rep.run_id}{synthetic}")


def survey(
    commune: Annotated[str, typer.Option("--commune", help="commune code the villages are registered under")],
    out: Annotated[Path | None, typer.Option("--out", help="output .xlsx (default: khao-sat_<commune>.xlsx)")] = None,
    date: Annotated[str | None, typer.Option("--date", help="survey date written in the ngay column")] = None,
    store: StoreOpt = None,
) -> None:
    """A pre-filled XLSX of the commune's villages with the Task 9 service columns (có/không lists),
    which `villagecov ingest services` reads back as it is."""
    from villagecov.reporting.run import make_survey_template

    path = make_survey_template(_settings(store), commune, out, date)
    _say(f"wrote {path}")


def catalogue(
    lang: Annotated[str, typer.Option("--lang", help="vi (default) | en")] = "vi",
    fmt: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
) -> None:
    """The indicator catalogue: id, task, kind, name, unit, numerator, denominator, source."""
    import sys

    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from villagecov.catalogue import records
    from villagecov.errors import InputError

    if fmt not in ("table", "csv", "json") or lang not in ("vi", "en"):
        raise InputError("use --format table|csv|json and --lang vi|en", field="--format")
    frame = pd.DataFrame(records(lang))
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
        return
    if fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
        return
    table = Table(title="Danh mục chỉ tiêu / indicator catalogue")
    for col in ("indicator", "name", "unit", "numerator", "denominator"):
        table.add_column(col)
    for r in frame.itertuples(index=False):
        table.add_row(r.indicator, r.name, r.unit, r.numerator, r.denominator)
    Console(width=200).print(table)
