"""Indicators counted on the units themselves (``basis = "unit"`` in the catalogue).

Communes with a postal point / a working commune radio station / a fibre PoP, commune radio
stations using telecom or IP technology, people per postal point, and physical towers, base
stations and shared towers per 10,000 people and per 100 km². A site belongs to the commune of the
boundary version whose polygon contains it (the nearest commune when it lies outside all of
them); districts and the province add up their communes. Pure: frames in, frames out; distances
and areas in EPSG:32648.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.compute.clusters import clusters
from villagecov.schema import METRIC_CRS

IP_TECH = re.compile(r"\b(ip|iptv|internet|telecom|vi[eễ]n th[oô]ng|3g|4g|5g|lte)\b", re.IGNORECASE)
COLUMNS = ["indicator", "level", "unit_code", "numerator", "denominator", "value"]


def in_service(sites: pd.DataFrame | None, date: str) -> gpd.GeoDataFrame | None:
    """Sites with a position in service at ``date`` (from ≤ date < to; blank = open)."""
    if sites is None or sites.empty:
        return None
    start = sites["in_service_from"].fillna("0000-01-01")
    end = sites["in_service_to"].fillna("9999-12-31")
    s = sites[(start <= date) & (end > date) & sites.geometry.notna()]
    return s.reset_index(drop=True) if len(s) else None


def technologies(value: object) -> list[str]:
    """``"2G,4G"`` or ``"2G;4G"`` → [``2G``, ``4G``]."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [t.strip() for t in re.split(r"[,;]", str(value)) if t.strip()]


def physical_towers(mobile: gpd.GeoDataFrame, group_m: float) -> pd.DataFrame:
    """One row per physical tower: operators' mobile sites within ``group_m`` metres of each other
    (transitively) are one tower. Columns: x, y (EPSG:32648, first site), operators, bts."""
    if mobile.empty:
        return pd.DataFrame(columns=["x", "y", "operators", "bts"])
    g = mobile.geometry.to_crs(METRIC_CRS)
    pts = np.asarray(g.values, dtype=object)
    towers = clusters(pts, group_m) if group_m > 0 else np.arange(len(pts))
    bts = [max(1, len(technologies(t))) for t in mobile["technologies"]]
    frame = pd.DataFrame({"tower": towers, "x": g.x.to_numpy(), "y": g.y.to_numpy(),
                          "operator": mobile["operator"].fillna("?").to_numpy(), "bts": bts})
    return frame.groupby("tower", sort=True).agg(x=("x", "first"), y=("y", "first"),
                                                 operators=("operator", "nunique"), bts=("bts", "sum"))


def _commune_of(x: np.ndarray, y: np.ndarray, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Commune code containing each metric point, else the nearest commune's."""
    polys = np.asarray(communes.geometry.to_crs(METRIC_CRS).values, dtype=object)
    codes = communes["code"].to_numpy(dtype=object)
    if len(x) == 0 or len(polys) == 0:
        return np.array([], dtype=object)
    tree = shapely.STRtree(polys)
    pts = shapely.points(x, y)
    _, idx = tree.query_nearest(pts, all_matches=False, return_distance=False)
    return codes[idx]


def commune_counts(sites: gpd.GeoDataFrame | None, communes: gpd.GeoDataFrame, group_m: float) -> pd.DataFrame:
    """Per commune code: post, radio, radio_ip, fibre, towers, shared_towers, bts (counts)."""
    cols = ["post", "radio", "radio_ip", "fibre", "towers", "shared_towers", "bts"]
    out = pd.DataFrame(0.0, index=pd.Index(communes["code"].astype(str).unique(), name="code"), columns=cols)
    if sites is None or sites.empty or communes.empty:
        return out
    g = sites.geometry.to_crs(METRIC_CRS)
    code = _commune_of(g.x.to_numpy(), g.y.to_numpy(), communes)
    kinds = sites["kind"].to_numpy()
    ip = np.array([bool(IP_TECH.search(" ".join(technologies(t)))) for t in sites["technologies"]])
    for col, mask in (("post", kinds == "post_office"), ("radio", kinds == "commune_radio"),
                      ("radio_ip", (kinds == "commune_radio") & ip), ("fibre", kinds == "fibre_pop")):
        out[col] = pd.Series(code[mask]).value_counts().reindex(out.index).fillna(0).to_numpy()
    towers = physical_towers(sites[kinds == "mobile_tower"], group_m)
    if len(towers):
        towers["code"] = _commune_of(towers["x"].to_numpy(), towers["y"].to_numpy(), communes)
        per = towers.groupby("code").agg(towers=("bts", "size"), shared_towers=("operators", lambda s: (s >= 2).sum()),
                                         bts=("bts", "sum"))
        for col in ("towers", "shared_towers", "bts"):
            out[col] = per[col].reindex(out.index).fillna(0).to_numpy(dtype="float64")
    return out


def unit_indicators(sites: gpd.GeoDataFrame | None, admin_units: gpd.GeoDataFrame, version: str,
                    population: pd.DataFrame, group_m: float) -> pd.DataFrame:
    """Unit-basis indicator rows of one boundary version for commune, district and province.

    ``population``: level, unit_code, population (people of the unit's villages, as the village
    indicators count them). Areas: ``area_km2`` of admin_units, else the polygon's area."""
    units = admin_units[admin_units["version"] == version].drop_duplicates("code")
    communes = units[units["level"] == "commune"]
    if communes.empty:
        return pd.DataFrame(columns=COLUMNS)
    counts = commune_counts(sites, communes, group_m)
    counts["communes"] = 1.0
    for col in ("post", "radio", "fibre"):
        counts[f"has_{col}"] = (counts[col] > 0).astype("float64")
    parent = units.set_index("code")["parent_code"]
    level_of = units.set_index("code")["level"]
    frames = [counts.assign(level="commune", unit_code=counts.index)]
    up = counts.assign(unit_code=counts.index)
    for _ in range(2):  # commune -> district -> province (2025-07: commune -> province)
        up = up.assign(unit_code=up["unit_code"].map(parent))
        up = up[up["unit_code"].notna()]
        up = up.assign(level=up["unit_code"].map(level_of))
        frames.append(up[up["level"].isin(["district", "province"])])
    agg = pd.concat(frames, ignore_index=True).groupby(["level", "unit_code"], as_index=False).sum(numeric_only=True)
    area = units.set_index("code")["area_km2"].astype("float64")
    missing = area.isna()
    if missing.any():
        geo = units.set_index("code").geometry.to_crs(METRIC_CRS).area / 1e6
        area[missing] = geo[missing]
    agg["area_km2"] = agg["unit_code"].map(area).astype("float64")
    pop = population.set_index(["level", "unit_code"])["population"]
    agg["population"] = [float(pop.get((lv, c), 0.0)) for lv, c in zip(agg["level"], agg["unit_code"], strict=True)]
    spec = {
        "t8.communes_post_share": ("has_post", "communes"),
        "t8.people_per_post_point": ("population", "post"),
        "t9.communes_radio_station_share": ("has_radio", "communes"),
        "t9.radio_stations_ip_share": ("radio_ip", "radio"),
        "t8.communes_fibre_share": ("has_fibre", "communes"),
        "t8.towers_per_10k_people": ("towers", "pop_10k"),
        "t8.towers_per_100km2": ("towers", "area_100"),
        "t8.bts_per_10k_people": ("bts", "pop_10k"),
        "t8.bts_per_100km2": ("bts", "area_100"),
        "t8.shared_towers_share": ("shared_towers", "towers"),
    }
    agg["pop_10k"] = agg["population"] / 10_000.0
    agg["area_100"] = agg["area_km2"] / 100.0
    rows = []
    for indicator, (num, den) in spec.items():
        n, d = agg[num].to_numpy(dtype="float64"), agg[den].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan)
        rows.append(pd.DataFrame({"indicator": indicator, "level": agg["level"], "unit_code": agg["unit_code"],
                                  "numerator": n, "denominator": d, "value": value}))
    return pd.concat(rows, ignore_index=True)[COLUMNS]

