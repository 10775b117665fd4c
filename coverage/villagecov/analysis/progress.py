"""Progress on tasks 8 and 9: the compute engine's indicator rows, arranged for reading.

Nothing is recomputed here: values, numerators, denominators, baselines and targets come from
the ``indicators`` table (one row per indicator × level × unit × boundary version × vintage).
Other boundary versions (e.g. the 2025-07 communes) are the engine's own rows for that version,
which it aggregates through the crosswalk; :func:`lineage` shows which older units each new unit
was formed from. Shares are fractions in [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from villagecov.analysis.labels import indicator_label
from villagecov.catalogue import CATALOGUE, order_key

LOWER_IS_BETTER = frozenset(k for k, d in CATALOGUE.items() if d.lower_is_better)
LONG_COLUMNS = [
    "indicator", "label", "level", "unit_code", "unit_name", "boundary_version", "as_of", "value", "numerator",
    "denominator", "baseline_as_of", "baseline", "target", "change", "to_target",
]


def indicator_order(ids: Iterable[str]) -> list[str]:
    """Indicator ids in catalogue order (each one's target-group breakdowns after it), unknown last."""
    return sorted(set(ids), key=order_key)


def to_target(indicator: pd.Series, value: pd.Series, target: pd.Series) -> pd.Series:
    """Distance still to go, positive when behind the target: target − value, or value − target for
    indicators where lower is better (villages without signal). NaN without a target."""
    lower = indicator.str.split(":").str[0].isin(LOWER_IS_BETTER).to_numpy()
    v, t = value.to_numpy(dtype="float64"), target.to_numpy(dtype="float64")
    return pd.Series(np.where(lower, v - t, t - v), index=value.index, dtype="float64")


def progress_long(
    indicators: pd.DataFrame,
    level: str,
    boundary_version: str,
    ids: Iterable[str] | None = None,
    lang: str = "vi",
) -> pd.DataFrame:
    """Indicator rows of one level and boundary version over every period, with baseline, target,
    ``change`` (value − baseline) and ``to_target`` beside each value.

    The baseline of a series is its value at the earliest period *with data* (``baseline_as_of``),
    never a later value shown under an earlier date: a series first measured in 2024 has its 2024
    value as baseline, dated 2024. ``change`` is empty at the baseline period itself and before it
    (no earlier data to compare with). Sorted by indicator (DESIGN order), unit code, period."""
    ind = indicators[(indicators["level"] == level) & (indicators["boundary_version"] == boundary_version)]
    if ids is not None:
        ind = ind[ind["indicator"].isin(list(ids))]
    out = ind.copy()
    out["as_of"] = out["as_of"].astype(str).str[:10]
    for col in ("value", "numerator", "denominator", "baseline", "target"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    keys = ["indicator", "unit_code"]
    out = out.sort_values([*keys, "as_of"], kind="stable")
    with_data = out[out["value"].notna()].groupby(keys, sort=False)[["as_of", "value"]].first()
    first = with_data.rename(columns={"as_of": "baseline_as_of", "value": "_first"})
    out = out.drop(columns=["baseline_as_of"], errors="ignore").merge(first, left_on=keys, right_index=True, how="left")
    out["baseline"] = out["_first"]
    out["label"] = [indicator_label(i, lang) for i in out["indicator"]]  # type: ignore[arg-type]
    later = out["baseline_as_of"].notna() & (out["as_of"] > out["baseline_as_of"].fillna("9999"))
    out["change"] = (out["value"] - out["baseline"]).where(later)
    out["to_target"] = to_target(out["indicator"], out["value"], out["target"])
    order = {k: n for n, k in enumerate(indicator_order(out["indicator"].unique()))}
    out = out.assign(_o=out["indicator"].map(order)).sort_values(
        ["_o", "unit_code", "as_of"], kind="stable")
    return out[LONG_COLUMNS].reset_index(drop=True)


def progress_wide(long: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator × unit: baseline, the value at each vintage (columns named by date),
    target, change since baseline and distance to target at the latest vintage."""
    if long.empty:
        return pd.DataFrame(columns=["indicator", "label", "unit_code", "unit_name", "baseline_as_of", "baseline",
                                     "target", "change", "to_target"])
    keys = ["indicator", "label", "unit_code", "unit_name"]
    values = long.groupby([*keys, "as_of"], dropna=False, sort=True)["value"].first().unstack("as_of")
    values.columns = [str(c) for c in values.columns]
    latest = long.sort_values("as_of", kind="stable").groupby(keys, dropna=False).last()
    wide = values.join(latest[["baseline_as_of", "baseline", "target", "change", "to_target"]])
    vintages = sorted(values.columns)
    wide = wide[["baseline_as_of", "baseline", *vintages, "target", "change", "to_target"]].reset_index()
    order = {k: n for n, k in enumerate(indicator_order(wide["indicator"].unique()))}
    wide = wide.assign(_o=wide["indicator"].map(order)).sort_values(["_o", "unit_code"], kind="stable")
    return wide.drop(columns="_o").reset_index(drop=True)


def at_vintage(long: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """Rows of ``long`` at the latest vintage at or before ``as_of``."""
    dates = sorted(d for d in long["as_of"].dropna().unique() if d <= as_of)
    if not dates:
        return long.iloc[0:0]
    return long[long["as_of"] == dates[-1]].reset_index(drop=True)


def furthest_behind(long: pd.DataFrame, indicator: str, as_of: str, n: int = 10) -> pd.DataFrame:
    """The ``n`` units furthest from the target on ``indicator`` at the vintage (largest
    ``to_target`` first; ties by unit code)."""
    rows = at_vintage(long[long["indicator"] == indicator], as_of)
    rows = rows.assign(_gap=shortfall(rows)).loc[lambda r: r["_gap"].notna()]
    rows = rows.sort_values(["_gap", "unit_code"], ascending=[False, True], kind="stable")
    return rows.drop(columns="_gap").head(n).reset_index(drop=True)


def shortfall(rows: pd.DataFrame) -> pd.Series:
    """How far behind each row is, for ranking: ``to_target`` where an official target exists;
    without one (data/targets: "no official target") the value itself ranks the units, lowest
    first (highest first where lower is better). Never shown as a target."""
    lower = rows["indicator"].astype(str).str.split(":").str[0].isin(LOWER_IS_BETTER).to_numpy()
    value = rows["value"].astype("float64")
    fallback = pd.Series(np.where(lower, value, -value), index=rows.index, dtype="float64")
    return rows["to_target"].astype("float64").fillna(fallback)


def lineage(crosswalk: pd.DataFrame, admin_units: pd.DataFrame, from_version: str = "2019",
            to_version: str = "2025-07", level: str = "commune") -> pd.DataFrame:
    """For each unit of ``to_version``: the units of ``from_version`` it was formed from.

    Columns: unit_code, unit_name, n_from, from_codes, from_names (joined with ", ", sorted by code).
    """
    cw = crosswalk[(crosswalk["from_version"] == from_version) & (crosswalk["to_version"] == to_version)]
    if "level" in cw.columns:
        cw = cw[cw["level"].fillna(level) == level]
    names = admin_units.drop_duplicates(["version", "code"]).set_index(["version", "code"])["name"]
    cw = cw.sort_values(["to_code", "from_code"], kind="stable")
    rows = []
    for to_code, grp in cw.groupby("to_code", sort=True):
        codes = [str(c) for c in grp["from_code"]]
        rows.append({
            "unit_code": str(to_code),
            "unit_name": names.get((to_version, to_code)),
            "n_from": len(codes),
            "from_codes": ", ".join(codes),
            "from_names": ", ".join(str(names.get((from_version, c), c)) for c in codes),
        })
    return pd.DataFrame(rows, columns=["unit_code", "unit_name", "n_from", "from_codes", "from_names"])


def progress_table(wide: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """:func:`progress_wide` as the report shows it: a unit column, shares in per cent (changes in
    percentage points), one decimal; for export with :func:`villagecov.analysis.export.export_table`."""
    from villagecov.analysis.labels import indicator_unit, report_value

    out = wide.copy()
    out.insert(out.columns.get_loc("unit_name") + 1, "unit", [indicator_unit(i, lang) for i in out["indicator"]])  # type: ignore[arg-type]
    values = [c for c in out.columns if c in ("baseline", "target", "change", "to_target") or c[:2] in ("19", "20")]
    for col in values:
        out[col] = [report_value(i, v) for i, v in zip(out["indicator"], out[col], strict=True)]
    return out
