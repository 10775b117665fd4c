"""The data a map is built from: canonical frames of the store, already read (no I/O here).

Geometry in EPSG:4326; dates are ISO strings ``YYYY-MM-DD``. Columns follow
``villagecov.schema.TABLES``; missing optional frames may be empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import geopandas as gpd
import pandas as pd

from villagecov.frames import normalize
from villagecov.rules import latest_per_key
from villagecov.schema import LATEST, TABLES


def empty(name: str) -> pd.DataFrame:
    """An empty canonical frame of table ``name``."""
    return normalize(pd.DataFrame(), TABLES[name])


@dataclass(frozen=True)
class MapInputs:
    """Everything the builders read. ``communes``/``districts`` are of ``boundary_version``."""

    province: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    boundary_version: str = "2019"
    districts: gpd.GeoDataFrame | None = None
    village_coverage: pd.DataFrame = field(default_factory=lambda: empty("village_coverage"))
    # the engine's effective status per village and vintage (what the indicators and the API count);
    # empty: the builders fall back on the village_coverage rows (inputs made without a compute run)
    village_summary: pd.DataFrame = field(default_factory=lambda: empty("village_summary"))
    sites: gpd.GeoDataFrame = field(default_factory=lambda: empty("sites"))
    coverage: pd.DataFrame = field(default_factory=lambda: empty("coverage"))
    services: pd.DataFrame = field(default_factory=lambda: empty("services"))
    indicators: pd.DataFrame = field(default_factory=lambda: empty("indicators"))
    plans: pd.DataFrame = field(default_factory=lambda: empty("plans"))  # `villagecov plan` runs (maps/plan.py)
    plan_villages: pd.DataFrame = field(default_factory=lambda: empty("plan_villages"))  # of the latest plan

    @property
    def synthetic(self) -> bool:
        """True when any village, site, coverage or service row is flagged SYNTHETIC."""
        for frame in (self.villages, self.sites, self.coverage, self.services):
            if frame is not None and "synthetic" in frame.columns and frame["synthetic"].fillna(False).astype(bool).any():
                return True
        return False

    @property
    def commune_names(self) -> dict[str, str]:
        return {str(c): str(n) for c, n in zip(self.communes["code"], self.communes["name"], strict=True)}

    @property
    def vintages(self) -> list[str]:
        """``as_of`` dates of the computed village coverage, oldest first."""
        vc = self.village_coverage
        return sorted({str(v) for v in vc["as_of"].dropna()}) if vc is not None and len(vc) else []

    @property
    def latest_coverage(self) -> pd.DataFrame:
        """``village_coverage`` at its latest vintage (per village × operator × technology × evidence)."""
        return as_of_rows(self.village_coverage, LATEST, ["village_id", "operator", "technology", "evidence"])

    @property
    def latest_services(self) -> pd.DataFrame:
        """``services`` at their latest vintage (per village × service)."""
        return as_of_rows(self.services, LATEST, ["village_id", "service"])

    def for_unit(self, level: str, code: str) -> MapInputs:
        """The same inputs restricted to one district or commune (villages, sites, indicators, the
        villages a plan covers; the plans themselves stay province-wide)."""
        if level == "district":
            communes = self.communes[self.communes["parent_code"].astype(str) == code]
        else:
            communes = self.communes[self.communes["code"].astype(str) == code]
        codes = set(communes["code"].astype(str))
        villages = self.villages[self.villages["commune_code"].astype(str).isin(codes)]
        ids = set(villages["village_id"].astype(str))
        unit_shape = communes.union_all() if len(communes) else None
        sites = self.sites
        if unit_shape is not None and len(sites):
            sites = sites[sites.geometry.intersects(unit_shape)]
        ind = self.indicators
        if len(ind):
            ind = ind[(ind["unit_code"].astype(str) == code) & (ind["level"] == level)]
            if "boundary_version" in ind.columns:
                ind = ind[ind["boundary_version"].astype(str) == self.boundary_version]
        return replace(
            self,
            communes=communes,
            villages=villages,
            sites=sites,
            village_coverage=self.village_coverage[self.village_coverage["village_id"].astype(str).isin(ids)],
            village_summary=self.village_summary[self.village_summary["village_id"].astype(str).isin(ids)],
            services=self.services[self.services["village_id"].astype(str).isin(ids)],
            indicators=ind,
            plan_villages=self.plan_villages[self.plan_villages["village_id"].astype(str).isin(ids)],
        )


def as_of_rows(frame: pd.DataFrame, date: str, keys: list[str]) -> pd.DataFrame:
    """Per ``keys``, the rows of the latest ``as_of`` at or before ``date`` (the vintage rule)."""
    return latest_per_key(frame, keys, date)


def sites_in_service(sites: gpd.GeoDataFrame, date: str | None) -> gpd.GeoDataFrame:
    """Sites in service on ``date`` (all sites without an end when ``date`` is None)."""
    if sites is None or sites.empty:
        return sites
    start = sites["in_service_from"].astype("object")
    end = sites["in_service_to"].astype("object")
    if date is None:
        return sites[end.isna()]
    ok = (start.isna() | (start.astype(str) <= date)) & (end.isna() | (end.astype(str) > date))
    return sites[ok.values]
