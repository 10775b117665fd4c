""""No data", never 0: which inputs each indicator needs, and the reason when they are absent.

An indicator whose inputs are absent at a vintage gets ``value`` null (numerator and denominator as counted),
``status`` ``no_data`` and a ``reason`` naming what is missing (e.g. "no 2G coverage submitted
at or before 2024-12-31"); a value that cannot be formed because its denominator is 0 (a unit
without remote villages) is ``no_data`` too. Every other row is ``ok``. Indicators not listed in
:data:`NEEDS` need only the village register.

Inputs are named ``coverage:<technology>``, ``coverage:any``, ``services:<service>``, ``sites``,
``measurements:dl``. A requirement is a tuple of clauses that must all hold; a clause is a tuple
of inputs of which one is enough.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from villagecov.schema import TECHNOLOGIES

Clause = tuple[str, ...]
_INTERNET: Clause = ("services:fixed_broadband", "coverage:4G", "coverage:5G")

NEEDS: dict[str, tuple[Clause, ...]] = {
    "t8.villages_4g_share": (("coverage:4G",),),
    "t8.remote_villages_4g_share": (("coverage:4G",),),
    **{f"t8.population_{t.lower()}_share": ((f"coverage:{t}",),) for t in TECHNOLOGIES},
    "t8.villages_no_signal": (("coverage:any",),),
    "t8.villages_multi_operator_share": (("coverage:4G",),),
    "t8.sites_per_10k_people": (("sites",),),
    "t8.median_dl_mbps": (("measurements:dl",),),
    "t9.villages_fixed_broadband_share": (("services:fixed_broadband",),),
    "t9.villages_internet_share": (_INTERNET,),
    "t9.villages_radio_share": (("services:radio",),),
    "t9.villages_tv_share": (("services:tv",),),
    "t9.villages_press_share": (("services:press",),),
    "t9.villages_all_services_share": (_INTERNET, ("services:radio",), ("services:tv",), ("services:press",)),
}

_WORDS = {"coverage:any": "coverage of any technology", "sites": "site register",
          "measurements:dl": "measured download speed"}


def available(coverage_rows: pd.DataFrame, services: pd.DataFrame | None, sites: pd.DataFrame | None,
              dl: pd.DataFrame) -> set[str]:
    """The inputs present at a vintage: computed village coverage rows (any evidence), survey rows,
    mobile tower registers and download speeds."""
    have: set[str] = set()
    if coverage_rows is not None and len(coverage_rows):
        have |= {f"coverage:{t}" for t in coverage_rows["technology"].dropna().unique()} | {"coverage:any"}
    if services is not None and len(services):
        have |= {f"services:{s}" for s in services["service"].dropna().unique()}
    if sites is not None and len(sites) and (sites["kind"] == "mobile_tower").any():
        have.add("sites")
    if dl is not None and len(dl) and dl["dl_mbps"].notna().any():
        have.add("measurements:dl")
    return have


def _words(name: str) -> str:
    if name in _WORDS:
        return _WORDS[name]
    kind, _, what = name.partition(":")
    return f"{what} coverage" if kind == "coverage" else f"{what.replace('_', ' ')} survey"


def missing_reason(indicator: str, have: Iterable[str], date: str) -> str | None:
    """Why ``indicator`` has no data at ``date`` given the inputs ``have``; None when it can be computed."""
    present = set(have)
    for clause in NEEDS.get(indicator, ()):
        if not present.intersection(clause):
            return f"no {' or '.join(_words(c) for c in clause)} submitted at or before {date}"
    return None


def mark(frame: pd.DataFrame, have: set[str], date: str) -> pd.DataFrame:
    """``frame`` (indicator rows of one vintage) with value/numerator nulled where inputs are absent,
    and ``status`` / ``reason`` for every row."""
    frame = frame.copy()
    reasons = {i: missing_reason(i, have, date) for i in frame["indicator"].unique()}
    reason = frame["indicator"].map(reasons)
    absent = reason.notna().to_numpy()
    frame.loc[absent, "value"] = np.nan
    no_value = frame["value"].isna().to_numpy() & ~absent
    reason = reason.where(~pd.Series(no_value, index=frame.index),
                          "nothing to count: the denominator is 0 in this unit")
    frame["status"] = np.where(frame["value"].isna(), "no_data", "ok")
    frame["reason"] = reason.where(frame["status"] == "no_data", None)
    return frame


def missing_rows(frame: pd.DataFrame, indicators: Iterable[str]) -> pd.DataFrame:
    """Rows (value null) for indicators absent from ``frame`` at each of its non-village units, so
    that every indicator shows at every unit — as no data rather than not at all."""
    units = frame.loc[frame["level"] != "village", ["level", "unit_code", "unit_name", "boundary_version"]]
    units = units.drop_duplicates()
    present = set(frame["indicator"])
    extra = [units.assign(indicator=i, value=np.nan, numerator=np.nan, denominator=np.nan)
             for i in indicators if i not in present]
    return pd.concat(extra, ignore_index=True) if extra else frame.iloc[0:0]
