"""Operators compared, and how far the measurements can be trusted.

Per operator: villages and people it covers (the engine's effective shares: contradicted
declarations count as 0), villages that depend on it alone; declared-vs-measured agreement with
a Wilson 95 % confidence interval on the share of tests meeting the threshold (wide where the
tests are few); how many villages with declared coverage were tested at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from villagecov.compute.status import effective_shares
from villagecov.rules import Thresholds, is_covered
from villagecov.schema import ANY_OPERATOR
from villagecov.settings import Settings

Z95 = 1.959963984540054


def wilson(k: object, n: object, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``k / n`` (arrays); NaN where ``n`` is 0."""
    k_arr, n_arr = np.asarray(k, dtype="float64"), np.asarray(n, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k_arr / n_arr
        denom = 1 + z * z / n_arr
        centre = (p + z * z / (2 * n_arr)) / denom
        half = z * np.sqrt(p * (1 - p) / n_arr + z * z / (4 * n_arr * n_arr)) / denom
    lo, hi = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    none = n_arr <= 0
    lo[none], hi[none] = np.nan, np.nan
    return lo, hi


def operator_coverage(vc: pd.DataFrame, summary: pd.DataFrame, settings: Settings, technology: str = "4G") -> pd.DataFrame:
    """Per operator (ANY last): villages it covers (share ≥ covered_share), their share of all
    villages, people inside its coverage (population × share), and villages where it is the only
    operator covering."""
    eff = effective_shares(vc[vc["technology"] == technology], settings) if len(vc) else pd.DataFrame(
        columns=["village_id", "operator", "technology", "share"])
    pop = summary.assign(village_id=summary["village_id"].astype(str)).set_index("village_id")["population"]
    pop = pd.to_numeric(pop, errors="coerce").fillna(0)
    n_villages = len(summary)
    e = eff.assign(village_id=eff["village_id"].astype(str))
    e["covered"] = is_covered(e["share"], Thresholds.of(settings))
    e["people"] = e["village_id"].map(pop).fillna(0) * e["share"].clip(0, 1)
    ops = e[e["operator"] != ANY_OPERATOR]
    only = ops[ops["covered"]].groupby("village_id")["operator"].agg(list)
    single = only[only.map(len) == 1].map(lambda x: x[0])
    g = e.groupby("operator").agg(villages_covered=("covered", "sum"), people_covered=("people", "sum")).reset_index()
    g["villages_covered_share"] = g["villages_covered"] / n_villages if n_villages else np.nan
    g["single_operator_villages"] = g["operator"].map(single.value_counts()).fillna(0).astype("int64")
    g.loc[g["operator"] == ANY_OPERATOR, "single_operator_villages"] = len(single)
    g["people_covered"] = g["people_covered"].round(0).astype("int64")
    g["villages_covered"] = g["villages_covered"].astype("int64")
    g = g.assign(_any=g["operator"] == ANY_OPERATOR).sort_values(["_any", "villages_covered", "operator"],
                                                                  ascending=[True, False, True], kind="stable")
    cols = ["operator", "villages_covered", "villages_covered_share", "people_covered", "single_operator_villages"]
    return g[cols].reset_index(drop=True)


def single_operator_villages(vc: pd.DataFrame, summary: pd.DataFrame, settings: Settings,
                             technology: str = "4G") -> pd.DataFrame:
    """Villages covered by exactly one operator (the village loses 4G if that operator's site
    fails): village_id, commune_code, population, operator, share. Most people first."""
    eff = effective_shares(vc[vc["technology"] == technology], settings) if len(vc) else pd.DataFrame(
        columns=["village_id", "operator", "technology", "share"])
    ops = eff[(eff["operator"] != ANY_OPERATOR) & is_covered(eff["share"], Thresholds.of(settings))]
    ops = ops.assign(village_id=ops["village_id"].astype(str))
    n = ops.groupby("village_id")["operator"].transform("nunique")
    one = ops[n == 1]
    s = summary.assign(village_id=summary["village_id"].astype(str))[["village_id", "commune_code", "population"]]
    out = one[["village_id", "operator", "share"]].rename(columns={"share": "covered_share"}).merge(s, on="village_id")
    out = out.sort_values(["population", "village_id"], ascending=[False, True], kind="stable")
    return out[["village_id", "commune_code", "population", "operator", "covered_share"]].reset_index(drop=True)


def with_intervals(per_operator: pd.DataFrame) -> pd.DataFrame:
    """``declared_vs_measured`` rows plus the Wilson 95 % interval of ``tests_ok_share``."""
    out = per_operator.copy()
    k = (out["tests_ok_share"].fillna(0) * out["tests"]).round()
    out["tests_ok_low"], out["tests_ok_high"] = wilson(k, out["tests"])
    return out


def testing_reach(vc: pd.DataFrame, min_tests: int) -> pd.DataFrame:
    """Per operator × technology with declared coverage: villages declared, tested at all (≥ 1
    test inside the declared coverage in the measurement window), tested enough to judge
    (≥ ``min_tests``), and the share never tested."""
    d = vc[(vc["evidence"] == "declared") & (vc["operator"] != ANY_OPERATOR) & vc["status"].isin(["covered", "partial"])]
    n = pd.to_numeric(d["n_measurements"], errors="coerce").fillna(0)
    d = d.assign(_tested=n > 0, _enough=n >= min_tests)
    g = d.groupby(["operator", "technology"]).agg(
        villages_declared=("village_id", "nunique"), villages_tested=("_tested", "sum"),
        villages_tested_enough=("_enough", "sum")).reset_index()
    g["never_tested_share"] = 1 - g["villages_tested"] / g["villages_declared"].clip(lower=1)
    for col in ("villages_tested", "villages_tested_enough"):
        g[col] = g[col].astype("int64")
    return g


def village_intervals(vc: pd.DataFrame, min_tests: int) -> pd.DataFrame:
    """Declared village rows with tests: share of tests meeting the threshold with its Wilson 95 %
    interval, and ``few_tests`` (fewer than ``min_tests``: too few to judge). Widest first."""
    d = vc[(vc["evidence"] == "declared") & (vc["operator"] != ANY_OPERATOR)]
    n = pd.to_numeric(d["n_measurements"], errors="coerce").fillna(0)
    d = d[n > 0]
    n = n[n > 0]
    ok = pd.to_numeric(d["measured_ok_share"], errors="coerce").fillna(0)
    lo, hi = wilson((ok * n).round(), n)
    out = pd.DataFrame({"village_id": d["village_id"].astype(str).to_numpy(), "operator": d["operator"].to_numpy(),
                        "technology": d["technology"].to_numpy(), "n_measurements": n.astype("int64").to_numpy(),
                        "measured_ok_share": ok.to_numpy(), "measured_ok_low": lo, "measured_ok_high": hi,
                        "few_tests": (n < min_tests).to_numpy()})
    out["interval_width"] = out["measured_ok_high"] - out["measured_ok_low"]
    return out.sort_values(["interval_width", "village_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
