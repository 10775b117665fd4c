"""The `villagecov` command. Reads settings once, calls the pipeline, maps errors to exit codes.

On a :class:`~villagecov.errors.VillagecovError` the command prints one line on stderr (no
traceback) and exits with the error's exit code.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from villagecov.errors import NotYetAvailable, VillagecovError
from villagecov.settings import Settings

app = typer.Typer(
    name="villagecov",
    help="Telecom coverage of Quảng Bình's villages (tasks 8 and 9): ingest, compute, serve.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
ingest_app = typer.Typer(help="Ingest an input file into the store.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
maps_app = typer.Typer(help="Interactive maps.", no_args_is_help=True)
app.add_typer(maps_app, name="maps")

console = Console()
err_console = Console(stderr=True)
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


def not_yet(what: str) -> None:
    raise NotYetAvailable(f"`villagecov {what}` is not yet available in this version")


StoreOpt = Annotated[
    str | None, typer.Option("--store", help="Store URL or GeoPackage path (default: VILLAGECOV_STORE)")
]


def _settings(store: str | None) -> Settings:
    s = settings_from_env()
    return s.model_copy(update={"store": store}) if store else s


@app.command()
@handle_errors
def doctor(store: StoreOpt = None) -> None:
    """Versions of GDAL, PROJ, GEOS and the store (PostGIS: postgis_full_version())."""
    from villagecov.pipeline import doctor_report

    for key, value in doctor_report(_settings(store)).items():
        console.print(f"[bold]{key}[/]: {value}", highlight=False, soft_wrap=True)


@ingest_app.command("boundaries")
@handle_errors
def ingest_boundaries_cmd(
    data_dir: Annotated[Path | None, typer.Argument(help="folder with the boundary files")] = None,
    store: StoreOpt = None,
) -> None:
    """Load province, districts, communes (2019, 2025-01, 2025-07), crosswalk, census and seats."""
    from villagecov.pipeline import ingest_boundaries

    settings = _settings(store)
    summary = ingest_boundaries(settings, data_dir or settings.data_dir, progress=console)
    console.print(summary.render(), highlight=False)


@app.command()
@handle_errors
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="build and print, do not serve")] = False,
    store: StoreOpt = None,
) -> None:
    """The main job on the embedded store: build it from data/ and print a summary."""
    from villagecov.pipeline import run_demo

    run_demo(_settings(store), serve=not no_serve, console=console)


@app.command()
@handle_errors
def export(
    kind: Annotated[str, typer.Argument(help="communes, districts, province, crosswalk, villages, ...")],
    fmt: Annotated[str, typer.Option("--format", help="geojson | csv | gpkg")] = "geojson",
    out: Annotated[Path | None, typer.Option("--out", help="output file (default: stdout for geojson/csv)")] = None,
    boundaries: Annotated[str, typer.Option("--boundaries", help="boundary version")] = "2019",
    as_of: Annotated[str | None, typer.Option("--as-of", help="vintage date YYYY-MM-DD")] = None,
    store: StoreOpt = None,
) -> None:
    """Export a table or layer of the store."""
    from villagecov.pipeline import export_layer

    written = export_layer(_settings(store), kind, fmt, out, boundaries=boundaries, as_of=as_of)
    if out is not None:
        err_console.print(f"wrote {written} features to {out}")


@app.command()
@handle_errors
def compute(store: StoreOpt = None) -> None:
    """Compute village coverage and indicators."""
    not_yet("compute")


@app.command()
@handle_errors
def indicators(store: StoreOpt = None) -> None:
    """Print indicators."""
    not_yet("indicators")


@app.command()
@handle_errors
def serve(store: StoreOpt = None) -> None:
    """Serve the API and maps with uvicorn."""
    not_yet("serve")


@maps_app.command("build")
@handle_errors
def maps_build(out: Annotated[Path, typer.Option("--out")] = Path("var/maps"), store: StoreOpt = None) -> None:
    """Write the interactive maps as HTML."""
    not_yet("maps build")


@keys_app.command("create")
@handle_errors
def keys_create(role: Annotated[str, typer.Option("--role")] = "operator", store: StoreOpt = None) -> None:
    """Create an API key (printed once)."""
    not_yet("keys create")


def main() -> None:
    try:
        app()
    except SystemExit as exc:
        sys.exit(exc.code)


if __name__ == "__main__":
    main()
