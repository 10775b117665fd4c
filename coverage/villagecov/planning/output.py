"""Write a :class:`Plan`: proposed sites (CSV + GeoPackage), villages each covers, coverage-vs-
budget curve (CSV + PNG) and a JSON summary. Coordinates EPSG:4326, money VND."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from villagecov.planning.plan import Plan
from villagecov.settings import Settings

SITE_COLUMNS = ["rank", "candidate_id", "kind", "site_id", "operator", "lon", "lat", "height_m", "ground_m",
                "backhaul", "fibre_km", "capex_vnd", "opex_year_vnd", "cost_vnd", "villages_covered",
                "population_covered", "village_ids", "method"]


def summary(plan: Plan, settings: Settings) -> dict[str, Any]:
    """Plain numbers of the plan: both methods, the gap between them, what was assumed."""
    def sel(s: Any) -> dict[str, Any]:
        return {"status": s.status, "sites": len(s.chosen), "cost_vnd": round(s.cost), "value": s.value,
                "seconds": round(s.seconds, 3)}

    best = plan.best
    return {
        "technology": plan.technology,
        "objective": plan.objective,
        "weight": plan.weight,
        "budget_vnd": plan.budget_vnd,
        "target_value": plan.target_value,
        "gap_villages": len(plan.gaps),
        "gap_remote_villages": int(plan.gaps["remote"].sum()) if len(plan.gaps) else 0,
        "gap_uncovered_population": float(plan.gaps["uncovered_pop"].sum()) if len(plan.gaps) else 0.0,
        "candidates": plan.candidates["kind"].value_counts().to_dict() if len(plan.candidates) else {},
        "greedy": sel(plan.greedy),
        "exact": sel(plan.exact),
        "relative_gap": plan.gap,
        "proposed_method": best.method,
        "proposed_cost_vnd": round(best.cost),
        "terrain": plan.terrain,
        "notes": plan.notes,
        "cost_assumptions": {k: v for k, v in settings.model_dump().items() if k.startswith("plan_")},
        "note": "cost figures are assumptions from settings (plan_*); coverage is modelled "
                + ("over the DEM" if plan.terrain else "on a flat earth (no DEM given)"),
    }


def _chart(curve: pd.DataFrame, plan: Plan, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    label = "newly covered people" if plan.weight == "population" else "newly covered villages"
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    x = curve["budget_vnd"] / 1e9
    ax.step(x, curve["greedy_value"], where="post", label="greedy", color="#1f77b4")
    if (curve["exact_status"].isin(["optimal", "feasible"])).any():
        ax.step(x, curve["exact_value"], where="post", label="exact (CBC)", color="#d62728", linestyle="--")
    if plan.budget_vnd:
        ax.axvline(plan.budget_vnd / 1e9, color="grey", linewidth=0.8)
    ax.set_xlabel("ngân sách / budget (tỷ VND, billion VND)")
    ax.set_ylabel(label)
    ax.set_title(f"{plan.technology}: phủ sóng mới theo ngân sách / coverage vs budget")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_plan(plan: Plan, out_dir: Path, settings: Settings) -> dict[str, Path]:
    """Write the plan's files into ``out_dir``; returns their paths by name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sites = plan.proposed_sites()
    sites["lon"], sites["lat"] = sites.geometry.x.round(6), sites.geometry.y.round(6)
    villages = plan.covered_villages()
    paths = {
        "sites_csv": out / "proposed_sites.csv",
        "villages_csv": out / "covered_villages.csv",
        "gpkg": out / "plan.gpkg",
        "curve_csv": out / "coverage_curve.csv",
        "curve_png": out / "coverage_curve.png",
        "summary": out / "summary.json",
    }
    sites[SITE_COLUMNS].to_csv(paths["sites_csv"], index=False, encoding="utf-8")
    pd.DataFrame(villages.drop(columns="geometry")).to_csv(paths["villages_csv"], index=False, encoding="utf-8")
    if paths["gpkg"].exists():
        paths["gpkg"].unlink()
    sites[[*SITE_COLUMNS, "geometry"]].to_file(paths["gpkg"], layer="proposed_sites", driver="GPKG")
    villages.to_file(paths["gpkg"], layer="covered_villages", driver="GPKG")
    gaps = plan.gaps.assign(planned=plan.gaps["village_id"].isin(villages["village_id"]))
    gaps.to_file(paths["gpkg"], layer="gaps", driver="GPKG")
    if len(plan.curve):
        plan.curve.to_csv(paths["curve_csv"], index=False)
        _chart(plan.curve, plan, paths["curve_png"])
    else:
        paths.pop("curve_csv")
        paths.pop("curve_png")
    paths["summary"].write_text(json.dumps(summary(plan, settings), ensure_ascii=False, indent=2, default=str),
                                encoding="utf-8")
    return paths
