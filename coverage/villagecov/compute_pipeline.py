"""Compute step of the pipeline: read the store, run :mod:`villagecov.compute`, write results.

All results (village_coverage, village_summary, indicators and the ``runs`` row) are written
in one transaction, replacing the previous compute results. The run id is derived from the
hash of the inputs (store tables, raster files, the settings that matter, engine version), so
recomputing unchanged inputs writes identical rows under the same run id.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

import villagecov
from villagecov import challenges
from villagecov.boundary_reforms import check_level
from villagecov.catalogue import HEADLINE
from villagecov.compute.rasters import RasterLayer, read_raster
from villagecov.compute.run import ComputeInputs, compute_all_vintages
from villagecov.errors import InputError, NotFound
from villagecov.rules import latest_vintage
from villagecov.settings import PROJECT_ROOT, Settings, StoreSettings
from villagecov.storage import Store, open_store
from villagecov.target_groups import load_target_groups
from villagecov.targets import load_targets

ENGINE_VERSION = "compute-3"  # 3: extent-aware supersede, corrections, withdrawals
INPUT_TABLES = ("villages", "coverage", "admin_units", "crosswalk", "places", "measurements", "services", "sites")
RESULT_TABLES = ("village_coverage", "village_summary", "indicators")
SETTINGS_USED = (
    "threshold_dbm_2g", "threshold_dbm_3g", "threshold_dbm_4g", "threshold_dbm_5g", "covered_share",
    "partial_share", "target_share", "remote_distance_km", "remote_elevation_m", "remote_border_communes",
    "remote_mountainous_communes", "compute_tile_m", "indicator_evidence", "contradiction_min_tests",
    "contradiction_fail_share", "measured_min_dl_mbps", "measurement_window_days", "indicator_targets",
    "reporting_period", "tower_group_m", "remote_centre", "remote_commune_distance_km",
)


@dataclass
class ComputeSummary:
    run_id: str
    inputs_hash: str
    vintages: list[str]
    village_coverage_rows: int
    indicator_rows: int
    villages: int
    seconds: float
    unchanged: bool
    headline: pd.DataFrame = field(default_factory=pd.DataFrame)
    published: bool = False
    periods: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = [
            f"compute run {self.run_id} — " + ("inputs unchanged, same results" if self.unchanged else "results written")
            + (" (a published run: its figures reproduced byte for byte)" if self.published else ""),
            "periods: " + (", ".join(f"{p} (as of {d})" for p, d in zip(self.periods, self.vintages, strict=False))
                           or "(none: no villages in the store)"),
            f"villages: {self.villages}; village_coverage rows: {self.village_coverage_rows:,}; "
            f"indicator rows: {self.indicator_rows:,}; {self.seconds:.1f} s",
        ]
        if not self.headline.empty:
            lines.append(render_headline(self.headline))
        return "\n".join(lines)


def render_headline(frame: pd.DataFrame) -> str:
    """Plain-text table of headline indicators (value, baseline, target)."""
    lines = [f"{'indicator':<36} {'as_of':<10} {'value':>9} {'baseline':>9} {'target':>7}  unit"]
    for _, r in frame.iterrows():
        no_data = r.get("status") == "no_data"
        lines.append(
            f"{r['indicator']:<36} {r['as_of']:<10} {'no data' if no_data else _fmt(r['value']):>9} "
            f"{_fmt(r['baseline']):>9} {_fmt(r['target']):>7}  {r['unit_name'] or r['unit_code']} "
            f"({r['boundary_version']})" + (f" — {r['reason']}" if no_data else "")
        )
    return "\n".join(lines)


def _fmt(v: object) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):.3f}"  # type: ignore[arg-type]


def _frame_digest(h: hashlib._Hash, name: str, frame: pd.DataFrame) -> None:
    """Feed a table's normalised content (values, column names, geometry WKB) into ``h``."""
    h.update(f"{name}:{len(frame)}:{','.join(map(str, frame.columns))}".encode())
    if "geometry" in frame.columns:
        for wkb in frame.geometry.to_wkb():
            h.update(b"" if wkb is None else wkb)
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    if len(frame):
        h.update(pd.util.hash_pandas_object(frame.astype(object), index=False).to_numpy().tobytes())


def _file_sha(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def resolve_raster(path: str, settings: StoreSettings) -> Path:
    """A coverage row's raster_path: absolute, or relative to the archive, project or data dir."""
    p = Path(path)
    candidates = [p] if p.is_absolute() else [settings.archive_dir / p, PROJECT_ROOT / p, settings.data_dir / p]
    for c in candidates:
        if c.exists():
            return c
    raise InputError("coverage raster is missing", file=path, field="raster_path")


SUBMITTED_TABLES = ("villages", "coverage", "measurements", "services", "sites")


def in_force(frames: dict[str, pd.DataFrame], submissions: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Input rows without those of withdrawn submissions, each with its submission's id (rows stored
    before ids existed: matched by sha256 and kind) and receive rank (``supersede.ORDER``)."""
    from villagecov.compute.supersede import ORDER
    from villagecov.submissions import withdrawn_ids

    gone = withdrawn_ids(submissions)
    live = [s for s in submissions["submission_id"] if s not in gone] if len(submissions) else []
    rank = {sid: i for i, sid in enumerate(live)}  # withdrawn ones leave no gap: as if never sent
    out = dict(frames)
    for name in SUBMITTED_TABLES:
        frame = frames[name]
        if frame.empty:
            out[name] = frame.assign(**{ORDER: pd.Series(dtype="float64")})
            continue
        sid = frame["submission_id"]
        if sid.isna().any() and len(submissions):
            kind = "coverage" if name == "coverage" else name
            legacy = submissions[submissions["kind"] == kind].drop_duplicates("sha256", keep=False)
            sid = sid.fillna(frame["sha256"].map(dict(zip(legacy["sha256"], legacy["submission_id"], strict=True))))
        frame = frame.assign(submission_id=sid)
        frame = frame[~frame["submission_id"].isin(gone)]
        out[name] = frame.assign(**{ORDER: frame["submission_id"].map(rank).astype("float64")}).reset_index(drop=True)
    return out


def load_inputs(store: Store, settings: Settings) -> tuple[ComputeInputs, str]:
    """Read every input table and raster; return them with the sha256 of all inputs."""
    inputs, inputs_hash, _ = load_recorded_inputs(store, settings)
    return inputs, inputs_hash


def _submission_record(submissions: pd.DataFrame) -> list[dict[str, object]]:
    cols = ["submission_id", "kind", "filename", "sha256", "as_of", "status", "submitted_by", "rows_accepted"]
    if submissions.empty:
        return []
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()}  # type: ignore[call-overload]
            for r in submissions[cols].astype(object).to_dict("records")]


def load_recorded_inputs(store: Store, settings: Settings) -> tuple[ComputeInputs, str, dict[str, object]]:
    """Read every input table and raster; return them, the sha256 of all inputs, and the record of
    every input (submissions with their sha256, table digests, files with their sha256, settings)."""
    from villagecov.submissions import read_submissions

    h = hashlib.sha256(f"{ENGINE_VERSION}|{villagecov.__version__}".encode())
    files: list[dict[str, str]] = []
    submissions = read_submissions(store)
    frames = in_force({name: store.read(name) for name in INPUT_TABLES}, submissions)
    extents_frame = store.read("extents")
    extents_frame = extents_frame[~extents_frame["submission_id"].isin(
        set(submissions.loc[submissions["status"] == "withdrawn", "submission_id"]) if len(submissions) else set())]
    # upheld challenges are inputs (an upheld one makes a new run); none: the hash is as before them
    upheld = challenges.upheld(store)
    tables: dict[str, str] = {}
    for name, frame in [*frames.items(), ("extents", extents_frame), *([("challenges", upheld)] if len(upheld) else [])]:
        t = hashlib.sha256()
        _frame_digest(t, name, frame)
        tables[name] = t.hexdigest()
        _frame_digest(h, name, frame)
    used = {k: getattr(settings, k) for k in SETTINGS_USED}
    h.update(json.dumps(used, sort_keys=True, default=str).encode())
    rasters: dict[str, RasterLayer] = {}
    cov = frames["coverage"]
    for path, kind in sorted(set(zip(cov["raster_path"].dropna(), cov["value_kind"].fillna("signal_dbm"), strict=False))):
        real = resolve_raster(path, settings)
        sha = _file_sha(real)
        h.update(f"{path}:{sha}".encode())
        files.append({"role": f"coverage raster ({kind})", "path": path, "sha256": sha})
        rasters[path] = read_raster(real, "class" if kind == "class" else "signal_dbm")
    population = terrain = population_source = None
    if settings.population_raster is not None:
        population_source = {"file": Path(settings.population_raster).name,
                             "sha256": _file_sha(settings.population_raster), "path": str(settings.population_raster)}
    else:
        from villagecov.sources.population import latest_population

        population_source = latest_population(store)  # `villagecov ingest population GRID.tif`
    if population_source is not None:
        from villagecov.compute.population import raster_points

        h.update(f"population:{population_source['sha256']}".encode())
        files.append({"role": "population grid", "path": str(population_source["path"]),
                      "sha256": str(population_source["sha256"])})
        population = raster_points(Path(population_source["path"]))
    if settings.terrain_raster is not None:
        sha = _file_sha(settings.terrain_raster)
        h.update(f"terrain:{sha}".encode())
        files.append({"role": "DEM (terrain)", "path": str(settings.terrain_raster), "sha256": sha})
        terrain = read_raster(settings.terrain_raster, "elevation_m")
    targets = load_targets(settings.targets_file)
    sha = _file_sha(settings.targets_file)
    h.update(f"targets:{sha}".encode())
    files.append({"role": "official targets", "path": str(settings.targets_file), "sha256": sha})
    groups = None
    if settings.target_groups_file is not None:
        groups = load_target_groups(settings.target_groups_file)
        sha = _file_sha(settings.target_groups_file)
        h.update(f"groups:{sha}".encode())
        files.append({"role": "target groups", "path": str(settings.target_groups_file), "sha256": sha})
    inputs = ComputeInputs(
        targets=targets, target_groups=groups,
        villages=frames["villages"], coverage=frames["coverage"], admin_units=frames["admin_units"],
        crosswalk=frames["crosswalk"], places=frames["places"], measurements=frames["measurements"],
        services=frames["services"], sites=frames["sites"], population=population, terrain=terrain, rasters=rasters,
        population_source=population_source,
        extents=dict(zip(extents_frame["submission_id"], extents_frame.geometry.values, strict=True)),
        challenges=upheld,
    )
    live = submissions[submissions["status"] != "withdrawn"] if len(submissions) else submissions
    gone = submissions[submissions["status"] == "withdrawn"] if len(submissions) else submissions
    record: dict[str, object] = {
        "engine": ENGINE_VERSION, "version": villagecov.__version__, "inputs_hash": h.hexdigest(),
        "submissions": _submission_record(live), "withdrawn": _submission_record(gone),
        "tables": tables, "files": files, "settings": used,
        "challenges_upheld": sorted(str(c) for c in upheld["challenge_id"]),
    }
    return inputs, h.hexdigest(), record


def headline(indicators: pd.DataFrame, boundaries: str = "2019") -> pd.DataFrame:
    """Province-level headline indicators at the latest vintage of one boundary version."""
    if indicators.empty:
        return indicators
    p = indicators[(indicators["level"] == "province") & (indicators["boundary_version"] == boundaries)
                   & indicators["indicator"].isin(HEADLINE)]
    if p.empty:
        return p
    p = latest_vintage(p, None)
    order = {k: i for i, k in enumerate(HEADLINE)}
    return p.sort_values("indicator", key=lambda s: s.map(order)).reset_index(drop=True)


def compute_all(settings: Settings, progress: Callable[[str], None] | None = None,
                actor: str | None = None, scheduler: str | None = None) -> ComputeSummary:
    """Compute village coverage and indicators for every reporting period; store them in one
    transaction. The served results are replaced; the run's record and its result bytes are kept
    (:mod:`villagecov.runs`); a published run is never rewritten. ``scheduler``: village coverage
    on Dask in commune blocks (:mod:`villagecov.scale`: an address or ``local:N``); same results."""
    if scheduler:
        from villagecov.scale.blocks import vintage_runner
        from villagecov.scale.cluster import dask_client

        with dask_client(scheduler) as client:
            return _compute_all(settings, progress, actor, vintage_runner(client))  # type: ignore[arg-type]
    return _compute_all(settings, progress, actor, None)


def _compute_all(settings: Settings, progress: Callable[[str], None] | None, actor: str | None,
                 vintage: Callable | None) -> ComputeSummary:
    from villagecov import runs as runs_mod
    from villagecov.submissions import default_actor, log_change

    started = datetime.now(UTC)
    t0 = time.perf_counter()
    store = open_store(settings.store, initialize=True)
    try:
        inputs, inputs_hash, record = load_recorded_inputs(store, settings)
        run_id = "compute-" + inputs_hash[:16]
        previous = store.read("runs", where={"kind": "compute"})
        unchanged = run_id in set(previous["run_id"])
        published = set(previous.loc[previous["status"] == "published", "run_id"])
        results = (compute_all_vintages(inputs, settings, progress, vintage) if vintage
                   else compute_all_vintages(inputs, settings, progress))
        vc = results.village_coverage.assign(run_id=run_id)
        summary = results.village_summary.assign(run_id=run_id)
        indicators = results.indicators.assign(run_id=run_id)
        seconds = time.perf_counter() - t0
        details = {"vintages": results.vintages, "periods": results.periods,
                   "village_coverage_rows": len(vc), "indicator_rows": len(indicators),
                   "villages": int(inputs.villages["village_id"].nunique()) if len(inputs.villages) else 0,
                   "compute_seconds": round(seconds, 3), "engine": ENGINE_VERSION,
                   "population_grid": ({k: inputs.population_source[k] for k in ("file", "sha256")}
                                       if inputs.population_source else None)}
        files = runs_mod.run_files({"indicators": indicators, "village_summary": summary, "village_coverage": vc},
                                   {**record, "run_id": run_id})
        if run_id in published:
            runs_mod.check_reproduced(store, run_id, files)
        with store.transaction() as tx:
            for name in RESULT_TABLES:  # the served results: this run's only
                tx.delete(name, {"run_id": [r for r in [*previous["run_id"].dropna(), run_id]]})
            tx.append("village_coverage", vc)
            tx.append("village_summary", summary)
            tx.append("indicators", indicators)
            if run_id not in published:
                tx.delete("runs", {"run_id": run_id})
                runs_mod.write_files(tx, run_id, files)
                tx.append("runs", pd.DataFrame([{
                    "run_id": run_id, "kind": "compute", "started_at": started, "finished_at": datetime.now(UTC),
                    "inputs_hash": inputs_hash, "details": json.dumps(details, sort_keys=True), "status": "draft",
                    "inputs": json.dumps(record, sort_keys=True, ensure_ascii=False, default=str),
                }]))
            log_change(tx, actor or default_actor(), "compute", run_id,
                       {"unchanged": unchanged, "published": run_id in published, "periods": results.periods})
    finally:
        store.close()
    return ComputeSummary(
        run_id=run_id, inputs_hash=inputs_hash, vintages=results.vintages, village_coverage_rows=len(vc),
        indicator_rows=len(indicators), villages=details["villages"], seconds=time.perf_counter() - t0,
        unchanged=unchanged, headline=headline(results.indicators), published=run_id in published,
        periods=results.periods,
    )


def read_indicators(settings: StoreSettings, *, level: str | None = None, as_of: str | None = None,
                    boundaries: str = "2019", period: str | None = None, run: str | None = None) -> pd.DataFrame:
    """Stored indicators of one boundary version and reporting period (village rows excluded unless
    level=village).

    ``period``: a year, quarter, month or date (:mod:`villagecov.compute.periods`); ``as_of``: the
    period that date falls in, else the latest before it; neither: the latest period. ``run``: the
    rows kept by that run (text cells exactly as kept) instead of the served ones.
    """
    if as_of is not None:
        try:
            as_of = datetime.strptime(as_of, "%Y-%m-%d").date().isoformat()
        except ValueError:
            raise InputError(f"--as-of {as_of!r} is not a date YYYY-MM-DD", field="--as-of") from None
    check_level(level, boundaries)  # "districts were abolished on 1 July 2025", not "run compute first"
    levels = [level] if level else ["province", "district", "commune"]
    store = open_store(settings.store)
    try:
        if run:
            from villagecov import runs

            frame = runs.read_indicators(store, run)
            frame = frame[(frame["boundary_version"] == boundaries) & frame["level"].isin(levels)]
        else:
            frame = store.read("indicators", where={"boundary_version": boundaries, "level": levels})
    finally:
        store.close()
    if frame.empty:
        raise NotFound("no indicators in the store: run `villagecov compute` first" if not run
                       else f"run {run} has no indicators at level {level or 'province'} on boundaries {boundaries}")
    frame = frame[frame["as_of"] == pick_vintage(frame, as_of=as_of, period=period)]
    order = {"province": 0, "district": 1, "commune": 2, "village": 3}
    frame = frame.assign(_o=frame["level"].map(order)).sort_values(["_o", "unit_code", "indicator"], kind="stable")
    return frame.drop(columns="_o").reset_index(drop=True)


def pick_vintage(frame: pd.DataFrame, *, as_of: str | None = None, period: str | None = None) -> str:
    """The vintage (as_of) of indicator rows that a period or a date asks for (see read_indicators)."""
    from villagecov.compute import periods as per

    labels = frame[["as_of", "period"]].drop_duplicates("as_of")
    labels["period"] = labels["period"].where(labels["period"].notna() & (labels["period"] != ""), labels["as_of"])
    stored = per.granularity_of(labels["period"]) or "date"
    if period is not None:
        kind, wanted = per.parse(period)
        if per.GRANULARITIES.index(kind) > per.GRANULARITIES.index(stored):
            raise InputError(f"--period {period}: the figures are computed per {stored}; compute them per {kind} "
                             f"(`villagecov compute --periods {kind}`) or ask for the {stored}", field="--period")
        inside = labels[[per.label(d, kind) == wanted for d in labels["as_of"]]]
        if inside.empty:
            raise NotFound(f"no figures for period {wanted}; periods: {', '.join(labels['period'])}")
        return str(inside["as_of"].max())
    dates = sorted(labels["as_of"])
    if as_of is None:
        return dates[-1]
    same = labels[labels["period"] == per.label(as_of, stored)]
    if len(same):
        return str(same["as_of"].max())
    pick = max((d for d in dates if d <= as_of), default=None)
    if pick is None:
        raise NotFound(f"no indicators at or before {as_of}; first vintage is {dates[0]}")
    return pick


def village_coverage_layer(store: Store, as_of: str | None = None) -> pd.DataFrame:
    """village_coverage rows joined to the village polygons (EPSG:4326) of their vintage.

    ``as_of``: only the latest computed vintage at or before that date (default: all vintages).
    """
    import geopandas as gpd

    from villagecov.schema import STORAGE_CRS

    rows = store.read("village_coverage")
    if as_of is not None and len(rows):
        rows = latest_vintage(rows, as_of)
    parts = []
    for date, group in rows.groupby("as_of", sort=True):
        villages = store.read("villages", as_of=date)[["village_id", "name", "commune_code", "geometry"]]
        parts.append(gpd.GeoDataFrame(group.merge(villages, on="village_id", how="left"), geometry="geometry",
                                      crs=STORAGE_CRS))
    if not parts:
        empty = rows.assign(name=None, commune_code=None)
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=STORAGE_CRS), crs=STORAGE_CRS)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=STORAGE_CRS)


def indicators_table(frame: pd.DataFrame) -> object:
    """A rich Table of indicator rows: unit (Vietnamese name), indicator, value, num/den, baseline, target."""
    from rich.table import Table

    title = "Indicators"
    if len(frame):
        title = f"Indicators — {frame['level'].iloc[0]}, boundaries {frame['boundary_version'].iloc[0]}, as of {frame['as_of'].iloc[0]}"
    table = Table(title=title)
    for col, justify in (("đơn vị / unit", "left"), ("code", "left"), ("indicator", "left"), ("value", "right"),
                         ("numerator", "right"), ("denominator", "right"), ("baseline", "right"), ("target", "right"),
                         ("note", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in frame.itertuples(index=False):
        no_data = getattr(r, "status", None) == "no_data"
        table.add_row(str(r.unit_name or ""), str(r.unit_code), str(r.indicator),
                      "no data" if no_data else _fmt(r.value), _num(r.numerator),
                      _num(r.denominator), _fmt(r.baseline), _fmt(r.target),
                      str(r.reason) if no_data and isinstance(getattr(r, "reason", None), str) else "")
    return table


def _num(v: object) -> str:
    if v is None or pd.isna(v):  # type: ignore[arg-type]
        return "—"
    f = float(v)  # type: ignore[arg-type]
    return f"{f:,.0f}" if f == round(f) else f"{f:,.2f}"
