"""`villagecov measurements load`: a measurement dataset (many CSVs, Parquet) in partitions, on Dask
with ``--scheduler`` (registered on the app by cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from villagecov.cli_common import SchedulerOpt, StoreOpt, _settings, handle_errors, print_ingest_details


def register(app: typer.Typer) -> None:
    measurements_app = typer.Typer(help="Measurement datasets (national scale).", no_args_is_help=True)
    app.add_typer(measurements_app, name="measurements")

    def load(
        paths: Annotated[list[Path], typer.Argument(help="CSV files, Parquet files or folders of them (one dataset)")],
        operator: Annotated[str | None, typer.Option(help="operator id or MNC when the files have none")] = None,
        technology: Annotated[str | None, typer.Option(help="2G, 3G, 4G or 5G when the files have none")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="date of the data, YYYY-MM-DD")] = None,
        columns: Annotated[str | None, typer.Option(help="column mapping SOURCE=TARGET,...")] = None,
        aggregate: Annotated[Path | None, typer.Option("--aggregate", help="write the per village × operator × "
                                                       "technology × period table here (.csv or .parquet)")] = None,
        periods: Annotated[str | None, typer.Option("--periods", help="year | quarter | month | date")] = None,
        scheduler: SchedulerOpt = None,
        by: Annotated[str | None, typer.Option("--by", help="who submits")] = None,
        store: StoreOpt = None,
    ) -> None:
        """Validate, quarantine, load and aggregate a measurement dataset, one partition per file."""
        from villagecov.compute.periods import GRANULARITIES
        from villagecov.errors import DuplicateSubmission, InputError
        from villagecov.scale.cluster import dask_client
        from villagecov.scale.measurements import load_dataset
        from villagecov.sources.common import IngestOptions
        from villagecov.storage import open_store

        console = Console(width=140)
        settings = _settings(store)
        if periods:
            if periods not in GRANULARITIES:
                raise InputError(f"unknown period length {periods!r}: use {', '.join(GRANULARITIES)}", field="--periods")
            settings = settings.model_copy(update={"reporting_period": periods})
        options = IngestOptions(operator=operator, technology=technology, as_of=as_of, columns=columns or {})
        with open_store(settings.store) as st, dask_client(scheduler or settings.dask_scheduler) as client:
            try:
                report = load_dataset(settings, st, paths, options, client=client, actor=by)
            except DuplicateSubmission as exc:
                console.print(f"[yellow]unchanged:[/] {exc}", highlight=False, soft_wrap=True)
                return
        console.print(f"[bold green]ingested[/] {report.files} files as measurements: {report.accepted} rows "
                      f"accepted, {report.rejected} rejected (submission {report.submission_id})", highlight=False)
        console.print(f"manifest: {report.manifest_path}", highlight=False, soft_wrap=True)
        print_ingest_details(console, report.rejected_by_reason, report.notes, report.quarantine_path)
        if aggregate is not None:
            aggregate.parent.mkdir(parents=True, exist_ok=True)
            if aggregate.suffix.lower() == ".parquet":
                report.aggregate.to_parquet(aggregate, index=False)
            else:
                report.aggregate.to_csv(aggregate, index=False)
            console.print(f"aggregate: {len(report.aggregate)} village × operator × technology × period rows → "
                          f"{aggregate}", highlight=False, soft_wrap=True)

    measurements_app.command("load")(handle_errors(load))
