"""Glue for `villagecov plan`: read villages, village coverage and sites from the store, plan,
write the outputs. The core (gaps, candidates, selection) takes frames; only this opens the store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from villagecov.errors import InputError
from villagecov.planning.output import write_plan
from villagecov.planning.plan import Plan, Weight, make_plan
from villagecov.planning.store import save_plan
from villagecov.rules import latest_vintage
from villagecov.schema import METRIC_CRS
from villagecov.settings import Settings


def latest_coverage(vc: pd.DataFrame, as_of: str | None) -> pd.DataFrame:
    """Rows of the latest computed vintage (at or before ``as_of``)."""
    return latest_vintage(vc, as_of or None)


def run_plan(
    settings: Settings,
    technology: str,
    out_dir: Path,
    *,
    budget_vnd: float | None = None,
    target_share: float | None = None,
    weight: Weight | None = None,
    dem_path: Path | None = None,
    dem_res: float = 90.0,
    as_of: str | None = None,
    exact: bool = True,
    curve_points: int = 12,
    save: bool = True,
    curve_time_limit_s: float | None = None,
) -> tuple[Plan, dict[str, Path]]:
    """Plan new sites for ``technology`` over the store's villages, write the files into ``out_dir``
    and (``save``) the plan into the store's ``plans``/``plan_sites``/``plan_villages`` tables, in one
    transaction. ``dem_path``: elevation GeoTIFF (any CRS, read at ``dem_res`` metres)."""
    from villagecov.propagation.terrain import load_dem
    from villagecov.schema import TECHNOLOGIES
    from villagecov.storage import open_store

    if technology not in TECHNOLOGIES:
        raise InputError(f"unknown technology {technology!r}; known: {', '.join(TECHNOLOGIES)}", field="--technology")
    if weight not in (None, "population", "villages"):
        raise InputError(f"unknown weight {weight!r}; known: population, villages", field="--weight")
    if budget_vnd is not None and budget_vnd < 0:
        raise InputError("the budget must be ≥ 0 VND", field="--budget")
    if target_share is not None and not 0 < target_share <= 1:
        raise InputError("the target is a share in (0, 1]", field="--target")

    with open_store(settings.store) as st:
        villages = st.read("villages", as_of=as_of)
        vc = latest_coverage(st.read("village_coverage"), as_of)
        sites = st.read("sites", as_of=as_of)
    if villages.empty:
        raise InputError("the store has no villages: ingest them first (or run `villagecov demo`)")
    if vc.empty:
        raise InputError("the store has no village coverage: run `villagecov compute` first")
    dem = None
    if dem_path is not None:
        b = villages.to_crs(METRIC_CRS).total_bounds
        pad = settings.plan_candidate_radius_km * 1000.0 + 5000.0
        dem = load_dem(dem_path, (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad), dem_res)
    plan = make_plan(villages, vc, sites, technology, settings, budget_vnd=budget_vnd, target_share=target_share,
                     weight=weight, dem=dem, ilp=exact, curve_points=curve_points,
                     curve_time_limit_s=curve_time_limit_s)
    paths = write_plan(plan, out_dir, settings)
    if save:
        synthetic = any(f is not None and "synthetic" in f and bool(f["synthetic"].fillna(False).astype(bool).any())
                        for f in (villages, sites)) or bool(dem is not None and dem.synthetic)
        with open_store(settings.store, initialize=True) as st:  # adds the plan tables to an older store
            plan.plan_id = save_plan(st, plan, settings, target_share=target_share, synthetic=synthetic,
                                     as_of=str(vc["as_of"].max()) if vc["as_of"].notna().any() else None)
    return plan, paths


def demo_plan(settings: Settings, dem_path: Path | None, out_dir: Path, *, time_limit_s: float = 12.0,
              curve_points: int = 4, curve_time_limit_s: float = 2.0) -> Plan:
    """The demo's plan: 4G to every village (target 1.0), over the SYNTHETIC DEM when there is one,
    the exact program limited to ``time_limit_s`` seconds (``curve_time_limit_s`` for each budget
    of the curve) so that the demo stays quick; saved in the store like `villagecov plan`."""
    quick = settings.model_copy(update={"plan_ilp_time_limit_s": min(settings.plan_ilp_time_limit_s, time_limit_s)})
    plan, _ = run_plan(quick, "4G", out_dir, target_share=1.0, dem_path=dem_path, curve_points=curve_points,
                       curve_time_limit_s=curve_time_limit_s)
    return plan


def summary_lines(plan: Plan) -> list[str]:
    """Two lines for a console: what is proposed, and greedy against exact."""
    best, g, e = plan.best, plan.greedy, plan.exact
    kinds = plan.candidates["kind"].iloc[best.chosen].value_counts().to_dict() if best.chosen else {}
    mix = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    unit = "villages" if plan.weight == "villages" else "people"
    covered = int(plan.proposed_sites()["villages_covered"].sum()) if best.chosen else 0
    first = (f"{plan.technology} plan {plan.plan_id or '(not saved)'}: {len(best.chosen)} sites"
             + (f" ({mix})" if mix else "") + f", {best.cost / 1e9:,.2f} bn VND, covers {covered} of "
             f"{len(plan.gaps)} gap villages" + (" (over the DEM)" if plan.terrain else " (flat earth)"))
    exact = (f"exact {len(e.chosen)} sites {e.cost / 1e9:,.2f} bn ({e.status}, {e.seconds:.1f} s)"
             if e.status in ("optimal", "feasible") else f"exact {e.status}")
    gap = f"; greedy costs {plan.gap:.1%} more" if plan.gap is not None and plan.objective == "target" else ""
    second = (f"  greedy {len(g.chosen)} sites {g.cost / 1e9:,.2f} bn VND ({g.value:,.0f} {unit}) vs {exact}{gap}"
              + (f"; {len(plan.notes)} note(s) in summary.json" if plan.notes else ""))
    return [first, second]
