"""Tasks of a measurement dataset load, one call per partition (= one file of the dataset).

Each partition is validated by the ingest's own drive-test reader
(:func:`villagecov.sources.measurements.validate_drive_table`: the same rules, the same reject
reasons), appended to the store by the worker itself (PostgreSQL COPY on PostGIS; the GeoPackage,
one writer at a time, under a cluster-wide lock), and reduced to per village × operator ×
technology × period sums. Only those sums and the rejected rows leave the worker.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.compute import periods
from villagecov.errors import InputError
from villagecov.schema import METRIC_CRS
from villagecov.settings import Settings
from villagecov.sources.common import ROW, IngestOptions, ReadContext, Rejects, norm_name
from villagecov.sources.csvio import CsvTable

AGG_KEYS = ["village_id", "operator", "technology", "period"]
AGG_SUMS = ["n", "n_rsrp", "sum_rsrp", "n_ok", "n_dl", "sum_dl"]
AGG_META = pd.DataFrame({**{k: pd.Series(dtype="object") for k in AGG_KEYS},
                         **{k: pd.Series(dtype="float64") for k in AGG_SUMS}, "max_rsrp": pd.Series(dtype="float64")})


@dataclass(frozen=True)
class Reference:
    """What every partition needs, sent once to each worker: boundaries, villages, options."""

    options: IngestOptions
    province: shapely.Geometry  # EPSG:4326
    communes: gpd.GeoDataFrame
    villages: np.ndarray  # village polygons, EPSG:32648
    village_ids: np.ndarray
    store_url: str
    submission_id: str
    granularity: str


@dataclass(frozen=True)
class PartFile:
    file: str  # name used in messages and the quarantine report
    sha256: str  # the file's own: measurement ids are those of a single-file ingest of it
    encoding: str = "utf-8"
    separator: str = ","


@dataclass
class PartResult:
    file: str
    accepted: int
    rejects: list[dict[str, Any]]
    notes: list[str]
    as_of_max: str | None


def text_frame(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """A partition as the readers expect it: every cell text (NaN when empty), names normalised,
    a 1-based ``_row``."""
    names = [norm_name(str(c)) for c in frame.columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError("column appears twice", file=file, field=dupes[0])
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for name, col in zip(names, frame.columns, strict=True):
        s = frame[col].reset_index(drop=True)
        if not pd.api.types.is_string_dtype(s):  # Parquet numbers and times: their text, as a CSV has it
            s = s.astype("string").astype(object).where(s.notna(), np.nan)
        out[name] = s.where(s != "", np.nan)  # csvio reads empty cells as missing
    out[ROW] = np.arange(1, len(frame) + 1)
    return out


def _store_lock(store_url: str) -> AbstractContextManager[Any]:
    """The GeoPackage has one writer at a time: on a Dask worker, a cluster-wide lock per store."""
    if store_url.startswith(("postgresql", "postgres:")):
        return nullcontext()
    try:
        from distributed import Lock, get_worker

        get_worker()
    except (ImportError, ValueError):
        return nullcontext()
    return Lock(f"villagecov-store:{store_url}")


def aggregate(rows: gpd.GeoDataFrame, ref: Reference, settings: Settings) -> pd.DataFrame:
    """Sums per village × operator × technology × period of accepted rows (EPSG:4326 points);
    rows outside every village are left out."""
    if rows.empty or len(ref.villages) == 0:
        return AGG_META.copy()
    pts = rows.geometry.to_crs(METRIC_CRS).values
    tree = shapely.STRtree(ref.villages)
    ip, iv = tree.query(np.asarray(pts, dtype=object), predicate="intersects")
    order = np.lexsort((iv, ip))
    ip, iv = ip[order], iv[order]
    first = np.r_[True, ip[1:] != ip[:-1]] if len(ip) else np.zeros(0, dtype=bool)
    village = np.full(len(rows), None, dtype=object)
    village[ip[first]] = ref.village_ids[iv[first]]
    as_of = rows["as_of"].astype(str)
    labels = {d: periods.label(d, ref.granularity) for d in as_of.unique()}
    rsrp = pd.to_numeric(rows["rsrp_dbm"], errors="coerce").to_numpy(dtype="float64")
    dl = pd.to_numeric(rows["dl_mbps"], errors="coerce").to_numpy(dtype="float64")
    tech = rows["technology"].astype(str).to_numpy()
    thr = np.array([settings.threshold_dbm(t) if t in ("2G", "3G", "4G", "5G") else np.nan for t in tech])
    frame = pd.DataFrame({
        "village_id": village, "operator": rows["operator"].astype(str).to_numpy(), "technology": tech,
        "period": as_of.map(labels).to_numpy(), "n": 1.0, "n_rsrp": np.isfinite(rsrp).astype(float),
        "sum_rsrp": np.nan_to_num(rsrp), "n_ok": (np.nan_to_num(rsrp, nan=-np.inf) >= thr).astype(float),
        "n_dl": np.isfinite(dl).astype(float), "sum_dl": np.nan_to_num(dl), "max_rsrp": rsrp,
    })
    frame = frame[frame["village_id"].notna()]
    agg = frame.groupby(AGG_KEYS, sort=False).agg({**{c: "sum" for c in AGG_SUMS}, "max_rsrp": "max"})
    return agg.reset_index()[list(AGG_META.columns)]


def process_partition(raw: pd.DataFrame, part: PartFile, ref: Reference, settings: Settings
                      ) -> tuple[PartResult, pd.DataFrame]:
    """Task: validate one file's rows, append the accepted ones to the store, aggregate them."""
    from villagecov.sources.measurements import validate_drive_table
    from villagecov.storage import open_store

    ctx = ReadContext(file=part.file, path=Path(part.file), sha256=part.sha256, options=ref.options,
                      province=ref.province, communes=ref.communes, workdir=Path("."), archive_dir=Path("."),
                      max_uncompressed_bytes=0)
    table = CsvTable(text_frame(raw, part.file), part.encoding, part.separator, part.separator in (";", "\t"))
    rejects, notes = Rejects(), []
    rows = validate_drive_table(table, ctx, rejects, notes)
    if len(rows):
        with _store_lock(ref.store_url), open_store(ref.store_url) as st, st.transaction() as tx:
            tx.append("measurements", rows.assign(submission_id=ref.submission_id))
    for r in rejects.rows:
        r["layer"] = part.file  # the quarantine report of a dataset names each row's file
    as_of_max = str(rows["as_of"].max()) if len(rows) else None
    return PartResult(part.file, len(rows), rejects.rows, notes, as_of_max), aggregate(rows, ref, settings)


def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Task: partial sums of several partitions as one (sums added, best RSRP the maximum)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return AGG_META.copy()
    agg = pd.concat(parts, ignore_index=True).groupby(AGG_KEYS, sort=False).agg(
        {**{c: "sum" for c in AGG_SUMS}, "max_rsrp": "max"})
    return agg.reset_index()[list(AGG_META.columns)]


def finish(agg: pd.DataFrame) -> pd.DataFrame:
    """Per village × operator × technology × period: measurements, mean and best RSRP (dBm), share
    at or above the technology's threshold, mean download (Mbit/s); sorted by the keys."""
    out = agg.assign(
        measurements=agg["n"].astype("int64"),
        mean_rsrp_dbm=agg["sum_rsrp"] / agg["n_rsrp"].where(agg["n_rsrp"] > 0),
        best_rsrp_dbm=agg["max_rsrp"],
        ok_share=agg["n_ok"] / agg["n_rsrp"].where(agg["n_rsrp"] > 0),
        mean_dl_mbps=agg["sum_dl"] / agg["n_dl"].where(agg["n_dl"] > 0),
    )
    cols = [*AGG_KEYS, "measurements", "mean_rsrp_dbm", "best_rsrp_dbm", "ok_share", "mean_dl_mbps"]
    return out[cols].sort_values(AGG_KEYS, kind="stable").reset_index(drop=True)
