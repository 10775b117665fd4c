"""National-scale benchmark of the Dask engine (villagecov.scale) on SYNTHETIC inputs.

    .venv/bin/python benchmarks/scale_bench.py [--sites 120] [--villages 20000] [--rows 2000000]
        [--files 20] [--store PATH|postgresql+psycopg://…] [--workers 1,2] [--only predict,compute,measurements]

Everything here is SYNTHETIC: hills for a DEM, towers at random, square villages in a grid,
coverage as unions of discs, drive tests at random over Quảng Bình's real boundaries.

Three workloads, each run three ways: single process (today's path, in a subprocess of its own so
that its peak memory is its own), then a LocalCluster of 1 and of 2 worker processes (one thread
each). For each it prints wall time, CPU seconds and peak RSS per worker (the workers' own
``getrusage``), the per-task costs (Dask's task stream: compute time per task kind), and checks
that the Dask result equals the single-process one.

- predict: ``--sites`` towers at the national density (20,000 sites over 331,000 km² ≈ 0.06 per
  km²) over a square of the matching area, a 90 m SYNTHETIC DEM, 90 m output grid, 10 km radius.
- compute: ``--villages`` square villages, 64 to a commune, 8 coverage layers.
- measurements: ``--rows`` drive-test rows in ``--files`` Parquet partitions, loaded into the
  store and aggregated per village × operator × technology × year.

The national figures are PROJECTED, not measured: per-unit task costs measured here × the national
counts (20,000 sites × 20 operator-technology layers, 100,000 villages × 24 layers, 100 M rows),
divided over N machines of 2 worker processes, plus the serial part measured here scaled the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

NATIONAL = {"predict": 20_000 * 20, "compute": 100_000 * 24, "measurements": 100_000_000}
UNIT = {"predict": "site-layer", "compute": "village-layer", "measurements": "row"}
SITE_DENSITY_KM2 = 20_000 / 331_000.0
X0, Y0 = 600_000.0, 1_900_000.0  # EPSG:32648, inside Quảng Bình


# -- SYNTHETIC inputs ---------------------------------------------------------------------------

def make_predict(folder: Path, sites: int) -> dict:
    import geopandas as gpd
    import rasterio
    from affine import Affine

    from villagecov.frames import normalize
    from villagecov.schema import TABLES

    side = float(np.sqrt(sites / SITE_DENSITY_KM2)) * 1000.0
    bounds = (X0, Y0, X0 + side, Y0 + side)
    n = int(np.ceil((side + 4000) / 90.0))
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:n, 0:n].astype("float32")
    z = np.full((n, n), 40.0, dtype="float32")
    for cx, cy, h, w in zip(rng.uniform(0, n, 60), rng.uniform(0, n, 60), rng.uniform(100, 900, 60),
                            rng.uniform(10, 60, 60), strict=True):
        z += h * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * w * w))
    dem = folder / "SYNTHETIC_dem_90m.tif"
    with rasterio.open(dem, "w", driver="GTiff", width=n, height=n, count=1, dtype="float32", crs="EPSG:32648",
                       transform=Affine(90.0, 0, X0 - 2000, 0, -90.0, Y0 + side + 2000), tiled=True) as dst:
        dst.write(z, 1)
        dst.update_tags(VILLAGECOV_SYNTHETIC="yes")
    pts = gpd.points_from_xy(rng.uniform(X0, X0 + side, sites), rng.uniform(Y0, Y0 + side, sites), crs="EPSG:32648")
    frame = gpd.GeoDataFrame({"site_id": [f"S{i}" for i in range(sites)], "kind": "mobile_tower",
                              "operator": "viettel", "technologies": "4G", "height_m": rng.uniform(20, 45, sites),
                              "synthetic": True}, geometry=pts).to_crs("EPSG:4326")
    path = folder / "SYNTHETIC_sites.gpkg"
    normalize(frame, TABLES["sites"]).to_file(path, driver="GPKG")
    return {"dem": str(dem), "sites": str(path), "bounds": bounds, "units": sites, "dem_cells": n * n}


def make_compute(folder: Path, villages: int) -> dict:
    import geopandas as gpd
    import shapely

    k = int(np.ceil(np.sqrt(villages)))
    a = 1500.0
    i, j = np.divmod(np.arange(villages), k)
    geoms = shapely.box(X0 + j * a, Y0 + i * a, X0 + (j + 1) * a, Y0 + (i + 1) * a)
    commune = [f"c{int(r // 8):04d}{int(c // 8):04d}" for r, c in zip(i, j, strict=True)]
    v = gpd.GeoDataFrame({"village_id": [f"v{n:07d}" for n in range(villages)], "commune_code": commune,
                          "population": 300, "synthetic": True}, geometry=geoms, crs="EPSG:32648").to_crs("EPSG:4326")
    rng = np.random.default_rng(2)
    rows = []
    for layer in range(8):
        n = max(10, villages // 40)
        c = shapely.points(rng.uniform(X0, X0 + k * a, n), rng.uniform(Y0, Y0 + k * a, n))
        disc = shapely.union_all(shapely.buffer(c, rng.uniform(1500, 4000, n), quad_segs=8))
        rows.append({"coverage_id": f"L{layer}", "operator": ["viettel", "vinaphone", "mobifone", "vietnamobile"][layer % 4],
                     "technology": ["4G", "3G"][layer // 4], "evidence": "declared", "raster_path": None,
                     "as_of": "2024-01-01", "geometry": disc})
    cov = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:32648").to_crs("EPSG:4326")
    v.to_parquet(folder / "SYNTHETIC_villages.parquet")
    cov.to_parquet(folder / "SYNTHETIC_coverage.parquet")
    return {"villages": str(folder / "SYNTHETIC_villages.parquet"),
            "coverage": str(folder / "SYNTHETIC_coverage.parquet"), "units": villages * 8}


def make_measurements(folder: Path, rows: int, files: int, store: str) -> dict:
    import pandas as pd
    import shapely

    from villagecov.pipeline import ingest_boundaries
    from villagecov.schema import METRIC_CRS
    from villagecov.settings import Settings
    from villagecov.storage import open_store

    settings = Settings(store=store, archive_dir=folder / "archive")
    ingest_boundaries(settings, settings.data_dir)
    with open_store(store) as st:
        communes = st.read("admin_units", where={"level": "commune", "version": "2019"}).to_crs(METRIC_CRS)
        parts = []
        for code, g in zip(communes["code"], communes.geometry, strict=True):  # 3 × 3 villages per commune
            x0, y0, x1, y1 = g.bounds
            for p in range(9):
                cell = shapely.box(x0 + (p % 3) * (x1 - x0) / 3, y0 + (p // 3) * (y1 - y0) / 3,
                                   x0 + (p % 3 + 1) * (x1 - x0) / 3, y0 + (p // 3 + 1) * (y1 - y0) / 3)
                part = shapely.intersection(g, cell)
                if part.area > 1000:
                    parts.append({"village_id": f"{code}-{p}", "name": f"Thôn {p} SYNTHETIC", "commune_code": code,
                                  "as_of": "2024-01-01", "synthetic": True, "source": "SYNTHETIC", "geometry": part})
        import geopandas as gpd

        with st.transaction() as tx:
            tx.append("villages", gpd.GeoDataFrame(parts, crs=METRIC_CRS).to_crs("EPSG:4326"))
    rng = np.random.default_rng(3)
    data = folder / "SYNTHETIC_measurements"
    data.mkdir()
    per = rows // files
    # points inside the province (a pool drawn once); 1 % of rows out of range (quarantined)
    with open_store(store) as st:
        province = st.read("admin_units", where={"level": "province", "version": "2019"}).geometry.iloc[0]
    w, s_, e, n = province.bounds
    pool = shapely.points(rng.uniform(w, e, 4 * per), rng.uniform(s_, n, 4 * per))
    pool = pool[shapely.contains_xy(province, shapely.get_x(pool), shapely.get_y(pool))]
    for f in range(files):
        pick = rng.integers(0, len(pool), per)
        rsrp = rng.uniform(-130, -60, per).round(1)
        rsrp[rng.random(per) < 0.01] = 15.0
        pd.DataFrame({
            "time": pd.Timestamp("2024-01-01T00:00:00+07:00") + pd.to_timedelta(rng.integers(0, 360 * 86400, per), "s"),
            "lon": shapely.get_x(pool[pick]).round(5), "lat": shapely.get_y(pool[pick]).round(5),
            "mnc": rng.choice([1, 2, 4], per), "technology": rng.choice(["4G", "3G", "2G"], per),
            "rsrp_dbm": rsrp, "dl_mbps": rng.uniform(0.2, 90, per).round(2),
        }).to_parquet(data / f"part-{f:04d}.parquet", index=False)
    return {"data": str(data), "store": store, "archive": str(folder / "archive"), "units": per * files}


# -- the workloads: the same call with and without a client ------------------------------------

def run_predict(inp: dict, out: Path, client) -> object:
    from villagecov.propagation.run import predict_to_dir, read_sites_file
    from villagecov.settings import Settings

    kw = dict(bounds=tuple(inp["bounds"]), res=90.0, radius_m=10_000.0, dem_path=Path(inp["dem"]))
    sites = read_sites_file(Path(inp["sites"]))
    if client is None:
        layers = predict_to_dir(sites, Settings(), out, **kw)
    else:
        from villagecov.scale.predict_layers import predict_to_dir_dask

        layers = predict_to_dir_dask(client, sites, Settings(), out, **kw)
    return str(layers[0].path)


def run_compute(inp: dict, out: Path, client) -> object:
    import geopandas as gpd

    from villagecov.compute.village_coverage import VintageInputs, compute_vintage
    from villagecov.settings import Settings

    vin = VintageInputs("2024-01-01", gpd.read_parquet(inp["villages"]), gpd.read_parquet(inp["coverage"]))
    if client is None:
        rows = compute_vintage(vin, Settings())
    else:
        from villagecov.scale.blocks import compute_vintage_blocks

        n = len(vin.villages)  # about 8 blocks per worker, whole communes of 64
        rows = compute_vintage_blocks(client, vin, Settings(), block_villages=max(64, n // (8 * len(client.nthreads()))))
    path = out / "village_coverage.parquet"
    out.mkdir(parents=True, exist_ok=True)
    rows.to_parquet(path)
    return str(path)


def run_measurements(inp: dict, out: Path, client) -> object:
    from villagecov.scale.measurements import load_dataset
    from villagecov.settings import Settings
    from villagecov.sources.common import IngestOptions
    from villagecov.storage import open_store

    settings = Settings(store=inp["store"], archive_dir=Path(inp["archive"]))
    with open_store(inp["store"]) as st:
        report = load_dataset(settings, st, [Path(inp["data"])], IngestOptions(), client=client)
        with st.transaction() as tx:  # the next run loads the same dataset again
            tx.delete("measurements", {"submission_id": report.submission_id})
            tx.delete("submissions", {"submission_id": report.submission_id})
    out.mkdir(parents=True, exist_ok=True)
    report.aggregate.to_parquet(out / "aggregate.parquet")
    return {"accepted": report.accepted, "rejected": report.rejected, "path": str(out / "aggregate.parquet")}


RUNS = {"predict": run_predict, "compute": run_compute, "measurements": run_measurements}


def _usage() -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of this process. The peak is VmHWM, not ru_maxrss: Linux keeps
    ru_maxrss across execve, so a worker spawned by a big client would report the client's peak."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    hwm = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
               if line.startswith("VmHWM:"))
    return r.ru_utime + r.ru_stime, hwm / 1024.0


def single(name: str, inp: dict, out: Path) -> dict:
    """Today's path in this (fresh) process."""
    cpu0, _ = _usage()
    t0 = time.perf_counter()
    result = RUNS[name](inp, out, None)
    wall = time.perf_counter() - t0
    cpu1, peak = _usage()
    return {"wall": wall, "cpu": cpu1 - cpu0, "peak_mb": peak, "result": result}


def _warm() -> None:
    import rasterio  # noqa: F401

    import villagecov.propagation.run
    import villagecov.scale.blocks
    import villagecov.scale.partitions
    import villagecov.sources.measurements
    import villagecov.storage.postgis  # noqa: F401


def on_cluster(name: str, inp: dict, out: Path, workers: int) -> dict:
    from distributed import Client, LocalCluster, get_task_stream

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.run(_warm)  # imports are not the work
        before = client.run(_usage)
        t0 = time.perf_counter()
        with get_task_stream(client) as ts:
            result = RUNS[name](inp, out, client)
        wall = time.perf_counter() - t0
        after = client.run(_usage)
        tasks: dict[str, list[float]] = defaultdict(list)
        for t in ts.data:
            secs = sum(s["stop"] - s["start"] for s in t["startstops"] if s["action"] == "compute")
            tasks[str(t["key"]).split("-")[0].strip("('\"")].append(secs)
    per_worker = [{"cpu": after[w][0] - before[w][0], "peak_mb": after[w][1]} for w in sorted(after)]
    return {"wall": wall, "workers": per_worker, "result": result,
            "tasks": {k: {"n": len(v), "sum": sum(v), "mean": sum(v) / len(v), "max": max(v)} for k, v in tasks.items()}}


def compare(name: str, a: object, b: object) -> str:
    import pandas as pd

    if name == "predict":
        import rasterio

        with rasterio.open(a) as x, rasterio.open(b) as y:
            va, vb = x.read(1), y.read(1)
        same_nan = bool(np.array_equal(np.isnan(va), np.isnan(vb)))
        return f"max |Δ| {np.nanmax(np.abs(va - vb)):.4f} dB, same nodata cells: {same_nan}"
    if name == "compute":
        x, y = pd.read_parquet(a), pd.read_parquet(b)
        keys = ["village_id", "operator", "technology", "evidence"]
        same = len(x) == len(y) and x[keys].equals(y[keys])
        return (f"{len(x)} vs {len(y)} rows, same keys in order: {same}, max |Δ share| "
                f"{np.nanmax(np.abs(x['covered_area_share'] - y['covered_area_share'])):.2e}")
    x, y = pd.read_parquet(a["path"]), pd.read_parquet(b["path"])
    return (f"accepted {a['accepted']} vs {b['accepted']}, rejected {a['rejected']} vs {b['rejected']}, "
            f"aggregate rows {len(x)} vs {len(y)}, max |Δ mean RSRP| "
            f"{np.nanmax(np.abs(x['mean_rsrp_dbm'] - y['mean_rsrp_dbm'])):.2e} dB")


def project(name: str, units: int, res: dict[int, dict]) -> list[str]:
    """PROJECTED national task time on N machines of 2 workers from the measured task costs."""
    lo, hi = min(res), max(res)
    task_s = sum(t["sum"] for t in res[lo]["tasks"].values())  # the least contended run: the task's own cost
    per_unit = task_s / units
    serial = max(0.0, res[lo]["wall"] - task_s / lo)
    eff = (res[lo]["wall"] / res[hi]["wall"]) / (hi / lo) if hi > lo else 1.0
    lines = [f"  measured: {task_s:.1f} s of task compute ({lo} worker) for {units:,} {UNIT[name]}s = "
             f"{per_unit * 1e3:.3f} ms per {UNIT[name]}; client side and scheduling {serial:.1f} s; "
             f"parallel efficiency {lo}→{hi} workers {eff:.0%} (this machine: 2 cores shared)"]
    for n in (1, 4, 16, 64):
        ideal = per_unit * NATIONAL[name] / (2 * n)
        lines.append(f"  PROJECTED national ({NATIONAL[name]:,} {UNIT[name]}s), task time on {n:>2} machine(s) × 2 "
                     f"workers: {_dur(ideal)} ideal, {_dur(ideal / max(eff, 0.05))} at the measured efficiency")
    lines.append("  (PROJECTED lines leave out the client side, which grows with the output, not with the workers)")
    return lines


def _dur(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.2f} h"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.1f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=120)
    ap.add_argument("--villages", type=int, default=20_000)
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--store", default="")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--only", default="predict,compute,measurements")
    ap.add_argument("--single", nargs=3, metavar=("NAME", "INPUT_JSON", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.single:
        name, inp, out = args.single
        print(json.dumps(single(name, json.loads(inp), Path(out)), default=str))
        return
    folder = Path(tempfile.mkdtemp(prefix="villagecov-scale-bench-"))
    print(f"SYNTHETIC inputs in {folder}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    for name in args.only.split(","):
        t0 = time.perf_counter()
        if name == "predict":
            inp = make_predict(folder, args.sites)
        elif name == "compute":
            inp = make_compute(folder, args.villages)
        else:
            inp = make_measurements(folder, args.rows, args.files, args.store or str(folder / "store.gpkg"))
        print(f"\n== {name}: {inp['units']:,} {UNIT[name]}s (SYNTHETIC, generated in {time.perf_counter() - t0:.1f} s)")
        proc = subprocess.run([sys.executable, __file__, "--single", name, json.dumps(inp), str(folder / name / "one")],
                              capture_output=True, text=True, check=True)
        one = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"  single process (today): wall {one['wall']:.1f} s, CPU {one['cpu']:.1f} s, peak {one['peak_mb']:.0f} MB")
        res = {}
        for w in (int(x) for x in args.workers.split(",")):
            r = on_cluster(name, inp, folder / name / f"w{w}", w)
            res[w] = r
            workers = "; ".join(f"w{i}: CPU {x['cpu']:.1f} s, peak {x['peak_mb']:.0f} MB" for i, x in enumerate(r["workers"]))
            print(f"  Dask {w} worker(s): wall {r['wall']:.1f} s ({one['wall'] / r['wall']:.2f}× single); {workers}")
            for k, t in sorted(r["tasks"].items(), key=lambda kv: -kv[1]["sum"]):
                print(f"    task {k}: {t['n']} × mean {t['mean'] * 1e3:.1f} ms (max {t['max'] * 1e3:.1f} ms), "
                      f"{t['sum']:.1f} s in all")
            print(f"    equals single process: {compare(name, one['result'], r['result'])}")
        for line in project(name, inp["units"], res):
            print(line)


if __name__ == "__main__":
    main()
