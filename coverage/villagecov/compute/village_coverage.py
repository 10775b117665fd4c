"""Village coverage of one vintage: every village × operator (and ANY) × technology × evidence.

Inputs are frames in EPSG:4326 (as stored); computation in EPSG:32648 (m, m²). Declared
coverage is vector (tiled, exact overlay on boundary pieces only, see :mod:`.tiling` and
:mod:`.area`); modelled coverage is raster (exact per-cell fractions, :mod:`.rasters`);
measured rows come from measurements (:mod:`.evidence`). Layers run on a thread pool: GEOS
releases the GIL in shapely's vectorised operations.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.compute import area as area_mod
from villagecov.compute import evidence as ev
from villagecov.compute.population import (
    WeightedPoints,
    assign_villages,
    covered_mask,
    layer_mask,
    no_points,
    pop_share,
)
from villagecov.compute.rasters import RasterLayer, best_signal, covered_polygons
from villagecov.compute.status import classify
from villagecov.compute.tiling import TiledLayer, needs_dissolve, tile_layer
from villagecov.schema import ANY_OPERATOR, METRIC_CRS, TECHNOLOGIES
from villagecov.settings import ComputeSettings, Settings

OUTPUT_COLUMNS = [
    "village_id", "operator", "technology", "evidence", "as_of", "covered_area_share",
    "covered_pop_share", "best_signal_dbm", "status", "n_measurements", "measured_ok_share",
    "contradicted",
]


@dataclass
class VintageInputs:
    """What one vintage needs. ``population``: (x, y, people) in EPSG:32648, or None.

    ``rasters`` maps a coverage row's ``raster_path`` to its loaded :class:`RasterLayer`.
    """

    as_of: str
    villages: gpd.GeoDataFrame
    coverage: gpd.GeoDataFrame
    measurements: gpd.GeoDataFrame | None = None
    population: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    rasters: Mapping[str, RasterLayer] = field(default_factory=dict)


@dataclass
class GroupResult:
    operator: str
    technology: str
    evidence: str
    area: area_mod.LayerOverlap
    best: np.ndarray
    pop_mask: np.ndarray
    meas_inside: np.ndarray  # per measurement: inside this layer (False for other layers' tests)
    has_vector: bool


@dataclass
class Frame:
    geoms: np.ndarray
    area: np.ndarray
    metric: gpd.GeoSeries
    points: WeightedPoints
    mp: ev.MeasuredPoints


def _group_layers(coverage: gpd.GeoDataFrame) -> dict[tuple[str, str, str], gpd.GeoDataFrame]:
    if coverage is None or coverage.empty:
        return {}
    cov = coverage[coverage["operator"].notna() & coverage["technology"].isin(TECHNOLOGIES)]
    return {
        (str(o), str(t), str(e)): g
        for (o, t, e), g in cov.groupby(["operator", "technology", "evidence"], sort=True)
        if e in ("declared", "modelled")
    }


def _hidden_metric(rows: gpd.GeoDataFrame) -> np.ndarray:
    """Per row, the area newer submissions supersede (EPSG:32648), or None (see compute.supersede)."""
    out = np.full(len(rows), None, dtype=object)
    if "hidden" not in rows.columns:
        return out
    cache: dict[int, object] = {}
    for i, h in enumerate(rows["hidden"].to_numpy(dtype=object)):
        if h is None or (isinstance(h, float) and np.isnan(h)):
            continue
        if id(h) not in cache:
            cache[id(h)] = gpd.GeoSeries([h], crs=rows.crs).to_crs(METRIC_CRS).iloc[0]
        out[i] = cache[id(h)]
    return out


def _cut(geoms: np.ndarray, hidden: object) -> np.ndarray:
    if hidden is None or len(geoms) == 0:
        return geoms
    cut = shapely.difference(geoms, hidden)
    return cut[~shapely.is_empty(cut)]


def _tile(rows: gpd.GeoDataFrame, inputs: VintageInputs, threshold_dbm: float, settings: ComputeSettings) -> TiledLayer | None:
    """One tiled layer from the vector rows and the covered cells of the raster rows, each without
    the area that newer submissions supersede."""
    hidden = _hidden_metric(rows)
    vec_sel = (rows["raster_path"].isna() & rows.geometry.notna()).to_numpy()
    vec = np.asarray(rows[vec_sel].geometry.to_crs(METRIC_CRS).values, dtype=object)
    vec_hidden = hidden[vec_sel]
    has = np.array([h is not None for h in vec_hidden], dtype=bool)
    if has.any():
        vec = vec.copy()
        vec[has] = shapely.difference(vec[has], vec_hidden[has])
        vec = vec[~shapely.is_empty(vec)]
    parts = [vec]
    is_raster = rows["raster_path"].notna().to_numpy()
    for path, h in zip(rows["raster_path"][is_raster], hidden[is_raster], strict=True):
        parts.append(_cut(covered_polygons(inputs.rasters[path], threshold_dbm), h))
    geoms = np.concatenate(parts)
    if len(geoms) == 0:
        return None
    return tile_layer(geoms, settings.compute_tile_m, dissolve=needs_dissolve(geoms))


def _run_group(key: tuple[str, str, str], rows: gpd.GeoDataFrame, fr: Frame, inputs: VintageInputs,
               settings: Settings) -> GroupResult:
    operator, tech, evidence = key
    n = len(fr.geoms)
    thr = settings.threshold_dbm(tech)
    layer = _tile(rows, inputs, thr, settings)
    meas_sel = (fr.mp.operator == operator) & (fr.mp.technology == tech)
    meas_inside = np.zeros(len(fr.mp), dtype=bool)
    if layer is not None:
        ov = area_mod.overlap(fr.geoms, fr.area, layer)
        pmask = layer_mask(fr.points, layer, ov.share)
        mpts = WeightedPoints(fr.mp.x, fr.mp.y, np.ones(len(fr.mp)), fr.mp.village)
        meas_inside |= covered_mask(mpts, layer, meas_sel)
    else:
        ov = area_mod.empty_overlap(n)
        pmask = np.zeros(len(fr.points), dtype=bool)
    best = np.full(n, np.nan)
    raster_rows = rows[rows["raster_path"].notna()]
    hidden = _hidden_metric(raster_rows)
    for path, h in zip(raster_rows["raster_path"], hidden, strict=True):
        signal = best_signal(fr.metric, inputs.rasters[path])
        if h is not None:  # villages wholly in a newer submission's extent: this raster no longer speaks
            signal = np.where(shapely.covered_by(fr.geoms, h), np.nan, signal)
        best = np.fmax(best, signal)
    return GroupResult(operator, tech, evidence, ov, best, pmask, meas_inside, layer is not None)


def _rows(fr: Frame, ids: np.ndarray, op: str, tech: str, evidence: str, as_of: str, area_share: np.ndarray,
          pmask: np.ndarray, best: np.ndarray, inside: np.ndarray, settings: Settings) -> pd.DataFrame:
    n = len(ids)
    pshare = pop_share(fr.points, pmask, area_share)
    cnt, ok_share = ev.tally(fr.mp.village[inside], fr.mp.ok[inside], n)
    return pd.DataFrame({
        "_v": np.arange(n), "village_id": ids, "operator": op, "technology": tech, "evidence": evidence, "as_of": as_of,
        "covered_area_share": area_share, "covered_pop_share": pshare, "best_signal_dbm": best,
        "status": classify(pshare, settings), "n_measurements": cnt, "measured_ok_share": ok_share,
        "contradicted": ev.contradicted(cnt, ok_share, settings),
    })


def compute_vintage(inputs: VintageInputs, settings: Settings) -> pd.DataFrame:
    """Rows of ``village_coverage`` (without run_id) for one vintage, sorted by key."""
    villages = inputs.villages
    metric = villages.geometry.to_crs(METRIC_CRS).reset_index(drop=True)
    geoms = np.asarray(metric.values, dtype=object)
    ids = villages["village_id"].astype(str).to_numpy()
    if inputs.population is not None:
        x, y, w = inputs.population
        points = assign_villages(x, y, w, geoms)
    else:
        points = no_points()
    fr = Frame(geoms, np.asarray(metric.area, dtype="float64"), metric, points,
               ev.prepare(inputs.measurements, inputs.as_of, geoms, settings))
    groups = _group_layers(inputs.coverage)
    with ThreadPoolExecutor(max_workers=max(1, settings.compute_threads)) as pool:
        results = list(pool.map(lambda kv: _run_group(kv[0], kv[1], fr, inputs, settings), groups.items()))
        frames = [
            _rows(fr, ids, r.operator, r.technology, r.evidence, inputs.as_of, r.area.share, r.pop_mask, r.best,
                  r.meas_inside, settings)
            for r in results if r.operator != ANY_OPERATOR  # an all-operators layer goes into the ANY rows
        ]
        frames += _any_rows(pool, fr, ids, results, inputs.as_of, settings)
    frames += _measured_frames(fr, ids, inputs.as_of, settings)
    if not frames:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    # sort by (village_id, operator, technology, evidence) without a string sort of every row:
    # frames in key order, then a stable integer sort on the villages' rank by id
    frames.sort(key=lambda f: (str(f["operator"].iat[0]), str(f["technology"].iat[0]), str(f["evidence"].iat[0])))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    out = pd.concat(frames, ignore_index=True)
    order = np.argsort(rank[out["_v"].to_numpy()], kind="stable")
    return out[OUTPUT_COLUMNS].take(order).reset_index(drop=True)


def _any_rows(pool: ThreadPoolExecutor, fr: Frame, ids: np.ndarray, results: list[GroupResult], as_of: str,
              settings: Settings) -> list[pd.DataFrame]:
    out = []
    keys = sorted({(r.technology, r.evidence) for r in results})
    groups = {k: [r for r in results if (r.technology, r.evidence) == k] for k in keys}
    unions = pool.map(lambda k: area_mod.any_share(fr.area, [r.area for r in groups[k] if r.has_vector]), keys)
    for (tech, evidence), share in zip(keys, unions, strict=True):
        rs = groups[(tech, evidence)]
        for r in rs:
            share = np.maximum(share, r.area.share)  # rasters: ANY ≥ best operator
        pmask = np.logical_or.reduce([r.pop_mask for r in rs])
        best = np.fmax.reduce([r.best for r in rs])
        inside = np.logical_or.reduce([r.meas_inside for r in rs])
        out.append(_rows(fr, ids, ANY_OPERATOR, tech, evidence, as_of, share, pmask, best, inside, settings))
    return out


def _measured_frames(fr: Frame, ids: np.ndarray, as_of: str, settings: Settings) -> list[pd.DataFrame]:
    m = ev.measured_rows(fr.mp, len(ids), settings)
    if m.empty:
        return []
    frames = []
    for _, g in m.groupby(["operator", "technology"], sort=True):
        frames.append(_measured_frame(g, ids, as_of, settings))
    return frames


def _measured_frame(m: pd.DataFrame, ids: np.ndarray, as_of: str, settings: Settings) -> pd.DataFrame:
    return pd.DataFrame({
        "_v": m["vidx"].to_numpy(dtype=np.int64),
        "village_id": ids[m["vidx"].to_numpy(dtype=np.int64)], "operator": m["operator"].to_numpy(),
        "technology": m["technology"].to_numpy(), "evidence": "measured", "as_of": as_of,
        "covered_area_share": np.nan, "covered_pop_share": np.nan, "best_signal_dbm": m["best"].to_numpy(),
        "status": classify(m["ok_share"].to_numpy(dtype="float64"), settings),
        "n_measurements": m["n"].to_numpy(), "measured_ok_share": m["ok_share"].to_numpy(dtype="float64"),
        "contradicted": False,
    })
