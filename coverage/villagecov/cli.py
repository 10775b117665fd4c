"""The `villagecov` command. Reads settings once, calls the pipeline, maps errors to exit codes.

On a :class:`~villagecov.errors.VillagecovError` the command prints one line on stderr (no
traceback) and exits with the error's exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from villagecov.cli_common import (
    SchedulerOpt,
    StoreOpt,
    _settings,
    console,
    err_console,
    handle_errors,
    print_ingest_details,
)
from villagecov.cli_records import register as _register_records
from villagecov.cli_report import register as _register_reports
from villagecov.cli_scale import register as _register_scale
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

@app.command()
@handle_errors
def doctor(
    store: StoreOpt = None,
    repair: Annotated[bool, typer.Option("--repair", help="clear what a killed writer left (working copies, "
                                         "journals, stuck upload jobs) and check the store's integrity")] = False,
) -> None:
    """Versions of GDAL, PROJ, GEOS and the store (PostGIS: postgis_full_version())."""
    from villagecov.pipeline import doctor_report

    if repair:
        from villagecov.repair import repair_all

        for line in repair_all(_settings(store)):
            console.print(f"[bold]repair[/]: {line}", highlight=False, soft_wrap=True)
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


@ingest_app.command("population")
@handle_errors
def ingest_population_cmd(
    path: Annotated[Path, typer.Argument(help="population grid GeoTIFF (people per pixel, e.g. WorldPop)")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="year or date of the grid")] = None,
    store: StoreOpt = None,
) -> None:
    """Population grid (WorldPop-style GeoTIFF): weights coverage by people inside villages."""
    from villagecov.errors import DuplicateSubmission
    from villagecov.sources.population import ingest_population
    from villagecov.storage import open_store

    settings = _settings(store)
    with open_store(settings.store) as st:
        try:
            info = ingest_population(settings, st, path, as_of)
        except DuplicateSubmission as exc:
            console.print(f"[yellow]unchanged:[/] {exc}", highlight=False, soft_wrap=True)
            return
    console.print(f"[bold green]ingested[/] {info['file']} as population: {info['cells']} populated pixels, "
                  f"{info['people']:,.0f} people over Quảng Bình (sha256 {info['sha256'][:12]}); used by the next "
                  "compute", highlight=False, soft_wrap=True)
    console.print(f"archive: {info['clipped']}", highlight=False, soft_wrap=True)


def _ingest(kind: str, path: Path, store: str | None, **opts: Any) -> None:
    from villagecov.errors import DuplicateSubmission
    from villagecov.ingest import ingest_file
    from villagecov.sources.common import IngestOptions, parse_columns
    from villagecov.storage import open_store

    columns_file = opts.pop("columns_file")
    if columns_file and not Path(columns_file).is_file():
        from villagecov.errors import InputError

        raise InputError("no such file", file=str(columns_file), field="--columns-file")
    text = Path(columns_file).read_text(encoding="utf-8-sig") if columns_file else None
    actor = opts.pop("actor", None)
    options = IngestOptions(columns=parse_columns(opts.pop("columns"), text), **opts)
    settings = _settings(store)
    with open_store(settings.store) as st:
        try:
            report = ingest_file(settings, st, kind, path, options, actor=actor)
        except DuplicateSubmission as exc:
            console.print(f"[yellow]unchanged:[/] {exc}", highlight=False, soft_wrap=True)
            return
    accepted = ", ".join(f"{n} {t}" for t, n in report.accepted.items())
    console.print(f"[bold green]ingested[/] {report.file} as {kind}: {accepted} rows accepted, "
                  f"{report.rejected} rejected (submission {report.submission_id})", highlight=False, soft_wrap=True)
    console.print(f"archive: {report.archive_path}", highlight=False, soft_wrap=True)
    print_ingest_details(console, report.rejected_by_reason, report.notes, report.quarantine_path)


def _register_ingest(kind: str, help_text: str) -> None:
    def command(
        path: Annotated[Path, typer.Argument(help="input file")],
        operator: Annotated[str | None, typer.Option(help="operator id or MNC (viettel, 4, ...)")] = None,
        technology: Annotated[str | None, typer.Option(help="2G, 3G, 4G or 5G")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="date of the data, YYYY-MM-DD")] = None,
        assume_crs: Annotated[str | None, typer.Option("--assume-crs", help="CRS of the coordinates, e.g. EPSG:32648")] = None,
        layer: Annotated[str | None, typer.Option(help="layer of a GeoPackage/zip/KML")] = None,
        columns: Annotated[str | None, typer.Option(help="column mapping SOURCE=TARGET,...")] = None,
        columns_file: Annotated[Path | None, typer.Option("--columns-file", help="mapping file (JSON or a=b lines)")] = None,
        evidence: Annotated[str | None, typer.Option(help="coverage: declared | modelled | measured")] = None,
        value: Annotated[str | None, typer.Option(help="coverage raster: signal_dbm | class")] = None,
        boundaries: Annotated[str | None, typer.Option("--boundaries", help="boundary version of commune codes "
                                                       "(default: told by the codes, else 2019)")] = None,
        sheet: Annotated[str | None, typer.Option(help="spreadsheet: sheet name or number")] = None,
        classes: Annotated[str | None, typer.Option(help="class raster: meaning of values, e.g. 1=strong,2=variable")
                           ] = None,
        extent: Annotated[str | None, typer.Option("--extent", help="coverage: area it speaks for, unit codes "
                                                   "CODE,CODE or a polygon file (default: footprint)")] = None,
        by: Annotated[str | None, typer.Option("--by", help="who submits (default: VILLAGECOV_USER or login)")] = None,
        store: StoreOpt = None,
    ) -> None:
        _ingest(kind, path, store, operator=operator, technology=technology, as_of=as_of, assume_crs=assume_crs,
                layer=layer, columns=columns, columns_file=columns_file, evidence=evidence, value=value,
                boundary_version=boundaries, sheet=sheet, classes=classes, extent=extent, actor=by)

    command.__doc__ = help_text
    ingest_app.command(kind)(handle_errors(command))


for _kind, _help in (
    ("villages", "Villages: polygons, points or no coordinates (GeoJSON, GeoPackage, Shapefile, MapInfo TAB/MIF, "
                 "GeoParquet, KML, CSV, XLSX/XLS/ODS; .gz/.zip/.7z)."),
    ("sites", "Sites: OpenCelliD cell export (452.csv.gz, headerless; cells → BTS → towers) or a sites table."),
    ("coverage", "Operator coverage: polygons (any vector format incl. MapInfo, any CRS) or a GeoTIFF (dBm or "
                 "classes)."),
    ("measurements", "Drive-test / crowd CSV or Ookla open-data tiles (Parquet, zipped Shapefile, CSV; mobile/fixed)."),
    ("services", "Task 9 village survey (CSV or spreadsheet: fixed broadband, radio, TV, press, post)."),
):
    _register_ingest(_kind, _help)


@app.command()
@handle_errors
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="build and print, do not serve")] = False,
    store: StoreOpt = None,
) -> None:
    """The main job on the embedded store: build it from data/ and print a summary."""
    from villagecov.maps.build import build_all_maps
    from villagecov.pipeline import run_demo
    from villagecov.storage import open_store

    settings = _settings(store)
    run_demo(settings, console=console)
    console.rule("4/5 maps")
    opened = open_store(settings.store)
    try:
        built = build_all_maps(opened, Path(settings.maps_dir))
    finally:
        opened.close()
    base = f"http://{settings.api_host}:{settings.api_port}"
    console.print(f"{len(built.files)} map files in {settings.maps_dir}", highlight=False)
    console.rule("5/5 API and maps")
    for label, path in [("API", "/"), ("API docs", "/docs"), ("maps", "/maps/")]:
        console.print(f"{label:<9} {base}{path}", highlight=False)
    for url in built.urls(base)[:6]:
        console.print(f"          {url}", highlight=False)
    if not no_serve:
        _serve(settings, settings.api_host, settings.api_port)


@app.command()
@handle_errors
def export(
    kind: Annotated[str, typer.Argument(help="communes, districts, province, crosswalk, villages, ...")],
    fmt: Annotated[str, typer.Option("--format", help="geojson | csv | gpkg")] = "geojson",
    out: Annotated[Path | None, typer.Option("--out", help="output file (default: stdout for geojson/csv)")] = None,
    boundaries: Annotated[str, typer.Option("--boundaries", help="boundary version")] = "2019",
    as_of: Annotated[str | None, typer.Option("--as-of", help="vintage date YYYY-MM-DD")] = None,
    run: Annotated[str | None, typer.Option("--run", help="a run's kept results, byte for byte: indicators, "
                                            "village_summary, village_coverage (CSV) or inputs (JSON)")] = None,
    store: StoreOpt = None,
) -> None:
    """Export a table or layer of the store."""
    from villagecov.pipeline import export_layer

    if run:
        from villagecov.cli_records import export_run

        export_run(_settings(store), run, kind, fmt, out)
        return
    written = export_layer(_settings(store), kind, fmt, out, boundaries=boundaries, as_of=as_of)
    if out is not None:
        err_console.print(f"wrote {written} features to {out}")


@app.command()
@handle_errors
def compute(
    periods: Annotated[str | None, typer.Option("--periods", help="reporting period length: year | quarter | "
                                                "month | date (default: VILLAGECOV_REPORTING_PERIOD, year)")] = None,
    by: Annotated[str | None, typer.Option("--by", help="who runs it (audit log)")] = None,
    scheduler: SchedulerOpt = None,
    store: StoreOpt = None,
) -> None:
    """Compute village coverage and the Task 8 / Task 9 indicators for every reporting period."""
    from villagecov.compute.periods import GRANULARITIES
    from villagecov.compute_pipeline import compute_all
    from villagecov.errors import InputError

    settings = _settings(store)
    if periods:
        if periods not in GRANULARITIES:
            raise InputError(f"unknown period length {periods!r}: use {', '.join(GRANULARITIES)}", field="--periods")
        settings = settings.model_copy(update={"reporting_period": periods})
    with console.status("computing village coverage…") as status:
        summary = compute_all(settings, progress=lambda d: status.update(f"computing vintage {d}…"), actor=by,
                              scheduler=scheduler or settings.dask_scheduler)
    console.print(summary.render(), highlight=False)


@app.command()
@handle_errors
def indicators(
    level: Annotated[str, typer.Option("--level", help="province | district | commune | village")] = "province",
    as_of: Annotated[str | None, typer.Option("--as-of", help="the period this date falls in (default: latest)")] = None,
    boundaries: Annotated[str, typer.Option("--boundaries", help="2019 | 2025-01 | 2025-07")] = "2019",
    fmt: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
    indicator: Annotated[str | None, typer.Option("--indicator", help="only indicators starting with this (breakdowns: ID:GROUP)")] = None,
    period: Annotated[str | None, typer.Option("--period", help="reporting period: 2024, 2024Q3, 2024-07")] = None,
    run: Annotated[str | None, typer.Option("--run", help="a run's kept figures (`villagecov runs`)")] = None,
    store: StoreOpt = None,
) -> None:
    """Print the indicators of one level, vintage and boundary version (with baseline and target)."""
    from villagecov.compute_pipeline import indicators_table, read_indicators
    from villagecov.errors import InputError
    from villagecov.schema import BOUNDARY_VERSIONS, LEVELS

    if level not in LEVELS:
        raise InputError(f"unknown level {level!r}: use {', '.join(LEVELS)}", field="--level")
    if boundaries not in BOUNDARY_VERSIONS:
        raise InputError(f"unknown boundaries {boundaries!r}: use {', '.join(BOUNDARY_VERSIONS)}", field="--boundaries")
    if fmt not in ("table", "csv", "json"):
        raise InputError(f"unknown format {fmt!r}: use table, csv or json", field="--format")
    frame = read_indicators(_settings(store), level=level, as_of=as_of, boundaries=boundaries, period=period, run=run)
    if indicator:  # breakdowns by target group ("<id>:<group>") only when the prefix names one
        keep = frame["indicator"].str.startswith(indicator)
        frame = frame[keep & (~frame["indicator"].str.contains(":", regex=False) | (":" in indicator))]
    if run and fmt == "csv":  # the kept text cells, unchanged
        sys.stdout.write(frame.to_csv(index=False, lineterminator="\n"))
        return
    if run:
        from villagecov.runs import typed_indicators

        frame = typed_indicators(frame)
    if fmt == "csv":
        from villagecov.spreadsheet import neutralise_formulas

        sys.stdout.write(neutralise_formulas(frame).to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        # piped output gets a wide table rather than names folded over several lines
        out = console if console.is_terminal else Console(width=160)
        out.print(indicators_table(frame))


@app.command()
@handle_errors
def serve(
    host: Annotated[str | None, typer.Option("--host", help="interface (default: VILLAGECOV_API_HOST)")] = None,
    port: Annotated[int | None, typer.Option("--port", help="TCP port (default: VILLAGECOV_API_PORT)")] = None,
    store: StoreOpt = None,
) -> None:
    """Serve the API and maps with uvicorn."""
    settings = _settings(store)
    _serve(settings, host or settings.api_host, port or settings.api_port)


def _serve(settings: Settings, host: str, port: int) -> None:
    """The one place the API is started (``serve`` and ``demo``)."""
    import uvicorn

    from villagecov.api.app import create_app  # the CLI is the edge: it may wire the web layer
    from villagecov.storage import open_store

    open_store(settings.store, initialize=True).close()  # bring an older store to the current schema first
    err_console.print(f"serving {settings.store} on http://{host}:{port}/ (docs: /docs)", highlight=False)
    # Idle keep-alive connections close after 5 s; at most 200 connections at once (then 503), so a
    # crowd of slow clients cannot hold every worker thread. Headers and TLS: see docs/security.md.
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", timeout_keep_alive=5,
                limit_concurrency=200, h11_max_incomplete_event_size=64 * 1024, server_header=False)


@maps_app.command("build")
@handle_errors
def maps_build(
    out: Annotated[Path, typer.Option("--out", help="output folder (the API serves var/maps)")] = Path("var/maps"),
    base_url: Annotated[str, typer.Option("--base-url", help="API root as browsers see it ('' = same origin)")] = "",
    lang: Annotated[list[str] | None, typer.Option("--lang", help="vi and/or en (default: both)")] = None,
    boundaries: Annotated[str | None, typer.Option("--boundaries", help="boundary version")] = None,
    no_units: Annotated[bool, typer.Option("--no-units", help="skip district and commune maps")] = False,
    store: StoreOpt = None,
) -> None:
    """Write the interactive maps (HTML, offline assets, index) and print their URLs."""
    from villagecov.maps.build import build_all_maps  # the edge may import maps/; the pipeline never does
    from villagecov.storage import open_store

    settings = _settings(store)
    with open_store(settings.store) as st:
        report = build_all_maps(
            st, out, base_url, langs=lang or ("vi", "en"), boundary_version=boundaries, unit_maps=not no_units
        )
    size = sum(report.files.values()) / 1e6
    console.print(f"wrote {len(report.files)} pages ({size:.1f} MB) to {out}", highlight=False)
    for url in report.urls(base_url or f"http://{settings.api_host}:{settings.api_port}"):
        console.print(url, highlight=False, soft_wrap=True)


@keys_app.command("create")
@handle_errors
def keys_create(
    role: Annotated[str, typer.Option("--role", help="admin | operator | surveyor")] = "operator",
    operator: Annotated[str | None, typer.Option("--operator", help="operator id (operator keys)")] = None,
    communes: Annotated[str | None, typer.Option("--communes", help="commune codes CODE,CODE (surveyor keys)")] = None,
    label: Annotated[str | None, typer.Option("--label", help="who the key is for")] = None,
    expires: Annotated[str | None, typer.Option("--expires", help="expiry: a date YYYY-MM-DD (UTC midnight), "
                                                "an ISO time, or a number of days such as 90d")] = None,
    store: StoreOpt = None,
) -> None:
    """Create an API key. The key is printed once on stdout; only its hash is stored."""
    from villagecov.apikeys import create_key, parse_expiry
    from villagecov.storage import open_store

    codes = [c for c in (communes or "").split(",") if c.strip()]
    with open_store(_settings(store).store, initialize=True) as st:
        info, text = create_key(st, role, operator=operator, communes=codes, label=label,
                                expires_at=parse_expiry(expires))
    scope = info.operator or ",".join(sorted(info.communes)) or "all"
    until = f", expires {info.expires_at:%Y-%m-%d %H:%M} UTC" if info.expires_at else ""
    err_console.print(f"created {info.role} key {info.key_id} ({scope}{until}); store it now, it is not shown again:")
    print(text)


@keys_app.command("list")
@handle_errors
def keys_list(store: StoreOpt = None) -> None:
    """Every key (never its secret): id, role, scope, label, created, expires, state."""
    from villagecov.apikeys import list_keys
    from villagecov.storage import open_store

    with open_store(_settings(store).store, initialize=True) as st:
        keys = list_keys(st)
    if keys.empty:
        err_console.print("no API keys: create one with `villagecov keys create`")
        return
    for r in keys.itertuples():
        scope = r.operator or r.communes or "all"
        expires = "never" if r.expires_at is None or r.expires_at != r.expires_at else f"{r.expires_at:%Y-%m-%d %H:%M}"
        print(f"{r.key_id}\t{r.role}\t{scope}\t{r.state}\tcreated {r.created_at:%Y-%m-%d}\texpires {expires}\t"
              f"{r.label or ''}".rstrip())


@keys_app.command("revoke")
@handle_errors
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="the key's id (second part of vc_<id>_..., see `keys list`)")],
    store: StoreOpt = None,
) -> None:
    """Revoke a key at once: requests with it answer 401 and its queued uploads are not ingested."""
    from villagecov.apikeys import revoke_key
    from villagecov.storage import open_store

    with open_store(_settings(store).store, initialize=True) as st:
        info = revoke_key(st, key_id)
    err_console.print(f"revoked {info.role} key {info.key_id}")


@app.command()
@handle_errors
def predict(
    sites: Annotated[str, typer.Option("--sites", help="sites file (canonical columns) or 'store'")] = "store",
    dem: Annotated[Path | None, typer.Option("--dem", help="DEM: GeoTIFF/.hgt file, VRT, folder or zip of tiles, or "
                                                           "FILE,FILE…; without it: flat earth")] = None,
    operator: Annotated[str | None, typer.Option("--operator", help="operator id (default: all)")] = None,
    technology: Annotated[str | None, typer.Option("--technology", help="2G, 3G, 4G or 5G (default: all)")] = None,
    out: Annotated[Path, typer.Option("--out", help="folder of the COGs")] = Path("var/predictions"),
    resolution: Annotated[float, typer.Option("--resolution", help="cell size (m, EPSG:32648)")] = 100.0,
    radius_km: Annotated[float, typer.Option("--radius-km", help="largest distance from a site")] = 30.0,
    model: Annotated[str, typer.Option("--model", help="hata | free_space (+ terrain with --dem)")] = "hata",
    environment: Annotated[str, typer.Option("--environment", help="Hata: urban | suburban | rural")] = "rural",
    as_of: Annotated[str | None, typer.Option("--as-of", help="sites in service at, and vintage of the result")] = None,
    ingest: Annotated[bool, typer.Option("--ingest/--no-ingest", help="ingest as modelled coverage")] = True,
    scheduler: SchedulerOpt = None,
    store: StoreOpt = None,
) -> None:
    """Predict best-server signal (dBm) per operator × technology from the sites, as COGs."""
    import functools

    from villagecov.propagation.run import run_predict
    from villagecov.scale.cluster import dask_client

    settings = _settings(store)
    with dask_client(scheduler or settings.dask_scheduler) as client:
        engine = None
        if client is not None:
            from villagecov.scale.predict_layers import predict_to_dir_dask

            engine = functools.partial(predict_to_dir_dask, client)
        layers, notes = run_predict(
            settings, sites, out, dem_path=dem, operator=operator, technology=technology, res=resolution,
            radius_km=radius_km, model=model, environment=environment, as_of=as_of, ingest=ingest,  # type: ignore[arg-type]
            engine=engine,
        )
    for layer in layers:
        console.print(f"{layer.operator} {layer.technology}: {layer.sites} sites, {layer.covered_km2:,.0f} km² above "
                      f"threshold → {layer.path}", highlight=False, soft_wrap=True)
    for note in notes:
        console.print(f"  {note}", highlight=False, soft_wrap=True)


@app.command()
@handle_errors
def plan(
    technology: Annotated[str, typer.Option("--technology", help="2G, 3G, 4G or 5G")] = "4G",
    budget: Annotated[float | None, typer.Option("--budget", help="budget in VND")] = None,
    target: Annotated[float | None, typer.Option("--target", help="share to reach, 0–1 (1 = every village)")] = None,
    weight: Annotated[str | None, typer.Option("--weight", help="population | villages")] = None,
    dem: Annotated[Path | None, typer.Option("--dem", help="DEM file, VRT, folder or FILE,FILE… (hilltops, "
                                                           "shadowing)")] = None,
    out: Annotated[Path, typer.Option("--out", help="output folder")] = Path("var/plan"),
    as_of: Annotated[str | None, typer.Option("--as-of", help="vintage date YYYY-MM-DD")] = None,
    exact: Annotated[bool, typer.Option("--exact/--no-exact", help="also solve the integer program (CBC)")] = True,
    curve_points: Annotated[int, typer.Option("--curve-points", help="budgets on the coverage curve")] = 12,
    store: StoreOpt = None,
) -> None:
    """Plan the cheapest new sites for the villages without coverage (greedy and exact)."""
    from villagecov.planning.run import run_plan

    result, paths = run_plan(_settings(store), technology, out, budget_vnd=budget, target_share=target,
                             weight=weight, dem_path=dem, as_of=as_of, exact=exact,  # type: ignore[arg-type]
                             curve_points=curve_points)
    g, e, best = result.greedy, result.exact, result.best
    console.print(f"{len(result.gaps)} gap villages, {len(result.candidates)} useful candidates", highlight=False)
    for s in (g, e):
        console.print(f"  {s.method:>6}: {len(s.chosen)} sites, {s.cost:,.0f} VND, covers {s.value:,.0f} "
                      f"({s.status}, {s.seconds:.1f} s)", highlight=False)
    if result.gap is not None:
        console.print(f"  gap greedy vs exact: {result.gap:.1%}", highlight=False)
    for note in result.notes:
        console.print(f"  note: {note}", highlight=False, soft_wrap=True)
    console.print(f"proposed ({best.method}): {len(best.chosen)} sites, {best.cost:,.0f} VND", highlight=False)
    if result.plan_id:
        console.print(f"saved in the store as plan {result.plan_id} (API: /collections/plan)", highlight=False)
    for name, path in paths.items():
        console.print(f"  {name}: {path}", highlight=False, soft_wrap=True)


_register_records(app)  # `submissions`, `withdraw`, `changes`, `runs`, `publish` (villagecov/cli_records.py)


def main() -> None:
    try:
        app()
    except SystemExit as exc:
        sys.exit(exc.code)

_register_reports(app)  # `report`, `catalogue`, `template survey` (villagecov/cli_report.py)
_register_scale(app)  # `measurements load` on Dask (villagecov/cli_scale.py)


if __name__ == "__main__":
    main()
