"""Coverage gaps: villages without (or with partial) coverage by a technology from any operator.

Inputs as in ``schema.TABLES``: villages (EPSG:4326 polygons) and a ``village_coverage`` frame;
the share that counts is the compute engine's effective share (declared/modelled evidence,
contradicted declarations counted as 0). A village with no row for the technology counts as 0.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from villagecov.compute.people import people_without
from villagecov.compute.status import classify, effective_shares
from villagecov.rules import gap_order, is_gap
from villagecov.schema import ANY_OPERATOR
from villagecov.settings import Settings


def village_status(
    villages: gpd.GeoDataFrame, village_coverage: pd.DataFrame, technology: str, settings: Settings
) -> pd.DataFrame:
    """Per village: effective ANY-operator covered share of ``technology`` and its status."""
    vc = village_coverage[village_coverage["technology"] == technology]
    if "contradicted" not in vc.columns:
        vc = vc.assign(contradicted=False)
    eff = effective_shares(vc, settings) if len(vc) else pd.DataFrame(columns=["village_id", "operator", "share"])
    eff = eff[eff["operator"] == ANY_OPERATOR].set_index("village_id")["share"]
    share = villages["village_id"].map(eff).astype("float64").fillna(0.0).to_numpy()
    return pd.DataFrame({"village_id": villages["village_id"].to_numpy(), "covered_share": share,
                         "status": classify(share, settings)})


def find_gaps(
    villages: gpd.GeoDataFrame, village_coverage: pd.DataFrame, technology: str, settings: Settings
) -> gpd.GeoDataFrame:
    """Villages whose ``technology`` status is none or partial, with population and remoteness.

    Adds ``covered_share``, ``status`` and ``uncovered_pop`` (people outside coverage, the
    population times one minus the share, to 0.1 person: the plan's weights). Sorted remote
    first, then by that weight, most first, then as the gap ranking breaks ties
    (:func:`villagecov.rules.gap_order`: whole people, then village id).
    """
    status = village_status(villages, village_coverage, technology, settings)
    out = villages.merge(status, on="village_id", how="left")
    out = out[is_gap(out["status"])].copy()
    # the one definition of people without coverage (villagecov.compute.people)
    people = people_without(out["population"], out["covered_share"])
    out["uncovered_pop"] = np.round(people, 1)
    out["remote"] = out["remote"].astype("boolean").fillna(False).astype(bool)
    # The weight (0.1 person) goes before the ranking's whole people: candidates are made and the
    # greedy breaks ties in this order, and ordering by whole people changed the greedy demo plan.
    out = gap_order(out, people, first=(("remote", True), ("uncovered_pop", True)))
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry="geometry", crs=villages.crs)
