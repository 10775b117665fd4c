"""API benchmark: villagecov vs TiPg (vector tiles, items) and TiTiler (raster tiles), same tables.

One PostGIS database is filled with the real boundaries and SYNTHETIC villages (Voronoi cells
in every 2019 commune), computed coverage rows with the village summary the compute engine
derives from them, declared coverage polygons and a signal COG.
Three real uvicorn processes (one worker each) serve it: villagecov (.venv), TiPg and TiTiler
(``--bench-python``, a separate venv: their pins differ from ours). ``wrk`` (Debian) loads each
endpoint on loopback for ``--duration`` seconds with ``--connections`` connections, cycling
through tiles z8–z14 over the province (or item pages), after a short warm-up. TiPg serves the
bare ``villages`` table (5 properties) in the ``villages MVT`` cases and a ``villages_status`` view
with the same 11 attributes villagecov serves in the ``villages+status MVT`` cases.

Figures, not pass/fail. The machine is shared (2 cores), so run it once and read the ratios.

    .venv/bin/python benchmarks/api_bench.py [--pg URL] [--duration 8] [--connections 8]
        [--bench-python /work/bench-venv/bin/python] [--out benchmarks/api_bench.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "coverage")]
ZOOMS = range(8, 15)
PROVINCE = (105.6, 16.9, 107.1, 18.1)
SRC = "SYNTHETIC api benchmark"
WRK_LUA = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local out = io.open(os.getenv("BENCH_OUT"), "w")
  out:write(string.format('{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"non2xx": %d, "errors": %d, "bytes": %d}',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.bytes))
  out:close()
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- data -------------------------------------------------------------------------------------


def synth_villages(communes, per_commune: int, rng: np.random.Generator):
    """Voronoi cells of random points in each commune, clipped to it (SYNTHETIC, EPSG:4326)."""
    import geopandas as gpd
    import shapely

    rows, geoms = [], []
    for c in communes.itertuples():
        poly = c.geometry
        minx, miny, maxx, maxy = poly.bounds
        pts = []
        while len(pts) < per_commune:
            cand = shapely.points(rng.uniform(minx, maxx, 64), rng.uniform(miny, maxy, 64))
            pts += [p for p in cand[shapely.contains(poly, cand)]][: per_commune - len(pts)]
        cells = shapely.voronoi_polygons(shapely.MultiPoint(pts), extend_to=shapely.box(minx, miny, maxx, maxy))
        for i, cell in enumerate(shapely.get_parts(cells)):
            part = shapely.intersection(cell, poly)
            if part.is_empty or part.area == 0:
                continue
            vid = f"SYN-{c.code}-{i:02d}"
            rows.append({"village_id": vid, "name": f"Thôn tổng hợp {c.code}-{i}", "commune_code": c.code,
                         "boundary_version": "2019", "population": int(rng.integers(100, 3000)),
                         "households": int(rng.integers(25, 700)), "remote": bool(rng.random() < 0.3),
                         "derived": True, "synthetic": True, "source": SRC, "as_of": "2025-01-01"})
            geoms.append(shapely.make_valid(part))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def synth_coverage(province, rng: np.random.Generator):
    """Declared 4G polygons per operator: unions of 3–9 km discs around random sites (SYNTHETIC)."""
    import geopandas as gpd
    import shapely

    metric = gpd.GeoSeries([province], crs="EPSG:4326").to_crs(32648).iloc[0]
    minx, miny, maxx, maxy = metric.bounds
    rows, geoms = [], []
    for op in ("viettel", "vinaphone", "mobifone", "vietnamobile", "gmobile"):
        n = int(rng.integers(40, 120))
        pts = shapely.points(rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n))
        discs = shapely.buffer(pts, rng.uniform(3000, 9000, n), quad_segs=24)
        union = shapely.intersection(shapely.union_all(discs), metric)
        parts = gpd.GeoSeries(shapely.get_parts(union), crs=32648).to_crs(4326)
        for j, g in enumerate(parts):
            rows.append({"coverage_id": f"SYN-{op}-4G-{j:03d}", "operator": op, "technology": "4G",
                         "evidence": "declared", "value_kind": "polygon", "synthetic": True, "source": SRC,
                         "as_of": "2025-06-30"})
            geoms.append(g)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def synth_cog(path: Path, rng: np.random.Generator) -> None:
    """4G RSRP (dBm) over the province, 0.0005° pixels, smooth field + nodata sea (SYNTHETIC COG)."""
    import rasterio
    from affine import Affine

    w, h = int((PROVINCE[2] - PROVINCE[0]) / 0.0005), int((PROVINCE[3] - PROVINCE[1]) / 0.0005)
    yy, xx = np.mgrid[0:h, 0:w].astype("float32")
    field = -95 + 25 * np.sin(xx / 173.0) * np.cos(yy / 211.0) + rng.normal(0, 3, (h, w)).astype("float32")
    field[(xx / w + yy / h) > 1.6] = -9999.0  # the sea corner: nodata
    tmp = path.with_suffix(".tmp.tif")
    profile = {"driver": "GTiff", "width": w, "height": h, "count": 1, "dtype": "float32", "crs": "EPSG:4326",
               "transform": Affine.translation(PROVINCE[0], PROVINCE[3]) @ Affine.scale(0.0005, -0.0005),
               "nodata": -9999.0, "tiled": True, "blockxsize": 512, "blockysize": 512, "compress": "deflate"}
    with rasterio.open(tmp, "w", **profile) as dst:
        dst.write(field.astype("float32"), 1)
    with rasterio.open(tmp) as src:
        prof = {**src.profile, "driver": "COG", "overview_resampling": "nearest", "blocksize": 512}
        for k in ("tiled", "blockxsize", "blockysize", "interleave"):
            prof.pop(k, None)
        with rasterio.open(path, "w", **prof) as dst:
            dst.write(src.read(1), 1)
    tmp.unlink()


def village_summary(villages, vc, settings):
    """The village_summary rows `villagecov compute` derives from these village_coverage rows
    (the engine's own :func:`villagecov.compute.indicators.village_table`; one vintage)."""
    import pandas as pd

    from villagecov.compute.indicators import village_table

    remote = villages[["village_id", "remote"]].assign(remote_reasons=None)
    vt = village_table(villages, vc.assign(contradicted=False), remote, None, pd.Series(dtype="float64"), settings)
    return vt.assign(as_of=vc["as_of"].iloc[0], run_id="bench")


def build_database(base_url: str, workdir: Path) -> tuple[str, Path]:
    """A new database with boundaries and the SYNTHETIC layers; returns its URL and the COG path."""
    import pandas as pd
    import sqlalchemy as sa

    from villagecov.pipeline import ingest_boundaries
    from villagecov.settings import Settings
    from villagecov.storage import open_store

    base = sa.make_url(base_url)
    name = f"vc_apibench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base.set(database=name).render_as_string(hide_password=False)
    settings = Settings(store=url, archive_dir=workdir / "archive")
    ingest_boundaries(settings, settings.data_dir)
    rng = np.random.default_rng(20251126)
    store = open_store(url)
    units = store.read("admin_units", where={"version": "2019"})
    communes = units[units["level"] == "commune"]
    villages = synth_villages(communes, 10, rng)
    statuses = np.array(["covered", "partial", "none"])
    vc = []
    for vid in villages["village_id"]:
        for op in ("ANY", "viettel", "vinaphone", "mobifone", "vietnamobile", "gmobile"):
            for tech in (("2G", "3G", "4G", "5G") if op == "ANY" else ("4G",)):
                share = float(rng.random())
                vc.append({"village_id": vid, "operator": op, "technology": tech, "evidence": "declared",
                           "as_of": "2025-06-30", "covered_area_share": share, "covered_pop_share": share,
                           "status": statuses[0 if share >= 0.8 else 1 if share >= 0.2 else 2], "run_id": "bench"})
    vc = pd.DataFrame(vc)
    summary = village_summary(villages, vc, settings)
    coverage = synth_coverage(units[units["level"] == "province"].geometry.iloc[0], rng)
    cog = workdir / "SYNTHETIC_rsrp_4g.cog.tif"
    synth_cog(cog, rng)
    raster_row = coverage.iloc[:1].copy()
    raster_row["coverage_id"], raster_row["evidence"] = "SYN-RASTER-4G", "modelled"
    raster_row["raster_path"], raster_row["value_kind"] = str(cog), "signal_dbm"
    with store.transaction() as tx:
        tx.append("villages", villages)
        tx.append("village_coverage", vc)
        tx.append("village_summary", summary)
        tx.append("coverage", pd.concat([coverage, raster_row]))
    with store._connect() as conn:  # fresh statistics for both servers' planners
        # For TiPg: the villages with the same 11 tile attributes villagecov serves (one vintage here).
        conn.execute(sa.text("""CREATE VIEW villages_status AS
            SELECT v.village_id, v.name, v.commune_code, v.population, v.remote, s.status_2g, s.status_3g, s.status_4g,
                   s.status_5g, s.pop_share_4g, coalesce(s.n_operators_4g, 0)::bigint AS operators_4g, v.geometry
            FROM villages v LEFT JOIN village_summary s
              ON s.village_id = v.village_id AND s.as_of = (SELECT max(as_of) FROM village_summary)"""))
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    print(f"database {name}: {len(villages)} villages, {len(vc)} coverage rows, {len(summary)} summary rows, "
          f"{len(coverage)} polygons, COG {cog}")
    store.close()
    return url, cog


def drop_database(url: str) -> None:
    import sqlalchemy as sa

    u = sa.make_url(url)
    admin = sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
    admin.dispose()


# -- servers and load -------------------------------------------------------------------------


def start(cmd: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"server {' '.join(cmd)} did not start; see {log}")


def tiles_over_province(zoom: int, limit: int, rng: np.random.Generator) -> list[tuple[int, int, int]]:
    import morecantile

    tms = morecantile.tms.get("WebMercatorQuad")
    tiles = [(t.z, t.x, t.y) for t in tms.tiles(*PROVINCE, [zoom])]
    if len(tiles) > limit:
        tiles = [tiles[i] for i in sorted(rng.choice(len(tiles), limit, replace=False))]
    return tiles


def wrk(base: str, paths: list[str], duration: int, connections: int, workdir: Path) -> dict[str, float]:
    pfile, out, script = workdir / "paths.txt", workdir / "wrk.json", workdir / "bench.lua"
    pfile.write_text("\n".join(paths) + "\n")
    script.write_text(WRK_LUA)
    env = {**os.environ, "BENCH_PATHS": str(pfile), "BENCH_OUT": str(out)}
    subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", str(script), base],
                   env=env, check=True, capture_output=True)
    r = json.loads(out.read_text())
    secs = r["duration_us"] / 1e6
    return {"rps": r["requests"] / secs, "p50_ms": r["p50_us"] / 1000, "p95_ms": r["p95_us"] / 1000,
            "p99_ms": r["p99_us"] / 1000, "requests": r["requests"], "non2xx": r["non2xx"], "errors": r["errors"],
            "kb_per_req": r["bytes"] / max(r["requests"], 1) / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", default=os.environ.get("VILLAGECOV_TEST_POSTGIS_URL",
                                                   "postgresql+psycopg://postgres@127.0.0.1:55432/villagecov_test"))
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--tiles-per-zoom", type=int, default=48)
    ap.add_argument("--bench-python", default="/work/bench-venv/bin/python")
    ap.add_argument("--cases", default="all", help="comma list of case names, or all")
    ap.add_argument("--tile-cache-mb", type=int, default=0,
                    help="villagecov's in-process tile cache (0: off, the engine-to-engine comparison)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "api_bench.json")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    workdir = Path(tempfile.mkdtemp(prefix="villagecov-apibench-"))
    url, cog = build_database(args.pg, workdir)
    procs: list[subprocess.Popen] = []
    try:
        import sqlalchemy as sa

        plain = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        ours, tipg, titiler = free_port(), free_port(), free_port()
        uv = ["-m", "uvicorn", "--host", "127.0.0.1", "--workers", "1", "--no-access-log", "--log-level", "warning"]
        procs.append(start([sys.executable, *uv, "--port", str(ours), "--factory", "villagecov.api.app:create_app"],
                           {"VILLAGECOV_STORE": url, "VILLAGECOV_ARCHIVE_DIR": str(workdir / "archive"),
                            "VILLAGECOV_TILE_CACHE_MB": str(args.tile_cache_mb),
                            "PYTHONPATH": f"{ROOT}:{ROOT / 'coverage'}"}, ours, workdir / "ours.log"))
        procs.append(start([args.bench_python, *uv, "--port", str(tipg), "tipg.main:app"],
                           {"DATABASE_URL": plain, "TIPG_TILE_BUFFER": "64", "TIPG_MAX_FEATURES_PER_TILE": "20000"},
                           tipg, workdir / "tipg.log"))
        procs.append(start([args.bench_python, *uv, "--port", str(titiler), "titiler.application.main:app"],
                           {}, titiler, workdir / "titiler.log"))
        rng = np.random.default_rng(1)
        tiles = {z: tiles_over_province(z, args.tiles_per_zoom, rng) for z in ZOOMS}
        vprops = "village_id,name,commune_code,population,remote"
        cases: dict[str, tuple[str, list[str], str, list[str]]] = {}
        for z in ZOOMS:
            ts = tiles[z]
            for layer in ("villages", "coverage"):
                # geom-column: TiPg would otherwise pick the stored Web-Mercator copy (geom_3857, migration
                # 0005, no spatial index) of these tables; it serves the canonical geometry, as before 0005.
                extra = f"?properties={vprops}&geom-column=geometry" if layer == "villages" else "?geom-column=geometry"
                cases[f"{layer} MVT z{z}"] = (
                    f"http://127.0.0.1:{ours}", [f"/collections/{layer}/tiles/WebMercatorQuad/{z}/{y}/{x}" for _, x, y in ts],
                    f"http://127.0.0.1:{tipg}",
                    [f"/collections/public.{layer}/tiles/WebMercatorQuad/{z}/{x}/{y}{extra}" for _, x, y in ts])
            # the same attributes on both sides: TiPg serves the villages_status view (a join, as villagecov does)
            cases[f"villages+status MVT z{z}"] = (
                f"http://127.0.0.1:{ours}", [f"/collections/villages/tiles/WebMercatorQuad/{z}/{y}/{x}" for _, x, y in ts],
                f"http://127.0.0.1:{tipg}",
                [f"/collections/public.villages_status/tiles/WebMercatorQuad/{z}/{x}/{y}" for _, x, y in ts])
            cases[f"raster PNG z{z}"] = (
                f"http://127.0.0.1:{ours}", [f"/rasters/SYN-RASTER-4G/tiles/WebMercatorQuad/{z}/{y}/{x}.png" for _, x, y in ts],
                f"http://127.0.0.1:{titiler}",
                [f"/cog/tiles/WebMercatorQuad/{z}/{x}/{y}.png?url={cog}&rescale=-130,-50&colormap_name=rdylgn"
                 for _, x, y in ts])
        offsets = range(0, 1500, 100)
        cases["villages items (100/page)"] = (
            f"http://127.0.0.1:{ours}", [f"/collections/villages/items?limit=100&offset={o}" for o in offsets],
            f"http://127.0.0.1:{tipg}", [f"/collections/public.villages/items?limit=100&offset={o}&geom-column=geometry"
                                         for o in offsets])
        wanted = None if args.cases == "all" else set(args.cases.split(","))
        results = []
        for name, (base_a, paths_a, base_b, paths_b) in cases.items():
            if wanted and name not in wanted:
                continue
            row: dict[str, object] = {"case": name, "paths": len(paths_a), "loadavg_1m_before": os.getloadavg()[0]}
            for who, base, paths in (("villagecov", base_a, paths_a), ("reference", base_b, paths_b)):
                wrk(base, paths, args.warmup, args.connections, workdir)
                row[who] = wrk(base, paths, args.duration, args.connections, workdir)
            a, b = row["villagecov"], row["reference"]
            row["reference_name"] = "TiTiler" if name.startswith("raster") else "TiPg"
            row["rps_ratio"] = a["rps"] / b["rps"] if b["rps"] else None  # type: ignore[index]
            row["p95_ratio"] = a["p95_ms"] / b["p95_ms"] if b["p95_ms"] else None  # type: ignore[index]
            row["loadavg_1m_after"] = os.getloadavg()[0]
            results.append(row)
            print(f"{name:<28} ours {a['rps']:7.1f}/s p50 {a['p50_ms']:7.1f} p95 {a['p95_ms']:7.1f} ms "  # type: ignore[index]
                  f"({a['non2xx']} non-2xx) | {row['reference_name']} {b['rps']:7.1f}/s p50 {b['p50_ms']:7.1f} "  # type: ignore[index]
                  f"p95 {b['p95_ms']:7.1f} ms ({b['non2xx']} non-2xx) | rps x{row['rps_ratio']:.2f} "  # type: ignore[index]
                  f"p95 x{row['p95_ratio']:.2f} | load {row['loadavg_1m_before']:.1f}→{row['loadavg_1m_after']:.1f}",
                  flush=True)
        args.out.write_text(json.dumps({"duration_s": args.duration, "connections": args.connections,
                                        "tile_cache_mb": args.tile_cache_mb,
                                        "cpu_count": os.cpu_count(), "results": results}, indent=1))
        print(f"wrote {args.out}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
