"""Dashboard reads: indicator tables and series, and everything known about one village.

Pure functions over the store (and the layer cache for the joined villages layer). Values are
shares in [0, 1] unless the indicator says otherwise; dates are ISO ``YYYY-MM-DD``.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import shapely

from villagecov.api.features import records
from villagecov.boundary_reforms import check_level
from villagecov.errors import NotFound
from villagecov.publishing import FIXED, LATEST, LayerCache, latest_rows
from villagecov.storage import Store

INDICATOR_COLUMNS = ["indicator", "level", "unit_code", "unit_name", "boundary_version", "as_of", "value",
                     "numerator", "denominator", "baseline", "target", "period", "status", "reason"]


def indicator_table(
    store: Store, *, level: str | None = None, code: str | None = None, as_of: str | None = None,
    boundaries: str | None = None, indicator: str | None = None, period: str | None = None, run: str | None = None,
) -> pd.DataFrame:
    """Indicators at their latest vintage on or before ``as_of`` (default: the latest), or in a
    reporting ``period``; ``run``: the figures kept by that run instead of the served ones. A level
    that does not exist on the boundary version is a :class:`NotFound` saying why."""
    from villagecov.compute import periods

    check_level(level, boundaries)
    where = {k: v for k, v in (("level", level), ("unit_code", code), ("boundary_version", boundaries),
                               ("indicator", indicator)) if v}
    if run:
        from villagecov.runs import read_indicators, typed_indicators

        frame = typed_indicators(read_indicators(store, run))
        for col, value in where.items():
            frame = frame[frame[col] == value]
    else:
        frame = store.read("indicators", where=where or None)
    if period:
        kind, wanted = periods.parse(period)
        frame = frame[[periods.label(d, kind) == wanted for d in frame["as_of"]]]
    frame = latest_rows(frame, ["indicator", "level", "unit_code", "boundary_version"], as_of or LATEST)
    order = ["indicator", "level", "boundary_version", "unit_code"]
    return pd.DataFrame(frame[INDICATOR_COLUMNS]).sort_values(order, kind="stable").reset_index(drop=True)


def indicator_series(
    store: Store, indicator: str, *, level: str, code: str | None = None, boundaries: str | None = None
) -> dict[str, Any]:
    """The progress of one indicator for one unit: every vintage, with baseline and target."""
    check_level(level, boundaries)
    where: dict[str, Any] = {"indicator": indicator, "level": level}
    if code:
        where["unit_code"] = code
    if boundaries:
        where["boundary_version"] = boundaries
    frame = store.read("indicators", where=where)
    if frame.empty:
        raise NotFound(f"no values of indicator {indicator!r} at level {level!r}"
                       + (f" for unit {code!r}" if code else ""))
    units = frame[["unit_code", "boundary_version"]].drop_duplicates()
    if len(units) > 1:
        first = units.iloc[0]
        frame = frame[(frame["unit_code"] == first["unit_code"]) & (frame["boundary_version"] == first["boundary_version"])]
    frame = frame.sort_values("as_of", kind="stable")
    baseline = frame["baseline"].dropna()
    target = frame["target"].dropna()
    first = frame.iloc[0]
    return {
        "indicator": indicator, "level": level, "unit_code": first["unit_code"], "unit_name": first["unit_name"],
        "boundary_version": first["boundary_version"],
        "baseline": float(baseline.iloc[0]) if len(baseline) else float(first["value"]),
        "baseline_as_of": frame.loc[frame["value"].notna(), "as_of"].iloc[0] if frame["value"].notna().any() else None,
        "target": float(target.iloc[-1]) if len(target) else None,
        "series": records(frame, ["as_of", "value", "numerator", "denominator"]),
    }


def _measurement_summary(store: Store, geometry: Any) -> list[dict[str, Any]]:
    if geometry is None:
        return []
    found = store.read("measurements", bbox=tuple(shapely.bounds(geometry)))
    if found.empty:
        return []
    found = found[found.intersects(geometry)]
    if found.empty:
        return []
    agg = found.groupby(["operator", "technology"], dropna=False).agg(
        n=("measurement_id", "count"), rsrp_dbm_median=("rsrp_dbm", "median"), dl_mbps_median=("dl_mbps", "median"),
        ul_mbps_median=("ul_mbps", "median"), latency_ms_median=("latency_ms", "median"),
        first=("time", "min"), last=("time", "max"),
    ).reset_index()
    agg["first"] = agg["first"].map(lambda t: None if pd.isna(t) else t.isoformat())
    agg["last"] = agg["last"].map(lambda t: None if pd.isna(t) else t.isoformat())
    return records(agg, list(agg.columns))


def village_detail(store: Store, layers: LayerCache, village_id: str, as_of: str | None = None) -> dict[str, Any]:
    """Attributes, coverage per operator × technology × evidence, services, measurements, indicators."""
    frame = layers.frame(store, FIXED["villages"], as_of)
    row = frame[frame["village_id"] == village_id]
    if row.empty:
        raise NotFound(f"no village {village_id!r}")
    d = as_of or LATEST
    attrs = records(row, [c for c in row.columns if c != "geometry"])[0]
    geom = row.geometry.iloc[0]
    vc = store.read("village_coverage", where={"village_id": village_id})
    vc = latest_rows(vc, ["operator", "technology", "evidence"], d)
    vc = vc.sort_values(["technology", "operator", "evidence"], kind="stable")
    services = latest_rows(store.read("services", where={"village_id": village_id}), ["service"], d)
    summary = latest_rows(store.read("village_summary", where={"village_id": village_id}), ["village_id"], d)
    inds = latest_rows(store.read("indicators", where={"level": "village", "unit_code": village_id}),
                       ["indicator"], d)
    return {
        "village_id": village_id,
        "attributes": attrs,
        "geometry": json.loads(shapely.to_geojson(geom)) if geom is not None else None,
        "centroid": list(shapely.get_coordinates(geom.representative_point())[0]) if geom is not None else None,
        "coverage": records(vc, ["operator", "technology", "evidence", "as_of", "status", "covered_area_share",
                                 "covered_pop_share", "best_signal_dbm", "n_measurements", "measured_ok_share",
                                 "contradicted"]),
        "services": records(services.sort_values("service"), ["service", "available", "as_of", "source"]),
        "summary": records(summary, [c for c in summary.columns if c not in ("village_id",)])[0] if len(summary) else None,
        "measurements": _measurement_summary(store, geom),
        "indicators": records(inds.sort_values("indicator"), ["indicator", "as_of", "value", "boundary_version"]),
    }
