"""The thin loader of the analysis: one read of the store per table, then pure functions.

Frames are as the store returns them (EPSG:4326, dates as ISO strings). Only the vintage the
analyst asks for is kept of the per-vintage tables; the ``indicators`` table is kept whole
(every level, boundary version and vintage) because progress needs the series.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from villagecov.errors import NotFound
from villagecov.storage import open_store


@dataclass(frozen=True)
class AnalysisData:
    """What the notebooks analyse. ``as_of`` is the computed vintage used (latest at or before
    the requested date); ``vintages`` are all computed vintages, oldest first."""

    store_url: str
    as_of: str
    boundary_version: str
    vintages: list[str]
    admin_units: gpd.GeoDataFrame
    crosswalk: pd.DataFrame
    indicators: pd.DataFrame
    villages: gpd.GeoDataFrame
    village_summary: pd.DataFrame
    village_coverage: pd.DataFrame
    submissions: pd.DataFrame

    @property
    def synthetic(self) -> bool:
        """True when any village of the vintage is flagged SYNTHETIC (the demo data)."""
        flags = self.villages["synthetic"] if "synthetic" in self.villages.columns else pd.Series([], dtype=bool)
        return bool(flags.fillna(False).astype(bool).any())

    def units(self, level: str, version: str | None = None) -> gpd.GeoDataFrame:
        """Administrative units of ``level`` ("province", "district", "commune") of a boundary version."""
        v = version or self.boundary_version
        au = self.admin_units
        return au[(au["level"] == level) & (au["version"] == v)].reset_index(drop=True)


def vintage_at(vintages: list[str], as_of: str | None) -> str:
    """The latest vintage at or before ``as_of`` (the latest of all when ``as_of`` is None)."""
    if not vintages:
        raise NotFound("no computed vintages in the store: run `villagecov compute` first")
    if as_of is None:
        return max(vintages)
    earlier = [v for v in vintages if v <= as_of]
    if not earlier:
        raise NotFound(f"no computed vintage at or before {as_of}; first is {min(vintages)}")
    return max(earlier)


def load(store_url: str, as_of: str | None = None, boundary_version: str = "2019") -> AnalysisData:
    """Read what the analysis needs from the store at ``store_url`` (GeoPackage path or PostGIS URL)."""
    store = open_store(store_url)
    try:
        indicators = store.read("indicators")
        vintages = sorted({str(v) for v in indicators["as_of"].dropna()})
        vintage = vintage_at(vintages, as_of)
        admin_units = store.read("admin_units")
        if not (admin_units["version"] == boundary_version).any():
            raise NotFound(f"no boundaries of version {boundary_version!r} in the store")
        return AnalysisData(
            store_url=store_url,
            as_of=vintage,
            boundary_version=boundary_version,
            vintages=vintages,
            admin_units=admin_units,
            crosswalk=store.read("crosswalk"),
            indicators=indicators,
            villages=store.read("villages", as_of=vintage),
            village_summary=store.read("village_summary", where={"as_of": vintage}),
            village_coverage=store.read("village_coverage", where={"as_of": vintage}),
            submissions=store.read("submissions"),
        )
    finally:
        store.close()


QUARANTINE_COLUMNS = ["sha256", "kind", "filename", "layer", "row", "field", "value", "reason"]


def read_quarantine_reports(submissions: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rejected rows of every submission that has a quarantine report, and the reports that are
    missing on disk (e.g. an archive moved away). Columns: :data:`QUARANTINE_COLUMNS`."""
    frames: list[pd.DataFrame] = []
    missing: list[str] = []
    with_report = submissions[submissions["quarantine_path"].notna()]
    for rec in with_report.itertuples(index=False):
        path = Path(str(rec.quarantine_path))
        if not path.is_file():
            missing.append(str(path))
            continue
        rows = pd.read_csv(path, dtype={"layer": "object", "field": "object", "value": "object", "reason": "object"},
                           keep_default_na=False, na_values=[""], encoding="utf-8")
        rows = rows.assign(sha256=rec.sha256, kind=rec.kind, filename=rec.filename)
        frames.append(rows.reindex(columns=QUARANTINE_COLUMNS))
    if not frames:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS), missing
    return pd.concat(frames, ignore_index=True), missing
