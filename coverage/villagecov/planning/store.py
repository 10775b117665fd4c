"""A :class:`Plan` as rows of the store's ``plans``, ``plan_sites`` and ``plan_villages`` tables.

:func:`plan_frames` is pure (frames out); :func:`save_plan` writes them in one store transaction,
so a plan is in the store whole or not at all. Geometry EPSG:4326, money VND.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd

from villagecov.planning.output import summary
from villagecov.planning.plan import Plan
from villagecov.schema import STORAGE_CRS
from villagecov.settings import Settings
from villagecov.storage import Store

SOURCE = "villagecov plan"


def new_plan_id(technology: str, created_at: datetime) -> str:
    """``<UTC timestamp>-<technology>-<4 hex>``, e.g. ``20261126T051200Z-4G-3fa2``: sorts by time."""
    return f"{created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{technology}-{secrets.token_hex(2)}"


def _f(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def plan_frames(
    plan: Plan,
    settings: Settings,
    *,
    plan_id: str,
    created_at: datetime,
    target_share: float | None = None,
    as_of: str | None = None,
    synthetic: bool = False,
) -> dict[str, pd.DataFrame]:
    """The rows of ``plans`` (one), ``plan_sites`` and ``plan_villages`` for ``plan``."""
    best = plan.best
    sites = plan.proposed_sites(best)
    site_ids = [f"{plan_id}-{int(r):03d}" for r in sites["rank"]]  # ids sort in rank order
    site_rows = gpd.GeoDataFrame({
        "plan_site_id": site_ids,
        "plan_id": plan_id,
        "created_at": created_at,
        "technology": plan.technology,
        "mode": plan.objective,
        "rank": sites["rank"].to_numpy(int),
        "candidate_id": sites["candidate_id"].astype(str).to_numpy(),
        "candidate_kind": sites["kind"].to_numpy(),
        "site_id": sites["site_id"].to_numpy(),
        "operator": sites["operator"].to_numpy(),
        "height_m": sites["height_m"].to_numpy(float),
        "ground_m": sites["ground_m"].to_numpy(float),
        "backhaul": sites["backhaul"].to_numpy(),
        "fibre_km": sites["fibre_km"].to_numpy(float),
        "cost_vnd": sites["cost_vnd"].to_numpy(float),
        "capex_vnd": sites["capex_vnd"].to_numpy(float),
        "opex_vnd_per_year": sites["opex_year_vnd"].to_numpy(float),
        "villages_covered": sites["villages_covered"].to_numpy(int),
        "population_covered": sites["population_covered"].to_numpy(float),
        "village_ids": sites["village_ids"].to_numpy(),
        "method": best.method,
        "synthetic": synthetic,
    }, geometry=sites.geometry.to_crs(STORAGE_CRS).values, crs=STORAGE_CRS)

    covered = plan.covered_villages(best)
    by_candidate = dict(zip(sites["candidate_id"].astype(str), zip(sites["rank"].astype(int), site_ids, strict=True),
                            strict=True))
    ranks = [by_candidate[str(c)] for c in covered["candidate_id"]]
    village_rows = gpd.GeoDataFrame({
        "plan_village_id": [f"{plan_id}-{v}" for v in covered["village_id"]],
        "plan_id": plan_id,
        "technology": plan.technology,
        "village_id": covered["village_id"].to_numpy(),
        "name": covered["name"].to_numpy(),
        "commune_code": covered["commune_code"].to_numpy(),
        "population": covered["population"].to_numpy(),
        "remote": covered["remote"].to_numpy(),
        "status": covered["status"].to_numpy(),
        "uncovered_population": covered["uncovered_pop"].to_numpy(float),
        "site_rank": [r for r, _ in ranks],
        "plan_site_id": [s for _, s in ranks],
        "candidate_id": covered["candidate_id"].astype(str).to_numpy(),
        "synthetic": synthetic,
    }, geometry=covered.geometry.to_crs(STORAGE_CRS).values, crs=STORAGE_CRS)

    summ = summary(plan, settings)
    g, e = plan.greedy, plan.exact
    head = pd.DataFrame([{
        "plan_id": plan_id, "created_at": created_at, "technology": plan.technology, "mode": plan.objective,
        "weight": plan.weight, "budget_vnd": _f(plan.budget_vnd), "target_share": _f(target_share),
        "target_value": _f(plan.target_value), "gap_villages": len(plan.gaps),
        "gap_population": float(plan.gaps["uncovered_pop"].sum()) if len(plan.gaps) else 0.0,
        "candidates": len(plan.candidates), "terrain": plan.terrain, "method": best.method,
        "sites": len(site_rows), "cost_vnd": float(site_rows["cost_vnd"].sum()),
        "capex_vnd": float(site_rows["capex_vnd"].sum()),
        "opex_vnd_per_year": float(site_rows["opex_vnd_per_year"].sum()),
        "villages_covered": len(village_rows), "population_covered": float(site_rows["population_covered"].sum()),
        "greedy_sites": len(g.chosen), "greedy_cost_vnd": g.cost, "greedy_value": g.value,
        "greedy_status": g.status, "greedy_seconds": g.seconds,
        "exact_sites": len(e.chosen), "exact_cost_vnd": _f(e.cost), "exact_value": _f(e.value),
        "exact_status": e.status, "exact_seconds": e.seconds, "relative_gap": _f(plan.gap),
        "summary": json.dumps(summ, ensure_ascii=False, default=str), "synthetic": synthetic,
        "source": SOURCE, "as_of": as_of,
    }])
    return {"plans": head, "plan_sites": site_rows, "plan_villages": village_rows}


def save_plan(
    store: Store,
    plan: Plan,
    settings: Settings,
    *,
    target_share: float | None = None,
    as_of: str | None = None,
    synthetic: bool = False,
    created_at: datetime | None = None,
) -> str:
    """Write ``plan`` into ``store`` in one transaction; returns its ``plan_id``. Earlier plans stay."""
    created = created_at or datetime.now(UTC)
    plan_id = new_plan_id(plan.technology, created)
    frames = plan_frames(plan, settings, plan_id=plan_id, created_at=created, target_share=target_share,
                         as_of=as_of, synthetic=synthetic)
    with store.transaction() as tx:
        for name in ("plans", "plan_sites", "plan_villages"):
            tx.append(name, frames[name])
    return plan_id
