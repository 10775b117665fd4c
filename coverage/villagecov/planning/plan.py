"""A costed plan for one technology: gaps → candidates → coverage → selection (greedy and exact).

Two objectives: ``budget`` (maximise the newly covered weight within a budget in VND) and
``target`` (reach a share of all villages / of the population covered, at minimum cost). Weights:
``population`` (the gap's uncovered population) or ``villages`` (1 per gap village). Frames in,
frames out; geometry EPSG:4326, distances EPSG:32648 metres, money VND.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from villagecov.errors import InputError
from villagecov.planning.candidates import PointCover, candidate_sites, coverage_sets
from villagecov.planning.cost import candidate_costs, fibre_points
from villagecov.planning.gaps import find_gaps, village_status
from villagecov.planning.select import (
    Cover,
    Selection,
    greedy_budget,
    greedy_target,
    ilp_budget,
    ilp_target,
    relative_gap,
)
from villagecov.propagation.terrain import Dem
from villagecov.settings import Settings

Weight = Literal["population", "villages"]
ILP_MAX_CANDIDATES = 2000  # beyond this the exact program is not attempted


@dataclass
class Plan:
    technology: str
    objective: Literal["budget", "target"]
    weight: Weight
    budget_vnd: float | None
    target_value: float | None  # weight to newly cover (target objective)
    gaps: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame  # with cost columns and n_villages
    cover: PointCover  # points of the gap villages each candidate covers
    weights: np.ndarray
    greedy: Selection
    exact: Selection
    gap: float | None  # relative gap between greedy and exact (see select.relative_gap)
    terrain: bool
    curve: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    plan_id: str | None = None  # set once the plan is saved in the store (planning.store.save_plan)

    @property
    def best(self) -> Selection:
        """The selection to propose: the exact one when it ran and is at least as good."""
        g, e = self.greedy, self.exact
        if e.status not in ("optimal", "feasible"):
            return g
        if self.objective == "budget":
            return e if (e.value, -e.cost) >= (g.value, -g.cost) else g
        if g.status == "infeasible":
            return e
        return e if e.cost <= g.cost else g

    def priority(self, selection: Selection | None = None) -> list[int]:
        """The selection's candidates in priority order: the greedy's own order; the exact program's
        set ordered by the same cost-effectiveness rule run over that set (sites that add nothing
        once the others are built come last)."""
        sel = selection or self.best
        if sel.method == "greedy" or len(sel.chosen) < 2:
            return list(sel.chosen)
        costs = self.candidates["cost_vnd"].to_numpy(float)[sel.chosen]
        sub = greedy_target(costs, [self.cover.sets[i] for i in sel.chosen], self.weights, float("inf"),
                            self.cover.owner, self.cover.need)
        order = [sel.chosen[j] for j in sub.chosen]
        return order + [i for i in sel.chosen if i not in order]

    def proposed_sites(self, selection: Selection | None = None) -> gpd.GeoDataFrame:
        """Chosen candidates in priority order (``rank``, see :meth:`priority`) with cost and the gap
        villages each completes: taking the sites in that order, a village is attributed to the site
        whose points bring it to its need."""
        sel = selection or self.best
        chosen = self.priority(sel)
        cov = Cover.build(self.cover.sets, self.weights, self.cover.owner, self.cover.need)
        done = np.zeros(len(self.weights), dtype=bool)
        rows = []
        for rank, i in enumerate(chosen, start=1):
            now = cov.counts(cov.a[chosen[:rank]].any(axis=0)) >= cov.need
            new = np.flatnonzero(now & ~done)
            done |= now
            rows.append({"rank": rank, "index": i, "village_ids": ";".join(self.gaps["village_id"].iloc[new]),
                         "villages_covered": len(new),
                         "population_covered": float(self.gaps["uncovered_pop"].iloc[new].sum())})
        extra = pd.DataFrame(rows, columns=["rank", "index", "village_ids", "villages_covered", "population_covered"])
        out = self.candidates.iloc[extra["index"].to_numpy(int)].reset_index(drop=True)
        out = pd.concat([out, extra.drop(columns="index")], axis=1)
        out["method"] = sel.method
        return gpd.GeoDataFrame(out, geometry="geometry", crs=self.candidates.crs)

    def covered_villages(self, selection: Selection | None = None) -> gpd.GeoDataFrame:
        """Gap villages the selection covers, each with the candidate that covers it."""
        sites = self.proposed_sites(selection)
        pairs = [(vid, cid) for cid, ids in zip(sites["candidate_id"], sites["village_ids"], strict=True)
                 for vid in (ids.split(";") if ids else [])]
        who = pd.DataFrame(pairs, columns=["village_id", "candidate_id"])
        cols = ["village_id", "name", "commune_code", "population", "remote", "status", "uncovered_pop", "geometry"]
        return gpd.GeoDataFrame(self.gaps[cols].merge(who, on="village_id"), geometry="geometry", crs=self.gaps.crs)


def _weights(gaps: gpd.GeoDataFrame, weight: Weight) -> np.ndarray:
    if weight == "villages":
        return np.ones(len(gaps))
    return gaps["uncovered_pop"].to_numpy(dtype=float)


def target_weight(villages: gpd.GeoDataFrame, village_coverage: pd.DataFrame, technology: str, share: float,
                  weight: Weight, settings: Settings) -> float:
    """Weight the plan must newly cover so that ``share`` of all villages (or people) is covered."""
    status = village_status(villages, village_coverage, technology, settings)
    covered = status["status"].to_numpy() == "covered"
    if weight == "villages":
        total, done = float(len(villages)), float(covered.sum())
    else:
        pop = villages["population"].astype("Float64").fillna(0).to_numpy(dtype=float)
        total = float(pop.sum())
        # people already covered: all of a covered village, the covered share of the others
        # (the same people the gap weights ``uncovered_pop`` leave out)
        reached = np.where(covered, 1.0, status["covered_share"].to_numpy(float))
        done = float((pop * reached).sum())
    return max(0.0, share * total - done)


def budget_curve(plan: Plan, points: int = 12, ilp: bool = True, time_limit: float = 10.0) -> pd.DataFrame:
    """Newly covered weight against budget (0 … the greedy cost of covering every coverable gap):
    the best greedy plan affordable at each budget, and the exact optimum where it is attempted."""
    costs = plan.candidates["cost_vnd"].to_numpy(float)
    c = plan.cover
    full = greedy_target(costs, c.sets, plan.weights, float(plan.weights.sum()), c.owner, c.need)
    top = max(full.cost, plan.budget_vnd or 0.0, float(costs.min()) if len(costs) else 0.0)
    rows = []
    best_g: Selection | None = None
    for b in np.linspace(0.0, top, points + 1):
        g = greedy_budget(costs, c.sets, plan.weights, b, c.owner, c.need)
        if best_g is not None and best_g.value > g.value:
            g = best_g  # the budgeted greedy is not monotone; a cheaper plan stays affordable
        best_g = g
        if b <= 0:
            e = Selection("ilp", [], 0.0, 0.0, "optimal")  # nothing is affordable
        elif ilp and len(costs) <= ILP_MAX_CANDIDATES:
            e = ilp_budget(costs, c.sets, plan.weights, b, time_limit, c.owner, c.need)
        else:
            e = Selection("ilp", [], 0.0, float("nan"), "not_run")
        rows.append({"budget_vnd": round(b), "greedy_value": g.value, "greedy_cost_vnd": g.cost,
                     "greedy_sites": len(g.chosen), "exact_value": e.value, "exact_cost_vnd": e.cost,
                     "exact_sites": len(e.chosen), "exact_status": e.status})
    return pd.DataFrame(rows)


def make_plan(
    villages: gpd.GeoDataFrame,
    village_coverage: pd.DataFrame,
    sites: gpd.GeoDataFrame | None,
    technology: str,
    settings: Settings,
    *,
    budget_vnd: float | None = None,
    target_share: float | None = None,
    weight: Weight | None = None,
    dem: Dem | None = None,
    ilp: bool = True,
    curve_points: int = 12,
    curve_time_limit_s: float | None = None,
) -> Plan:
    """Plan new sites for ``technology``; give exactly one of ``budget_vnd`` or ``target_share``.

    ``curve_time_limit_s``: time limit of each exact solve of the budget curve (default: the plan's
    limit, at most 10 s)."""
    if (budget_vnd is None) == (target_share is None):
        raise InputError("give either a budget (VND) or a target share, not both or neither")
    objective: Literal["budget", "target"] = "budget" if budget_vnd is not None else "target"
    weight = weight or ("population" if objective == "budget" else "villages")
    gaps = find_gaps(villages, village_coverage, technology, settings)
    notes: list[str] = []
    cands = candidate_sites(gaps, sites, dem, technology, settings)
    if gaps.empty:
        notes.append(f"no gaps: every village is covered by {technology}")
    cands = pd.concat([cands, candidate_costs(cands, fibre_points(sites), settings)], axis=1)
    cover = coverage_sets(cands, gaps, technology, settings, dem)
    keep = [i for i, s in enumerate(cover.sets) if len(s)]  # candidates that reach no point are dropped
    cands = gpd.GeoDataFrame(cands.iloc[keep].reset_index(drop=True), geometry="geometry", crs="EPSG:4326")
    cover = cover.subset(keep)
    cands["n_points"] = [len(s) for s in cover.sets]
    cands["n_villages_alone"] = [len(cover.villages_alone(i)) for i in range(len(keep))]
    w = _weights(gaps, weight)
    costs = cands["cost_vnd"].to_numpy(float)
    limit = settings.plan_ilp_time_limit_s
    run_ilp = ilp and len(cands) <= ILP_MAX_CANDIDATES
    if ilp and not run_ilp:
        notes.append(f"exact program not attempted: {len(cands)} candidates > {ILP_MAX_CANDIDATES}")
    target = None
    args = (cover.sets, w)
    groups = {"owner": cover.owner, "need": cover.need}
    if objective == "budget":
        g = greedy_budget(costs, *args, float(budget_vnd), **groups)  # type: ignore[arg-type]
        e = ilp_budget(costs, *args, float(budget_vnd), limit, **groups) if run_ilp \
            else Selection("ilp", [], 0, 0, "not_run")  # type: ignore[arg-type]
        gap = relative_gap(g, e, "coverage")
    else:
        target = target_weight(villages, village_coverage, technology, float(target_share), weight, settings)  # type: ignore[arg-type]
        reachable = Cover.build(cover.sets, w, cover.owner, cover.need).reachable() if len(w) else 0.0
        if target > reachable + 1e-9:
            notes.append(f"target unreachable with these candidates: needs {target:,.0f}, at most {reachable:,.0f} "
                         "can be covered (the other villages are out of reach of every candidate, even together); "
                         "planning for the reachable maximum")
            target = reachable
        g = greedy_target(costs, *args, target, **groups)
        e = ilp_target(costs, *args, target, limit, **groups) if run_ilp else Selection("ilp", [], 0, 0, "not_run")
        gap = relative_gap(g, e, "cost")
    if e.status == "feasible":
        notes.append(f"exact program stopped at the time limit ({limit:.0f} s): best solution found, not proven optimal")
    plan = Plan(technology, objective, weight, budget_vnd, target, gaps, cands, cover, w, g, e, gap, dem is not None,
                notes=notes)
    if curve_points > 0 and len(cands):
        curve_limit = curve_time_limit_s if curve_time_limit_s is not None else min(limit, 10.0)
        plan.curve = budget_curve(plan, curve_points, ilp=run_ilp, time_limit=curve_limit)
    return plan
