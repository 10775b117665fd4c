"""CLI commands for submissions, withdrawals, runs and publication (registered by ``villagecov.cli``)."""


import sys
from typing import Annotated

import pandas as pd
import typer

from villagecov.cli_common import StoreOpt, _settings, console, handle_errors


def _by(by: str | None) -> str:
    from villagecov.submissions import default_actor

    return by or default_actor()


def register(app: typer.Typer) -> None:
    by_opt = typer.Option("--by", help="who is acting (default: VILLAGECOV_USER or the login name)")

    @app.command("submissions")
    @handle_errors
    def submissions_cmd(
        kind: Annotated[str | None, typer.Option("--kind", help="only this kind")] = None,
        status: Annotated[str | None, typer.Option("--status", help="ingested | withdrawn")] = None,
        fmt: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
        store: StoreOpt = None,
    ) -> None:
        """List the submissions: kind, file, sha256, who, when, rows accepted/quarantined, status."""
        from villagecov.storage import open_store
        from villagecov.submissions import list_submissions

        with open_store(_settings(store).store, initialize=True) as st:
            frame = list_submissions(st, kind=kind, status=status)
        _print(frame, fmt, console, "Submissions", ["submission_id", "kind", "filename", "sha256", "submitted_by",
                                                    "received_at", "as_of", "rows_accepted", "rows_rejected",
                                                    "status", "scope", "extent"])

    @app.command("withdraw")
    @handle_errors
    def withdraw_cmd(
        submission_id: Annotated[str, typer.Argument(metavar="ID", help="submission id (see `villagecov submissions`)")],
        reason: Annotated[str, typer.Option("--reason", help="why (kept in the audit trail)")],
        by: Annotated[str | None, by_opt] = None,
        store: StoreOpt = None,
    ) -> None:
        """Withdraw a submission: later computations leave it out; the file and the audit trail stay."""
        from villagecov.storage import open_store
        from villagecov.submissions import withdraw

        with open_store(_settings(store).store, initialize=True) as st:
            row = withdraw(st, submission_id, reason, _by(by))
        console.print(f"withdrawn {row['submission_id']} ({row['kind']} {row['filename']}); run `villagecov compute` "
                      "to recompute without it", highlight=False, soft_wrap=True)

    @app.command("runs")
    @handle_errors
    def runs_cmd(
        fmt: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
        store: StoreOpt = None,
    ) -> None:
        """Compute runs, newest first: id, when, status (draft | published), served now, periods, inputs."""
        import json

        from villagecov.runs import list_runs
        from villagecov.storage import open_store

        with open_store(_settings(store).store, initialize=True) as st:
            frame = list_runs(st)
        details = [json.loads(d) if isinstance(d, str) else {} for d in frame["details"]]
        inputs = [json.loads(d) if isinstance(d, str) else {} for d in frame["inputs"]]
        frame = frame.assign(
            periods=[", ".join(d.get("periods") or d.get("vintages") or []) for d in details],
            submissions=[len(i.get("submissions", [])) for i in inputs],
            files=[len(i.get("files", [])) for i in inputs])
        _print(frame.drop(columns=["details", "inputs"]), fmt, console, "Runs",
               ["run_id", "finished_at", "status", "current", "published_at", "published_by", "periods",
                "submissions", "files", "inputs_hash"])

    @app.command("publish")
    @handle_errors
    def publish_cmd(
        run: Annotated[str, typer.Argument(metavar="RUN", help="run id (see `villagecov runs`)")],
        by: Annotated[str | None, by_opt] = None,
        store: StoreOpt = None,
    ) -> None:
        """Publish a run: immutable from now on; `--run RUN` reads its figures back byte for byte."""
        from villagecov.runs import publish
        from villagecov.storage import open_store

        with open_store(_settings(store).store, initialize=True) as st:
            row = publish(st, run, _by(by))
        console.print(f"published {row['run_id']} (by {row['published_by']})", highlight=False)

    @app.command("changes")
    @handle_errors
    def changes_cmd(
        fmt: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
        store: StoreOpt = None,
    ) -> None:
        """The audit log: who ingested, withdrew, computed or published what, and when."""
        from villagecov.storage import open_store
        from villagecov.submissions import change_log

        with open_store(_settings(store).store, initialize=True) as st:
            frame = change_log(st)
        _print(frame, fmt, console, "Changes", ["at", "actor", "action", "target", "details"])


def export_run(settings: object, run: str, kind: str, fmt: str, out: object) -> None:
    """``export KIND --run ID``: the run's kept bytes, unchanged, to ``--out`` or stdout."""
    from pathlib import Path

    from villagecov import runs
    from villagecov.errors import InputError
    from villagecov.storage import open_store

    with open_store(settings.store) as st:  # type: ignore[attr-defined]
        f = runs.read_file(st, run, kind)
    want = "json" if kind == "inputs" else "csv"
    if fmt not in (want, "geojson"):  # geojson is the command's default format
        raise InputError(f"a run keeps {kind} as {want}: use --format {want}", field="--format")
    if out is None:
        sys.stdout.buffer.write(f.data)
        sys.stdout.flush()
    else:
        Path(out).write_bytes(f.data)  # type: ignore[arg-type]


def _print(frame: pd.DataFrame, fmt: str, console: object, title: str, columns: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    from villagecov.errors import InputError

    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
        return
    if fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1, date_format="iso") + "\n")
        return
    if fmt != "table":
        raise InputError(f"unknown format {fmt!r}: use table, csv or json", field="--format")
    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for _, r in frame.iterrows():
        table.add_row(*("" if v is None or (not isinstance(v, str) and pd.isna(v)) else
                        (str(v)[:12] if c == "sha256" else str(v)) for c, v in ((c, r[c]) for c in columns)))
    out = console if getattr(console, "is_terminal", False) else Console(width=200)
    out.print(table)  # type: ignore[attr-defined]
