"""Cost of each candidate site in VND, from the unit costs in :class:`Settings` (``plan_*``).

capex: co-location = equipment on an existing tower (its power and backhaul exist); new tower =
tower + power + backhaul, the backhaul by fibre (distance to the nearest fibre PoP × cost per km)
when within ``plan_fibre_max_km`` and cheaper than a microwave link, else microwave.
total = capex + ``plan_opex_years`` × yearly opex. Distances in EPSG:32648 metres.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from villagecov.schema import METRIC_CRS
from villagecov.settings import Settings


def fibre_points(sites: gpd.GeoDataFrame | None) -> np.ndarray:
    """Metric (x, y) of the fibre PoPs among ``sites`` (kind ``fibre_pop``)."""
    if sites is None or sites.empty:
        return np.zeros((0, 2))
    pops = sites[sites["kind"] == "fibre_pop"].to_crs(METRIC_CRS).geometry
    return np.column_stack([pops.x.to_numpy(), pops.y.to_numpy()]) if len(pops) else np.zeros((0, 2))


def candidate_costs(candidates: gpd.GeoDataFrame, fibre_xy: np.ndarray, settings: Settings) -> pd.DataFrame:
    """Columns: backhaul (existing/fibre/microwave), fibre_km, capex_vnd, opex_year_vnd, cost_vnd."""
    s = settings
    x, y = candidates["x"].to_numpy(float), candidates["y"].to_numpy(float)
    if len(fibre_xy):
        dist_km = np.min(np.hypot(x[:, None] - fibre_xy[None, :, 0], y[:, None] - fibre_xy[None, :, 1]), axis=1) / 1000
    else:
        dist_km = np.full(len(x), np.inf)
    fibre_cost = dist_km * s.plan_cost_fibre_per_km_vnd
    use_fibre = (dist_km <= s.plan_fibre_max_km) & (fibre_cost <= s.plan_cost_microwave_vnd)
    coloc = (candidates["kind"] == "colocation").to_numpy()
    backhaul_cost = np.where(use_fibre, fibre_cost, s.plan_cost_microwave_vnd)
    capex = np.where(coloc, s.plan_cost_colocation_vnd,
                     s.plan_cost_new_tower_vnd + s.plan_cost_power_vnd + backhaul_cost)
    opex = np.where(coloc, s.plan_opex_colocation_per_year_vnd, s.plan_opex_new_per_year_vnd)
    return pd.DataFrame({
        "backhaul": np.where(coloc, "existing", np.where(use_fibre, "fibre", "microwave")),
        "fibre_km": np.where(coloc | ~use_fibre, np.nan, np.round(dist_km, 2)),
        "capex_vnd": np.round(capex),
        "opex_year_vnd": opex.astype(float),
        "cost_vnd": np.round(capex + s.plan_opex_years * opex),
    }, index=candidates.index)
