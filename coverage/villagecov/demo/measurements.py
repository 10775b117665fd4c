"""SYNTHETIC measurements: drive tests along a road network and Ookla-style speed-test tiles.

Roads join the commune seats (a minimum spanning tree, slightly bent). Drive-test values come
from the same signal model as the declared coverage, with measurement noise, so they agree with
it — except in a few mountain *contradiction zones* where an operator declares 4G that is not
there (the evidence comparison should flag them). Coordinates EPSG:32648 (m) inside, lon/lat
(EPSG:4326) in the files; times UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.demo.coverage import SignalModel
from villagecov.demo.frame import ProvinceFrame, rng_for
from villagecov.demo.sites import TO_LONLAT

DRIVE_OPERATORS = ("viettel", "vinaphone", "mobifone")
POINTS_PER_OPERATOR = 1100
ZONE_RADIUS_M = 2000.0


@dataclass(frozen=True)
class ContradictionZone:
    """A disc (EPSG:32648 centre, radius m) where ``operator`` declares ``technology`` it lacks."""

    operator: str
    technology: str
    x: float
    y: float
    radius_m: float

    def disc(self) -> shapely.Geometry:
        return shapely.Point(self.x, self.y).buffer(self.radius_m, quad_segs=16)

    def as_dict(self) -> dict[str, object]:
        lon, lat = TO_LONLAT.transform(self.x, self.y)
        return {"operator": self.operator, "technology": self.technology,
                "lon": round(float(lon), 6), "lat": round(float(lat), 6), "radius_m": self.radius_m}


def road_network(villages: gpd.GeoDataFrame, seed: int) -> shapely.Geometry:
    """A MultiLineString joining commune seats (minimum spanning tree), bent a little (EPSG:32648)."""
    rng = rng_for(seed, "roads")
    seats = villages[villages["village_id"].str.endswith("-01")]
    xy = np.column_stack([shapely.get_x(seats["point"].values), shapely.get_y(seats["point"].values)])
    n = len(xy)
    dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    in_tree = np.zeros(n, dtype=bool)
    in_tree[0] = True
    best = dist[0].copy()
    parent = np.zeros(n, dtype=int)
    lines = []
    for _ in range(n - 1):
        cand = np.where(in_tree, np.inf, best)
        j = int(np.argmin(cand))
        a, b = xy[parent[j]], xy[j]
        normal = np.array([a[1] - b[1], b[0] - a[0]])
        mid = (a + b) / 2 + normal * rng.normal(0.0, 0.12)
        lines.append(shapely.LineString([a, mid, b]))
        in_tree[j] = True
        closer = dist[j] < best
        parent[closer] = j
        best = np.minimum(best, dist[j])
    return shapely.MultiLineString(lines)


def _points_along(roads: shapely.Geometry, n: int, rng: np.random.Generator,
                  within: shapely.Geometry) -> np.ndarray:
    """``n`` uniformly random points along ``roads`` and inside ``within`` (EPSG:32648), (n, 2)."""
    parts = shapely.get_parts(roads)
    lengths = shapely.length(parts)
    found = np.empty((0, 2))
    for _ in range(50):
        pick = rng.choice(len(parts), size=n, p=lengths / lengths.sum())
        pts = shapely.get_coordinates(shapely.line_interpolate_point(parts[pick], rng.random(n), normalized=True))
        found = np.vstack([found, pts[shapely.contains_xy(within, pts[:, 0], pts[:, 1])]])
        if len(found) >= n:
            break
    return found[:n]


def contradiction_zones(frame: ProvinceFrame, model: SignalModel, roads: shapely.Geometry,
                        as_of: str, seed: int) -> list[ContradictionZone]:
    """Mountain places on the roads where 4G is truly absent: three for Viettel, one for VinaPhone."""
    rng = rng_for(seed, "zones")
    pts = shapely.get_coordinates(shapely.segmentize(roads, 500.0))
    inland = frame.inland(pts[:, 0], pts[:, 1])
    zones: list[ContradictionZone] = []
    for operator, count in (("viettel", 3), ("vinaphone", 1)):
        for limit in (-116.0, -113.0, -110.0):  # the weakest places that exist
            for i in rng.permutation(len(pts)):
                if sum(z.operator == operator for z in zones) == count:
                    break
                if inland[i] < 0.3 or not shapely.contains_xy(frame.outline, *pts[i]):
                    continue
                if any(np.hypot(z.x - pts[i, 0], z.y - pts[i, 1]) < 15_000.0 for z in zones):
                    continue
                zone = ContradictionZone(operator, "4G", float(pts[i, 0]), float(pts[i, 1]), ZONE_RADIUS_M)
                # judge the place by what a drive test through it would measure
                local = shapely.get_coordinates(shapely.segmentize(shapely.intersection(roads, zone.disc()), 100.0))
                signal = model.sample(operator, "4G", as_of, local[:, 0], local[:, 1])
                if len(local) >= 10 and np.percentile(signal, 80) <= limit:
                    zones.append(zone)
    return zones


def _radio_kpis(rsrp: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """RSRQ, SINR, throughput and latency consistent with RSRP (dBm)."""
    n = len(rsrp)
    sinr = np.clip(0.45 * (rsrp + 110.0) + rng.normal(0, 3, n), -10.0, 30.0)
    rsrq = np.clip(-8.0 - 0.12 * (-rsrp - 80.0) + rng.normal(0, 1.5, n), -20.0, -3.0)
    capacity = 15.0 * np.log2(1 + 10 ** (sinr / 10)) * rng.uniform(0.3, 1.0, n)
    dl = np.where(rsrp < -121.0, 0.0, capacity)
    ul = dl * rng.uniform(0.15, 0.4, n)
    latency = rng.uniform(22.0, 55.0, n) + np.maximum(0.0, -100.0 - rsrp) * 4.0
    return {"rsrq_db": rsrq, "sinr_db": sinr, "dl_mbps": dl, "ul_mbps": ul, "latency_ms": latency}


def drive_tests(model: SignalModel, roads: shapely.Geometry, zones: list[ContradictionZone],
                as_of: str, seed: int, within: shapely.Geometry) -> pd.DataFrame:
    """Drive-test rows (4G) for three operators inside ``within`` (the province, EPSG:32648);
    extra passes through each contradiction zone."""
    rng = rng_for(seed, "drive")
    shapely.prepare(within)
    frames = []
    for k, operator in enumerate(DRIVE_OPERATORS):
        xy = _points_along(roads, POINTS_PER_OPERATOR, rng, within)
        for z in zones:
            if z.operator != operator:
                continue
            local = shapely.intersection(roads, z.disc())
            if not local.is_empty:
                xy = np.vstack([xy, _points_along(local, 30, rng, within)])
        rsrp = model.sample(operator, "4G", as_of, xy[:, 0], xy[:, 1]) + rng.normal(0, 3, len(xy))
        rsrp = np.clip(rsrp, -140.0, -44.0)
        start = datetime(2024, 11, 4 + 7 * k, 7, 0, tzinfo=UTC).timestamp()
        seconds = np.sort(rng.uniform(0, 5 * 86400, len(xy)))
        lon, lat = TO_LONLAT.transform(xy[:, 0], xy[:, 1])
        kpis = _radio_kpis(rsrp, rng)
        frames.append(pd.DataFrame({
            "time": [datetime.fromtimestamp(int(start + s), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                     for s in seconds],
            "lon": np.round(lon, 6),
            "lat": np.round(lat, 6),
            "operator": operator,
            "technology": "4G",
            "rsrp_dbm": np.round(rsrp, 1),
            "rsrq_db": np.round(kpis["rsrq_db"], 1),
            "sinr_db": np.round(kpis["sinr_db"], 1),
            "dl_mbps": np.round(kpis["dl_mbps"], 2),
            "ul_mbps": np.round(kpis["ul_mbps"], 2),
            "latency_ms": np.round(kpis["latency_ms"], 0),
        }))
    out = pd.concat(frames, ignore_index=True)
    out["synthetic"] = "true"
    return out


def quadkey(lon: float, lat: float, zoom: int = 16) -> str:
    """Bing Maps quadkey of the Web Mercator tile containing lon/lat (degrees)."""
    n = 2**zoom
    x = int((lon + 180.0) / 360.0 * n)
    s = np.sin(np.radians(lat))
    y = int((0.5 - np.log((1 + s) / (1 - s)) / (4 * np.pi)) * n)
    digits = []
    for i in range(zoom, 0, -1):
        mask = 1 << (i - 1)
        digits.append(str((1 if x & mask else 0) + (2 if y & mask else 0)))
    return "".join(digits)


def ookla_tiles(model: SignalModel, villages: gpd.GeoDataFrame, as_of: str, seed: int) -> pd.DataFrame:
    """Ookla-style mobile tiles (zoom 16) over populated places with 4G at ``as_of``, one row per tile."""
    rng = rng_for(seed, "ookla")
    tiles: dict[str, list[float]] = {}
    for v in villages.itertuples(index=False):
        n = 1 + int(v.population // 400)
        xy = np.array([v.point.x, v.point.y]) + rng.normal(0, 350.0, size=(n, 2)) * (np.arange(n) > 0)[:, None]
        signal = np.max([model.sample(op, "4G", as_of, xy[:, 0], xy[:, 1]) for op in DRIVE_OPERATORS], axis=0)
        lon, lat = TO_LONLAT.transform(xy[:, 0], xy[:, 1])
        for lo, la, sig in zip(lon, lat, signal, strict=True):
            if sig < -116.0:
                continue
            tiles.setdefault(quadkey(float(lo), float(la)), []).append(float(sig))
    keys = sorted(tiles)
    sig = np.array([max(tiles[k]) for k in keys])
    kpis = _radio_kpis(sig, rng)
    tests = np.array([len(tiles[k]) for k in keys]) * rng.integers(1, 12, len(keys))
    devices = np.maximum(1, np.round(tests * rng.uniform(0.4, 0.9, len(keys)))).astype(int)
    return pd.DataFrame({
        "quadkey": keys,
        "avg_d_kbps": np.round(np.maximum(kpis["dl_mbps"], 0.5) * 1000).astype(int),
        "avg_u_kbps": np.round(np.maximum(kpis["ul_mbps"], 0.2) * 1000).astype(int),
        "avg_lat_ms": np.round(kpis["latency_ms"]).astype(int),
        "tests": tests,
        "devices": devices,
        "synthetic": "true",
    })
