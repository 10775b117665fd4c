"""Heavy reads of issue #16 on a 1M-measurement layer: a cold z8 tile and ``datetime=`` item pages.

Writes ``--rows`` SYNTHETIC drive-test points (one month, spread over the province) straight into
a fresh store (GeoPackage by default, or ``--store`` a PostGIS URL), then serves it with a real
uvicorn process (``api.app:create_app``, tile cache off, so every tile is cold) twice in the same
run:

- *bounded* (the defaults): below ``tile_points_full_zoom`` (12) a measurement tile keeps at most
  ``tile_points_low_zoom_max`` (2,000) points; ``datetime=`` pages are read through the store's
  index on ``time``;
- *baseline* (the unbounded behaviour the issue measured: 23 s for a cold z8 tile, 13.6 s and
  +0.9 GB for ``datetime=``): ``tile_points_full_zoom=0`` (every point in every tile) and a
  ``bbox`` with the ``datetime`` (the path that loads the whole layer into the server).

For each request: status, time, bytes, and the server's resident memory after it (psutil); the
time budget is raised to 600 s so the baseline runs to its end instead of answering 503.
Figures, not pass/fail; the machine is shared (2 cores).

    .venv/bin/python benchmarks/heavy_reads_bench.py [--rows 1000000] [--store URL] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "coverage"), str(ROOT / "benchmarks")]

from api_bench import PROVINCE, free_port, start  # noqa: E402

CHUNK = 200_000
CENTRE = ((PROVINCE[0] + PROVINCE[2]) / 2, (PROVINCE[1] + PROVINCE[3]) / 2)


def fill(url: str, rows: int) -> None:
    """``rows`` SYNTHETIC measurements, written in chunks inside one transaction."""
    import geopandas as gpd
    import pandas as pd

    from villagecov.storage import open_store

    rng = np.random.default_rng(16)
    with open_store(url, initialize=True) as store, store.transaction() as tx:
        for start_row in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start_row)
            times = pd.Timestamp("2025-03-01", tz="UTC") + pd.to_timedelta(
                rng.integers(0, 86400 * 30, n), unit="s"
            )
            frame = gpd.GeoDataFrame(
                {
                    "measurement_id": [f"SYN-M{i:08d}" for i in range(start_row, start_row + n)],
                    "kind": "drive_test",
                    "time": times,
                    "operator": rng.choice(["viettel", "vinaphone", "mobifone"], n),
                    "technology": "4G",
                    "rsrp_dbm": rng.uniform(-120, -60, n).round(1),
                    "dl_mbps": rng.uniform(0, 80, n).round(1),
                    "synthetic": True,
                    "source": "SYNTHETIC heavy reads benchmark",
                    "as_of": "2025-03-31",
                },
                geometry=gpd.points_from_xy(
                    rng.uniform(PROVINCE[0], PROVINCE[2], n), rng.uniform(PROVINCE[1], PROVINCE[3], n)
                ),
                crs="EPSG:4326",
            )
            tx.append("measurements", frame)


def tile_path(z: int) -> str:
    import morecantile

    t = morecantile.tms.get("WebMercatorQuad").tile(*CENTRE, z)
    return f"/collections/measurements/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}"


def get(base: str, path: str) -> tuple[int, float, int, dict[str, str]]:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=900) as r:
            status, body, headers = r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as exc:
        status, body, headers = exc.code, exc.read(), dict(exc.headers)
    return status, (time.perf_counter() - t0) * 1000, len(body), headers


def run(label: str, url: str, workdir: Path, env: dict[str, str], paths: list[tuple[str, str]]) -> list[dict]:
    import psutil

    port = free_port()
    uv = [
        "-m",
        "uvicorn",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
        "--factory",
        "villagecov.api.app:create_app",
    ]
    base_env = {
        "VILLAGECOV_STORE": url,
        "VILLAGECOV_ARCHIVE_DIR": str(workdir / "archive"),
        "VILLAGECOV_TILE_CACHE_MB": "0",
        "VILLAGECOV_REQUEST_TIME_BUDGET_S": "600",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'coverage'}",
    }
    proc = start([sys.executable, *uv], {**base_env, **env}, port, workdir / f"{label}.log")
    rows = []
    try:
        server = psutil.Process(proc.pid)
        rss0 = server.memory_info().rss / 2**20
        for name, path in paths:
            status, ms, size, headers = get(f"http://127.0.0.1:{port}", path)
            rss = server.memory_info().rss / 2**20
            row = {
                "run": label,
                "read": name,
                "status": status,
                "ms": round(ms),
                "kb": round(size / 1024, 1),
                "server_rss_mb_before": round(rss0),
                "server_rss_mb_after": round(rss),
                "truncated": headers.get("X-Tile-Truncated") or headers.get("x-tile-truncated"),
                "dropped": headers.get("X-Tile-Features-Dropped") or headers.get("x-tile-features-dropped"),
            }
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    finally:
        proc.terminate()
        proc.wait(30)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--store", default=None, help="a PostGIS URL (default: a fresh GeoPackage)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="vc-heavy-"))
    url = args.store or str(workdir / "SYNTHETIC_heavy_reads.gpkg")
    proc = mp.get_context("spawn").Process(target=fill, args=(url, args.rows))  # its memory is not ours
    t0 = time.perf_counter()
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        sys.exit("could not fill the store")
    print(
        f"store {url}: {args.rows} SYNTHETIC measurements written in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )

    day = "2025-03-10T00:00:00Z/2025-03-11T00:00:00Z"
    bounded = [
        ("cold z8 tile", tile_path(8)),
        ("cold z10 tile", tile_path(10)),
        ("cold z13 tile", tile_path(13)),
        ("datetime= one day, first page", f"/collections/measurements/items?datetime={day}&limit=100"),
        (
            "datetime= one month, first page",
            "/collections/measurements/items?datetime=2025-03-01/2025-03-31&limit=100",
        ),
    ]
    box = ",".join(str(v) for v in PROVINCE)
    baseline = [
        ("cold z8 tile (every point)", tile_path(8)),
        (
            "datetime= one day + bbox (whole layer in memory)",
            f"/collections/measurements/items?datetime={day}&bbox={box}&limit=100",
        ),
    ]
    results = run("bounded", url, workdir, {}, bounded)
    results += run("baseline", url, workdir, {"VILLAGECOV_TILE_POINTS_FULL_ZOOM": "0"}, baseline)
    by = {(r["run"], r["read"]): r for r in results}
    tile = by[("bounded", "cold z8 tile")]["ms"], by[("baseline", "cold z8 tile (every point)")]["ms"]
    dt = (
        by[("bounded", "datetime= one day, first page")]["ms"],
        by[("baseline", "datetime= one day + bbox (whole layer in memory)")]["ms"],
    )
    print(
        f"cold z8 tile: {tile[0]} ms bounded vs {tile[1]} ms every point ({tile[1] / max(tile[0], 1):.0f}x)"
    )
    print(
        f"datetime= one day: {dt[0]} ms from the index vs {dt[1]} ms whole layer ({dt[1] / max(dt[0], 1):.0f}x)"
    )
    if args.out:
        Path(args.out).write_text(
            json.dumps(
                {"rows": args.rows, "store": "postgis" if "://" in url else "gpkg", "results": results},
                indent=1,
                ensure_ascii=False,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
