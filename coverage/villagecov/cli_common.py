"""What every `villagecov` command shares: the consoles, the settings read at the edge, the
``--store`` option and the mapping of villagecov errors to one line on stderr and an exit code.
The command modules (cli, cli_records, cli_report) import it; it imports none of them."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from villagecov.errors import VillagecovError
from villagecov.settings import Settings

# Wide enough for indicator tables when the output is a pipe or a log file, not a terminal.
console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 200)
F = TypeVar("F", bound=Callable[..., Any])


def settings_from_env() -> Settings:
    return Settings()


def handle_errors(func: F) -> F:
    """Turn villagecov errors into one line on stderr and a non-zero exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VillagecovError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code or 1) from None
        except KeyboardInterrupt:
            err_console.print("interrupted; the store is unchanged")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


StoreOpt = Annotated[
    str | None, typer.Option("--store", help="Store URL or GeoPackage path (default: VILLAGECOV_STORE)")
]
SchedulerOpt = Annotated[
    str | None, typer.Option("--scheduler", help="Dask scheduler: tcp://HOST:8786, or local:N for N local worker "
                             "processes (default: VILLAGECOV_DASK_SCHEDULER; none: one process)")
]


def _settings(store: str | None) -> Settings:
    s = settings_from_env()
    return s.model_copy(update={"store": store}) if store else s


def print_ingest_details(console: Console, rejected_by_reason: dict[str, int], notes: list[str],
                         quarantine_path: object | None) -> None:
    """What an ingest rejected (most common reason first), its notes and its quarantine report."""
    for reason, n in sorted(rejected_by_reason.items(), key=lambda kv: -kv[1]):
        console.print(f"  [red]{n:>7}[/] {reason}", highlight=False, soft_wrap=True)
    for note in notes:
        console.print(f"  note: {note}", highlight=False, soft_wrap=True)
    if quarantine_path:
        console.print(f"quarantine: {quarantine_path} (+ .json)", highlight=False, soft_wrap=True)
