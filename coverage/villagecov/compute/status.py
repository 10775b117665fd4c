"""Status of a village for a share, and the effective share that counts for the indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from villagecov.rules import Thresholds, is_covered, status
from villagecov.schema import ANY_OPERATOR, TECHNOLOGIES
from villagecov.settings import Settings


def classify(share: np.ndarray | pd.Series, settings: Settings) -> np.ndarray:
    """covered (≥ covered_share), partial (≥ partial_share), none; None where the share is NaN
    (the status thresholds of :mod:`villagecov.rules`)."""
    return status(share, Thresholds.of(settings))


def effective_shares(vc: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """One share per village × operator (incl. ANY) × technology that counts for the indicators.

    The maximum ``covered_pop_share`` over the evidence kinds of ``settings.indicator_evidence``;
    a declared share contradicted by measurements counts as 0. For ANY, where some operator's
    declared coverage in the village is contradicted, the declared ANY share is replaced by the
    largest share among that technology's operators that are not contradicted (a lower bound of
    the union of the credible maps). Columns: village_id, operator, technology, share.
    """
    cols = ["village_id", "operator", "technology", "share"]
    rows = vc[vc["evidence"].isin(settings.indicator_evidence)].copy()
    if rows.empty:
        return pd.DataFrame(columns=cols)
    bad = rows["contradicted"].fillna(False).astype(bool)
    rows["share"] = rows["covered_pop_share"].astype("float64").where(~bad, 0.0).fillna(0.0)
    ops = rows[rows["operator"] != ANY_OPERATOR]
    flagged = ops[ops["contradicted"].fillna(False).astype(bool)]
    if len(flagged):
        keys = ["village_id", "technology", "evidence"]
        hit = flagged[keys].drop_duplicates()
        fallback = ops.groupby(keys, as_index=False)["share"].max().rename(columns={"share": "fallback"})
        hit = hit.merge(fallback, on=keys, how="left")
        any_rows = rows["operator"] == ANY_OPERATOR
        merged = rows[any_rows].merge(hit, on=keys, how="left")
        replaced = merged["fallback"].notna().to_numpy()
        share = np.array(merged["share"], dtype="float64")
        share[replaced] = merged["fallback"].to_numpy(dtype="float64")[replaced]
        rows.loc[any_rows, "share"] = share
    out = rows.groupby(["village_id", "operator", "technology"], as_index=False)["share"].max()
    return out[cols]


def best_technology(eff: pd.DataFrame, settings: Settings) -> pd.Series:
    """Per village: the newest technology whose ANY effective status is covered (else None)."""
    rank = {t: i for i, t in enumerate(TECHNOLOGIES)}
    any_rows = eff[(eff["operator"] == ANY_OPERATOR) & is_covered(eff["share"], Thresholds.of(settings))].copy()
    any_rows["rank"] = any_rows["technology"].map(rank)
    top = any_rows.sort_values("rank").groupby("village_id")["technology"].last()
    return top


def any_status(eff: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per village (index ``village_id``): ``status_<tech>`` of the effective ANY share per
    technology and ``pop_share_4g`` (the effective ANY 4G share, 0–1). Null where the village has
    no row of that technology in ``eff`` (no counted evidence), not ``none``: the map layers tell
    "no evidence" from "evidence of no coverage"."""
    cols = [*(f"status_{t.lower()}" for t in TECHNOLOGIES), "pop_share_4g"]
    any_rows = eff[eff["operator"] == ANY_OPERATOR]
    share = any_rows.pivot_table(index="village_id", columns="technology", values="share", aggfunc="max")
    out = pd.DataFrame(index=pd.Index(share.index.astype(str), name="village_id"), columns=cols, dtype=object)
    for t in TECHNOLOGIES:
        s = share[t].to_numpy(dtype="float64") if t in share.columns else np.full(len(share), np.nan)
        out[f"status_{t.lower()}"] = classify(s, settings)
    out["pop_share_4g"] = share["4G"].to_numpy(dtype="float64") if "4G" in share.columns else np.nan
    return out.astype({"pop_share_4g": "float64"})
