"""Which input rows are in force at a date: withdrawal, extent-aware supersede, corrections.

Pure. Every input row carries ``submission_id``; ``order`` ranks submissions by when they were
received (later = higher). The rules:

- coverage: per operator × technology × evidence, submissions dated at or before the date are
  taken oldest first (``as_of``, then received); each supersedes the earlier ones **inside its
  extent only**. A row keeps counting outside the extents of the newer submissions; the part it
  loses is returned as ``hidden`` (EPSG:4326) for the compute to cut away. A submission without
  an extent (stored before extents existed) speaks for everywhere, as the old rule did.
- keyed tables (villages, services, sites): per key the latest ``as_of``; among rows of the same
  date, the latest received submission (a corrected file for the same date replaces the earlier).
- village registers: a later register of the *same date* replaces the earlier one in the
  communes it lists (villages it drops are gone), and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.rules import at_or_before

ORDER = "_order"  # column added to input frames: the submission's receive rank
LEGACY = "legacy:"  # pseudo submission of rows stored before submission ids


def effective_coverage(coverage: gpd.GeoDataFrame, extents: Mapping[str, shapely.Geometry | None],
                       date: str) -> gpd.GeoDataFrame:
    """Coverage rows in force at ``date`` with a ``hidden`` geometry column (None: counts everywhere)."""
    cov = at_or_before(coverage, date).copy()
    if cov.empty:
        return cov.assign(hidden=pd.Series(dtype=object))
    sub = _submission(cov)
    cov["_sub"] = sub
    order = cov[ORDER] if ORDER in cov.columns else pd.Series(0, index=cov.index)
    cov["_rank"] = order.fillna(-1)
    hidden = pd.Series([None] * len(cov), index=cov.index, dtype=object)
    keep = np.ones(len(cov), dtype=bool)
    for _, group in cov.groupby(["operator", "technology", "evidence"], dropna=False, sort=False):
        subs = (group[["_sub", "as_of", "_rank"]].drop_duplicates("_sub")
                .sort_values(["as_of", "_rank", "_sub"], kind="stable")["_sub"].tolist())
        newer: list[shapely.Geometry] = []
        everywhere = False
        for s in reversed(subs):  # newest first: what is newer than s is known when s is reached
            rows = group.index[group["_sub"] == s]
            if everywhere:
                keep[cov.index.get_indexer(rows)] = False
            elif newer:
                cut = shapely.union_all(newer)
                hidden.loc[rows] = cut
            ext = extents.get(s) if not s.startswith(LEGACY) else None
            if ext is None:
                everywhere = True
            else:
                newer.append(ext)
    out = cov.assign(hidden=hidden)[keep].drop(columns=["_sub", "_rank"])
    return out


def _submission(frame: pd.DataFrame) -> pd.Series:
    """The submission of each row; rows without one group by date (the old per-date rule)."""
    sid = frame["submission_id"] if "submission_id" in frame.columns else pd.Series(None, index=frame.index)
    return sid.where(sid.notna(), LEGACY + frame["as_of"].astype(str)).astype(str)


def latest_per_key(frame: pd.DataFrame, keys: list[str], date: str) -> pd.DataFrame:
    """Rows at or before ``date``: per key, the latest ``as_of`` (the vintage rule,
    :func:`villagecov.rules.latest_per_key`) and then, of that date, the latest received only."""
    frame = at_or_before(frame, date)
    if frame.empty:
        return frame
    rank = frame[ORDER].fillna(-1) if ORDER in frame.columns else pd.Series(0, index=frame.index)
    ordered = frame.assign(_rank=rank.to_numpy()).sort_values([*keys, "as_of", "_rank"], kind="stable")
    out = ordered.groupby(keys, dropna=False, sort=False).tail(1)
    return out.drop(columns="_rank").sort_index()


def corrected_registers(villages: pd.DataFrame) -> pd.DataFrame:
    """Drop rows of a village register that a later register of the same date replaces (same communes)."""
    if villages.empty or ORDER not in villages.columns or "submission_id" not in villages.columns:
        return villages
    drop = np.zeros(len(villages), dtype=bool)
    for _, day in villages.groupby("as_of", sort=False):
        subs = day[["submission_id", ORDER]].dropna().drop_duplicates("submission_id")
        if len(subs) < 2:
            continue
        ranks = dict(zip(subs["submission_id"], subs[ORDER], strict=True))
        communes = day.groupby("submission_id")["commune_code"].agg(set)
        for s, rank in ranks.items():
            later = set().union(*(communes[t] for t, r in ranks.items() if r > rank))
            if later:
                mine = (day["submission_id"] == s) & day["commune_code"].isin(later)
                drop[villages.index.get_indexer(day.index[mine])] = True
    return villages[~drop]
