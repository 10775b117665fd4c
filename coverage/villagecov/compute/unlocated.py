"""Villages without coordinates (*unlocated*): counted with their commune's evidence where it is
uniform, else *unknown* (left out of the coverage indicators' numerator and denominator alike).

An unlocated village stands in for the computation with its commune's polygon. The commune's
evidence is *uniform* for the village when, for every technology, the commune is either covered
(share ≥ ``covered_share``) or not (share < ``partial_share``): wherever the village lies in it,
the answer is the same. Otherwise nobody can tell, and the village is unknown — not "no".
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from villagecov.rules import Thresholds, has_signal, is_covered
from villagecov.schema import TECHNOLOGIES
from villagecov.settings import ThresholdSettings

# Indicators that depend on where in its commune a village lies (the coverage shares).
COVERAGE_INDICATORS = (
    "t8.villages_4g_share", "t8.remote_villages_4g_share", "t8.villages_no_signal",
    "t8.villages_multi_operator_share", "t9.villages_internet_share", "t9.villages_all_services_share",
    *(f"t8.population_{t.lower()}_share" for t in TECHNOLOGIES),
)


def place_unlocated(villages: gpd.GeoDataFrame, admin_units: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, set[str]]:
    """Villages with the commune polygon as geometry where they have none; the ids so placed."""
    missing = villages.geometry.isna() | villages.geometry.is_empty
    if not missing.any():
        return villages, set()
    communes = admin_units[admin_units["level"] == "commune"].drop_duplicates(["version", "code"])
    polygon = dict(zip(zip(communes["version"], communes["code"], strict=True), communes.geometry, strict=True))
    keys = zip(villages["boundary_version"].fillna("2019"), villages["commune_code"], strict=True)
    stand_in = pd.Series([polygon.get(k) for k in keys], index=villages.index, dtype="object")
    geometry = villages.geometry.where(~missing, gpd.GeoSeries(stand_in, index=villages.index, crs=villages.crs))
    out = villages.set_geometry(geometry)
    placed = missing & stand_in.notna()
    return out[~missing | placed].reset_index(drop=True), set(villages.loc[placed, "village_id"].astype(str))


def unknown_villages(vt: pd.DataFrame, placed: set[str], settings: ThresholdSettings) -> set[str]:
    """The placed (unlocated) villages whose commune evidence is not uniform."""
    if not placed:
        return set()
    rows = vt[vt["village_id"].isin(placed)]
    shares = rows[[f"share_{t}" for t in TECHNOLOGIES]].to_numpy(dtype="float64")
    rule = Thresholds.of(settings)
    uniform = (is_covered(shares, rule) | ~has_signal(shares, rule)).all(axis=1)
    return set(rows["village_id"].to_numpy()[~np.asarray(uniform, dtype=bool)])


def drop_unknown(long: pd.DataFrame, unknown: set[str]) -> pd.DataFrame:
    """Village indicator rows without the coverage rows of unknown villages."""
    if not unknown:
        return long
    return long[~(long["village_id"].isin(unknown) & long["indicator"].isin(COVERAGE_INDICATORS))]
