"""All vintages at once: village coverage, village summary and the indicator progress series.

Pure: frames in (as read from the store, EPSG:4326), frames out. A vintage is every distinct
``as_of`` of villages, coverage and services from the first village register on; each vintage
sees, per stream, the latest submission at or before it (the store's vintage rule).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from villagecov.compute import indicators as ind
from villagecov.compute import nodata, periods, supersede
from villagecov.compute import speeds as sp
from villagecov.compute.evidence import apply_upheld
from villagecov.compute.rasters import RasterLayer
from villagecov.compute.remoteness import remoteness
from villagecov.compute.supersede import ORDER
from villagecov.compute.unit_indicators import in_service, unit_indicators
from villagecov.compute.units import village_units
from villagecov.compute.unlocated import drop_unknown, place_unlocated, unknown_villages
from villagecov.compute.village_coverage import VintageInputs, compute_vintage
from villagecov.rules import at_or_before
from villagecov.schema import BOUNDARY_VERSIONS, METRIC_CRS, TABLES
from villagecov.settings import Settings
from villagecov.targets import Targets


@dataclass
class ComputeInputs:
    """Store tables (all vintages) plus optional population points and terrain."""

    villages: gpd.GeoDataFrame
    coverage: gpd.GeoDataFrame
    admin_units: gpd.GeoDataFrame
    crosswalk: pd.DataFrame
    places: gpd.GeoDataFrame | None = None
    measurements: gpd.GeoDataFrame | None = None
    services: pd.DataFrame | None = None
    sites: gpd.GeoDataFrame | None = None
    population: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # x, y (EPSG:32648), people
    terrain: RasterLayer | None = None
    rasters: Mapping[str, RasterLayer] = field(default_factory=dict)
    population_source: dict[str, str] | None = None  # the population grid used: file, sha256, path
    extents: Mapping[str, object] = field(default_factory=dict)  # submission_id -> extent (EPSG:4326)
    target_groups: pd.DataFrame | None = None  # group, level (village|commune), code, source, as_of
    targets: Targets | None = None  # official targets (data/targets/targets.csv); None: no targets
    challenges: pd.DataFrame | None = None  # upheld challenges (villagecov.challenges.upheld)


@dataclass
class ComputeResults:
    village_coverage: pd.DataFrame
    village_summary: pd.DataFrame
    indicators: pd.DataFrame
    vintages: list[str]
    periods: list[str] = field(default_factory=list)


def vintages(inputs: ComputeInputs) -> list[str]:
    """Distinct as_of dates of villages, coverage and services, oldest first, from the first date at
    which both a village register and some evidence (coverage or a survey) exist: a register dated
    before any evidence would make an all-zero baseline that measures nothing."""
    if inputs.villages.empty:
        return []
    dates: set[str] = set(inputs.villages["as_of"].dropna())
    evidence: set[str] = set()
    for frame in (inputs.coverage, inputs.services):
        if frame is not None and not frame.empty:
            evidence |= set(frame["as_of"].dropna())
    first = max(inputs.villages["as_of"].min(), min(evidence)) if evidence else inputs.villages["as_of"].min()
    return sorted(d for d in dates | evidence if d >= first)


def sites_known_at(sites: pd.DataFrame | None, date: str) -> pd.DataFrame | None:
    """Per site, its latest register at or before ``date`` or, when the site was first registered
    later, its earliest register: a register describes the site's history through
    ``in_service_from``/``in_service_to``, which ``site_counts`` then applies to ``date``."""
    if sites is None or sites.empty:
        return sites
    rank = sites[ORDER].fillna(-1) if ORDER in sites.columns else 0
    ordered = sites.assign(_rank=rank).sort_values(["site_id", "as_of", "_rank"], kind="stable").drop(columns="_rank")
    known = ordered[ordered["as_of"] <= date].groupby("site_id").tail(1)
    later = ordered[~ordered["site_id"].isin(known["site_id"])].groupby("site_id").head(1)
    return pd.concat([known, later]).sort_values("site_id", kind="stable").reset_index(drop=True)


def as_of(frame: pd.DataFrame | None, name: str, date: str) -> pd.DataFrame | None:
    """Rows of an input table in force at ``date`` (:mod:`villagecov.compute.supersede`)."""
    if frame is None:
        return None
    spec = TABLES[name]
    if not spec.vintage_key:  # not vintaged: every row dated at or before (villagecov.rules)
        return at_or_before(frame, date).reset_index(drop=True)
    if name == "villages":
        frame = supersede.corrected_registers(frame)
    return supersede.latest_per_key(frame, list(spec.vintage_key), date).reset_index(drop=True)


def _settlement_points(places: gpd.GeoDataFrame | None) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Settlement points of ``places`` (kind settlement/hamlet with population) as weighted points."""
    if places is None or places.empty:
        return None
    p = places[places["place_kind"].isin(["settlement", "hamlet", "village"]) & places["population"].notna()]
    if p.empty:
        return None
    g = p.geometry.to_crs(METRIC_CRS)
    return g.x.to_numpy(), g.y.to_numpy(), p["population"].to_numpy(dtype="float64")


def groups_at(groups: pd.DataFrame | None, date: str) -> pd.DataFrame | None:
    """Target-group lists in force at ``date``: per group, the latest list dated at or before it
    (a later list replaces the earlier one), else the earliest list (lists describe standing
    decisions, so a list dated after the first vintage still tells the groups of that vintage)."""
    if groups is None or groups.empty:
        return groups
    parts = []
    for _, g in groups.groupby("group", sort=True):
        dates = sorted(g["as_of"].astype(str).unique())
        pick = max((d for d in dates if d <= date), default=dates[0])
        parts.append(g[g["as_of"].astype(str) == pick])
    return pd.concat(parts, ignore_index=True)


def commune_centres(admin_units: gpd.GeoDataFrame, places: gpd.GeoDataFrame | None) -> pd.Series:
    """(boundary version, commune code) -> centre (EPSG:32648): the communes' representative
    points, replaced by a ``commune_centre`` place (its ``commune_code``) where one is stored."""
    c = admin_units[(admin_units["level"] == "commune") & admin_units.geometry.notna()].drop_duplicates(
        ["version", "code"])
    pts = c.geometry.to_crs(METRIC_CRS).representative_point()
    out = pd.Series(list(pts.values), index=pd.MultiIndex.from_arrays([c["version"], c["code"].astype(str)]),
                    dtype=object)
    if places is not None and len(places):
        p = places[(places["place_kind"] == "commune_centre") & places.geometry.notna()]
        if len(p):
            mp = p.geometry.to_crs(METRIC_CRS).to_numpy()
            for code, pt in zip(p["commune_code"].astype(str), mp, strict=True):
                for version in c.loc[c["code"].astype(str) == code, "version"]:
                    out[(version, code)] = pt
    return out


def _commune_district(admin_units: pd.DataFrame) -> pd.Series:
    """Commune code -> district code, over 2019 and 2025-01 (2025-07 has no districts)."""
    units = admin_units[admin_units["version"].isin(["2019", "2025-01"])]
    level = units.set_index(["version", "code"])["level"]
    communes = units[units["level"] == "commune"]
    is_district = [level.get((v, p)) == "district" for v, p in zip(communes["version"], communes["parent_code"], strict=True)]
    c = communes[is_district]
    return c.drop_duplicates("code").set_index("code")["parent_code"]


def compute_all_vintages(inputs: ComputeInputs, settings: Settings,
                         progress: Callable[[str], None] | None = None,
                         vintage: Callable[[VintageInputs, Settings], pd.DataFrame] = compute_vintage) -> ComputeResults:
    """Village coverage rows, village summaries and indicators for every reporting period (as of the
    latest input date inside it, :mod:`.periods`) and boundary version. ``vintage``: the village
    coverage of one vintage (another engine, e.g. Dask blocks: :mod:`villagecov.scale.blocks`)."""
    chosen = periods.by_period(vintages(inputs), settings.reporting_period)
    dates = [d for _, d in chosen]
    period_of = {d: p for p, d in chosen}
    population = inputs.population if inputs.population is not None else _settlement_points(inputs.places)
    seats = None
    if inputs.places is not None and not inputs.places.empty:
        seats = inputs.places[inputs.places["place_kind"] == "district_seat"]
    commune_district = _commune_district(inputs.admin_units)
    centres = commune_centres(inputs.admin_units, inputs.places)
    au = inputs.admin_units.drop_duplicates(["version", "code"])
    names = dict(zip(zip(au["version"], au["code"], strict=True), au["name"], strict=True))
    vc_frames, summaries, indicator_frames = [], [], []
    for date in dates:
        if progress:
            progress(date)
        villages = as_of(inputs.villages, "villages", date)
        villages, placed = place_unlocated(villages, inputs.admin_units)
        coverage = supersede.effective_coverage(inputs.coverage, inputs.extents, date)
        vin = VintageInputs(date, villages, coverage, inputs.measurements, population, inputs.rasters)
        vc = apply_upheld(vintage(vin, settings), inputs.challenges, date, dates)
        remote = remoteness(villages, seats, commune_district, settings, inputs.terrain, centres)
        services = as_of(inputs.services, "services", date)
        sites = sites_known_at(inputs.sites, date)
        vt = ind.village_table(villages, vc, remote, services, ind.site_counts(villages, sites, date), settings,
                               groups_at(inputs.target_groups, date))
        fixed = sp.fixed_broadband_villages(villages, inputs.measurements, date, settings)
        vt["fixed_broadband"] = vt["fixed_broadband"] | vt["village_id"].isin(fixed)  # Ookla fixed tiles
        unknown = unknown_villages(vt, placed, settings)
        if unknown:  # their status is not known: none rather than the commune's mix
            status_cols = [c for c in vt.columns if c.startswith("status_")] + ["pop_share_4g"]
            vt.loc[vt["village_id"].isin(unknown), status_cols] = None
        vc_frames.append(vc)
        summaries.append(_summary(vt, date))
        indicator_frames.append(_indicators(vt, villages, inputs, names, date, settings, (vc, services, sites, fixed),
                                                unknown, in_service(sites, date)))
    vc_all = pd.concat(vc_frames, ignore_index=True) if vc_frames else pd.DataFrame()
    summary = pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame()
    indicators = pd.concat(indicator_frames, ignore_index=True) if indicator_frames else pd.DataFrame(
        columns=["indicator", "level", "unit_code", "boundary_version", "as_of", "value"])
    if len(indicators):
        indicators = ind.add_progress(indicators, settings, inputs.targets)
        indicators["period"] = indicators["as_of"].map(period_of)
    return ComputeResults(vc_all, summary, indicators, dates, [p for p, _ in chosen])


def _summary(vt: pd.DataFrame, date: str) -> pd.DataFrame:
    out = vt[["village_id", "commune_code", "boundary_version", "population", "remote", "remote_reasons",
              "best_technology", "n_operators_4g", "no_signal", "status_2g", "status_3g", "status_4g", "status_5g",
              "pop_share_4g"]].copy()
    out.insert(1, "as_of", date)
    return out


def _dl_rows(villages: gpd.GeoDataFrame, measurements: gpd.GeoDataFrame | None, date: str,
             settings: Settings) -> pd.DataFrame:
    return sp.speed_rows(villages, measurements, date, settings)


def _indicators(vt: pd.DataFrame, villages: gpd.GeoDataFrame, inputs: ComputeInputs, names: dict,
                date: str, settings: Settings, present: tuple, unknown: set[str] | None = None,
                sites: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    long = drop_unknown(ind.village_indicators(vt, settings), unknown or set())
    breakdown = long["indicator"].str.contains(":", regex=False)
    dl = _dl_rows(villages, inputs.measurements, date, settings)
    have = nodata.available(present[0], present[1], present[2], dl)
    if len(present[3]):  # Ookla fixed tiles tell fixed broadband too
        have.add("services:fixed_broadband")
    own_version = vt.set_index("village_id")["boundary_version"].fillna("2019")
    village_rows = long[~breakdown].assign(level="village", unit_code=long["village_id"])
    village_rows["value"] = ind.value_of(village_rows["indicator"], village_rows["numerator"], village_rows["denominator"])
    village_names = villages.assign(village_id=villages["village_id"].astype(str)).set_index("village_id")["name"]
    med_all = ind.median_dl(dl, pd.DataFrame(columns=["village_id", "level", "unit_code", "weight"]))
    village_rows = pd.concat([village_rows.drop(columns="village_id"), med_all], ignore_index=True)
    village_rows["boundary_version"] = village_rows["unit_code"].map(own_version)
    village_rows["unit_name"] = village_rows["unit_code"].map(village_names)
    frames = [village_rows]
    for version in BOUNDARY_VERSIONS:
        if not (inputs.admin_units["version"] == version).any():
            continue
        units = village_units(villages, inputs.admin_units, inputs.crosswalk, version)
        agg = ind.aggregate(long, units)
        med = ind.median_dl(dl, units)
        people = units.merge(vt[["village_id", "population"]], on="village_id")
        people = people.assign(population=people["population"] * people["weight"]).groupby(
            ["level", "unit_code"], as_index=False)["population"].sum()
        per_unit = unit_indicators(sites, inputs.admin_units, version, people, settings.tower_group_m)
        agg = pd.concat([agg, med[med["level"] != "village"], per_unit], ignore_index=True)
        agg["boundary_version"] = version
        agg["unit_name"] = [names.get((version, c)) for c in agg["unit_code"]]
        frames.append(agg)
    out = pd.concat(frames, ignore_index=True)
    out = pd.concat([out, nodata.missing_rows(out, [i for i in ind.INDICATORS if i in nodata.NEEDS])], ignore_index=True)
    out["as_of"] = date
    for col in ("value", "numerator", "denominator"):
        out[col] = pd.to_numeric(out[col]).astype("float64")
    out = nodata.mark(out, have, date)
    cols = ["indicator", "level", "unit_code", "unit_name", "boundary_version", "as_of", "value", "numerator",
            "denominator", "status", "reason"]
    return out[cols]
