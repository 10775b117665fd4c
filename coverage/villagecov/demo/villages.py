"""SYNTHETIC villages (thôn, bản, tổ dân phố) inside the real 2019 communes.

About 1,300 villages; each commune's village populations sum exactly to its 2019 census
figure. Settlements prefer low ground, so mountain villages sit in valleys; villages far inland
(the Annamite range, along the Lao border) are small and flagged remote. Geometry: settlement
points, and Voronoi cells of those points clipped to the commune (EPSG:32648).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.demo.frame import ProvinceFrame, rng_for
from villagecov.demo.terrain import Terrain
from villagecov.schema import METRIC_CRS

TARGET_VILLAGES = 1300
URBAN_TYPES = ("Phường", "Thị trấn")
# Typical people per village: wards' residential groups are big, mountain hamlets small.
VILLAGE_SIZE = {"Phường": 1100.0, "Thị trấn": 900.0, "lowland": 650.0, "upland": 300.0}
SINO_SYLLABLES = (
    "Tân Lý Đông Tây Nam Bắc Thượng Hạ Trung Phú Xuân Hòa An Bình Thanh Minh Đức Hưng Phúc Lộc "
    "Thọ Vĩnh Quảng Mỹ Hải Sơn Thủy Trường Vạn Kim Ngọc Tiến Thắng Lợi Hồng Cao Liên Hiền Lương "
    "Châu Văn La Khương Long Phong Thịnh Hợp Cảnh Đại Yên Quang Hiệp Tiên Đình Mai Lạc Diên Cổ"
).split()
UPLAND_SYLLABLES = (
    "Ka Ai Ploang Cà Roòng Rục Mã Lâm Cha Cáp Sắt Ón Dộ Tà Vờng Khe Cát Dốc Nòng Sy Bai Pa Choi "
    "Chuôn Ra Mò Tăng Hung Lẹt Cờ Đăng Trằm Mít Kè Nước Đá Bụt Pe Rào Tróc Chân Trôi Xà Khùng Y Leng"
).split()
REMOTE_INLAND = 0.55  # inland coordinate beyond which a rural village is remote
REMOTE_BORDER_M = 12_000.0
REMOTE_ELEVATION_M = 350.0


def village_counts(communes: gpd.GeoDataFrame, upland: np.ndarray, target: int = TARGET_VILLAGES) -> np.ndarray:
    """Villages per commune: population / typical village size, scaled to ``target``, at least 3."""
    size = np.array([
        VILLAGE_SIZE[ctype] if ctype in URBAN_TYPES else VILLAGE_SIZE["upland" if up else "lowland"]
        for ctype, up in zip(communes["commune_type"], upland, strict=True)
    ])
    raw = communes["pop_2019"].to_numpy(dtype=float) / size
    return np.maximum(3, largest_remainder(raw / raw.sum() * target, target))


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` summing exactly to ``total`` (Hamilton's method)."""
    w = np.asarray(weights, dtype=float)
    exact = w / w.sum() * total
    out = np.floor(exact).astype(np.int64)
    short = total - int(out.sum())
    if short > 0:
        order = np.argsort(-(exact - out), kind="stable")
        out[order[:short]] += 1
    return out


def _sample_points(commune: shapely.Geometry, n: int, terrain: Terrain, urban: bool,
                   rng: np.random.Generator) -> np.ndarray:
    """``n`` settlement points inside ``commune``, spaced apart, preferring low ground (m, UTM)."""
    minx, miny, maxx, maxy = commune.bounds
    shapely.prepare(commune)
    cand = np.empty((0, 2))
    while len(cand) < 40 * n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(200 * n, 2))
        cand = np.vstack([cand, xy[shapely.contains_xy(commune, xy[:, 0], xy[:, 1])]])
    cand = cand[: 40 * n]
    elev = terrain.elevation(cand[:, 0], cand[:, 1])
    weight = np.ones(len(cand)) if urban else np.exp(-(elev - elev.min()) / 150.0) + 1e-6
    keys = rng.random(len(cand)) ** (1.0 / weight)  # weighted order without replacement
    order = np.argsort(-keys, kind="stable")
    spacing = 0.6 * np.sqrt(commune.area / n)
    while True:
        chosen: list[np.ndarray] = []
        for i in order:
            p = cand[i]
            if all(np.hypot(*(p - q)) >= spacing for q in chosen):
                chosen.append(p)
                if len(chosen) == n:
                    return np.array(chosen)
        spacing *= 0.7


def _cells(points: np.ndarray, commune: shapely.Geometry) -> list[shapely.Geometry]:
    """Voronoi cells of ``points`` clipped to ``commune``, in the order of ``points``."""
    if len(points) == 1:
        return [commune]
    mp = shapely.multipoints(points)
    cells = shapely.get_parts(shapely.voronoi_polygons(mp, extend_to=commune, ordered=True))
    clipped = shapely.make_valid(shapely.intersection(cells, commune))
    return [shapely.union_all(shapely.get_parts(g)) for g in clipped]


def _names(rng: np.random.Generator, ctype: str, remote: np.ndarray) -> list[str]:
    """Unique Vietnamese village names for one commune, with diacritics."""
    n = len(remote)
    if ctype == "Phường":
        return [f"Tổ dân phố {k}" for k in range(1, n + 1)]
    if ctype == "Thị trấn":
        return [f"Tiểu khu {k}" for k in range(1, n + 1)]
    numbered = rng.random() < 0.45
    names: list[str] = []
    used: set[str] = set()
    counter = 0
    for is_remote in remote:
        if is_remote and rng.random() < 0.7:
            while True:
                k = 1 if rng.random() < 0.4 else 2
                name = "Bản " + " ".join(rng.choice(UPLAND_SYLLABLES, size=k, replace=False))
                if name not in used:
                    break
        elif numbered:
            counter += 1
            name = f"Thôn {counter}"
        else:
            while True:
                name = "Thôn " + " ".join(rng.choice(SINO_SYLLABLES, size=2, replace=False))
                if name not in used:
                    break
        used.add(name)
        names.append(name)
    return names


def make_villages(frame: ProvinceFrame, terrain: Terrain, seed: int) -> gpd.GeoDataFrame:
    """The SYNTHETIC villages (EPSG:32648), one row per village.

    Columns: ``village_id``, ``name``, ``commune_code``, ``district_code``, ``commune_type``,
    ``population``, ``households``, ``remote`` (the generator's truth), ``urban``,
    ``elevation_m``, ``inland``, ``border_km``, ``point`` (settlement, shapely) and ``geometry``
    (Voronoi cell clipped to the commune).
    """
    rng = rng_for(seed, "villages")
    communes = frame.communes
    rep = shapely.point_on_surface(communes.geometry.values)
    rx, ry = shapely.get_x(rep), shapely.get_y(rep)
    upland = (frame.inland(rx, ry) > 0.45) | (terrain.elevation(rx, ry) > 200.0)
    counts = village_counts(communes, upland)

    rows: list[dict[str, object]] = []
    for c, n in zip(communes.itertuples(index=False), counts, strict=True):
        urban = c.commune_type in URBAN_TYPES
        pts = _sample_points(c.geometry, int(n), terrain, urban, rng)
        x, y = pts[:, 0], pts[:, 1]
        elev = terrain.elevation(x, y)
        inland = frame.inland(x, y)
        border = frame.border_distance_m(x, y)
        remote = ~urban & ((inland > REMOTE_INLAND) | (border < REMOTE_BORDER_M) | (elev > REMOTE_ELEVATION_M))
        # Settle the biggest village in the lowest, most central place (commune seat first).
        order = np.lexsort((elev, remote))
        pts, elev, inland, border, remote = pts[order], elev[order], inland[order], border[order], remote[order]
        weights = np.clip(rng.lognormal(0.0, 0.5, size=len(pts)), 0.3, 4.0) * np.where(remote, 0.55, 1.0)
        weights[0] *= 1.6
        pop = largest_remainder(weights, int(c.pop_2019))
        hh_size = np.where(remote, rng.uniform(4.0, 4.8, len(pts)), rng.uniform(3.5, 4.0, len(pts)))
        households = np.maximum(1, np.round(pop / hh_size)).astype(int)
        names = _names(rng, c.commune_type, remote)
        cells = _cells(pts, c.geometry)
        for k in range(len(pts)):
            rows.append({
                "village_id": f"{c.commune_code}-{k + 1:02d}",
                "name": names[k],
                "commune_code": str(c.commune_code),
                "district_code": str(c.district_code),
                "commune_type": c.commune_type,
                "population": int(pop[k]),
                "households": int(households[k]),
                "remote": bool(remote[k]),
                "urban": urban,
                "elevation_m": float(elev[k]),
                "inland": float(inland[k]),
                "border_km": float(border[k] / 1000.0),
                "point": shapely.Point(pts[k]),
                "geometry": cells[k],
            })
    out = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=METRIC_CRS)
    return out
