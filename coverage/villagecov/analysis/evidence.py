"""Evidence quality: operators' declared coverage against measurements, and quarantine reports.

Works on ``village_coverage`` rows of one vintage. A declared row (operator × technology ×
village) carries the measurements that fell inside the declared coverage in the village
(``n_measurements``, ``measured_ok_share``) and the engine's verdict ``contradicted`` (enough
tests, too many of them below the signal threshold: see ``villagecov.compute.evidence``).
Measured rows (evidence ``measured``) summarise all tests of the operator in the village.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from villagecov.schema import ANY_OPERATOR

SUMMARY_COLUMNS = [
    "operator", "technology", "villages_declared", "villages_tested", "villages_contradicted",
    "contradicted_share", "tests", "tests_ok_share", "villages_measured", "measured_covered_not_declared",
]


def _declared(vc: pd.DataFrame) -> pd.DataFrame:
    """Declared rows of real operators where the operator declares some coverage (covered or partial)."""
    d = vc[(vc["evidence"] == "declared") & (vc["operator"] != ANY_OPERATOR)]
    return d[d["status"].isin(["covered", "partial"])]


def declared_vs_measured(vc: pd.DataFrame) -> pd.DataFrame:
    """Per operator × technology (ANY excluded): villages where the operator declares coverage
    (status covered or partial), of them villages with tests inside the declared coverage,
    contradicted villages and their share of the tested ones, tests and the share of tests meeting
    the threshold (test-weighted), villages with measured rows, and villages measured covered where
    the operator declares no coverage at all."""
    declared = _declared(vc).copy()
    n = pd.to_numeric(declared["n_measurements"]).fillna(0).astype("float64")
    ok = pd.to_numeric(declared["measured_ok_share"]).astype("float64")
    declared["_n"] = n
    declared["_ok_tests"] = (ok.fillna(0.0) * n).where(n > 0, 0.0)
    declared["_tested"] = n > 0
    declared["_contra"] = declared["contradicted"].fillna(False).astype(bool)
    keys = ["operator", "technology"]
    g = declared.groupby(keys).agg(
        villages_declared=("village_id", "nunique"), villages_tested=("_tested", "sum"),
        villages_contradicted=("_contra", "sum"), tests=("_n", "sum"), _ok=("_ok_tests", "sum"),
    )
    measured = vc[(vc["evidence"] == "measured") & (vc["operator"] != ANY_OPERATOR)]
    mv = measured.groupby(keys)["village_id"].nunique().rename("villages_measured")
    vkeys = [*keys, "village_id"]
    m_cov = measured.loc[measured["status"] == "covered", vkeys]
    m_cov = m_cov.merge(declared[vkeys].drop_duplicates().assign(_d=True), on=vkeys, how="left")
    sv = m_cov[m_cov["_d"].isna()].groupby(keys).size()
    out = g.join(mv, how="outer").join(sv.rename("measured_covered_not_declared"), how="outer").reset_index()
    for col in ("villages_declared", "villages_tested", "villages_contradicted", "tests", "villages_measured",
                "measured_covered_not_declared"):
        out[col] = out[col].fillna(0).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["contradicted_share"] = np.where(out["villages_tested"] > 0,
                                             out["villages_contradicted"] / out["villages_tested"].clip(lower=1), np.nan)
        out["tests_ok_share"] = np.where(out["tests"] > 0, out["_ok"].fillna(0) / out["tests"].clip(lower=1), np.nan)
    return out[SUMMARY_COLUMNS].sort_values(keys, kind="stable").reset_index(drop=True)


def contradicted_villages(vc: pd.DataFrame, villages: pd.DataFrame | None = None) -> pd.DataFrame:
    """Declared coverage contradicted by measurements: one row per village × operator ×
    technology, worst first (lowest share of tests meeting the threshold, then most tests). With
    ``villages``: their name, commune code and register boundary version beside each row."""
    d = vc[(vc["evidence"] == "declared") & (vc["operator"] != ANY_OPERATOR)]
    d = d[d["contradicted"].fillna(False).astype(bool)]
    out = pd.DataFrame({
        "village_id": d["village_id"].astype(str).to_numpy(),
        "operator": d["operator"].to_numpy(),
        "technology": d["technology"].to_numpy(),
        "declared_status": d["status"].to_numpy(),
        "declared_pop_share": d["covered_pop_share"].astype("float64").to_numpy(),
        "n_measurements": pd.to_numeric(d["n_measurements"]).fillna(0).astype("int64").to_numpy(),
        "measured_ok_share": d["measured_ok_share"].astype("float64").to_numpy(),
    })
    if villages is not None and len(villages):
        v = villages.drop_duplicates("village_id")
        idx = v["village_id"].astype(str).to_numpy()
        out.insert(1, "name", out["village_id"].map(pd.Series(v["name"].to_numpy(), index=idx)))
        out.insert(2, "commune_code", out["village_id"].map(pd.Series(v["commune_code"].to_numpy(), index=idx)))
        if "boundary_version" in v.columns:
            version = pd.Series(v["boundary_version"].fillna("2019").to_numpy(), index=idx)
            out.insert(3, "boundary_version", out["village_id"].map(version))
    out = out.sort_values(["measured_ok_share", "n_measurements", "village_id", "operator", "technology"],
                          ascending=[True, False, True, True, True], kind="stable")
    return out.reset_index(drop=True)


def agreement(vc: pd.DataFrame, technology: str = "4G", operator: str | None = None) -> pd.DataFrame:
    """Cross-table of declared status (rows) against measured status (columns) over the villages
    that have both, for one technology (and one operator, or every operator together)."""
    rows = vc[(vc["technology"] == technology) & (vc["operator"] != ANY_OPERATOR)]
    if operator is not None:
        rows = rows[rows["operator"] == operator]
    keys = ["village_id", "operator"]
    dec = rows[rows["evidence"] == "declared"].set_index(keys)["status"].rename("declared")
    mea = rows[rows["evidence"] == "measured"].set_index(keys)["status"].rename("measured")
    both = pd.concat([dec, mea], axis=1, join="inner")
    levels = ["covered", "partial", "none"]
    table = pd.crosstab(pd.Categorical(both["declared"], levels), pd.Categorical(both["measured"], levels),
                        dropna=False)
    table.index.name, table.columns.name = "declared", "measured"
    return table.astype("int64")


# -- quarantine reports of the ingests ----------------------------------------------------------

def generic_reason(reason: object) -> str:
    """The reason without its quoted value, to count rejections by kind ("unknown operator '…'")."""
    return re.sub(r"'[^']*'", "'…'", str(reason)) if reason is not None and reason == reason else ""


def submissions_overview(submissions: pd.DataFrame) -> pd.DataFrame:
    """Per ingested file: kind, accepted and rejected rows, rejected share, whether a quarantine
    report exists. Most rejected first."""
    s = submissions
    acc = pd.to_numeric(s["rows_accepted"]).fillna(0).astype("int64")
    rej = pd.to_numeric(s["rows_rejected"]).fillna(0).astype("int64")
    total = acc + rej
    out = pd.DataFrame({
        "kind": s["kind"].to_numpy(), "filename": s["filename"].to_numpy(), "received_at": s["received_at"].to_numpy(),
        "rows_accepted": acc.to_numpy(), "rows_rejected": rej.to_numpy(),
        "rejected_share": np.where(total > 0, rej / total.clip(lower=1), np.nan),
        "quarantine_report": s["quarantine_path"].notna().to_numpy(),
    })
    return out.sort_values(["rows_rejected", "kind", "filename"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)


def quarantine_by_reason(rejects: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows counted by kind, field and generic reason, with one example (file, row,
    value). Most frequent first."""
    cols = ["kind", "field", "reason", "rows", "files", "example_file", "example_row", "example_value"]
    if rejects.empty:
        return pd.DataFrame(columns=cols)
    r = rejects.assign(reason=rejects["reason"].map(generic_reason), field=rejects["field"].fillna(""))
    r = r.sort_values(["filename", "row"], kind="stable")
    g = r.groupby(["kind", "field", "reason"], sort=True).agg(
        rows=("reason", "size"), files=("filename", "nunique"), example_file=("filename", "first"),
        example_row=("row", "first"), example_value=("value", "first"),
    ).reset_index()
    g = g.sort_values(["rows", "kind", "field", "reason"], ascending=[False, True, True, True], kind="stable")
    return g[cols].reset_index(drop=True)
