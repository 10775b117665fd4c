"""Candidate sites near the gaps and the villages each one would cover.

Three kinds of candidates (EPSG:32648 metres internally, EPSG:4326 geometry in the output):
``colocation`` — existing mobile towers that do not carry the technology yet (cheaper: the tower,
power and backhaul exist); ``hilltop`` — local summits of the DEM near the gaps (a tower there
sees far); ``grid`` — a regular grid over the gap villages, plus one point per village smaller
than the grid, so every uncovered populated area has at least one candidate.

Coverage uses :mod:`villagecov.propagation`: the signal at a few sample points of every gap village
(its representative point and seeded random points inside it), one terrain profile per point.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.propagation.linkbudget import site_budget
from villagecov.propagation.predict import site_signal
from villagecov.propagation.terrain import Dem
from villagecov.schema import METRIC_CRS, STORAGE_CRS
from villagecov.settings import PlanningSettings, Settings

CANDIDATE_COLUMNS = ["candidate_id", "kind", "site_id", "operator", "height_m", "x", "y", "ground_m"]


def _frame(rows: pd.DataFrame) -> gpd.GeoDataFrame:
    geom = gpd.points_from_xy(rows["x"], rows["y"], crs=METRIC_CRS)
    return gpd.GeoDataFrame(rows[CANDIDATE_COLUMNS], geometry=geom, crs=METRIC_CRS).to_crs(STORAGE_CRS)


def _near(xy: np.ndarray, gaps_m: gpd.GeoDataFrame, radius_m: float) -> np.ndarray:
    """Mask of points within ``radius_m`` of any gap village (metric)."""
    if len(xy) == 0 or gaps_m.empty:
        return np.zeros(len(xy), dtype=bool)
    zone = shapely.buffer(shapely.union_all(gaps_m.geometry.values), radius_m)
    return shapely.contains_xy(zone, xy[:, 0], xy[:, 1])


def colocation_candidates(sites: gpd.GeoDataFrame, gaps_m: gpd.GeoDataFrame, technology: str,
                          radius_m: float) -> pd.DataFrame:
    """Existing mobile towers near the gaps that do not carry ``technology``."""
    towers = sites[sites["kind"].fillna("mobile_tower") == "mobile_tower"]
    techs = towers["technologies"].fillna("").astype(str).str.upper().str.replace(";", ",").str.split(",")
    towers = towers[np.array([technology not in [x.strip() for x in t] for t in techs], dtype=bool)]
    pts = towers.to_crs(METRIC_CRS).geometry
    xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()]) if len(pts) else np.zeros((0, 2))
    keep = _near(xy, gaps_m, radius_m)
    return pd.DataFrame({"kind": "colocation", "site_id": towers["site_id"].to_numpy()[keep],
                         "operator": towers["operator"].to_numpy()[keep],
                         "height_m": towers["height_m"].to_numpy(dtype=float)[keep],
                         "x": xy[keep, 0], "y": xy[keep, 1]})


def _running_max(a: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Maximum over a centred window of ``2k+1`` cells along ``axis`` (edges padded with −inf)."""
    pad = [(0, 0), (0, 0)]
    pad[axis] = (k, k)
    p = np.pad(a, pad, constant_values=-np.inf)
    out = np.full_like(a, -np.inf)
    for s in range(2 * k + 1):
        out = np.maximum(out, np.take(p, np.arange(s, s + a.shape[axis]), axis=axis))
    return out


def hilltop_candidates(dem: Dem, gaps_m: gpd.GeoDataFrame, radius_m: float, max_n: int,
                       window_m: float = 1500.0) -> pd.DataFrame:
    """The ``max_n`` highest DEM summits (highest cell within ±``window_m``) near the gaps."""
    h = dem.heights.astype(np.float64)
    k = max(1, int(round(window_m / dem.res)))
    peak = (h >= _running_max(_running_max(h, k, 0), k, 1)) & (h > 0)
    rows, cols = np.nonzero(peak)
    xy = np.column_stack([dem.x0 + (cols + 0.5) * dem.res, dem.y0 - (rows + 0.5) * dem.res])
    keep = _near(xy, gaps_m, radius_m)
    order = np.argsort(-h[rows[keep], cols[keep]], kind="stable")[:max_n]
    xy = xy[keep][order]
    return pd.DataFrame({"kind": "hilltop", "site_id": None, "operator": None, "height_m": np.nan,
                         "x": xy[:, 0], "y": xy[:, 1]})


def grid_candidates(gaps_m: gpd.GeoDataFrame, spacing_m: float) -> pd.DataFrame:
    """Grid points inside gap villages, and the representative point of villages the grid misses."""
    if gaps_m.empty:
        return pd.DataFrame(columns=["kind", "site_id", "operator", "height_m", "x", "y"])
    minx, miny, maxx, maxy = gaps_m.total_bounds
    gx = np.arange(np.floor(minx / spacing_m), np.ceil(maxx / spacing_m) + 1) * spacing_m
    gy = np.arange(np.floor(miny / spacing_m), np.ceil(maxy / spacing_m) + 1) * spacing_m
    xx, yy = (a.ravel() for a in np.meshgrid(gx, gy))
    union = shapely.union_all(gaps_m.geometry.values)
    inside = shapely.contains_xy(union, xx, yy)
    pts = [np.column_stack([xx[inside], yy[inside]])]
    hit = [bool(shapely.contains_xy(g, xx[inside], yy[inside]).any()) for g in gaps_m.geometry.values]
    missed = gaps_m.geometry.values[~np.asarray(hit, dtype=bool)]
    if len(missed):
        rp = shapely.point_on_surface(missed)
        pts.append(np.column_stack([shapely.get_x(rp), shapely.get_y(rp)]))
    xy = np.vstack(pts)
    return pd.DataFrame({"kind": "grid", "site_id": None, "operator": None, "height_m": np.nan,
                         "x": xy[:, 0], "y": xy[:, 1]})


def candidate_sites(gaps: gpd.GeoDataFrame, sites: gpd.GeoDataFrame | None, dem: Dem | None,
                    technology: str, settings: PlanningSettings) -> gpd.GeoDataFrame:
    """All candidates for ``technology`` near ``gaps`` (EPSG:4326 points, metric x/y, ground height)."""
    gaps_m = gaps.to_crs(METRIC_CRS)
    radius = settings.plan_candidate_radius_km * 1000.0
    parts = []
    if sites is not None and len(sites):
        parts.append(colocation_candidates(sites, gaps_m, technology, radius))
    if dem is not None:
        parts.append(hilltop_candidates(dem, gaps_m, radius, settings.plan_max_hilltops))
    parts.append(grid_candidates(gaps_m, settings.plan_grid_spacing_m))
    if gaps.empty or not any(len(p) for p in parts):
        empty = pd.DataFrame({c: pd.Series(dtype="float64" if c in ("height_m", "x", "y", "ground_m") else "object")
                              for c in CANDIDATE_COLUMNS})
        return _frame(empty)
    rows = pd.concat([p for p in parts if len(p)], ignore_index=True)
    rows["height_m"] = rows["height_m"].astype(float).where(rows["height_m"].astype(float) > 0,
                                                            settings.plan_tower_height_m)
    rows["ground_m"] = dem.sample(rows["x"].to_numpy(float), rows["y"].to_numpy(float)).astype(float) \
        if dem is not None and len(rows) else np.nan
    rows["candidate_id"] = [f"{k[0].upper()}{i:04d}" for i, k in enumerate(rows["kind"])]
    return _frame(rows)


def village_points(gaps: gpd.GeoDataFrame, per_village: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sample points (metric x, y) of every gap village and the village index of each point."""
    rng = np.random.default_rng(seed)
    geoms = gaps.to_crs(METRIC_CRS).geometry.values
    xy, owner = [], []
    for i, g in enumerate(geoms):
        rp = shapely.point_on_surface(g)
        pts = [(rp.x, rp.y)]
        minx, miny, maxx, maxy = g.bounds
        tries = 0
        while len(pts) < per_village and tries < 50 * per_village and maxx > minx:
            tries += 1
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(g, x, y):
                pts.append((x, y))
        xy.extend(pts)
        owner.extend([i] * len(pts))
    return np.asarray(xy, dtype=float).reshape(-1, 2), np.asarray(owner, dtype=np.int64)


@dataclass
class PointCover:
    """Which sample points of the gap villages each candidate covers (signal ≥ threshold)."""

    sets: list[np.ndarray]  # per candidate: indices of covered points
    owner: np.ndarray  # per point: row of ``gaps``
    need: np.ndarray  # per village: points that must be covered (covered_share of its points)

    def villages_alone(self, i: int) -> np.ndarray:
        """Villages candidate ``i`` covers on its own."""
        counts = np.bincount(self.owner[self.sets[i]], minlength=len(self.need))
        return np.flatnonzero(counts >= self.need)

    def subset(self, keep: list[int]) -> PointCover:
        return PointCover([self.sets[i] for i in keep], self.owner, self.need)


def coverage_sets(candidates: gpd.GeoDataFrame, gaps: gpd.GeoDataFrame, technology: str,
                  settings: Settings, dem: Dem | None = None, per_village: int = 5) -> PointCover:
    """Sample points of every gap village and, per candidate, the points it would cover. A village
    needs ``ceil(covered_share × points)`` of its points covered, by one candidate or several."""
    pxy, owner = village_points(gaps, per_village)
    n_pts = np.bincount(owner, minlength=len(gaps))
    need = np.maximum(1, np.ceil(settings.covered_share * n_pts - 1e-9)).astype(np.int64)
    out: list[np.ndarray] = []
    for x, y, h in zip(candidates["x"], candidates["y"], candidates["height_m"], strict=True):
        budget = site_budget(technology, settings, float(h))
        reach = budget.hata_range_km("rural", margin_db=0.0) * 1000.0
        dx, dy = pxy[:, 0] - x, pxy[:, 1] - y
        near = np.hypot(dx, dy) <= reach
        ok = np.zeros(len(pxy), dtype=bool)
        if near.any():
            sig = site_signal(dx[near], dy[near], budget, x=float(x), y=float(y), dem=dem, radius_m=reach,
                              method="per_pixel")
            ok[near] = np.nan_to_num(sig, nan=-np.inf) >= budget.threshold_dbm
        out.append(np.flatnonzero(ok))
    return PointCover(out, owner, need)
