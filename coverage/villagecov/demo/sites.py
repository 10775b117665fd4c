"""SYNTHETIC sites: mobile towers (OpenCelliD-style cells) and the non-mobile infrastructure.

About 1,500 mobile tower sites (the province reported 1,491 towers in Aug 2024), placed near
villages with a weight that grows with population, so they are densest on the coastal plain;
Viettel reaches furthest into the mountains. Sites appear over 2019–2024 and 4G reaches rural
sites later than towns. Coordinates in EPSG:32648 (m); times are UTC Unix seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from villagecov.demo.frame import ProvinceFrame, rng_for
from villagecov.demo.terrain import Terrain

# operator -> (MNC, number of sites, reach into remote villages 0..1)
OPERATOR_PLAN: dict[str, tuple[int, int, float]] = {
    "viettel": (4, 600, 1.0),
    "vinaphone": (2, 400, 0.55),
    "mobifone": (1, 330, 0.4),
    "vietnamobile": (5, 110, 0.05),
    "gmobile": (7, 60, 0.05),
}
# operator -> probability that a site carries 2G, 3G, 4G
TECH_SHARE: dict[str, tuple[float, float, float]] = {
    "viettel": (0.9, 0.85, 1.0),
    "vinaphone": (0.85, 0.85, 0.95),
    "mobifone": (0.8, 0.85, 0.95),
    "vietnamobile": (0.85, 0.7, 0.6),
    "gmobile": (1.0, 0.3, 0.0),
}
RADIO = {"2G": "GSM", "3G": "UMTS", "4G": "LTE", "5G": "NR"}
FIRST = datetime(2019, 1, 1, tzinfo=UTC).timestamp()
LAST = datetime(2024, 12, 1, tzinfo=UTC).timestamp()
END = datetime(2024, 12, 31, tzinfo=UTC).timestamp()
YEAR = 365.25 * 86400
TO_LONLAT = pyproj.Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True)


@dataclass
class Site:
    """One mobile tower of one operator: position (EPSG:32648, m), cells per technology."""

    site_id: str
    operator: str
    mnc: int
    x: float
    y: float
    district_code: str
    remote: bool
    urban: bool
    height_m: float
    sectors: int
    created: dict[str, float] = field(default_factory=dict)  # technology -> Unix seconds


def _place(frame: ProvinceFrame, villages: gpd.GeoDataFrame, n: int, reach: float,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` tower positions (m) near villages, and the index of the village each serves."""
    pop = villages["population"].to_numpy(dtype=float)
    remote = villages["remote"].to_numpy()
    weight = pop**0.7 * np.where(remote, 0.35 + reach, 1.0)
    idx = rng.choice(len(villages), size=n, p=weight / weight.sum())
    px = shapely.get_x(villages["point"].values)[idx]
    py = shapely.get_y(villages["point"].values)[idx]
    spread = np.where(villages["urban"].to_numpy()[idx], 500.0, 1200.0)
    xy = np.column_stack([px, py]) + rng.normal(size=(n, 2)) * spread[:, None]
    inside = shapely.contains_xy(frame.outline, xy[:, 0], xy[:, 1])
    xy[~inside] = np.column_stack([px, py])[~inside]
    return xy, idx


def make_sites(frame: ProvinceFrame, terrain: Terrain, villages: gpd.GeoDataFrame, seed: int) -> list[Site]:
    """All SYNTHETIC mobile tower sites, in a stable order (operator, then id)."""
    rng = rng_for(seed, "sites")
    sites: list[Site] = []
    for operator, (mnc, n, reach) in OPERATOR_PLAN.items():
        xy, idx = _place(frame, villages, n, reach, rng)
        shares = TECH_SHARE[operator]
        for k in range(n):
            v = villages.iloc[int(idx[k])]
            remote, urban = bool(v["remote"]), bool(v["urban"])
            p_early = 0.75 if urban else (0.3 if remote else 0.6)
            start = FIRST + rng.random() * YEAR if rng.random() < p_early else rng.uniform(FIRST + YEAR, LAST)
            site = Site(
                site_id=f"SYN-{operator[:3].upper()}-{k + 1:04d}",
                operator=operator,
                mnc=mnc,
                x=float(xy[k, 0]),
                y=float(xy[k, 1]),
                district_code=str(v["district_code"]),
                remote=remote,
                urban=urban,
                height_m=float(rng.choice([30.0, 36.0, 42.0, 45.0, 50.0]) if not urban else rng.choice([21.0, 24.0, 30.0])),
                sectors=3 if not remote else int(rng.choice([1, 2, 3])),
            )
            has = [rng.random() < s for s in shares]
            if not any(has):
                has[2 if shares[2] > 0 else 0] = True
            for tech, on in zip(("2G", "3G"), has[:2], strict=True):
                if on:
                    site.created[tech] = start
            if has[2]:
                p_4g_now = 0.9 if urban else (0.25 if remote else 0.55)
                later = start + rng.uniform(0.3, 4.5) * YEAR
                site.created["4G"] = start if rng.random() < p_4g_now else min(later, LAST)
            sites.append(site)
    _add_5g(sites, rng)
    return sites


def _add_5g(sites: list[Site], rng: np.random.Generator) -> None:
    """A little 5G: eight Viettel urban sites with 4G get NR cells in 2024."""
    urban = [s for s in sites if s.operator == "viettel" and s.urban and "4G" in s.created]
    for i in sorted(rng.choice(len(urban), size=min(8, len(urban)), replace=False)):
        urban[int(i)].created["5G"] = rng.uniform(datetime(2024, 3, 1, tzinfo=UTC).timestamp(), LAST)


def sites_frame(sites: list[Site]) -> pd.DataFrame:
    """Sites as a frame (EPSG:32648 ``x``, ``y``) with lon/lat and the technologies on air at the end."""
    lon, lat = TO_LONLAT.transform([s.x for s in sites], [s.y for s in sites])
    return pd.DataFrame({
        "site_id": [s.site_id for s in sites],
        "operator": [s.operator for s in sites],
        "x": [s.x for s in sites],
        "y": [s.y for s in sites],
        "lon": lon,
        "lat": lat,
        "remote": [s.remote for s in sites],
        "technologies": [";".join(sorted(s.created)) for s in sites],
        "first_created": [min(s.created.values()) for s in sites],
    })


def opencellid_cells(sites: list[Site], seed: int) -> pd.DataFrame:
    """OpenCelliD-style cell rows (one per sector and technology), cells within ±10 m of their site."""
    rng = rng_for(seed, "cells")
    rows: list[dict[str, object]] = []
    next_id: dict[tuple[str, int], int] = {}
    for s in sites:
        for tech in sorted(s.created):
            radio = RADIO[tech]
            created = s.created[tech]
            base = next_id.get((radio, s.mnc), 100 + s.mnc)
            next_id[(radio, s.mnc)] = base + 1
            n_cells = 3 if tech == "5G" else s.sectors
            for sector in range(n_cells):
                if radio == "GSM":
                    cell, unit = (base * 10 + sector + 1) % 65536, 0
                elif radio == "UMTS":
                    cell, unit = (1 + base // 1000) * 65536 + (base % 1000) * 10 + sector + 1, int(rng.integers(0, 512))
                elif radio == "LTE":
                    cell, unit = base * 256 + sector + 1, int(rng.integers(0, 504))
                else:
                    cell, unit = base * 4096 + sector + 1, int(rng.integers(0, 1008))
                r = 10.0 * np.sqrt(rng.random())
                a = rng.uniform(0, 2 * np.pi)
                rows.append({
                    "radio": radio,
                    "mcc": 452,
                    "net": s.mnc,
                    "area": int(s.district_code) * 10 + list(RADIO).index(tech) + 1,
                    "cell": int(cell),
                    "unit": unit,
                    "x": s.x + r * np.cos(a),
                    "y": s.y + r * np.sin(a),
                    "range": int(rng.integers(5, 60)) * 100,
                    "samples": int(rng.integers(1, 400)),
                    "changeable": 1,
                    "created": int(created),
                    "updated": int(rng.uniform(created, END)),
                    "averageSignal": 0,
                })
    cells = pd.DataFrame(rows)
    lon, lat = TO_LONLAT.transform(cells["x"].to_numpy(), cells["y"].to_numpy())
    cells.insert(6, "lon", np.round(lon, 6))
    cells.insert(7, "lat", np.round(lat, 6))
    cells = cells.drop(columns=["x", "y"])
    cells["synthetic"] = "true"
    return cells


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")


def nonmobile_sites(frame: ProvinceFrame, villages: gpd.GeoDataFrame, seed: int) -> pd.DataFrame:
    """Generic-format rows for post offices, commune radio and fibre PoPs (one per commune, at the
    commune seat village) and a few FM/DTT transmitters at district seats; lon/lat in EPSG:4326."""
    rng = rng_for(seed, "nonmobile")
    seats = villages[villages["village_id"].str.endswith("-01")].reset_index(drop=True)
    rows: list[dict[str, object]] = []

    def add(kind: str, code: str, operator: str, x: float, y: float, height: float | None,
            eirp: float | None, start: float, technologies: str = "") -> None:
        lon, lat = TO_LONLAT.transform(x, y)
        rows.append({
            "site_id": f"SYN-{kind.upper().replace('_', '')[:6]}-{code}",
            "kind": kind,
            "operator": operator,
            "technologies": technologies,
            "height_m": height,
            "eirp_dbm": eirp,
            "in_service_from": _iso(start),
            "in_service_to": "",
            "lon": round(float(lon), 6),
            "lat": round(float(lat), 6),
        })

    for v in seats.itertuples(index=False):
        x, y = v.point.x, v.point.y
        late = v.remote and rng.random() < 0.5
        early = FIRST - rng.uniform(1, 15) * YEAR
        add("post_office", v.commune_code, "vnpost", x + 40, y + 25, None, None, early)
        add("commune_radio", v.commune_code, "province", x - 35, y + 30, 15.0, 47.0,
            rng.uniform(FIRST + YEAR, LAST) if late else early,
            "IP" if int(v.commune_code) % 5 < 2 else "FM")  # no RNG draw: the other demo sites stay as they were
        pop_start = rng.uniform(FIRST + YEAR, LAST) if (v.remote and rng.random() < 0.6) else early
        add("fibre_pop", v.commune_code, "viettel" if rng.random() < 0.6 else "vinaphone",
            x + 20, y - 45, None, None, pop_start)
    by_district = seats.sort_values(["district_code", "population"], ascending=[True, False])
    district_seats = by_district.groupby("district_code", sort=True).head(1)
    for v in district_seats.itertuples(index=False):
        add("fm_transmitter", v.district_code, "province", v.point.x + 300, v.point.y + 200,
            60.0, 57.0, FIRST - 10 * YEAR)
    for code in ("450", "458", "457"):
        v = district_seats[district_seats["district_code"] == code].iloc[0]
        add("dtt_transmitter", code, "province", v.point.x - 250, v.point.y + 350,
            120.0, 67.0, FIRST - 2 * YEAR)
    out = pd.DataFrame(rows)
    out["synthetic"] = "true"
    return out
