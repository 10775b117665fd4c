"""Change between two periods, attributed to the new sites that closed the gaps.

A gap *closed* when a village below the 4G rule at the earlier period (status none or partial, or
no 4G evidence) meets it at the later one; it *opened* the other way round. Each closed gap is
attributed to the nearest mobile tower that came into service between the two periods (by its
``in_service_from`` date) within ``radius_km``; a closed gap without such a site is marked so
(a new declared map or new tests changed it, not a new site). People newly covered follow the one
definition (people without 4G before − after).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from villagecov.analysis.people import village_people
from villagecov.schema import METRIC_CRS

CLOSED_COLUMNS = ["village_id", "name", "commune_code", "population", "status_before", "status_after",
                  "people_newly_covered", "site_id", "operator", "in_service_from", "distance_km"]


def new_sites(sites: pd.DataFrame | None, before: str, after: str) -> pd.DataFrame:
    """Mobile towers that came into service after ``before`` and by ``after`` (latest register row)."""
    if sites is None or sites.empty:
        return pd.DataFrame(columns=["site_id", "operator", "in_service_from", "geometry"])
    s = sites[(sites["kind"].fillna("mobile_tower") == "mobile_tower") & sites.geometry.notna()]
    s = s.sort_values("as_of", kind="stable").drop_duplicates("site_id", keep="last")
    start = s["in_service_from"].astype(str).str[:10]
    return s[(start > before) & (start <= after)].reset_index(drop=True)


def closed_gaps(before: pd.DataFrame, after: pd.DataFrame, villages: pd.DataFrame, sites: pd.DataFrame | None,
                before_date: str, after_date: str, radius_km: float = 10.0) -> pd.DataFrame:
    """Villages whose 4G gap closed between the summaries ``before`` and ``after``, each with the
    nearest new site within ``radius_km`` (site_id None when there is none): :data:`CLOSED_COLUMNS`."""
    b = village_people(before).set_index("village_id")
    a = village_people(after).set_index("village_id")
    common = a.index.intersection(b.index)
    closed = [v for v in common if b.at[v, "gap"] and not a.at[v, "gap"]]
    out = pd.DataFrame({"village_id": closed})
    if out.empty:
        return pd.DataFrame(columns=CLOSED_COLUMNS)
    v = villages.assign(village_id=villages["village_id"].astype(str)).drop_duplicates("village_id").set_index("village_id")
    out["name"] = out["village_id"].map(v["name"])
    out["commune_code"] = out["village_id"].map(a["commune_code"])
    out["population"] = out["village_id"].map(a["population"]).astype("int64")
    out["status_before"] = out["village_id"].map(b["status_4g"]).fillna("none")
    out["status_after"] = out["village_id"].map(a["status_4g"])
    out["people_newly_covered"] = (out["village_id"].map(b["people_without_4g"])
                                   - out["village_id"].map(a["people_without_4g"])).round(0)
    fresh = new_sites(sites, before_date, after_date)
    out["site_id"], out["operator"], out["in_service_from"], out["distance_km"] = None, None, None, np.nan
    if len(fresh):
        geoms = v.loc[out["village_id"], "geometry"]
        vg = np.asarray(gpd_to_metric(geoms, v.crs), dtype=object)
        sg = np.asarray(gpd_to_metric(fresh.geometry, fresh.crs), dtype=object)
        tree = shapely.STRtree(sg)
        idx, dist = tree.query_nearest(vg, return_distance=True, all_matches=False)
        vi, si = idx
        ok = dist <= radius_km * 1000.0
        rows = vi[ok]
        out.loc[rows, "site_id"] = fresh["site_id"].to_numpy()[si[ok]]
        out.loc[rows, "operator"] = fresh["operator"].to_numpy()[si[ok]]
        out.loc[rows, "in_service_from"] = fresh["in_service_from"].astype(str).str[:10].to_numpy()[si[ok]]
        out.loc[rows, "distance_km"] = np.round(dist[ok] / 1000.0, 2)
    out = out.sort_values(["people_newly_covered", "village_id"], ascending=[False, True], kind="stable")
    return out[CLOSED_COLUMNS].reset_index(drop=True)


def gpd_to_metric(geoms: object, crs: object) -> object:
    import geopandas as gpd

    return gpd.GeoSeries(list(geoms), crs=crs).to_crs(METRIC_CRS).values  # type: ignore[arg-type]


def by_site(closed: pd.DataFrame) -> pd.DataFrame:
    """Per new site (in service date order): villages whose gap it closed and the people newly
    covered; closed gaps without a new site nearby as one last row (site_id None)."""
    cols = ["site_id", "operator", "in_service_from", "villages_closed", "people_newly_covered"]
    if closed.empty:
        return pd.DataFrame(columns=cols)
    g = closed.assign(site_id=closed["site_id"].fillna("—")).groupby(["site_id"], sort=False).agg(
        operator=("operator", "first"), in_service_from=("in_service_from", "first"),
        villages_closed=("village_id", "size"), people_newly_covered=("people_newly_covered", "sum")).reset_index()
    g = g.assign(_none=g["site_id"] == "—").sort_values(["_none", "people_newly_covered", "site_id"],
                                                         ascending=[True, False, True], kind="stable")
    return g[cols].reset_index(drop=True)


def opened_gaps(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Villages that met the 4G rule before and are below it now (lost coverage)."""
    b = village_people(before).set_index("village_id")
    a = village_people(after).set_index("village_id")
    common = a.index.intersection(b.index)
    opened = [v for v in common if not b.at[v, "gap"] and a.at[v, "gap"]]
    out = a.loc[opened, ["commune_code", "population", "status_4g", "people_without_4g"]].reset_index()
    return out.sort_values(["people_without_4g", "village_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
