"""Glue for `villagecov predict`: select sites, build the grid, predict per operator × technology,
write one COG each. Inputs are frames (sites as in ``schema.TABLES['sites']``, EPSG:4326); the
CLI reads them from a file or the store. Grid in EPSG:32648, ``res`` metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from villagecov.errors import InputError
from villagecov.propagation.linkbudget import site_budget
from villagecov.propagation.predict import Model, Prediction, best_server
from villagecov.propagation.raster import Grid, write_cog
from villagecov.propagation.terrain import Dem, load_dem
from villagecov.schema import METRIC_CRS, MOBILE_OPERATORS, TABLES, normalize
from villagecov.settings import Settings


@dataclass(frozen=True)
class PredictedLayer:
    operator: str
    technology: str
    path: Path
    sites: int
    covered_km2: float
    terrain: bool


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
    techs = s["technologies"].fillna("").str.upper().str.replace(";", ",").str.split(",")
    s = s[techs.map(lambda t: technology in [x.strip() for x in t])]
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
    dem = load_dem(Path(dem_path), grid.bounds, res) if dem_path else None
    synthetic = bool(sites["synthetic"].fillna(False).any()) or bool(dem is not None and dem.synthetic)
    out: list[PredictedLayer] = []
    for op in operators or list(MOBILE_OPERATORS):
        for tech in technologies or ["2G", "3G", "4G", "5G"]:
            chosen = select_sites(sites, op, tech, as_of)
            if chosen.empty:
                continue
            pred = predict_layer(chosen, tech, settings, grid, dem, radius_m=radius_m, model=model,
                                 environment=environment)
            name = f"signal_{op}_{tech}{'_SYNTHETIC' if synthetic else ''}.tif"
            tags = {**{f"VILLAGECOV_{k.upper()}": v for k, v in pred.meta.items()},
                    "VILLAGECOV_OPERATOR": op, "VILLAGECOV_TECHNOLOGY": tech,
                    "VILLAGECOV_EVIDENCE": "modelled", "VILLAGECOV_VALUE": "signal_dbm",
                    "VILLAGECOV_SYNTHETIC": "yes" if synthetic else "no"}
            path = write_cog(Path(out_dir) / name, pred.signal_dbm, grid, tags)
            covered = float(pred.covered(settings.threshold_dbm(tech)).sum()) * res * res / 1e6
            out.append(PredictedLayer(op, tech, path, len(chosen), covered, pred.terrain))
    return out
