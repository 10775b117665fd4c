"""Ingest benchmark: 1,000,000 drive-test rows, and a 20,000 × 20,000 coverage GeoTIFF.

Each case runs in a child process so that its peak memory (``ru_maxrss``) is its own.
Targets on this machine (2 cores): measurements ≤ 60 s and ≤ 2 GB; raster ≤ 1 GB peak.
Inputs are SYNTHETIC and written to a scratch folder (``--workdir``, default a temp dir).

    .venv/bin/python benchmarks/ingest_bench.py [--rows 1000000] [--size 20000] [--store URL]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path

import numpy as np


def write_measurements(path: Path, rows: int) -> None:
    """Drive-test CSV around Đồng Hới / Quảng Bình's coastal plain (SYNTHETIC)."""
    rng = np.random.default_rng(7)
    lon = rng.uniform(106.3, 106.7, rows)
    lat = rng.uniform(17.3, 17.6, rows)
    t0 = np.datetime64("2024-03-01T00:00:00")
    times = (t0 + rng.integers(0, 86400 * 30, rows).astype("timedelta64[s]")).astype(str)
    mnc = rng.choice([1, 2, 4, 5, 7], rows)
    tech = rng.choice(["LTE", "UMTS", "GSM", "NR"], rows)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("time,lon,lat,mnc,technology,rsrp_dbm,rsrq_db,sinr_db,dl_mbps,ul_mbps,latency_ms\n")
        step = 200_000
        for i in range(0, rows, step):
            sl = slice(i, i + step)
            n = len(lon[sl])
            cols = [times[sl], np.char.mod("%.6f", lon[sl]), np.char.mod("%.6f", lat[sl]), mnc[sl].astype(str),
                    tech[sl], np.char.mod("%.1f", rng.uniform(-120, -60, n)),
                    np.char.mod("%.1f", rng.uniform(-20, -3, n)), np.char.mod("%.1f", rng.uniform(-5, 30, n)),
                    np.char.mod("%.2f", rng.uniform(0.5, 150, n)), np.char.mod("%.2f", rng.uniform(0.1, 50, n)),
                    np.char.mod("%.0f", rng.uniform(15, 120, n))]
            fh.write("\n".join(",".join(r) for r in zip(*cols, strict=True)) + "\n")


def write_raster(path: Path, size: int) -> None:
    """A size × size Float32 RSRP GeoTIFF (EPSG:32648, 5 m pixels) written in strips (SYNTHETIC)."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    profile = {"driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "float32",
               "nodata": -9999.0, "crs": "EPSG:32648", "tiled": True, "blockxsize": 512, "blockysize": 512,
               "compress": "deflate", "BIGTIFF": "YES",
               "transform": from_origin(560_000, 1_990_000, 100_000 / size, 100_000 / size)}
    xs = np.arange(size, dtype=np.float32)
    with rasterio.Env(GDAL_CACHEMAX=256), rasterio.open(path, "w", **profile) as dst:
        dst.update_tags(VILLAGECOV_SYNTHETIC="yes")
        strip = 512
        for r in range(0, size, strip):
            h = min(strip, size - r)
            yy = np.arange(r, r + h, dtype=np.float32)[:, None]
            d = np.hypot(xs[None, :] - size / 2, yy - size / 2) / size
            block = np.where(d < 0.45, -60 - 80 * d, -9999.0).astype(np.float32)
            dst.write(block, 1, window=Window(0, r, size, h))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _case(kind: str, path: str, store_url: str, archive: str, options: dict, queue: mp.Queue) -> None:
    from villagecov.ingest import ingest_file
    from villagecov.settings import Settings
    from villagecov.sources.common import IngestOptions
    from villagecov.storage import open_store

    settings = Settings(store=store_url, archive_dir=Path(archive), max_upload_mb=4000, max_uncompressed_mb=8000)
    start = time.perf_counter()
    with open_store(store_url) as store:
        report = ingest_file(settings, store, kind, Path(path), IngestOptions(**options))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    queue.put({"seconds": round(time.perf_counter() - start, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
               "peak_rss_mb": round(_peak_mb()),
               "accepted": report.accepted, "rejected": report.rejected})


def run_case(kind: str, path: Path, store_url: str, archive: Path, options: dict) -> dict:
    queue: mp.Queue = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(target=_case, args=(kind, str(path), store_url, str(archive), options, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--store", default=None, help="store URL (default: a new GeoPackage in the workdir)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--skip", choices=["measurements", "raster"], action="append", default=[])
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="villagecov-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    from villagecov.pipeline import ingest_boundaries
    from villagecov.settings import Settings

    store_url = args.store or str(work / "bench.gpkg")
    base = Settings(store=store_url, archive_dir=work / "archive")
    ingest_boundaries(base, base.data_dir)
    results = {}
    if "measurements" not in args.skip:
        csv = work / f"SYNTHETIC_drive_test_{args.rows}.csv"
        t = time.perf_counter()
        write_measurements(csv, args.rows)
        print(f"wrote {csv.name}: {csv.stat().st_size / 2**20:.0f} MB in {time.perf_counter() - t:.0f} s", flush=True)
        results["measurements"] = run_case("measurements", csv, store_url, work / "archive", {})
        print("measurements:", json.dumps(results["measurements"]), flush=True)
    if "raster" not in args.skip:
        tif = work / f"SYNTHETIC_rsrp_{args.size}.tif"
        t = time.perf_counter()
        write_raster(tif, args.size)
        print(f"wrote {tif.name}: {args.size}² px, {tif.stat().st_size / 2**20:.0f} MB in "
              f"{time.perf_counter() - t:.0f} s", flush=True)
        results["raster"] = run_case("coverage", tif, store_url, work / "archive",
                                     {"operator": "viettel", "technology": "4G", "as_of": "2024-06-30",
                                      "evidence": "modelled"})
        print("raster:", json.dumps(results["raster"]), flush=True)
    print(json.dumps({"store": store_url.split("@")[-1], **results}, indent=1))


if __name__ == "__main__":
    main()
