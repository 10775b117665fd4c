"""Which villages are remote, and why.

An official flag (``remote_official`` from the village register) wins. Otherwise a village is
remote when any rule of settings fires, each recorded in ``remote_reasons``:

- ``distance_to_seat=31.2km>25km``: straight-line distance (EPSG:32648) from the village's
  representative point to the seat of its 2019 district (the nearest district seat when its own
  district's seat is unknown) exceeds ``remote_distance_km``;
- ``distance_to_commune_centre=17.2km>15km``: on boundaries without districts (2025-07, or
  everywhere with ``remote_centre = "commune_centre"``) the distance from the village to its
  commune's centre (a ``commune_centre`` place, else the commune polygon's representative point)
  exceeds ``remote_commune_distance_km``;
- ``elevation=512m>400m``: terrain at the village's representative point (where a terrain
  raster exists) exceeds ``remote_elevation_m``;
- ``border_commune`` / ``mountainous_commune``: the village's commune is in
  ``remote_border_communes`` / ``remote_mountainous_communes`` (codes of its boundary version).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.compute.rasters import RasterLayer, sample_values
from villagecov.schema import METRIC_CRS
from villagecov.settings import ComputeSettings, Settings

NO_DISTRICTS = ("2025-07",)  # boundary versions without a district level (see villagecov.boundary_reforms)


def _seat_distance_km(villages: gpd.GeoDataFrame, seats: gpd.GeoDataFrame,
                      commune_district: pd.Series) -> np.ndarray:
    """km from each village to its district seat (nearest seat where its district has none)."""
    n = len(villages)
    if seats is None or seats.empty or n == 0:
        return np.full(n, np.nan)
    vp = shapely.point_on_surface(np.asarray(villages.geometry.to_crs(METRIC_CRS).values, dtype=object))
    sp = np.asarray(seats.geometry.to_crs(METRIC_CRS).values, dtype=object)
    dist = shapely.distance(vp[:, None], sp[None, :]) / 1000.0  # (villages, seats); few seats
    nearest = dist.min(axis=1)
    seat_district = seats["commune_code"].astype(str).map(commune_district).to_numpy(dtype=object)
    village_district = villages["commune_code"].astype(str).map(commune_district).to_numpy(dtype=object)
    own = (village_district[:, None] == seat_district[None, :]) & pd.notna(village_district)[:, None]
    own_dist = np.where(own, dist, np.inf).min(axis=1)
    return np.where(np.isfinite(own_dist), own_dist, nearest)


def uses_commune_centre(villages: pd.DataFrame, settings: ComputeSettings) -> np.ndarray:
    """Per village: measured from its commune centre (True) or its district seat (False)."""
    mode = settings.remote_centre
    if mode == "commune_centre":
        return np.ones(len(villages), dtype=bool)
    if mode == "district_seat":
        return np.zeros(len(villages), dtype=bool)
    versions = villages["boundary_version"] if "boundary_version" in villages else pd.Series(["2019"] * len(villages))
    return versions.fillna("2019").isin(NO_DISTRICTS).to_numpy()


def _centre_distance_km(villages: gpd.GeoDataFrame, centres: pd.Series | None) -> np.ndarray:
    """km from each village to its commune's centre (``centres``: (version, code) -> Point in
    EPSG:32648); NaN where its commune has no known centre."""
    n = len(villages)
    if centres is None or centres.empty or n == 0:
        return np.full(n, np.nan)
    vp = shapely.point_on_surface(np.asarray(villages.geometry.to_crs(METRIC_CRS).values, dtype=object))
    versions = villages["boundary_version"].fillna("2019") if "boundary_version" in villages else ["2019"] * n
    keys = list(zip(versions, villages["commune_code"].astype(str), strict=True))
    pts = np.array([centres.get(k) for k in keys], dtype=object)
    out = np.full(n, np.nan)
    known = np.array([p is not None for p in pts])
    if known.any():
        out[known] = shapely.distance(vp[known], pts[known]) / 1000.0
    return out


def remoteness(villages: gpd.GeoDataFrame, seats: gpd.GeoDataFrame | None, commune_district: pd.Series,
               settings: Settings, terrain: RasterLayer | None = None,
               commune_centres: pd.Series | None = None) -> pd.DataFrame:
    """village_id, remote, remote_reasons, seat_distance_km, elevation_m (one row per village).

    ``commune_district`` maps a commune code (the villages' and seats' boundary version) to its
    district code; ``seats`` are ``places`` rows of kind ``district_seat`` (EPSG:4326);
    ``commune_centres`` maps (boundary version, commune code) to the commune's centre (EPSG:32648).
    """
    n = len(villages)
    by_centre = uses_commune_centre(villages, settings)
    dist = np.where(by_centre, _centre_distance_km(villages, commune_centres),
                    _seat_distance_km(villages, seats, commune_district))
    if terrain is not None and n:
        vp = shapely.point_on_surface(np.asarray(villages.geometry.to_crs(METRIC_CRS).values, dtype=object))
        elev = sample_values(terrain, shapely.get_x(vp), shapely.get_y(vp))
    else:
        elev = np.full(n, np.nan)
    communes = villages["commune_code"].astype(str).to_numpy()
    border = np.isin(communes, list(settings.remote_border_communes))
    mountain = np.isin(communes, list(settings.remote_mountainous_communes))
    official = villages["remote_official"] if "remote_official" in villages else pd.Series([None] * n)
    official = official.to_numpy(dtype=object)
    remote = np.zeros(n, dtype=bool)
    reasons: list[str] = []
    for i in range(n):
        if official[i] is not None and not pd.isna(official[i]):
            remote[i] = bool(official[i])
            reasons.append("official" if remote[i] else "official:not_remote")
            continue
        why = []
        if by_centre[i] and not np.isnan(dist[i]) and dist[i] > settings.remote_commune_distance_km:
            why.append(f"distance_to_commune_centre={dist[i]:.1f}km>{settings.remote_commune_distance_km:g}km")
        elif not by_centre[i] and not np.isnan(dist[i]) and dist[i] > settings.remote_distance_km:
            why.append(f"distance_to_seat={dist[i]:.1f}km>{settings.remote_distance_km:g}km")
        if not np.isnan(elev[i]) and elev[i] > settings.remote_elevation_m:
            why.append(f"elevation={elev[i]:.0f}m>{settings.remote_elevation_m:g}m")
        if border[i]:
            why.append("border_commune")
        if mountain[i]:
            why.append("mountainous_commune")
        remote[i] = bool(why)
        reasons.append(";".join(why))
    return pd.DataFrame({
        "village_id": villages["village_id"].astype(str).to_numpy(), "remote": remote,
        "remote_reasons": [r or None for r in reasons], "seat_distance_km": dist, "elevation_m": elev,
    })
