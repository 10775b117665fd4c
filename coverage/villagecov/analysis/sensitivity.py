"""How the headline figures move with the rules: the covered/partial shares and the signal
thresholds.

Shares: the engine's effective shares of the period are reclassified (exact: the same rule as
``villagecov.compute.indicators`` with other cut-offs). Signal thresholds: the village coverage of
the period is recomputed by the engine itself (:func:`villagecov.compute.run.compute_vintage`)
with the 4G/5G threshold replaced — declared maps are then checked against the tests at that
threshold and signal rasters cut at it. At the settings in force both equal the stored indicators.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from villagecov.compute.people import people_without
from villagecov.compute.status import effective_shares
from villagecov.rules import Thresholds, has_signal, is_covered
from villagecov.schema import ANY_OPERATOR, TECHNOLOGIES
from villagecov.settings import Settings

SHARE_COLUMNS = ["covered_share", "partial_share", "villages_4g_share", "remote_villages_4g_share",
                 "villages_no_signal", "villages_below_rule", "population_gap_villages", "people_without_4g"]


def _any_shares(vc: pd.DataFrame, summary: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per village of ``summary``: effective ANY share per technology (0 without evidence)."""
    eff = effective_shares(vc, settings) if len(vc) else pd.DataFrame(columns=["village_id", "operator", "technology",
                                                                                "share"])
    a = eff[eff["operator"] == ANY_OPERATOR].pivot_table(index="village_id", columns="technology", values="share",
                                                         aggfunc="max")
    ids = summary["village_id"].astype(str)
    a.index = a.index.astype(str)
    out = pd.DataFrame({t: ids.map(a[t]).fillna(0.0).to_numpy() if t in a.columns else np.zeros(len(ids))
                        for t in TECHNOLOGIES})
    out.index = ids.to_numpy()
    return out


def headline_at(shares: pd.DataFrame, summary: pd.DataFrame, covered: float, partial: float) -> dict[str, float]:
    """The headline figures with cut-offs ``covered`` and ``partial`` over per-village shares."""
    pop = pd.to_numeric(summary["population"], errors="coerce").fillna(0).to_numpy(dtype=float)
    remote = summary["remote"].fillna(False).astype(bool).to_numpy()
    s4 = shares["4G"].to_numpy(dtype=float)
    rule = Thresholds(covered, partial)  # the status thresholds at the values tried
    g4 = is_covered(s4, rule)
    no_signal = ~has_signal(shares.to_numpy(dtype=float), rule).any(axis=1)
    n = len(s4)
    return {
        "covered_share": covered, "partial_share": partial,
        "villages_4g_share": float(g4.mean()) if n else float("nan"),
        "remote_villages_4g_share": float(g4[remote].mean()) if remote.any() else float("nan"),
        "villages_no_signal": int(no_signal.sum()),
        "villages_below_rule": int((~g4).sum()),
        "population_gap_villages": float(pop[~g4].sum()),
        "people_without_4g": float(people_without(pop, s4).sum()),
    }


def share_sensitivity(vc: pd.DataFrame, summary: pd.DataFrame, settings: Settings,
                      covered: Sequence[float] = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95),
                      partial: Sequence[float] | None = None) -> pd.DataFrame:
    """One row per covered share (the partial share in force), then one per partial share (the
    covered share in force): :data:`SHARE_COLUMNS`."""
    shares = _any_shares(vc, summary, settings)
    rows = [headline_at(shares, summary, c, settings.partial_share) for c in sorted(set(covered) | {settings.covered_share})]
    if partial:
        rows += [headline_at(shares, summary, settings.covered_share, p) for p in sorted(set(partial))
                 if p != settings.partial_share]
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)


def threshold_sensitivity(store_url: str, settings: Settings, as_of: str, summary: pd.DataFrame,
                          thresholds: Sequence[float] = (-110, -105, -100, -95)) -> pd.DataFrame:
    """The village coverage of period ``as_of`` recomputed with each 4G/5G threshold (dBm), and
    the headline figures of each: threshold_dbm, villages_4g_share, people_without_4g,
    population_4g_share, villages_contradicted."""
    from villagecov.compute.run import VintageInputs, _settlement_points, compute_vintage
    from villagecov.compute.run import as_of as at_date
    from villagecov.compute_pipeline import load_inputs
    from villagecov.storage import open_store

    with open_store(store_url) as store:
        inputs, _ = load_inputs(store, settings)
    villages = at_date(inputs.villages, "villages", as_of)
    villages = villages[villages.geometry.notna()].reset_index(drop=True)
    coverage = at_date(inputs.coverage, "coverage", as_of)
    population = inputs.population if inputs.population is not None else _settlement_points(inputs.places)
    vin = VintageInputs(as_of, villages, coverage, inputs.measurements, population, inputs.rasters)
    pop = pd.to_numeric(summary["population"], errors="coerce").fillna(0).to_numpy(dtype=float)
    rows = []
    for t in sorted(set(thresholds)):
        s = settings.model_copy(update={"threshold_dbm_4g": float(t), "threshold_dbm_5g": float(t)})
        vc = compute_vintage(vin, s)
        shares = _any_shares(vc, summary, s)
        head = headline_at(shares, summary, s.covered_share, s.partial_share)
        s4 = shares["4G"].to_numpy(dtype=float)
        contra = vc[(vc["technology"] == "4G") & (vc["operator"] != ANY_OPERATOR) & (vc["evidence"] == "declared")]
        rows.append({"threshold_dbm": float(t), "villages_4g_share": head["villages_4g_share"],
                     "people_without_4g": head["people_without_4g"],
                     "population_4g_share": float((pop * s4).sum() / pop.sum()) if pop.sum() else float("nan"),
                     "villages_no_signal": head["villages_no_signal"],
                     "villages_contradicted": int(contra["contradicted"].fillna(False).astype(bool).sum())})
    return pd.DataFrame(rows)
