"""Measured speeds per village: the rows behind ``t8.median_dl_mbps`` and fixed broadband seen in
Ookla's fixed tiles.

A drive-test or crowd measurement is one test; an Ookla tile is ``tests`` tests at the tile's
average speed, so the median is weighted by ``tests`` (a tile of 200 tests outweighs one of 2).
Mobile measurements only (Task 8 is mobile); Ookla *fixed* tiles instead show that a village has
fixed broadband (Task 9). Only measurements within ``measurement_window_days`` before the vintage
count. Tiles (≈ 600 m squares) count in every village they overlap; points in the village they
fall in.
"""

from __future__ import annotations

from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.schema import METRIC_CRS
from villagecov.settings import ComputeSettings

MOBILE_KINDS = ("drive_test", "crowd", "ookla_tile")
FIXED_TILE_KIND = "ookla_fixed_tile"


def _window(m: pd.DataFrame, as_of: str, days: int) -> pd.DataFrame:
    end = pd.Timestamp(date.fromisoformat(as_of) + timedelta(days=1), tz="UTC")
    start = end - pd.Timedelta(days=days + 1)
    when = pd.to_datetime(m["time"], utc=True).fillna(pd.to_datetime(m["as_of"], utc=True))
    return m[((when >= start) & (when < end)).to_numpy(dtype=bool)]


def _located(villages: gpd.GeoDataFrame, m: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(measurement position, village position) pairs: each point in one village, each tile in
    every village it overlaps."""
    if m.empty or villages.empty:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    vg = np.asarray(villages.geometry.to_crs(METRIC_CRS).values, dtype=object)
    mg = np.asarray(m.geometry.to_crs(METRIC_CRS).values, dtype=object)
    im, iv = shapely.STRtree(vg).query(mg, predicate="intersects")
    points = shapely.get_type_id(mg[im]) == 0
    keep = ~points | ~pd.Series(im).duplicated(keep="first").to_numpy()  # a point on a border: one village
    return im[keep], iv[keep]


def speed_rows(villages: gpd.GeoDataFrame, measurements: gpd.GeoDataFrame | None, as_of: str,
               settings: ComputeSettings) -> pd.DataFrame:
    """(village_id, dl_mbps, weight) of the mobile measurements with a download speed."""
    cols = ["village_id", "dl_mbps", "weight"]
    if measurements is None or measurements.empty:
        return pd.DataFrame(columns=cols)
    m = measurements[measurements["kind"].isin(MOBILE_KINDS) & measurements["dl_mbps"].notna()
                     & measurements.geometry.notna()]
    m = _window(m, as_of, settings.measurement_window_days)
    im, iv = _located(villages, m)
    is_tile = (m["kind"] == "ookla_tile").to_numpy()
    tests = pd.to_numeric(m["tests"], errors="coerce").to_numpy(dtype="float64")
    weight = np.where(is_tile, np.nan_to_num(tests, nan=1.0), 1.0)
    ids = villages["village_id"].astype(str).to_numpy()
    out = pd.DataFrame({"village_id": ids[iv], "dl_mbps": m["dl_mbps"].to_numpy(dtype="float64")[im],
                        "weight": weight[im]})
    return out[out["weight"] > 0].reset_index(drop=True)


def fixed_broadband_villages(villages: gpd.GeoDataFrame, measurements: gpd.GeoDataFrame | None, as_of: str,
                             settings: ComputeSettings) -> set[str]:
    """Villages overlapped by an Ookla fixed tile with tests in the window: fixed broadband is used there."""
    if measurements is None or measurements.empty:
        return set()
    m = measurements[(measurements["kind"] == FIXED_TILE_KIND) & measurements.geometry.notna()]
    m = m[pd.to_numeric(m["tests"], errors="coerce").fillna(0) > 0]
    m = _window(m, as_of, settings.measurement_window_days)
    _, iv = _located(villages, m)
    return set(villages["village_id"].astype(str).to_numpy()[iv])


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The lower weighted median: the smallest value at which the cumulative weight reaches half."""
    if len(values) == 0 or weights.sum() <= 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cum = np.cumsum(w)
    half = cum[-1] / 2.0
    i = int(np.searchsorted(cum, half, side="left"))
    if np.isclose(cum[i], half) and i + 1 < len(v):  # an exact tie between two halves: their mean
        return float((v[i] + v[i + 1]) / 2.0)
    return float(v[i])
