"""Measured evidence: measurements per village, and the check of declared coverage against them.

The rule (FCC mobile-challenge-like; thresholds in settings): a measurement *meets* the
threshold when its RSRP/RSCP/RxLev reaches the technology's threshold (dBm), or, without a
signal value, when its download speed reaches ``measured_min_dl_mbps``. Declared coverage of an
operator and technology in a village is *contradicted* when at least
``contradiction_min_tests`` of that operator's measurements of that technology fall inside the
declared coverage in the village and at least ``contradiction_fail_share`` of them fail.
Only measurements taken within ``measurement_window_days`` before the vintage count.
Coordinates: EPSG:32648 metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.schema import ANY_OPERATOR, METRIC_CRS
from villagecov.settings import ComputeSettings, Settings


@dataclass(frozen=True)
class MeasuredPoints:
    """Measurements inside villages: metric x/y, village index, operator, technology, ok (1/0)."""

    x: np.ndarray
    y: np.ndarray
    village: np.ndarray
    operator: np.ndarray
    technology: np.ndarray
    ok: np.ndarray
    rsrp: np.ndarray
    dl: np.ndarray

    def __len__(self) -> int:
        return len(self.x)


def _in_window(frame: pd.DataFrame, as_of: str, days: int) -> np.ndarray:
    end = pd.Timestamp(date.fromisoformat(as_of) + timedelta(days=1), tz="UTC")
    start = end - pd.Timedelta(days=days + 1)
    when = pd.to_datetime(frame["time"], utc=True) if "time" in frame else pd.Series(pd.NaT, index=frame.index)
    fallback = pd.to_datetime(frame["as_of"], utc=True)
    when = when.fillna(fallback)
    return ((when >= start) & (when < end)).to_numpy(dtype=bool)


def meets_threshold(technology: pd.Series, rsrp: pd.Series, dl: pd.Series, settings: Settings) -> np.ndarray:
    """1.0 / 0.0 per measurement, NaN when it has neither signal nor speed."""
    thr = technology.map(lambda t: settings.threshold_dbm(t) if t in ("2G", "3G", "4G", "5G") else np.nan)
    rsrp_v, dl_v = rsrp.to_numpy(dtype="float64"), dl.to_numpy(dtype="float64")
    ok = np.where(np.isnan(rsrp_v), np.nan, (rsrp_v >= thr.to_numpy(dtype="float64")).astype("float64"))
    by_speed = np.isnan(ok) & ~np.isnan(dl_v)
    ok[by_speed] = (dl_v[by_speed] >= settings.measured_min_dl_mbps).astype("float64")
    return ok


def prepare(measurements: gpd.GeoDataFrame, as_of: str, villages: np.ndarray, settings: Settings) -> MeasuredPoints:
    """Measurements of the vintage window located in villages (``villages`` in EPSG:32648)."""
    empty = np.empty(0)
    if measurements is None or measurements.empty or len(villages) == 0:
        e_obj = empty.astype(object)
        return MeasuredPoints(empty, empty, empty.astype(np.int64), e_obj, e_obj, empty, empty, empty)
    m = measurements[_in_window(measurements, as_of, settings.measurement_window_days)]
    m = m[m.geometry.notna() & m["operator"].notna() & m["technology"].notna()]
    if m.empty:
        return prepare(m.iloc[0:0], as_of, np.empty(0, dtype=object), settings)
    pts = shapely.point_on_surface(m.geometry.to_crs(METRIC_CRS).values)  # Ookla tiles -> a point
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    tree = shapely.STRtree(villages)
    ip, iv = tree.query(pts, predicate="intersects")
    order = np.lexsort((iv, ip))
    ip, iv = ip[order], iv[order]
    first = np.r_[True, ip[1:] != ip[:-1]] if len(ip) else np.zeros(0, dtype=bool)
    ip, iv = ip[first], iv[first]
    ok = meets_threshold(m["technology"], m["rsrp_dbm"], m["dl_mbps"], settings)
    return MeasuredPoints(
        x=x[ip], y=y[ip], village=iv.astype(np.int64),
        operator=m["operator"].to_numpy(dtype=object)[ip], technology=m["technology"].to_numpy(dtype=object)[ip],
        ok=ok[ip], rsrp=m["rsrp_dbm"].to_numpy(dtype="float64")[ip], dl=m["dl_mbps"].to_numpy(dtype="float64")[ip],
    )


def tally(village: np.ndarray, ok: np.ndarray, n_villages: int) -> tuple[np.ndarray, np.ndarray]:
    """(count of judged measurements, share that meets the threshold, NaN where none) per village."""
    judged = ~np.isnan(ok)
    n = np.bincount(village[judged], minlength=n_villages)
    good = np.bincount(village[judged], weights=ok[judged], minlength=n_villages)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, good / np.maximum(n, 1), np.nan)
    return n, share


def contradicted(n: np.ndarray, ok_share: np.ndarray, settings: ComputeSettings) -> np.ndarray:
    """The challenge rule: enough tests inside declared coverage and too many of them fail."""
    fail = 1.0 - np.nan_to_num(ok_share, nan=1.0)
    return (n >= settings.contradiction_min_tests) & (fail >= settings.contradiction_fail_share)


def measured_rows(mp: MeasuredPoints, n_villages: int, settings: Settings) -> pd.DataFrame:
    """Rows of evidence ``measured``: per village × operator (and ANY) × technology with tests."""
    frames = []
    if len(mp) == 0:
        return pd.DataFrame(columns=["vidx", "operator", "technology", "n", "ok_share", "best"])
    for tech in sorted(set(mp.technology)):
        t_sel = mp.technology == tech
        groups = [(op, t_sel & (mp.operator == op)) for op in sorted(set(mp.operator[t_sel]))]
        groups.append((ANY_OPERATOR, t_sel))
        for op, sel in groups:
            n, share = tally(mp.village[sel], mp.ok[sel], n_villages)
            best = np.full(n_villages, -np.inf)
            rs = mp.rsrp[sel]
            has = ~np.isnan(rs)
            np.maximum.at(best, mp.village[sel][has], rs[has])
            best[np.isinf(best)] = np.nan
            vidx = np.flatnonzero(n > 0)
            frames.append(pd.DataFrame({
                "vidx": vidx, "operator": op, "technology": tech, "n": n[vidx],
                "ok_share": share[vidx], "best": best[vidx],
            }))
    return pd.concat(frames, ignore_index=True)


# Upheld "report a problem here" challenges (villagecov.challenges) that say the map promises
# more than the village gets. "has_signal" and "service_missing" are not about a declared map.
CHALLENGE_PROBLEMS = ("no_signal", "weak_signal", "slow_data")


def apply_upheld(rows: pd.DataFrame, upheld: pd.DataFrame | None, as_of: str, vintages: list[str]) -> pd.DataFrame:
    """Village coverage rows with the upheld challenges as contradictions: an upheld challenge about
    village V, operator O and technology T (an unknown operator: every operator; an unknown
    technology: every technology) contradicts the declared and modelled rows of V × O × T — as
    enough failing measurements would — from the vintage the reporter saw (the last of
    ``vintages`` on or before the day of the report; the first if none) on. The ANY rows follow
    from their operators' (:func:`villagecov.compute.status.effective_shares`). To lift it once
    the operator has fixed the village, an admin resolves the challenge again."""
    if upheld is None or upheld.empty or rows.empty or not vintages:
        return rows
    reported = pd.to_datetime(upheld["created_at"], utc=True).dt.strftime("%Y-%m-%d")
    ordered = sorted(vintages)
    seen = reported.map(lambda r: max((d for d in ordered if d <= r), default=ordered[0]))
    live = upheld[upheld["problem"].isin(CHALLENGE_PROBLEMS) & (seen <= as_of)]
    if live.empty:
        return rows
    target = (rows["evidence"].isin(("declared", "modelled")) & (rows["operator"] != ANY_OPERATOR)).to_numpy()
    hit = np.zeros(len(rows), dtype=bool)
    for c in live.itertuples(index=False):
        match = rows["village_id"].to_numpy() == c.village_id
        if isinstance(c.operator, str) and c.operator:
            match &= rows["operator"].to_numpy() == c.operator
        if isinstance(c.technology, str) and c.technology:
            match &= rows["technology"].to_numpy() == c.technology
        hit |= match & target
    if not hit.any():
        return rows
    out = rows.copy()
    out["contradicted"] = out["contradicted"].fillna(False).astype(bool) | hit
    return out
