"""Which commune, district and province of a boundary version each village belongs to.

A village carries the commune code of the boundary version of its register
(``boundary_version``). For another version the crosswalk maps it (whole-unit merges, weight 1;
split weights are carried along). Where the crosswalk has no path (e.g. a village coded in
2025-07 units, looked at in 2019 units) the village's representative point is located in that
version's communes. Districts and the province come from the communes' ``parent_code``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

DEFAULT_VERSION = "2019"


def _spatial_communes(villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.Series:
    """Commune code containing each village's representative point (None outside all)."""
    if villages.empty or communes.empty:
        return pd.Series([None] * len(villages), index=villages.index, dtype=object)
    pts = shapely.point_on_surface(np.asarray(villages.geometry.values, dtype=object))
    tree = shapely.STRtree(np.asarray(communes.geometry.values, dtype=object))
    ip, ic = tree.query(pts, predicate="intersects")
    codes = np.full(len(villages), None, dtype=object)
    order = np.lexsort((ic, ip))
    ip, ic = ip[order], ic[order]
    first = np.r_[True, ip[1:] != ip[:-1]] if len(ip) else np.zeros(0, dtype=bool)
    codes[ip[first]] = communes["code"].to_numpy(dtype=object)[ic[first]]
    return pd.Series(codes, index=villages.index, dtype=object)


def village_communes(villages: gpd.GeoDataFrame, admin_units: gpd.GeoDataFrame, crosswalk: pd.DataFrame,
                     version: str) -> pd.DataFrame:
    """village_id, commune_code (of ``version``), weight."""
    v = villages[["village_id", "commune_code", "boundary_version"]].copy()
    v["boundary_version"] = v["boundary_version"].fillna(DEFAULT_VERSION)
    same = v[v["boundary_version"] == version][["village_id", "commune_code"]].assign(weight=1.0)
    other = v[v["boundary_version"] != version]
    cw = crosswalk[(crosswalk["to_version"] == version) & (crosswalk["level"].fillna("commune") == "commune")]
    cw = cw.rename(columns={"from_version": "boundary_version", "from_code": "commune_code"})
    mapped = other.merge(cw[["boundary_version", "commune_code", "to_code", "weight"]],
                         on=["boundary_version", "commune_code"], how="left")
    hit = mapped[mapped["to_code"].notna()]
    parts = [same, hit[["village_id", "to_code", "weight"]].rename(columns={"to_code": "commune_code"})]
    missing_ids = set(other["village_id"]) - set(hit["village_id"])
    if missing_ids:
        communes = admin_units[(admin_units["version"] == version) & (admin_units["level"] == "commune")]
        lost = villages[villages["village_id"].isin(missing_ids)]
        codes = _spatial_communes(lost, communes)
        parts.append(pd.DataFrame({"village_id": lost["village_id"].to_numpy(), "commune_code": codes.to_numpy(),
                                   "weight": 1.0}))
    out = pd.concat(parts, ignore_index=True)
    out["weight"] = out["weight"].fillna(1.0).astype("float64")
    return out[out["commune_code"].notna()].reset_index(drop=True)


def village_units(villages: gpd.GeoDataFrame, admin_units: gpd.GeoDataFrame, crosswalk: pd.DataFrame,
                  version: str) -> pd.DataFrame:
    """village_id, level (commune/district/province), unit_code, weight for one boundary version."""
    vc = village_communes(villages, admin_units, crosswalk, version)
    units = admin_units[admin_units["version"] == version]
    level_of = units.set_index("code")["level"]
    parent = units.set_index("code")["parent_code"]
    frames = [vc.assign(level="commune").rename(columns={"commune_code": "unit_code"})]
    up = vc.rename(columns={"commune_code": "unit_code"})
    for _ in range(2):  # commune -> district -> province (2025-07: commune -> province)
        up = up.assign(unit_code=up["unit_code"].map(parent))
        up = up[up["unit_code"].notna()]
        up = up.assign(level=up["unit_code"].map(level_of))
        frames.append(up[up["level"].isin(["district", "province"])])
    out = pd.concat(frames, ignore_index=True)
    out = out.drop_duplicates(["village_id", "level", "unit_code"])
    return out[["village_id", "level", "unit_code", "weight"]].reset_index(drop=True)
