"""The Task 8 / Task 9 indicators of DESIGN.md: per village, then summed up the units.

Every indicator is a numerator over a denominator at village level; a unit's value is the
(crosswalk-weighted) sum of its villages' numerators over the sum of their denominators, so the
levels always add up. Kinds: ``share`` (value = num/den), ``count`` (value = num, den = villages),
``rate`` (sites per 10,000 people: num = sites, den = people/10,000), ``median`` (median
measured download speed weighted by tests, num = NaN, den = tests). Coverage counts through
:func:`villagecov.compute.status.effective_shares`; Internet = fixed broadband or 4G/5G covered.
A service absent from the survey counts as not available (the target is every village).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.catalogue import CATALOGUE, GROUPS, kind
from villagecov.catalogue import HEADLINE as HEADLINE  # re-exported: analysis and notebooks import it here
from villagecov.compute.status import any_status, best_technology, effective_shares
from villagecov.rules import Thresholds, has_signal, is_covered
from villagecov.schema import ANY_OPERATOR, METRIC_CRS, TECHNOLOGIES
from villagecov.settings import Settings
from villagecov.targets import Targets

INDICATORS: dict[str, str] = {k: d.kind for k, d in CATALOGUE.items()}
VILLAGE_SERVICES = ("fixed_broadband", "radio", "tv", "press", "post", "loudspeaker")
# services whose indicators are "no data" (no rows) when the survey of the vintage has no answer for them
SURVEY_OPTIONAL = {"post": "t8.villages_post_share", "loudspeaker": "t9.villages_loudspeaker_share"}


def target(indicator: str, settings: Settings, year: int, targets: Targets | None = None) -> float:
    """The target in force in ``year``: ``settings.indicator_targets`` first (a fixed override),
    else the official targets file (:mod:`villagecov.targets`); NaN where there is no official
    target — never 100 % by default."""
    base = indicator.split(":", 1)[0]
    for key in (indicator, base):
        if key in settings.indicator_targets:
            return float(settings.indicator_targets[key])
    found = targets.for_year(indicator, year) if targets is not None else None
    return float(found.value) if found is not None and found.value is not None else float("nan")


def site_counts(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame | None, as_of: str) -> pd.Series:
    """Mobile tower sites in service at ``as_of`` per village (a site outside every village goes
    to the nearest one, in EPSG:32648)."""
    ids = villages["village_id"].astype(str).to_numpy()
    counts = pd.Series(0, index=ids, dtype="int64")
    if sites is None or sites.empty or len(ids) == 0:
        return counts
    s = sites[(sites["kind"] == "mobile_tower") & sites.geometry.notna()]
    start = s["in_service_from"].fillna("0000-01-01")
    end = s["in_service_to"].fillna("9999-12-31")
    s = s[(start <= as_of) & (end > as_of)]
    if s.empty:
        return counts
    vg = np.asarray(villages.geometry.to_crs(METRIC_CRS).values, dtype=object)
    sp = np.asarray(s.geometry.to_crs(METRIC_CRS).values, dtype=object)
    tree = shapely.STRtree(vg)
    nearest = tree.query_nearest(sp, all_matches=False, return_distance=False)
    site_idx, village_idx = nearest[0], nearest[1]
    order = np.argsort(site_idx, kind="stable")
    per = np.bincount(village_idx[order], minlength=len(ids))
    return pd.Series(per.astype("int64"), index=ids)


def village_table(villages: pd.DataFrame, vc: pd.DataFrame, remote: pd.DataFrame, services: pd.DataFrame | None,
                  sites: pd.Series, settings: Settings, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per village: population, households (NaN unknown), area (km²), remote, effective
    ANY shares per technology (population: ``share_<t>``, area: ``area_share_<t>``), operators
    with 4G covered, services, sites, best technology, no_signal, target-group flags
    (``grp_<group>``: :func:`group_flags`), and the ANY status per technology with the 4G share as
    :func:`~villagecov.compute.status.any_status` gives them. ``vt.attrs["surveyed"]``: the
    services the vintage's survey answers at all."""
    vt = villages[["village_id", "commune_code", "boundary_version", "population"]].copy()
    vt["village_id"] = vt["village_id"].astype(str)
    vt["population"] = pd.to_numeric(vt["population"]).fillna(0).astype("float64")
    hh = villages["households"] if "households" in villages.columns else pd.Series(np.nan, index=villages.index)
    hh = pd.to_numeric(hh, errors="coerce").astype("float64").to_numpy()
    vt["households"] = np.where(hh > 0, hh, np.nan)
    geoms = villages.geometry.to_crs(METRIC_CRS) if isinstance(villages, gpd.GeoDataFrame) else None
    vt["area_km2"] = geoms.area.to_numpy() / 1e6 if geoms is not None else np.nan
    vt = vt.merge(remote[["village_id", "remote", "remote_reasons"]], on="village_id", how="left")
    vt["remote"] = vt["remote"].fillna(False).astype(bool)
    eff = effective_shares(vc, settings)
    any_eff = eff[eff["operator"] == ANY_OPERATOR].pivot_table(
        index="village_id", columns="technology", values="share", aggfunc="max")
    for t in TECHNOLOGIES:
        col = any_eff[t] if t in any_eff.columns else pd.Series(dtype="float64")
        vt[f"share_{t}"] = vt["village_id"].map(col).fillna(0.0).astype("float64")
    area_vc = vc.assign(covered_pop_share=vc["covered_area_share"]) if "covered_area_share" in vc.columns else vc
    area_eff = effective_shares(area_vc, settings)
    any_area = area_eff[area_eff["operator"] == ANY_OPERATOR].pivot_table(
        index="village_id", columns="technology", values="share", aggfunc="max")
    for t in TECHNOLOGIES:
        col = any_area[t] if t in any_area.columns else pd.Series(dtype="float64")
        vt[f"area_share_{t}"] = vt["village_id"].map(col).fillna(0.0).astype("float64")
    rule = Thresholds.of(settings)
    ops4 = eff[(eff["operator"] != ANY_OPERATOR) & (eff["technology"] == "4G") & is_covered(eff["share"], rule)]
    vt["n_operators_4g"] = vt["village_id"].map(ops4.groupby("village_id")["operator"].nunique()).fillna(0).astype(int)
    vt["best_technology"] = vt["village_id"].map(best_technology(eff, settings))
    status = any_status(eff, settings)
    for col in status.columns:  # the map layers' per-village status (null: no counted evidence)
        vt[col] = vt["village_id"].map(status[col])
    shares = vt[[f"share_{t}" for t in TECHNOLOGIES]].to_numpy()
    vt["no_signal"] = ~has_signal(shares, rule).any(axis=1)
    surveyed: set[str] = set()
    for svc in VILLAGE_SERVICES:
        has: set[str] = set()
        if services is not None and not services.empty:
            answered = services[services["service"] == svc]
            if len(answered):
                surveyed.add(svc)
            sv = answered[answered["available"].fillna(False).astype(bool)]
            has = set(sv["village_id"].astype(str))
        vt[svc] = vt["village_id"].isin(has)
    vt["sites"] = vt["village_id"].map(sites).fillna(0).astype("float64")
    flags = group_flags(vt, groups)
    for g in flags.columns:
        vt[g] = flags[g].to_numpy()
    vt.attrs["surveyed"] = sorted(surveyed)
    return vt


def group_flags(vt: pd.DataFrame, groups: pd.DataFrame | None) -> pd.DataFrame:
    """``grp_<group>`` booleans per village row of ``vt``: ``remote`` from the remoteness rules,
    the others from the target-group lists (group, level village|commune, code; a commune code
    puts every village of the commune in the group, matched on the village's own commune code).
    A group without a list is left out (no breakdown), not all-false."""
    out = pd.DataFrame(index=vt.index)
    out["grp_remote"] = vt["remote"].to_numpy(dtype=bool)
    if groups is None or groups.empty:
        return out
    for g in [g for g in GROUPS if g != "remote"]:
        rows = groups[groups["group"] == g]
        if rows.empty:
            continue
        villages = set(rows.loc[rows["level"] == "village", "code"].astype(str))
        communes = set(rows.loc[rows["level"] == "commune", "code"].astype(str))
        out[f"grp_{g}"] = (vt["village_id"].isin(villages) | vt["commune_code"].astype(str).isin(communes)).to_numpy()
    return out


def village_indicators(vt: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Long frame: indicator, village_id, numerator, denominator (median excluded), the
    breakdowns by target group (``<id>:<group>``) over the member villages only."""
    rule = Thresholds.of(settings)
    g4 = is_covered(vt["share_4G"], rule)
    internet = vt["fixed_broadband"] | g4 | is_covered(vt["share_5G"], rule)
    all_services = internet & vt["radio"] & vt["tv"] & vt["press"]
    one = np.ones(len(vt))
    hh = vt["households"].to_numpy(dtype="float64")
    hh_known = np.where(np.isnan(hh), 0.0, hh)
    rows = {
        "t8.villages_4g_share": (g4, one),
        "t8.remote_villages_4g_share": (g4 & vt["remote"], vt["remote"]),
        "t8.villages_no_signal": (vt["no_signal"], one),
        "t8.villages_multi_operator_share": (vt["n_operators_4g"] >= 2, one),
        "t8.households_4g_share": (hh_known * g4, hh_known),
        "t8.sites_per_10k_people": (vt["sites"], vt["population"] / 10_000.0),
        "t9.villages_fixed_broadband_share": (vt["fixed_broadband"], one),
        "t9.villages_internet_share": (internet, one),
        "t9.villages_radio_share": (vt["radio"], one),
        "t9.villages_tv_share": (vt["tv"], one),
        "t9.villages_press_share": (vt["press"], one),
        "t9.villages_all_services_share": (all_services, one),
    }
    for svc, flag in (("fixed_broadband", vt["fixed_broadband"]), ("internet", internet), ("radio", vt["radio"]),
                      ("tv", vt["tv"]), ("press", vt["press"]), ("all_services", all_services)):
        rows[f"t9.households_{svc}_share"] = (hh_known * flag, hh_known)
    surveyed = set(vt.attrs.get("surveyed", ()))
    for svc, indicator in SURVEY_OPTIONAL.items():
        if svc in surveyed:
            rows[indicator] = (vt[svc], one)
    newer = vt[[f"share_{t}" for t in TECHNOLOGIES]].to_numpy()
    for i, t in enumerate(TECHNOLOGIES):
        rows[f"t8.population_{t.lower()}_share"] = (vt["population"] * vt[f"share_{t}"], vt["population"])
        at_least = newer[:, i:].max(axis=1) if len(vt) else np.zeros(0)
        rows[f"t8.population_at_least_{t.lower()}_share"] = (vt["population"] * at_least, vt["population"])
        rows[f"t8.area_{t.lower()}_share"] = (vt["area_km2"] * vt[f"area_share_{t}"], vt["area_km2"])
    ids = vt["village_id"].to_numpy()
    frames = [
        pd.DataFrame({"indicator": k, "village_id": ids, "numerator": np.asarray(num, dtype="float64"),
                      "denominator": np.asarray(den, dtype="float64")})
        for k, (num, den) in rows.items()
    ]
    groups = [c for c in vt.columns if c.startswith("grp_")]
    for col in groups:
        member = vt[col].to_numpy(dtype=bool)
        if not member.any():
            continue
        for k, (num, den) in rows.items():
            if k == "t8.remote_villages_4g_share" or kind(k) not in ("share", "count"):
                continue
            frames.append(pd.DataFrame({
                "indicator": f"{k}:{col[4:]}", "village_id": ids[member],
                "numerator": np.asarray(num, dtype="float64")[member],
                "denominator": np.asarray(den, dtype="float64")[member]}))
    return pd.concat(frames, ignore_index=True)


def value_of(indicator: pd.Series, num: pd.Series, den: pd.Series) -> np.ndarray:
    """value from numerator/denominator according to each indicator's kind."""
    kinds = indicator.map(kind).to_numpy()
    n, d = num.to_numpy(dtype="float64"), den.to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan)
    return np.where(kinds == "count", n, ratio)


def aggregate(long: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Sum weighted village numerators/denominators per unit: indicator, level, unit_code, num, den."""
    m = long.merge(units, on="village_id", how="inner")
    m["numerator"] *= m["weight"]
    m["denominator"] *= m["weight"]
    out = m.groupby(["indicator", "level", "unit_code"], as_index=False)[["numerator", "denominator"]].sum()
    out["value"] = value_of(out["indicator"], out["numerator"], out["denominator"])
    return out


def median_dl(dl: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Median download speed per village and per unit from (village_id, dl_mbps[, weight]) rows,
    weighted by tests (an Ookla tile is ``tests`` tests; a drive test is one); den = tests."""
    from villagecov.compute.speeds import weighted_median

    cols = ["indicator", "level", "unit_code", "numerator", "denominator", "value"]
    dl = dl[dl["dl_mbps"].notna()]
    if dl.empty:
        return pd.DataFrame(columns=cols)
    dl = dl.assign(weight=dl["weight"] if "weight" in dl.columns else 1.0)

    def per(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        rows = {key: (weighted_median(g["dl_mbps"].to_numpy(dtype="float64"), g["weight"].to_numpy(dtype="float64")),
                      float(g["weight"].sum())) for key, g in frame.groupby(keys)}
        index = pd.MultiIndex.from_tuples(list(rows), names=keys) if len(keys) > 1 else pd.Index(
            [k[0] if isinstance(k, tuple) else k for k in rows], name=keys[0])
        return pd.DataFrame([list(v) for v in rows.values()], index=index, columns=["value", "denominator"],
                            dtype="float64")

    per_unit = per(dl.merge(units[["village_id", "level", "unit_code"]], on="village_id"), ["level", "unit_code"])
    per_village = per(dl, ["village_id"])
    frames = [
        pd.DataFrame({"level": "village", "unit_code": per_village.index, "value": per_village["value"].to_numpy(),
                      "denominator": per_village["denominator"].to_numpy()}),
        pd.DataFrame({"level": per_unit.index.get_level_values(0), "unit_code": per_unit.index.get_level_values(1),
                      "value": per_unit["value"].to_numpy(), "denominator": per_unit["denominator"].to_numpy()}),
    ]
    out = pd.concat(frames, ignore_index=True).assign(indicator="t8.median_dl_mbps", numerator=np.nan)
    return out[cols]


def add_progress(frame: pd.DataFrame, settings: Settings, targets: Targets | None = None) -> pd.DataFrame:
    """Baseline (the value at the earliest vintage that has a value for each series: indicator ×
    level × unit × boundary version) and the target in force in the vintage's year beside each row."""
    keys = ["indicator", "level", "unit_code", "boundary_version"]
    frame = frame.sort_values([*keys, "as_of"], kind="stable")
    firsts = frame[frame["value"].notna()].groupby(keys, as_index=False).first()[[*keys, "value"]]
    frame = frame.merge(firsts.rename(columns={"value": "baseline"}), on=keys, how="left")
    pairs = frame[["indicator", "as_of"]].drop_duplicates()
    lookup_t = {(i, d): target(i, settings, int(str(d)[:4]), targets)
                for i, d in zip(pairs["indicator"], pairs["as_of"], strict=True)}
    frame["target"] = [lookup_t[(i, d)] for i, d in zip(frame["indicator"], frame["as_of"], strict=True)]
    frame["target"] = frame["target"].astype("float64")
    return frame.reset_index(drop=True)
