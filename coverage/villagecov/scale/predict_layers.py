"""`villagecov predict --scheduler`: every operator × technology as Dask tasks (:mod:`.predict`),
the same COGs, names and tags as :func:`villagecov.propagation.run.predict_to_dir`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

from villagecov.errors import InputError
from villagecov.propagation.linkbudget import site_budget
from villagecov.propagation.predict import Model, prediction_meta
from villagecov.propagation.raster import Grid
from villagecov.propagation.run import PredictedLayer, clip_signal, layer_name, layer_tags, select_sites
from villagecov.scale.cog import write_cog_windows
from villagecov.scale.predict import predict_tiles, tile_window
from villagecov.schema import METRIC_CRS, MOBILE_OPERATORS
from villagecov.settings import Settings

if TYPE_CHECKING:
    from distributed import Client


def dem_synthetic(dem_path: Path) -> bool:
    """Whether any DEM tile carries ``VILLAGECOV_SYNTHETIC=yes`` (as :func:`load_dem` tells)."""
    import rasterio

    from villagecov.propagation.terrain import dem_sources

    for source in dem_sources(dem_path):
        with rasterio.open(source) as src:
            if str(src.tags().get("VILLAGECOV_SYNTHETIC", "")).lower() in ("yes", "true", "1"):
                return True
    return False


def predict_to_dir_dask(
    client: Client,
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
    tile: int = 1024,
    batch_sites: int | None = None,
) -> list[PredictedLayer]:
    """Like ``predict_to_dir`` (same arguments, same files), computed on the cluster of ``client``."""
    from distributed import as_completed

    if sites.empty:
        raise InputError("no sites to predict from")
    if bounds is None:
        b = sites.to_crs(METRIC_CRS).total_bounds
        bounds = (b[0] - 5000, b[1] - 5000, b[2] + 5000, b[3] + 5000)
    grid = Grid.from_bounds(bounds, res)
    dem = str(dem_path) if dem_path else None
    synthetic = bool(sites["synthetic"].fillna(False).any()) or bool(dem_path is not None and dem_synthetic(dem_path))
    n_dem_files = 0
    if dem_path is not None:
        from villagecov.propagation.terrain import dem_sources

        n_dem_files = len(dem_sources(dem_path))
    out: list[PredictedLayer] = []
    for op in operators or list(MOBILE_OPERATORS):
        for tech in technologies or ["2G", "3G", "4G", "5G"]:
            chosen = select_sites(sites, op, tech, as_of)
            if chosen.empty:
                continue
            pts = chosen.to_crs(grid.crs).geometry
            xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
            budgets = [site_budget(tech, settings, h, e) for h, e in
                       zip(chosen["height_m"].astype(float), chosen["eirp_dbm"].astype(float), strict=True)]
            _, merged = predict_tiles(client, grid, xy, budgets, dem, radius_m=radius_m, model=model,
                                      environment=environment, tile=tile, batch_sites=batch_sites)
            threshold = settings.threshold_dbm(tech)
            covered = [0]
            key_of = {f.key: k for k, f in merged.items()}

            def windows(merged=merged, key_of=key_of, threshold=threshold, covered=covered):
                for fut in as_completed(list(merged.values())):
                    part = fut.result()
                    fut.release()  # the client keeps one tile at a time
                    if part is None:
                        continue
                    covered[0] += int((np.nan_to_num(part.signal, nan=-np.inf) >= threshold).sum())
                    r0, r1, c0, c1 = tile_window(grid, key_of[fut.key], tile)
                    yield (r0 + part.r0, r0 + part.r0 + part.signal.shape[0],
                           c0 + part.c0, c0 + part.c0 + part.signal.shape[1]), clip_signal(part.signal)

            meta = prediction_meta(model, environment, dem is not None, radius_m, len(budgets))
            path = write_cog_windows(Path(out_dir) / layer_name(op, tech, synthetic), grid, windows(),
                                     layer_tags(meta, op, tech, synthetic))
            # the share of the area without DEM ground is per batch window here: not summed up (0.0)
            out.append(PredictedLayer(op, tech, path, len(chosen), covered[0] * res * res / 1e6, dem is not None,
                                      0.0, n_dem_files))
    return out
