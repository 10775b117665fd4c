"""The site plan read as an analyst would: what each proposed site costs per person and per village
newly covered, the marginal cost curve, the best sites per VND, why some sites complete no gap
village, and the greedy heuristic against the exact program.

The plan itself is :func:`villagecov.planning.plan.make_plan` on the period analysed (the gap
weights are the people without coverage of the one definition). Money in VND.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from villagecov.analysis.loader import AnalysisData
from villagecov.compute.run import sites_known_at
from villagecov.planning.plan import Plan, make_plan
from villagecov.planning.select import Cover
from villagecov.settings import Settings

SITE_COLUMNS = [
    "rank", "candidate_id", "site_kind", "operator", "cost_vnd", "villages_covered", "people_covered",
    "vnd_per_person", "vnd_per_village", "people_per_billion_vnd", "cumulative_cost_vnd", "cumulative_people",
    "marginal_people", "why_no_village", "lon", "lat",
]


def plan_period(data: AnalysisData, settings: Settings, budget_vnd: float, technology: str = "4G",
                curve_points: int = 8, curve_time_limit_s: float = 1.0) -> Plan:
    """Plan new ``technology`` sites within ``budget_vnd`` on the villages and coverage of the
    period analysed, with the sites in service then (exact program limited by
    ``settings.plan_ilp_time_limit_s``)."""
    sites = sites_known_at(data.sites, data.as_of) if data.sites is not None else None
    return make_plan(data.villages, data.village_coverage, sites, technology, settings, budget_vnd=budget_vnd,
                     curve_points=curve_points, curve_time_limit_s=curve_time_limit_s)


def site_table(plan: Plan, lang: str = "vi") -> pd.DataFrame:
    """The proposed sites in priority order with costs per person and per village newly covered,
    running totals, the people each adds given the ones before (``marginal_people``), and for a
    site that completes no gap village, why it is there."""
    sites = plan.proposed_sites()
    if sites.empty:
        return pd.DataFrame(columns=SITE_COLUMNS)
    cov = Cover.build(plan.cover.sets, plan.weights, plan.cover.owner, plan.cover.need)
    order = plan.priority()
    value_all = cov.value(order)
    out = pd.DataFrame({
        "rank": sites["rank"].to_numpy(), "candidate_id": sites["candidate_id"].to_numpy(),
        "site_kind": sites["kind"].to_numpy(), "operator": sites["operator"].to_numpy(),
        "cost_vnd": sites["cost_vnd"].to_numpy(float), "villages_covered": sites["villages_covered"].to_numpy(int),
        "people_covered": sites["population_covered"].to_numpy(float),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        out["vnd_per_person"] = np.where(out["people_covered"] > 0, out["cost_vnd"] / out["people_covered"], np.nan)
        out["vnd_per_village"] = np.where(out["villages_covered"] > 0, out["cost_vnd"] / out["villages_covered"], np.nan)
        out["people_per_billion_vnd"] = out["people_covered"] / (out["cost_vnd"] / 1e9)
    out["cumulative_cost_vnd"] = out["cost_vnd"].cumsum()
    out["cumulative_people"] = out["people_covered"].cumsum()
    out["marginal_people"] = [cov.value(order[: i + 1]) - cov.value(order[:i]) for i in range(len(order))][: len(out)]
    why = []
    for i, rec in enumerate(out.itertuples(index=False)):
        if rec.villages_covered > 0:
            why.append("")
            continue
        without = value_all - cov.value([c for j, c in enumerate(order) if j != i])
        if without > 1e-9:
            why.append("Phủ một phần các thôn mà trạm khác hoàn tất; bỏ trạm này thì mất "
                       f"{without:,.0f} người" if lang == "vi" else
                       f"Covers part of villages other sites complete; without it {without:,.0f} people are lost")
        else:
            why.append("Không thêm ai khi các trạm khác đã được xây: có thể bỏ" if lang == "vi" else
                       "Adds no one once the other sites are built: can be dropped")
    out["why_no_village"] = why
    pts = sites.geometry.to_crs("EPSG:4326")
    out["lon"], out["lat"] = pts.x.round(5).to_numpy(), pts.y.round(5).to_numpy()
    return out[SITE_COLUMNS]


def best_per_vnd(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` proposed sites bringing most people per billion VND."""
    return table.sort_values(["people_per_billion_vnd", "rank"], ascending=[False, True], kind="stable").head(n)


def marginal_curve(plan: Plan) -> pd.DataFrame:
    """The plan's budget curve with the marginal cost per extra person between budget points, for
    the greedy heuristic and the exact program."""
    c = plan.curve.copy()
    if c.empty:
        return c
    for m in ("greedy", "exact"):
        dv = c[f"{m}_value"].diff()
        dc = c[f"{m}_cost_vnd"].diff()
        with np.errstate(divide="ignore", invalid="ignore"):
            c[f"{m}_vnd_per_extra_person"] = np.where(dv > 0, dc / dv, np.nan)
    return c


def greedy_vs_exact(plan: Plan) -> pd.DataFrame:
    """One row per method: sites, cost, people newly covered, status, seconds; the relative gap."""
    rows = []
    for sel in (plan.greedy, plan.exact):
        rows.append({"method": sel.method, "sites": len(sel.chosen), "cost_vnd": float(sel.cost),
                     "people_covered": float(sel.value), "status": sel.status, "seconds": round(float(sel.seconds), 2)})
    out = pd.DataFrame(rows)
    out["relative_gap"] = plan.gap
    out["proposed"] = out["method"] == plan.best.method
    return out
