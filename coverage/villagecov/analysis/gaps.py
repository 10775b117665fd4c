"""Gap analysis: villages without 4G (and without any signal), ranked by a priority score.

Which villages have 4G is the compute engine's own answer: the village-level rows of
``t8.villages_4g_share`` in the ``indicators`` table (numerator 1 = covered). Population,
remoteness and "no signal" come from ``village_summary`` of the same vintage. Unit totals are
counts of villages and people (no shares are recomputed; those are in the indicators).

People without 4G (``people_without_4g``) follow the one definition of
:mod:`villagecov.compute.people`: population × (1 − covered share), summed over every village —
not the whole population of the villages below the rule (``population_gap_villages``, kept only
to reconcile the older figures).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from villagecov.compute.people import people_without
from villagecov.errors import ConfigError
from villagecov.rules import gap_order

VILLAGE_4G = "t8.villages_4g_share"
GAP_COLUMNS = [
    "village_id", "name", "commune_code", "boundary_version", "population", "covered_share", "people_without_4g",
    "remote", "remote_reasons", "best_technology", "no_signal", "has_4g",
]


@dataclass(frozen=True)
class PriorityWeights:
    """Weights of the priority score (non-negative, not all zero); the score is

    ``(population · people/max_people + remote · [remote] + no_signal · [no signal]) / sum of weights``

    in [0, 1], where ``people`` are the village's people without 4G (the one definition; the
    population where that column is absent) and ``max_people`` the largest among the villages ranked."""

    population: float = 0.5
    remote: float = 0.3
    no_signal: float = 0.2

    def __post_init__(self) -> None:
        values = (self.population, self.remote, self.no_signal)
        if any(not np.isfinite(v) or v < 0 for v in values) or sum(values) <= 0:
            raise ConfigError(f"priority weights must be ≥ 0 and not all 0, got {values}")

    @property
    def total(self) -> float:
        return self.population + self.remote + self.no_signal


def village_status(summary: pd.DataFrame, indicators: pd.DataFrame, villages: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per village of the vintage of ``summary``: :data:`GAP_COLUMNS` (+ geometry when
    ``villages`` has it). ``has_4g`` is the engine's village-level ``t8.villages_4g_share``
    numerator of the same vintage (falls back to ``best_technology`` in 4G/5G where absent)."""
    if summary.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    dates = summary["as_of"].dropna().unique()
    if len(dates) != 1:
        raise ConfigError(f"village_summary of exactly one vintage expected, got {sorted(dates)}")
    as_of = dates[0]
    rows = indicators[(indicators["indicator"] == VILLAGE_4G) & (indicators["level"] == "village")
                      & (indicators["as_of"] == as_of)]
    flag = rows.set_index(rows["unit_code"].astype(str))["numerator"].astype("float64") > 0
    out = pd.DataFrame({
        "village_id": summary["village_id"].astype(str).to_numpy(),
        "commune_code": summary["commune_code"].to_numpy(),
        "boundary_version": summary["boundary_version"].fillna("2019").to_numpy(),
        "population": pd.to_numeric(summary["population"]).fillna(0).astype("int64").to_numpy(),
        "remote": summary["remote"].fillna(False).astype(bool).to_numpy(),
        "remote_reasons": summary["remote_reasons"].fillna("").to_numpy(),
        "best_technology": summary["best_technology"].to_numpy(),
        "no_signal": summary["no_signal"].fillna(False).astype(bool).to_numpy(),
    })
    fallback = out["best_technology"].isin(["4G", "5G"])
    mapped = out["village_id"].map(flag)
    out["has_4g"] = np.where(mapped.notna(), mapped.eq(True), fallback)
    share = summary["pop_share_4g"] if "pop_share_4g" in summary.columns else pd.Series(np.nan, index=summary.index)
    out["covered_share"] = pd.to_numeric(share, errors="coerce").fillna(0.0).clip(0, 1).to_numpy(dtype="float64")
    out["people_without_4g"] = people_without(out["population"], out["covered_share"])
    v = villages.drop_duplicates("village_id") if villages is not None else None
    v_ids = v["village_id"].astype(str).to_numpy() if v is not None else []
    names = pd.Series(v["name"].to_numpy(), index=v_ids) if v is not None else pd.Series(dtype=object)
    out["name"] = out["village_id"].map(names)
    out = out[GAP_COLUMNS]
    if v is not None and isinstance(v, gpd.GeoDataFrame):
        geom = pd.Series(v.geometry.to_numpy(), index=v_ids)
        return gpd.GeoDataFrame(out, geometry=out["village_id"].map(geom).to_numpy(), crs=v.crs)
    return out


def village_gaps(status: pd.DataFrame) -> pd.DataFrame:
    """Villages without 4G; ``gap`` is ``no_signal`` (no technology at all) or ``no_4g``."""
    gaps = status[~status["has_4g"].astype(bool)].copy()
    gaps["gap"] = np.where(gaps["no_signal"].astype(bool), "no_signal", "no_4g")
    return gaps.reset_index(drop=True)


def rank_gaps(gaps: pd.DataFrame, weights: PriorityWeights | None = None) -> pd.DataFrame:
    """``gaps`` with ``priority`` (see :class:`PriorityWeights`) and ``rank`` (1 = act first);
    ties in the gap ranking's order (:func:`villagecov.rules.gap_order`): more people without 4G
    (whole people), then the village id."""
    w = weights or PriorityWeights()
    out = gaps.copy()
    people = out["people_without_4g"] if "people_without_4g" in out.columns else out["population"]
    pop = pd.to_numeric(people).fillna(0).astype("float64")
    top = float(pop.max()) if len(pop) else 0.0
    pop_part = pop / top if top > 0 else pop * 0.0
    score = (w.population * pop_part + w.remote * out["remote"].astype(float)
             + w.no_signal * out["no_signal"].astype(float)) / w.total
    out["priority"] = score.round(6)
    out = gap_order(out, pop, first=(("priority", True),))
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def village_units(status: pd.DataFrame, admin_units: pd.DataFrame, crosswalk: pd.DataFrame | None,
                  version: str, level: str) -> pd.Series:
    """Unit code of ``level`` ("commune" or "district") in boundary ``version`` for each village
    of ``status`` (index aligned; None where no unit is found). Village commune codes are of the
    villages' register version (2019 in the demo); other versions go through the crosswalk."""
    code = status["commune_code"].astype("object")
    communes = admin_units[(admin_units["version"] == version) & (admin_units["level"] == "commune")]
    known = set(communes["code"])
    if crosswalk is not None and len(crosswalk) and not code.isin(known).all():
        cw = crosswalk[(crosswalk["to_version"] == version)]
        if "level" in cw.columns:
            cw = cw[cw["level"].fillna("commune") == "commune"]
        mapping = cw.drop_duplicates("from_code").set_index("from_code")["to_code"]
        code = code.where(code.isin(known), code.map(mapping))
    if level == "commune":
        return code.where(code.isin(known), None)
    parent = communes.set_index("code")["parent_code"]
    districts = set(admin_units[(admin_units["version"] == version) & (admin_units["level"] == level)]["code"])
    up = code.map(parent)
    return up.where(up.isin(districts), None)


def unit_gaps(status: pd.DataFrame, admin_units: pd.DataFrame, crosswalk: pd.DataFrame | None, version: str,
              level: str) -> pd.DataFrame:
    """Per commune or district of ``version``: villages, villages without 4G, without signal,
    remote villages without 4G, population, people without 4G (the one definition), the whole
    population of its villages without 4G (older figure), share of villages without 4G. Largest
    gaps first (people without 4G, then villages without 4G, then code)."""
    codes = village_units(status, admin_units, crosswalk, version, level)
    s = pd.DataFrame({
        "unit_code": codes.to_numpy(),
        "no4g": ~status["has_4g"].astype(bool).to_numpy(),
        "no_signal": status["no_signal"].astype(bool).to_numpy(),
        "remote": status["remote"].astype(bool).to_numpy(),
        "population": pd.to_numeric(status["population"]).fillna(0).astype("int64").to_numpy(),
        "people": people_without(status["population"], status["covered_share"]),
    })
    s = s[s["unit_code"].notna()]
    s["remote_no4g"] = s["remote"] & s["no4g"]
    s["population_no4g"] = np.where(s["no4g"], s["population"], 0)
    g = s.groupby("unit_code", sort=True).agg(
        villages=("no4g", "size"), villages_no_4g=("no4g", "sum"), villages_no_signal=("no_signal", "sum"),
        remote_villages_no_4g=("remote_no4g", "sum"), population=("population", "sum"),
        people_without_4g=("people", "sum"), population_gap_villages=("population_no4g", "sum"),
    ).reset_index()
    g["people_without_4g"] = g["people_without_4g"].round(0)
    g["share_no_4g"] = g["villages_no_4g"] / g["villages"]
    names = admin_units[admin_units["version"] == version].drop_duplicates("code").set_index("code")["name"]
    g.insert(1, "unit_name", g["unit_code"].map(names))
    g = g.sort_values(["people_without_4g", "villages_no_4g", "unit_code"], ascending=[False, False, True],
                      kind="stable")
    for col in ("villages", "villages_no_4g", "villages_no_signal", "remote_villages_no_4g", "population",
                "people_without_4g", "population_gap_villages"):
        g[col] = g[col].astype("int64")
    return g.reset_index(drop=True)


SHORTLIST_COLUMNS = [
    "rank", "priority", "village_id", "name", "commune_code", "commune_name", "population", "people_without_4g",
    "remote", "remote_reasons", "gap", "best_technology", "lon", "lat",
]


def name_communes(frame: pd.DataFrame, admin_units: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (with ``commune_code`` and ``boundary_version``) plus ``commune_name``: the name of
    the commune in the boundary version of the village register."""
    communes = admin_units[admin_units["level"] == "commune"]
    names = {(str(v), str(c)): str(nm) for v, c, nm in zip(communes["version"], communes["code"],
                                                             communes["name"], strict=True)}
    out = frame.copy()
    out["commune_name"] = [names.get((str(v), str(c))) for v, c in zip(out["boundary_version"],
                                                                       out["commune_code"], strict=True)]
    return out


def shortlist(ranked: pd.DataFrame, n: int = 20, admin_units: pd.DataFrame | None = None) -> pd.DataFrame:
    """The first ``n`` ranked villages, with their commune's name (see :func:`name_communes`, when
    ``admin_units`` is given or the column is already there) and a point inside the village
    (``lon``/``lat``, EPSG:4326 degrees, 5 decimals) when geometry is present."""
    top = ranked.sort_values("rank", kind="stable").head(n).copy()
    if admin_units is not None:
        top = name_communes(top, admin_units)
    elif "commune_name" not in top.columns:
        top["commune_name"] = None
    if isinstance(top, gpd.GeoDataFrame) and top.geometry is not None and len(top):
        pts = top.geometry.representative_point()
        top["lon"], top["lat"] = pts.x.round(5), pts.y.round(5)
    else:
        top["lon"], top["lat"] = np.nan, np.nan
    return pd.DataFrame(top[SHORTLIST_COLUMNS]).reset_index(drop=True)


def gap_summary(status: pd.DataFrame) -> pd.Series:
    """Headline numbers of the gaps: villages, without 4G, without any signal, remote without 4G,
    population, people without 4G (the one definition, every village), the whole population of the
    villages without 4G (older figure), share of villages and of people without 4G."""
    no4g = ~status["has_4g"].astype(bool)
    pop = pd.to_numeric(status["population"]).fillna(0).astype("int64")
    villages, total_pop = len(status), int(pop.sum())
    out = {
        "villages": villages,
        "villages_no_4g": int(no4g.sum()),
        "villages_no_signal": int(status["no_signal"].astype(bool).sum()),
        "remote_villages_no_4g": int((no4g & status["remote"].astype(bool)).sum()),
        "population": total_pop,
        "people_without_4g": int(round(float(status["people_without_4g"].sum()))),
        "population_gap_villages": int(pop[no4g].sum()),
        "share_villages_no_4g": (no4g.sum() / villages) if villages else float("nan"),
        "share_people_without_4g": (float(status["people_without_4g"].sum()) / total_pop) if total_pop else float("nan"),
    }
    return pd.Series(out, dtype="object")


def in_boundaries(frame: pd.DataFrame, admin_units: pd.DataFrame, crosswalk: pd.DataFrame | None,
                  version: str) -> pd.DataFrame:
    """``frame`` (villages with ``commune_code`` of their register) with ``commune_code``,
    ``commune_name`` and ``boundary_version`` of the communes of boundary ``version`` (through the
    crosswalk): on the 2025-07 boundaries a village is named by its new commune, never by one
    abolished in July 2025."""
    out = frame.copy()
    codes = village_units(out, admin_units, crosswalk, version, "commune")
    names = admin_units[(admin_units["version"] == version) & (admin_units["level"] == "commune")]
    names = names.drop_duplicates("code").set_index("code")["name"]
    out["commune_code"] = codes.to_numpy()
    out["commune_name"] = codes.map(names).to_numpy()
    out["boundary_version"] = version
    return out
