"""Benchmark of the terrain propagation (villagecov.propagation), on a SYNTHETIC DEM.

    .venv/bin/python benchmarks/propagation_bench.py [--radius-km 30] [--res 30] [--sample 10000]
                                                     [--province-sites 1500] [--province-res 100]

1. ``one site``: a 30 m, 1800 MHz (4G) mast at the centre of a SYNTHETIC fractal DEM (relief
   ~0–2 300 m, Annamite-like), every cell within ``--radius-km`` on a ``--res`` m grid. The radial
   sweep (``site_signal(method="radial")``) is timed on all cells; the straightforward
   implementation — one DEM profile per cell, the same three-edge Deygout — on a random sample of
   ``--sample`` cells, its time extrapolated per cell. Differences (radial − per-pixel) of the
   diffraction loss on that sample: mean (bias), mean absolute, 95th percentile.
2. ``province``: ``--province-sites`` SYNTHETIC masts over a 200 × 130 km SYNTHETIC DEM (the size of
   Quảng Bình), best-server 4G at ``--province-res`` m with terrain.

Prints figures; numbers, not pass/fail. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from villagecov.propagation.linkbudget import default_budget
from villagecov.propagation.pathloss import wavelength_m
from villagecov.propagation.predict import best_server
from villagecov.propagation.radial import deygout_radials, n_radials, sample_radials, to_pixels
from villagecov.propagation.raster import Grid
from villagecov.propagation.reference import per_pixel_diffraction
from villagecov.propagation.terrain import Dem
from villagecov.settings import Settings


def synthetic_dem(rows: int, cols: int, res: float, seed: int) -> Dem:
    """SYNTHETIC terrain: value noise at 4 scales (7.7 km … 120 m at 30 m cells), 0 m minimum."""
    rng = np.random.default_rng(seed)
    z = np.zeros((rows, cols))
    for scale_m, amp in ((7_680.0, 500.0), (1_920.0, 150.0), (480.0, 40.0), (120.0, 8.0)):
        step = max(scale_m / res, 1.0)
        ky, kx = int(rows / step) + 2, int(cols / step) + 2
        g = rng.normal(size=(ky, kx))
        fy, fx = np.arange(rows) / step, np.arange(cols) / step
        iy, ix = fy.astype(int), fx.astype(int)
        ty, tx = (fy - iy)[:, None], (fx - ix)[None, :]
        top = g[iy][:, ix] * (1 - tx) + g[iy][:, ix + 1] * tx
        bot = g[iy + 1][:, ix] * (1 - tx) + g[iy + 1][:, ix + 1] * tx
        z += amp * (top * (1 - ty) + bot * ty)
    return Dem((z - z.min()).astype(np.float32), 0.0, rows * res, res, synthetic=True)


def one_site(radius_km: float, res: float, sample: int, block: int, seed: int) -> None:
    radius = radius_km * 1000.0
    n_cells = int(np.ceil(radius / res)) * 2 + 40
    dem = synthetic_dem(n_cells, n_cells, res, seed)
    x = y = n_cells * res / 2
    lam = wavelength_m(1800.0)
    r = int(radius / res)
    offs = (np.arange(-r, r + 1) * res).astype(np.float64)
    dx, dy = np.meshgrid(offs, offs)
    inside = np.hypot(dx, dy) <= radius
    dx, dy = dx[inside], dy[inside]

    n = n_radials(radius, res)
    t0 = time.perf_counter()
    deygout_radials(np.zeros((2, 64), dtype=np.float32), res, 30.0, 1.5, lam, block=block, engine="numba")
    print(f"  (numba: first call compiles or loads the cache: {time.perf_counter() - t0:.2f} s, not counted)")
    sweeps = {}
    for engine in ("numpy", "numba"):
        t0, c0 = time.perf_counter(), time.process_time()
        z = sample_radials(dem, x, y, radius, res, n)
        along = deygout_radials(z, res, 30.0, 1.5, lam, block=block, engine=engine)
        fast = to_pixels(along, res, dx, dy)
        sweeps[engine] = (fast, time.perf_counter() - t0, time.process_time() - c0)
    numpy_fast = sweeps["numpy"][0]
    fast, t_fast, c_fast = sweeps["numba"]

    rng = np.random.default_rng(seed + 1)
    pick = rng.choice(dx.size, size=min(sample, dx.size), replace=False)
    t0, c0 = time.perf_counter(), time.process_time()
    slow = per_pixel_diffraction(dem, x, y, dx[pick], dy[pick], 30.0, 1.5, lam, res)
    t_slow, c_slow = time.perf_counter() - t0, time.process_time() - c0
    diff = fast[pick] - slow
    fast_rate, slow_rate = dx.size / t_fast, pick.size / t_slow
    print(f"one site: radius {radius_km:g} km, {res:g} m grid, {dx.size:,} cells, DEM relief "
          f"{dem.heights.min():.0f}–{dem.heights.max():.0f} m (SYNTHETIC)")
    _, t_np, c_np = sweeps["numpy"]
    print(f"  sweep (numpy)  : {n:,} radials × {z.shape[1]:,} samples (block {block}), {t_np:8.2f} s "
          f"→ {dx.size / t_np:12,.0f} cells/s (CPU {c_np:.2f} s)")
    print(f"  sweep (numba)  : the same, {t_fast:8.2f} s → {fast_rate:12,.0f} cells/s (CPU {c_fast:.2f} s); "
          f"{t_np / t_fast:.1f}× the numpy sweep, max |numba − numpy| {np.nanmax(np.abs(fast - numpy_fast)):.4f} dB")
    print(f"  per-pixel      : {pick.size:,} sampled cells, {t_slow:8.2f} s → {slow_rate:12,.0f} cells/s "
          f"(CPU {c_slow:.2f} s; whole area ≈ {dx.size / slow_rate / 60:,.0f} min)")
    print(f"  speed-up       : numba sweep {fast_rate / slow_rate:,.1f}× wall, "
          f"{(dx.size / c_fast) / (pick.size / c_slow):,.1f}× CPU; numpy sweep {(dx.size / t_np) / slow_rate:,.1f}× "
          f"wall, {(dx.size / c_np) / (pick.size / c_slow):,.1f}× CPU (all against the per-pixel baseline)")
    print(f"  difference     : mean {diff.mean():+.2f} dB, mean |·| {np.abs(diff).mean():.2f} dB, "
          f"p95 |·| {np.percentile(np.abs(diff), 95):.2f} dB (mean diffraction loss {slow.mean():.1f} dB, "
          f"{(slow > 0).mean():.0%} of cells obstructed)")


def province(n_sites: int, res: float, seed: int) -> None:
    width, height = 200_000.0, 130_000.0
    dem = synthetic_dem(int(height / 90.0), int(width / 90.0), 90.0, seed)
    grid = Grid.from_bounds((0.0, 0.0, width, height), res)
    rng = np.random.default_rng(seed + 2)
    xy = np.column_stack([rng.uniform(0, width, n_sites), rng.uniform(0, height, n_sites)])
    budget = default_budget("4G", Settings())
    t0, c0 = time.perf_counter(), time.process_time()
    pred = best_server(grid, xy, [budget] * n_sites, dem=dem)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    covered = pred.covered(budget.threshold_dbm).mean()
    print(f"province: {n_sites:,} SYNTHETIC 4G masts (30 m), {grid.rows:,} × {grid.cols:,} cells of {res:g} m, "
          f"terrain on: {dt:,.1f} s wall, {cpu:,.1f} s CPU ({n_sites / dt:,.1f} sites/s); "
          f"{covered:.0%} of the area ≥ {budget.threshold_dbm:g} dBm")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--radius-km", type=float, default=30.0)
    ap.add_argument("--res", type=float, default=30.0)
    ap.add_argument("--sample", type=int, default=10_000)  # enough cells for a stable baseline time
    ap.add_argument("--block", type=int, default=8)
    ap.add_argument("--province-sites", type=int, default=1500)
    ap.add_argument("--province-res", type=float, default=100.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-province", action="store_true")
    args = ap.parse_args()
    one_site(args.radius_km, args.res, args.sample, args.block, args.seed)
    if not args.skip_province:
        province(args.province_sites, args.province_res, args.seed)


if __name__ == "__main__":
    main()
