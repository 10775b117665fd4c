"""Glue for `villagecov predict`: select sites, build the grid, predict per operator × technology,
write one COG each. Inputs are frames (sites as in ``schema.TABLES['sites']``, EPSG:4326); the
CLI reads them from a file or the store. Grid in EPSG:32648, ``res`` metres.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from villagecov.errors import InputError
from villagecov.frames import normalize
from villagecov.propagation.linkbudget import site_budget
from villagecov.propagation.predict import Model, Prediction, best_server
from villagecov.propagation.raster import Grid, write_cog
from villagecov.propagation.terrain import Dem, load_dem
from villagecov.schema import METRIC_CRS, MOBILE_OPERATORS, TABLES
from villagecov.settings import Settings

SIGNAL_FLOOR_DBM = -150.0  # written rasters: weaker cells read as −150 dBm (no service)
SIGNAL_CEIL_DBM = -40.0


@dataclass(frozen=True)
class PredictedLayer:
    operator: str
    technology: str
    path: Path
    sites: int
    covered_km2: float
    terrain: bool
    terrain_missing_share: float = 0.0  # share of the grid without DEM ground (interpolated, never 0 m)
    dem_files: int = 0


def read_sites_file(path: Path) -> gpd.GeoDataFrame:
    """Canonical sites (``schema.TABLES['sites']`` columns) from GeoJSON/GeoPackage/CSV (lon, lat)."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype={"site_id": str})
        for col in ("lon", "lat"):
            if col not in frame.columns:
                raise InputError("a sites CSV needs lon and lat columns", file=str(path), field=col)
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
    else:
        gdf = gpd.read_file(path)
        if gdf.crs is None:
            gdf = gdf.set_crs("EPSG:4326")
    if "technologies" in gdf.columns:
        gdf["technologies"] = gdf["technologies"].astype("string").str.replace(";", ",")
    return normalize(gdf, TABLES["sites"])


def select_sites(sites: gpd.GeoDataFrame, operator: str, technology: str, as_of: str | None = None) -> gpd.GeoDataFrame:
    """Mobile towers of ``operator`` carrying ``technology`` and in service at ``as_of``."""
    s = sites[(sites["kind"].fillna("mobile_tower") == "mobile_tower") & (sites["operator"] == operator)]
    techs = s["technologies"].fillna("").astype(str).str.upper().str.replace(";", ",").str.split(",")
    s = s[np.array([technology in [x.strip() for x in t] for t in techs], dtype=bool)]
    if as_of is not None:
        started = s["in_service_from"].isna() | (s["in_service_from"] <= as_of)
        ended = s["in_service_to"].notna() & (s["in_service_to"] <= as_of)
        s = s[started & ~ended]
    return s


def predict_layer(
    sites: gpd.GeoDataFrame,
    technology: str,
    settings: Settings,
    grid: Grid,
    dem: Dem | None = None,
    *,
    radius_m: float = 30_000.0,
    model: Model = "hata",
    environment: str = "rural",
    progress: object | None = None,
) -> Prediction:
    """Best-server prediction of the given sites (already selected) for ``technology``."""
    pts = sites.to_crs(grid.crs).geometry
    xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()]) if len(pts) else np.zeros((0, 2))
    budgets = [
        site_budget(technology, settings, h, e)
        for h, e in zip(sites["height_m"].astype(float), sites["eirp_dbm"].astype(float), strict=True)
    ]
    return best_server(grid, xy, budgets, dem=dem, radius_m=radius_m, model=model, environment=environment,
                       progress=progress)


def layer_name(operator: str, technology: str, synthetic: bool) -> str:
    return f"signal_{operator}_{technology}{'_SYNTHETIC' if synthetic else ''}.tif"


def layer_tags(meta: dict[str, str], operator: str, technology: str, synthetic: bool) -> dict[str, str]:
    return {**{f"VILLAGECOV_{k.upper()}": v for k, v in meta.items()},
            "VILLAGECOV_OPERATOR": operator, "VILLAGECOV_TECHNOLOGY": technology,
            "VILLAGECOV_EVIDENCE": "modelled", "VILLAGECOV_VALUE": "signal_dbm",
            "VILLAGECOV_SYNTHETIC": "yes" if synthetic else "no"}


def clip_signal(signal: np.ndarray) -> np.ndarray:
    """The written values: the ingest accepts −160…−20 dBm; deep terrain shadows can model far
    below any receiver's sensitivity, and the cells next to a mast above what handsets report
    (3GPP RSRP: −140…−44)."""
    return np.clip(signal, SIGNAL_FLOOR_DBM, SIGNAL_CEIL_DBM)


def predict_to_dir(
    sites: gpd.GeoDataFrame,
    settings: Settings,
    out_dir: Path,
    *,
    operators: list[str] | None = None,
    technologies: list[str] | None = None,
    dem_path: Path | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    res: float = 100.0,
    radius_m: float = 30_000.0,
    model: Model = "hata",
    environment: str = "rural",
    as_of: str | None = None,
) -> list[PredictedLayer]:
    """Predict every operator × technology that has sites and write ``signal_<op>_<tech>.tif`` COGs.

    ``bounds``: EPSG:32648 metres; default the sites' extent. Without ``dem_path``: flat earth,
    tagged ``VILLAGECOV_TERRAIN=no``.
    """
    if sites.empty:
        raise InputError("no sites to predict from")
    if bounds is None:
        b = sites.to_crs(METRIC_CRS).total_bounds
        bounds = (b[0] - 5000, b[1] - 5000, b[2] + 5000, b[3] + 5000)
    grid = Grid.from_bounds(bounds, res)
    dem = load_dem(dem_path, grid.bounds, res) if dem_path else None
    synthetic = bool(sites["synthetic"].fillna(False).any()) or bool(dem is not None and dem.synthetic)
    out: list[PredictedLayer] = []
    for op in operators or list(MOBILE_OPERATORS):
        for tech in technologies or ["2G", "3G", "4G", "5G"]:
            chosen = select_sites(sites, op, tech, as_of)
            if chosen.empty:
                continue
            pred = predict_layer(chosen, tech, settings, grid, dem, radius_m=radius_m, model=model,
                                 environment=environment)
            name = layer_name(op, tech, synthetic)
            tags = layer_tags(pred.meta, op, tech, synthetic)
            signal = clip_signal(pred.signal_dbm)
            path = write_cog(Path(out_dir) / name, signal, grid, tags)
            covered = float(pred.covered(settings.threshold_dbm(tech)).sum()) * res * res / 1e6
            out.append(PredictedLayer(op, tech, path, len(chosen), covered, pred.terrain,
                                      dem.missing_share if dem is not None else 0.0,
                                      dem.sources if dem is not None else 0))
    return out


def ingest_predictions(settings: Settings, store: object, layers: list[PredictedLayer], as_of: str) -> list[str]:
    """Ingest each predicted COG into the store as *modelled* coverage evidence (signal in dBm),
    through the ingest engineer's raster coverage reader. Returns one line per layer."""
    from villagecov.errors import DuplicateSubmission
    from villagecov.ingest import ingest_file
    from villagecov.sources.common import IngestOptions

    lines = []
    for layer in layers:
        options = IngestOptions(operator=layer.operator, technology=layer.technology, as_of=as_of,
                                evidence="modelled", value="signal_dbm")
        try:
            report = ingest_file(settings, store, "coverage", layer.path, options)  # type: ignore[arg-type]
            lines.append(f"{layer.path.name}: ingested as modelled {layer.operator} {layer.technology} ({as_of})")
            lines.extend(f"  note: {n}" for n in report.notes)
        except DuplicateSubmission as exc:
            lines.append(f"unchanged: {exc}")
    return lines


def run_predict(
    settings: Settings,
    sites_arg: str,
    out_dir: Path,
    *,
    dem_path: Path | None = None,
    operator: str | None = None,
    technology: str | None = None,
    res: float = 100.0,
    radius_km: float = 30.0,
    model: Model = "hata",
    environment: str = "rural",
    as_of: str | None = None,
    ingest: bool = True,
    engine: Callable[..., list[PredictedLayer]] | None = None,
) -> tuple[list[PredictedLayer], list[str]]:
    """`villagecov predict`: sites from a file or the store (``sites_arg == "store"``), prediction,
    COGs in ``out_dir``, and (``ingest``) the COGs ingested into the store as modelled evidence.
    ``engine``: what predicts, with :func:`predict_to_dir`'s arguments (default: that function, in
    this process; the CLI passes the Dask one, :func:`villagecov.scale.predict_layers.predict_to_dir_dask`)."""
    from datetime import date

    from villagecov.propagation.pathloss import ENVIRONMENTS
    from villagecov.schema import TECHNOLOGIES
    from villagecov.storage import open_store

    if model not in ("hata", "free_space"):
        raise InputError(f"unknown model {model!r}; known: hata, free_space", field="--model")
    if environment not in ENVIRONMENTS:
        raise InputError(f"unknown environment {environment!r}; known: {', '.join(ENVIRONMENTS)}",
                         field="--environment")
    if technology is not None and technology not in TECHNOLOGIES:
        raise InputError(f"unknown technology {technology!r}; known: {', '.join(TECHNOLOGIES)}", field="--technology")
    if operator is not None and operator not in MOBILE_OPERATORS:
        raise InputError(f"unknown operator {operator!r}; known: {', '.join(MOBILE_OPERATORS)}", field="--operator")
    if res <= 0 or radius_km <= 0:
        raise InputError("--resolution and --radius-km must be positive", field="--resolution")
    as_of = as_of or date.today().isoformat()
    bounds = None
    with open_store(settings.store) as st:
        if sites_arg == "store":
            sites = st.read("sites", as_of=as_of)
            if sites.empty:
                raise InputError("the store has no sites: ingest some or pass --sites PATH", field="--sites")
        else:
            sites = read_sites_file(Path(sites_arg))
        province = st.read("admin_units", where={"level": "province", "version": "2019"})
        if len(province):
            b = province.to_crs(METRIC_CRS).total_bounds
            bounds = (b[0] - 2000, b[1] - 2000, b[2] + 2000, b[3] + 2000)
        kwargs = dict(operators=[operator] if operator else None, technologies=[technology] if technology else None,
                      dem_path=dem_path, bounds=bounds, res=res, radius_m=radius_km * 1000.0, model=model,
                      environment=environment, as_of=as_of)
        layers = (engine or predict_to_dir)(sites, settings, out_dir, **kwargs)
        if not layers:
            raise InputError("no mobile tower carries that operator/technology", field="--operator/--technology")
        notes = []
        if dem_path is None:
            notes.append("no DEM given: flat earth, base model only (no terrain shadowing)")
        else:
            first = layers[0]
            notes.append(f"DEM: {first.dem_files} file(s); " + (
                f"{first.terrain_missing_share:.1%} of the area had no ground in any tile: heights there "
                "interpolated from the nearest ground (never taken as 0 m)" if first.terrain_missing_share > 0
                else "ground everywhere in the area"))
        if ingest:
            notes.extend(ingest_predictions(settings, st, layers, as_of))
    return layers, notes
