"""`villagecov predict` on Dask: site batches over DEM windows, per-tile tree reduction, COG by windows.

The output grid (EPSG:32648, ``res`` m) is cut into square tiles of ``tile`` cells. Sites are
grouped into spatially compact batches; one task per batch reads only the DEM window its sites
reach (plus a margin) and runs the single-process :func:`~villagecov.propagation.predict.best_server`
on that window, then cuts its result into the output tiles it touches. Per tile, the partial results
are merged pairwise (a tree: log2(batches) levels) with the single-process rule — the stronger
signal wins, equal signals go to the lower site index — so the merged tile equals the
single-process one. The client fetches one merged tile at a time and writes it as a window of a
tiled GeoTIFF, then GDAL's COG driver copies that into the COG with overviews: no process holds the
whole raster.

The DEM path must be readable by every worker (a shared folder or object store path GDAL reads).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from villagecov.propagation.linkbudget import LinkBudget
from villagecov.propagation.predict import Model, best_server
from villagecov.propagation.raster import Grid

if TYPE_CHECKING:
    from distributed import Client, Future

DEM_MARGIN_CELLS = 3  # radials sample up to one step past the radius; bilinear needs the next cell
TileKey = tuple[int, int]


@dataclass(frozen=True)
class Partial:
    """Best-server signal (dBm, NaN: none) and global site index (−1: none) of one output tile,
    or of the window ``rows`` × ``cols`` at (r0, c0) inside it."""

    key: TileKey
    r0: int
    c0: int
    signal: NDArray[np.float32]
    server: NDArray[np.int32]


@dataclass(frozen=True)
class SiteBatch:
    index: NDArray[np.int64]  # global site indices, ascending
    xy: NDArray[np.float64]  # n × 2, grid CRS metres
    budgets: list[LinkBudget]
    window: tuple[int, int, int, int]  # r0, r1, c0, c1 of the grid cells the sites reach (+ margin)
    tiles: list[TileKey]


def site_radius(budget: LinkBudget, radius_m: float, model: Model, environment: str) -> float:
    """The sweep radius best_server uses for this site (Hata range bound)."""
    return min(radius_m, budget.hata_range_km(environment) * 1000.0) if model == "hata" else radius_m


def reach(grid: Grid, x: float, y: float, radius_m: float, margin: int = 0) -> tuple[int, int, int, int]:
    """Rows r0:r1 and cols c0:c1 of the cells within ``radius_m`` of (x, y), grown by ``margin``
    cells, clipped to the grid (same arithmetic as :meth:`Grid.window`)."""
    c0 = int(np.floor((x - radius_m - grid.x0) / grid.res)) - margin
    c1 = int(np.ceil((x + radius_m - grid.x0) / grid.res)) + margin
    r0 = int(np.floor((grid.y0 - (y + radius_m)) / grid.res)) - margin
    r1 = int(np.ceil((grid.y0 - (y - radius_m)) / grid.res)) + margin
    return max(0, r0), min(grid.rows, r1), max(0, c0), min(grid.cols, c1)


def subgrid(grid: Grid, window: tuple[int, int, int, int]) -> Grid:
    """The cells ``window`` (r0, r1, c0, c1) of ``grid`` as a grid of their own (same cell edges)."""
    r0, r1, c0, c1 = window
    return Grid(grid.x0 + c0 * grid.res, grid.y0 - r0 * grid.res, grid.res, r1 - r0, c1 - c0, grid.crs)


def tile_keys(window: tuple[int, int, int, int], tile: int) -> list[TileKey]:
    r0, r1, c0, c1 = window
    if r1 <= r0 or c1 <= c0:
        return []
    return [(i, j) for i in range(r0 // tile, (r1 - 1) // tile + 1) for j in range(c0 // tile, (c1 - 1) // tile + 1)]


def tile_window(grid: Grid, key: TileKey, tile: int) -> tuple[int, int, int, int]:
    i, j = key
    return i * tile, min(grid.rows, (i + 1) * tile), j * tile, min(grid.cols, (j + 1) * tile)


def make_batches(grid: Grid, xy: NDArray[np.floating], budgets: list[LinkBudget], *, radius_m: float, model: Model,
                 environment: str, batch_sites: int, tile: int) -> list[SiteBatch]:
    """Sites in batches of at most ``batch_sites``, grouped by output tile (row-major) so that a
    batch's window stays small; indices ascending inside a batch (ties keep single-process order)."""
    n = len(budgets)
    if n == 0:
        return []
    xy = np.asarray(xy, dtype=float)
    rows = np.clip(((grid.y0 - xy[:, 1]) / grid.res) // tile, 0, None)
    cols = np.clip(((xy[:, 0] - grid.x0) / grid.res) // tile, 0, None)
    order = np.lexsort((np.arange(n), cols, rows))
    out = []
    for start in range(0, n, batch_sites):
        idx = np.sort(order[start:start + batch_sites])
        spans = np.array([reach(grid, xy[i, 0], xy[i, 1],
                                site_radius(budgets[i], radius_m, model, environment), DEM_MARGIN_CELLS)
                          for i in idx])
        window = (int(spans[:, 0].min()), int(spans[:, 1].max()), int(spans[:, 2].min()), int(spans[:, 3].max()))
        out.append(SiteBatch(idx.astype(np.int64), xy[idx], [budgets[i] for i in idx], window,
                             tile_keys(window, tile)))
    return out


def predict_batch(grid: Grid, batch: SiteBatch, dem_path: str | None, *, radius_m: float, model: Model,
                  environment: str, tile: int) -> dict[TileKey, Partial]:
    """Task: best server of one batch over its DEM window, cut into output tiles (global indices)."""
    from villagecov.propagation.terrain import load_dem

    sub = subgrid(grid, batch.window)
    if sub.rows == 0 or sub.cols == 0:
        return {}
    dem = load_dem(dem_path, sub.bounds, grid.res, grid.crs) if dem_path else None
    pred = best_server(sub, batch.xy, batch.budgets, dem=dem, radius_m=radius_m, model=model,
                       environment=environment)
    server = np.where(pred.server >= 0, batch.index[np.maximum(pred.server, 0)], -1).astype(np.int32)
    r0, _, c0, _ = batch.window
    out: dict[TileKey, Partial] = {}
    for key in batch.tiles:
        t0, t1, u0, u1 = tile_window(grid, key, tile)
        a0, a1 = max(t0, r0), min(t1, r0 + sub.rows)
        b0, b1 = max(u0, c0), min(u1, c0 + sub.cols)
        if a1 <= a0 or b1 <= b0:
            continue
        sig = pred.signal_dbm[a0 - r0:a1 - r0, b0 - c0:b1 - c0]
        if not np.isfinite(sig).any():
            continue
        out[key] = Partial(key, a0 - t0, b0 - u0, sig.copy(), server[a0 - r0:a1 - r0, b0 - c0:b1 - c0].copy())
    return out


def pick(parts: dict[TileKey, Partial], key: TileKey) -> Partial | None:
    return parts.get(key)


def merge(shape: tuple[int, int], a: Partial | None, b: Partial | None) -> Partial | None:
    """Best server of two partial results of one tile (``shape``): the stronger signal, and on
    equal signals the lower site index — the single-process rule, whatever the merge order."""
    if a is None or b is None:
        return a if b is None else b
    full = _full(shape, a)
    sig, srv = full.signal, full.server
    rs, cs = slice(b.r0, b.r0 + b.signal.shape[0]), slice(b.c0, b.c0 + b.signal.shape[1])
    cur_s, cur_i = sig[rs, cs], srv[rs, cs]
    new_s = np.nan_to_num(b.signal, nan=-np.inf)
    old_s = np.nan_to_num(cur_s, nan=-np.inf)
    take = (new_s > old_s) | ((new_s == old_s) & (b.server >= 0) & ((cur_i < 0) | (b.server < cur_i)))
    cur_s[take] = b.signal[take]
    cur_i[take] = b.server[take]
    return full


def _full(shape: tuple[int, int], p: Partial) -> Partial:
    if p.r0 == 0 and p.c0 == 0 and p.signal.shape == shape:
        return Partial(p.key, 0, 0, p.signal.copy(), p.server.copy())
    sig = np.full(shape, np.nan, dtype=np.float32)
    srv = np.full(shape, -1, dtype=np.int32)
    rs, cs = slice(p.r0, p.r0 + p.signal.shape[0]), slice(p.c0, p.c0 + p.signal.shape[1])
    sig[rs, cs] = p.signal
    srv[rs, cs] = p.server
    return Partial(p.key, 0, 0, sig, srv)


def tree_merge(client: Client, shape: tuple[int, int], parts: list[Future]) -> Future:
    """Pairwise merges of ``parts`` until one is left (a binary tree, ⌈log2 n⌉ levels)."""
    level = list(parts)
    while len(level) > 1:
        nxt = [client.submit(merge, shape, level[i], level[i + 1], pure=False) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def default_batch_sites(n_sites: int, workers: int) -> int:
    """About four batches per worker thread (load balance), at most 64 sites per task."""
    return max(1, min(64, math.ceil(n_sites / (4 * max(1, workers)))))


@dataclass(frozen=True)
class TiledResult:
    """What the client wrote: the COG path and the cells at or above the threshold."""

    path: Path
    covered_cells: int


def predict_tiles(client: Client, grid: Grid, xy: NDArray[np.floating], budgets: list[LinkBudget],
                  dem_path: str | None, *, radius_m: float, model: Model, environment: str,
                  tile: int = 1024, batch_sites: int | None = None) -> tuple[list[SiteBatch], dict[TileKey, Future]]:
    """Submit the batch tasks and the per-tile merge trees; the futures of the merged tiles."""
    from distributed import Future  # noqa: F401 - typing of the result

    from villagecov.scale.cluster import worker_count

    size = batch_sites or default_batch_sites(len(budgets), worker_count(client))
    batches = make_batches(grid, xy, budgets, radius_m=radius_m, model=model, environment=environment,
                           batch_sites=size, tile=tile)
    futures = [client.submit(predict_batch, grid, b, dem_path, radius_m=radius_m, model=model,
                             environment=environment, tile=tile, pure=False) for b in batches]
    by_tile: dict[TileKey, list[Future]] = {}
    for b, f in zip(batches, futures, strict=True):
        for key in b.tiles:
            by_tile.setdefault(key, []).append(client.submit(pick, f, key, pure=False))
    merged = {}
    for key, parts in by_tile.items():
        t0, t1, u0, u1 = tile_window(grid, key, tile)
        merged[key] = tree_merge(client, (t1 - t0, u1 - u0), parts)
    return batches, merged
