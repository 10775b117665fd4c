"""Benchmark of the village coverage engine at national scale, on SYNTHETIC inputs.

    .venv/bin/python benchmarks/compute_bench.py [--villages 100000] [--scale 1.0] [--subset 2000]

Phases, each in its own process so that peak memory (ru_maxrss) is the computation's own:
1. ``generate``: 100,000 villages (Voronoi cells of clustered points over a 600 × 550 km
   rectangle, EPSG:32648, densified to ~300 m vertex spacing), 2 settlement points per village
   with population, and 24 declared coverage layers (6 operators × 4 technologies), each the
   union of thousands of irregular 36-vertex site footprints minus shadow holes. Written to a
   cache folder as GeoParquet (EPSG:4326, as the store keeps them), labelled SYNTHETIC.
2. ``engine``: the full computation (:func:`villagecov.compute.village_coverage.compute_vintage`:
   24 layers + 4 ANY unions, area and population shares, statuses) on every village.
3. ``overlay``: a straightforward ``geopandas.overlay`` implementation (villages ∩ each layer's
   polygons, areas summed per village; ANY = overlay with the union of the operators' layers) on
   a subset of villages and layers; its time is extrapolated per village × layer to the full
   problem, and its shares (exact GEOS overlay) are the reference for the engine's accuracy.

``--phase store-accuracy --store PATH`` checks a built store (e.g. the province demo) the same way.
Prints a figures table; numbers, not pass/fail. Not part of the test suite.

Figures of 2026-11-26 (2 cores shared with other jobs: load average 7-15 during the run, so wall
times are inflated several-fold; CPU seconds are the process's own, both threads included):

- inputs: 99,987 villages (median 27 vertices), 24 layers from 46,690 site footprints,
  1,349,951 coverage vertices, 10,508 holes; 199,974 settlement points.
- engine, all villages × 24 layers + 4 ANY, area and population shares: 46.5 s CPU
  (2 threads; 177 s wall under load), peak RSS 2.16 GB, 2,799,636 rows.
- geopandas.overlay baseline on 2,000 villages × (3 layers + ANY): 29.1 s CPU (200 s wall);
  the engine on the same subset 0.76 s CPU (1.9 s wall): 38× (CPU), 104× (wall).
  Extrapolated per village × layer to the full problem: overlay ≈ 10,200 s CPU, 220× the engine.
- accuracy: max |engine − overlay| = 4.8e-12 percentage points over 8,000 village × layer pairs;
  province demo store: 1.8e-8 pp over 47,124 village × layer × vintage pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

METRIC = "EPSG:32648"
DOMAIN = (200_000.0, 1_000_000.0, 800_000.0, 1_550_000.0)  # 600 × 550 km in EPSG:32648
OPERATORS = ("viettel", "vinaphone", "mobifone", "vietnamobile", "gmobile", "itelecom")
OP_FACTOR = (1.0, 0.85, 0.7, 0.35, 0.2, 0.12)
TECH_SITES = {"2G": (3000, 5000.0), "3G": (4000, 3500.0), "4G": (6000, 3000.0), "5G": (1500, 1200.0)}
CACHE = Path(os.environ.get("VILLAGECOV_BENCH_CACHE", "/tmp/villagecov-compute-bench"))


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# -- generation --------------------------------------------------------------------------------

def village_points(n: int, rng: np.random.Generator) -> np.ndarray:
    x0, y0, x1, y1 = DOMAIN
    n_towns = 300
    towns = np.column_stack([rng.uniform(x0, x1, n_towns), rng.uniform(y0, y1, n_towns)])
    n_clustered = int(n * 0.45)
    pick = rng.integers(0, n_towns, n_clustered)
    clustered = towns[pick] + rng.normal(0, 9_000, (n_clustered, 2))
    uniform = np.column_stack([rng.uniform(x0, x1, n - n_clustered), rng.uniform(y0, y1, n - n_clustered)])
    pts = np.vstack([clustered, uniform])
    pts[:, 0] = np.clip(pts[:, 0], x0 + 1, x1 - 1)
    pts[:, 1] = np.clip(pts[:, 1], y0 + 1, y1 - 1)
    return pts


def make_villages(n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    pts = village_points(n, rng)
    domain = shapely.box(*DOMAIN)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=domain))
    cells = shapely.intersection(cells, domain)
    cells = cells[shapely.area(cells) > 0]
    cells = shapely.segmentize(cells, 300.0)
    pop = np.maximum(rng.lognormal(6.5, 0.8, len(cells)), 20).round()
    return gpd.GeoDataFrame({
        "village_id": [f"SYN{i:06d}" for i in range(len(cells))], "name": [f"Thôn SYNTHETIC {i}" for i in range(len(cells))],
        "population": pop.astype("int64"), "synthetic": True,
    }, geometry=cells, crs=METRIC)


def settlement_points(villages: gpd.GeoDataFrame, per_village: int, rng: np.random.Generator) -> pd.DataFrame:
    """Random points inside each village, the village's population split between them."""
    pts = np.asarray(villages.geometry.sample_points(per_village, rng=rng).values, dtype=object)
    parts = shapely.get_parts(pts)
    counts = shapely.get_num_geometries(pts)
    people = np.repeat(villages["population"].to_numpy(dtype="float64") / np.maximum(counts, 1), counts)
    return pd.DataFrame({"x": shapely.get_x(parts), "y": shapely.get_y(parts), "people": people})


def footprints(centres: np.ndarray, radius: float, rng: np.random.Generator, vertices: int = 36) -> np.ndarray:
    """Irregular site footprints: radius × (0.6..1.4) × smooth angular noise, EPSG:32648."""
    n = len(centres)
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    base = radius * rng.uniform(0.6, 1.4, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 2))
    noise = 1 + 0.18 * np.sin(3 * angles + phase[:, :1]) + 0.1 * np.sin(7 * angles + phase[:, 1:])
    r = base * noise
    xs = centres[:, :1] + r * np.cos(angles)
    ys = centres[:, 1:] + r * np.sin(angles)
    rings = np.stack([xs, ys], axis=2)
    rings = np.concatenate([rings, rings[:, :1]], axis=1)
    return shapely.polygons(rings)


def make_layer(villages_pts: np.ndarray, n_sites: int, radius: float, rng: np.random.Generator) -> shapely.Geometry:
    """Union of site footprints near villages, minus shadow holes; one MultiPolygon."""
    pick = rng.integers(0, len(villages_pts), n_sites)
    centres = villages_pts[pick] + rng.normal(0, radius, (n_sites, 2))
    cover = shapely.union_all(footprints(centres, radius, rng))
    n_holes = n_sites // 4
    hole_centres = centres[rng.integers(0, n_sites, n_holes)] + rng.normal(0, radius * 0.5, (n_holes, 2))
    holes = footprints(hole_centres, radius * 0.18, rng, vertices=16)
    cover = shapely.difference(cover, shapely.union_all(holes))
    return shapely.intersection(cover, shapely.box(*DOMAIN))


def generate(n_villages: int, scale: float, seed: int = 20250701) -> None:
    rng = np.random.default_rng(seed)
    CACHE.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    villages = make_villages(n_villages, rng)
    pts = shapely.get_coordinates(shapely.point_on_surface(villages.geometry.values))
    settlement_points(villages, 2, rng).to_parquet(CACHE / "SYNTHETIC_population_points.parquet")
    villages.to_crs(4326).assign(as_of="2025-01-01").to_parquet(CACHE / "SYNTHETIC_villages.parquet")
    rows = []
    for tech, (base, radius) in TECH_SITES.items():
        for op, factor in zip(OPERATORS, OP_FACTOR, strict=True):
            n_sites = max(50, int(base * factor * scale))
            geom = make_layer(pts, n_sites, radius, rng)
            rows.append({"coverage_id": f"SYN-{op}-{tech}", "operator": op, "technology": tech, "evidence": "declared",
                         "raster_path": None, "value_kind": "polygon", "synthetic": True, "as_of": "2025-01-01",
                         "n_sites": n_sites, "vertices": int(shapely.get_num_coordinates(geom)),
                         "holes": int(shapely.get_num_interior_rings(shapely.get_parts(geom)).sum()), "geometry": geom})
            print(f"  layer {op} {tech}: {n_sites} sites, {rows[-1]['vertices']:,} vertices, {rows[-1]['holes']} holes",
                  flush=True)
    cov = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC).to_crs(4326)
    cov.to_parquet(CACHE / "SYNTHETIC_coverage.parquet")
    meta = {"villages": len(villages), "layers": len(cov), "sites": int(cov["n_sites"].sum()),
            "coverage_vertices": int(cov["vertices"].sum()), "coverage_holes": int(cov["holes"].sum()),
            "median_village_vertices": float(np.median(shapely.get_num_coordinates(villages.geometry.values))),
            "generate_seconds": round(time.perf_counter() - t0, 1), "synthetic": True}
    (CACHE / "SYNTHETIC_meta.json").write_text(json.dumps(meta, indent=1))
    print(json.dumps(meta), flush=True)


# -- engine ------------------------------------------------------------------------------------

def load() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    return (gpd.read_parquet(CACHE / "SYNTHETIC_villages.parquet"), gpd.read_parquet(CACHE / "SYNTHETIC_coverage.parquet"),
            pd.read_parquet(CACHE / "SYNTHETIC_population_points.parquet"))


def engine(subset: int, threads: int) -> None:
    from villagecov.compute.village_coverage import VintageInputs, compute_vintage
    from villagecov.settings import Settings

    villages, cov, pop = load()
    settings = Settings(store="/tmp/unused.gpkg", compute_threads=threads)
    population = (pop["x"].to_numpy(), pop["y"].to_numpy(), pop["people"].to_numpy())
    rss0 = _maxrss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    out = compute_vintage(VintageInputs("2025-01-01", villages, cov, population=population), settings)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _maxrss_mb()
    out.to_parquet(CACHE / "engine_out.parquet")
    result = {"engine_seconds": round(seconds, 2), "engine_cpu_seconds": round(cpu, 2), "rows": len(out),
              "peak_rss_mb": round(peak, 0), "rss_before_mb": round(rss0, 0), "threads": threads,
              "load_avg_1min": round(os.getloadavg()[0], 2)}
    # the same subset the overlay baseline runs on, timed alone for a like-for-like ratio
    sub_v, sub_cov = subset_inputs(villages, cov, subset)
    t1, c1 = time.perf_counter(), time.process_time()
    sub_out = compute_vintage(VintageInputs("2025-01-01", sub_v, sub_cov), settings)
    result["engine_subset_seconds"] = round(time.perf_counter() - t1, 3)
    result["engine_subset_cpu_seconds"] = round(time.process_time() - c1, 3)
    sub_out.to_parquet(CACHE / "engine_subset_out.parquet")
    print(json.dumps(result), flush=True)


def subset_inputs(villages: gpd.GeoDataFrame, cov: gpd.GeoDataFrame, n: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The n villages nearest the domain centre; the 4G layers of three operators."""
    metric = villages.to_crs(METRIC)
    cx, cy = (DOMAIN[0] + DOMAIN[2]) / 2, (DOMAIN[1] + DOMAIN[3]) / 2
    d = metric.geometry.centroid.distance(shapely.Point(cx, cy))
    sub = villages.iloc[np.argsort(d.to_numpy())[:n]].reset_index(drop=True)
    layers = cov[(cov["technology"] == "4G") & cov["operator"].isin(OPERATORS[:3])].reset_index(drop=True)
    return sub, layers


# -- overlay baseline --------------------------------------------------------------------------

def overlay(subset: int) -> None:
    villages, cov, _ = load()
    sub, layers = subset_inputs(villages, cov, subset)
    v = sub.to_crs(METRIC)[["village_id", "geometry"]]
    v["village_area"] = v.area
    t0, c0 = time.perf_counter(), time.process_time()
    shares = {}
    metric_layers = layers.to_crs(METRIC)
    for _, layer in metric_layers.iterrows():
        polys = gpd.GeoDataFrame(geometry=[layer.geometry], crs=METRIC).explode(index_parts=False)
        inter = gpd.overlay(v, polys, how="intersection", keep_geom_type=True)
        covered = inter.assign(a=inter.area).groupby("village_id")["a"].sum()
        shares[layer["operator"]] = (v["village_id"].map(covered).fillna(0) / v["village_area"]).to_numpy()
    union = shapely.union_all(metric_layers.geometry.values)
    polys = gpd.GeoDataFrame(geometry=[union], crs=METRIC).explode(index_parts=False)
    inter = gpd.overlay(v, polys, how="intersection", keep_geom_type=True)
    covered = inter.assign(a=inter.area).groupby("village_id")["a"].sum()
    shares["ANY"] = (v["village_id"].map(covered).fillna(0) / v["village_area"]).to_numpy()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    ref = pd.DataFrame([{"village_id": vid, "operator": op, "share": s}
                        for op, arr in shares.items() for vid, s in zip(v["village_id"], arr, strict=True)])
    ref.to_parquet(CACHE / "overlay_out.parquet")
    print(json.dumps({"overlay_seconds": round(seconds, 2), "overlay_cpu_seconds": round(cpu, 2), "overlay_pairs": len(v) * (len(layers) + 1),
                      "overlay_peak_rss_mb": round(_maxrss_mb(), 0)}), flush=True)


# -- accuracy on a store (the province demo) ---------------------------------------------------

def store_accuracy(store_url: str) -> None:
    """Stored village_coverage vs an exact GEOS overlay, every village × layer × vintage.

    The reference unions each layer's polygons (and the covered cells of its rasters, at the
    technology's threshold) with ``shapely.union_all`` and intersects every village with it.
    """
    from villagecov.compute.rasters import covered_polygons, read_raster
    from villagecov.compute.run import as_of
    from villagecov.settings import Settings
    from villagecov.storage import open_store

    settings = Settings(store=store_url)
    st = open_store(store_url)
    vc, cov, vil = st.read("village_coverage"), st.read("coverage"), st.read("villages")
    worst, pairs = 0.0, 0
    for date in sorted(vc["as_of"].unique()):
        v = as_of(vil, "villages", date)
        v = v[v.geometry.notna()]
        vm = np.asarray(v.to_crs(METRIC).geometry.values, dtype=object)
        c = as_of(cov, "coverage", date)
        got = vc[vc["as_of"] == date].set_index(["village_id", "operator", "technology", "evidence"])["covered_area_share"]
        layers = {}
        for (op, tech, ev), g in c.groupby(["operator", "technology", "evidence"]):
            parts = list(g[g["raster_path"].isna()].to_crs(METRIC).geometry.values)
            for path, kind in zip(g["raster_path"].dropna(), g["value_kind"][g["raster_path"].notna()], strict=True):
                parts += list(covered_polygons(read_raster(path, kind), settings.threshold_dbm(tech)))
            layers[(op, tech, ev)] = shapely.union_all(parts)
        for tech, ev in sorted({(t, e) for _, t, e in layers}):
            layers[("ANY", tech, ev)] = shapely.union_all([g for k, g in layers.items() if k[1:] == (tech, ev)])
        for (op, tech, ev), g in layers.items():
            exact = shapely.area(shapely.intersection(vm, g)) / shapely.area(vm)
            ours = got.reindex([(i, op, tech, ev) for i in v["village_id"]]).to_numpy(dtype="float64")
            worst = max(worst, float(np.nanmax(np.abs(ours - exact)) * 100))
            pairs += len(v)
    print(json.dumps({"store_accuracy_pairs": pairs, "store_max_abs_diff_pp": worst}), flush=True)


# -- driver ------------------------------------------------------------------------------------

def _phase(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"phase {args[:2]} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def accuracy() -> dict:
    eng = pd.read_parquet(CACHE / "engine_subset_out.parquet")
    eng = eng[(eng["technology"] == "4G") & (eng["evidence"] == "declared")]
    ref = pd.read_parquet(CACHE / "overlay_out.parquet")
    m = ref.merge(eng[["village_id", "operator", "covered_area_share"]], on=["village_id", "operator"])
    diff = (m["covered_area_share"] - m["share"]).abs() * 100  # percentage points
    return {"accuracy_pairs": len(m), "max_abs_diff_pp": float(diff.max()), "mean_abs_diff_pp": float(diff.mean())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phase", choices=["all", "generate", "population", "engine", "overlay", "store-accuracy"], default="all")
    ap.add_argument("--villages", type=int, default=100_000)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies the number of sites per layer")
    ap.add_argument("--subset", type=int, default=2000, help="villages in the overlay comparison")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--store", default="var/villagecov.gpkg", help="store for --phase store-accuracy")
    a = ap.parse_args()
    if a.phase == "generate":
        return generate(a.villages, a.scale)
    if a.phase == "population":  # (re)write the settlement points of the cached villages
        villages = gpd.read_parquet(CACHE / "SYNTHETIC_villages.parquet").to_crs(METRIC)
        pop = settlement_points(villages, 2, np.random.default_rng(7))
        return pop.to_parquet(CACHE / "SYNTHETIC_population_points.parquet")
    if a.phase == "store-accuracy":
        return store_accuracy(a.store)
    if a.phase == "engine":
        return engine(a.subset, a.threads)
    if a.phase == "overlay":
        return overlay(a.subset)
    if a.regenerate or not (CACHE / "SYNTHETIC_meta.json").exists():
        _phase(["--phase", "generate", "--villages", str(a.villages), "--scale", str(a.scale)])
    meta = json.loads((CACHE / "SYNTHETIC_meta.json").read_text())
    eng = _phase(["--phase", "engine", "--subset", str(a.subset), "--threads", str(a.threads)])
    ovl = _phase(["--phase", "overlay", "--subset", str(a.subset)])
    acc = accuracy()
    full_pairs = meta["villages"] * (meta["layers"] + 4)  # + ANY per technology
    overlay_full = ovl["overlay_seconds"] / ovl["overlay_pairs"] * full_pairs
    figures = {**meta, **eng, **ovl, **acc,
               "overlay_extrapolated_full_seconds": round(overlay_full, 0),
               "speed_ratio_full_extrapolated": round(overlay_full / eng["engine_seconds"], 1),
               "speed_ratio_subset_measured": round(ovl["overlay_seconds"] / eng["engine_subset_seconds"], 1),
               "speed_ratio_subset_cpu": round(ovl["overlay_cpu_seconds"] / eng["engine_subset_cpu_seconds"], 1),
               "overlay_extrapolated_full_cpu_seconds": round(ovl["overlay_cpu_seconds"] / ovl["overlay_pairs"] * full_pairs, 0)}
    figures["speed_ratio_full_extrapolated_cpu"] = round(
        figures["overlay_extrapolated_full_cpu_seconds"] / eng["engine_cpu_seconds"], 1)
    print(json.dumps(figures, indent=1))
    (CACHE / "figures.json").write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
