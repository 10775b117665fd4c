"""`villagecov compute` on Dask: one vintage's village coverage in commune blocks.

Villages are packed, whole communes at a time in commune-code order (GSO codes run district by
district, so a block is a compact area), into blocks of at most ``block_villages``. Each block is
one task running the single-process :func:`~villagecov.compute.village_coverage.compute_vintage`
on its villages with the coverage pieces, measurements and population points over the block's
bounding box. Every village's rows depend only on its own polygon and what overlaps it, so the
concatenated, re-sorted blocks equal the single-process rows (float sums may differ in the last
bits: shares within 1e-9). One rule keeps them identical: a layer (operator × technology ×
evidence) that does not reach a block still contributes one of its rows there (without geometry),
so the block's villages get that layer's rows (0 % covered) as in the whole-province run.

Population points on an edge shared by two villages of different blocks go to the first village
of their own block, not of the province (a cell centre exactly on a commune border).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.compute.village_coverage import OUTPUT_COLUMNS, VintageInputs, compute_vintage
from villagecov.schema import METRIC_CRS
from villagecov.settings import Settings

if TYPE_CHECKING:
    from distributed import Client

SORT_KEY = ["village_id", "operator", "technology", "evidence"]


def commune_blocks(villages: pd.DataFrame, block_villages: int) -> list[np.ndarray]:
    """Row positions of ``villages`` in blocks of whole communes (commune-code order), each at most
    ``block_villages`` rows unless one commune alone is larger."""
    codes = villages["commune_code"].astype("string").fillna("").to_numpy(dtype=object)
    order = np.argsort(codes, kind="stable")
    blocks: list[np.ndarray] = []
    current: list[np.ndarray] = []
    size = 0
    for _, rows in pd.Series(order).groupby(codes[order], sort=False):
        r = rows.to_numpy()
        if size and size + len(r) > block_villages:
            blocks.append(np.sort(np.concatenate(current)))
            current, size = [], 0
        current.append(r)
        size += len(r)
    if current:
        blocks.append(np.sort(np.concatenate(current)))
    return blocks


def _over(frame: gpd.GeoDataFrame | None, bbox: tuple[float, float, float, float]) -> np.ndarray:
    """Rows of ``frame`` whose geometry's bounding box meets ``bbox`` (EPSG:4326)."""
    if frame is None or frame.empty:
        return np.zeros(0, dtype=bool)
    b = frame.geometry.bounds
    return ((b["minx"] <= bbox[2]) & (b["maxx"] >= bbox[0]) & (b["miny"] <= bbox[3]) & (b["maxy"] >= bbox[1])
            ).fillna(False).to_numpy(dtype=bool)


def _parts_over(geom: shapely.Geometry, bbox: tuple[float, float, float, float]) -> shapely.Geometry:
    """The parts of a multipolygon whose bounding box meets ``bbox``; other geometries unchanged."""
    if shapely.get_type_id(geom) != 6:  # MultiPolygon
        return geom
    parts = shapely.get_parts(geom)
    b = shapely.bounds(parts)
    keep = (b[:, 0] <= bbox[2]) & (b[:, 2] >= bbox[0]) & (b[:, 1] <= bbox[3]) & (b[:, 3] >= bbox[1])
    if keep.all():
        return geom
    return shapely.multipolygons(parts[keep]) if keep.any() else None  # None: as a layer absent here


def block_inputs(inputs: VintageInputs, rows: np.ndarray) -> VintageInputs:
    """The inputs of one block: its villages and what lies over their bounding box."""
    villages = inputs.villages.iloc[rows].reset_index(drop=True)
    bbox = tuple(villages.total_bounds)
    cov = inputs.coverage
    if cov is not None and not cov.empty:
        over = _over(cov, bbox)
        raster = cov["raster_path"].notna().to_numpy()
        group = cov[["operator", "technology", "evidence"]].astype(str).agg("|".join, axis=1)
        absent = ~group.duplicated().to_numpy() & ~group.isin(set(group[over | raster])).to_numpy()
        cov = cov[over | raster | absent].copy()
        # a national layer is a multipolygon of many parts: each block keeps the parts over it
        # (whole parts: cutting edges would move them by projection curvature); an absent layer's
        # row keeps no geometry at all
        geoms = np.asarray(cov.geometry.values, dtype=object)
        for i in np.flatnonzero(cov["raster_path"].isna().to_numpy() & cov.geometry.notna().to_numpy()):
            geoms[i] = _parts_over(geoms[i], bbox)
        geoms[absent[over | raster | absent]] = None
        cov = cov.set_geometry(gpd.GeoSeries(geoms, index=cov.index, crs=cov.crs))
    meas = inputs.measurements
    if meas is not None and not meas.empty:
        meas = meas[_over(meas, bbox)]  # type: ignore[arg-type]
    pop = inputs.population
    if pop is not None:
        mb = villages.geometry.to_crs(METRIC_CRS).total_bounds
        x, y, w = pop
        inside = (x >= mb[0]) & (x <= mb[2]) & (y >= mb[1]) & (y <= mb[3])
        pop = (x[inside], y[inside], w[inside])
    paths = set(cov["raster_path"].dropna()) if cov is not None and not cov.empty else set()
    rasters = {p: r for p, r in inputs.rasters.items() if p in paths}
    return VintageInputs(inputs.as_of, villages, cov, meas, pop, rasters)


def compute_block(inputs: VintageInputs, settings: Settings) -> pd.DataFrame:
    """Task: village coverage rows of one block (the single-process function)."""
    return compute_vintage(inputs, settings)


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Blocks' rows in the single-process order: by village id, then operator, technology, evidence."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(SORT_KEY, kind="stable").reset_index(drop=True)[OUTPUT_COLUMNS]


def compute_vintage_blocks(client: Client, inputs: VintageInputs, settings: Settings,
                           block_villages: int | None = None) -> pd.DataFrame:
    """Village coverage of one vintage computed block by block on the cluster of ``client``."""
    size = block_villages or settings.scale_block_villages
    blocks = commune_blocks(inputs.villages, size)
    if len(blocks) <= 1:
        return compute_vintage(inputs, settings)
    # one GEOS thread per task: the cluster's workers are the parallelism
    task_settings = settings.model_copy(update={"compute_threads": 1})
    futures = [client.submit(compute_block, block_inputs(inputs, rows), task_settings, pure=False)
               for rows in blocks]
    return combine(client.gather(futures))


def vintage_runner(client: Client, block_villages: int | None = None) -> Callable[[VintageInputs, Settings], pd.DataFrame]:
    """A drop-in for ``compute_vintage`` in :func:`villagecov.compute.run.compute_all_vintages`."""

    def run(inputs: VintageInputs, settings: Settings) -> pd.DataFrame:
        return compute_vintage_blocks(client, inputs, settings, block_villages)

    return run
