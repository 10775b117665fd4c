"""The thin loader of the analysis: one read of the store per table, then pure functions.

Frames are as the store returns them (EPSG:4326, dates as ISO strings). The parameters are
checked first (:mod:`villagecov.analysis.params`): ``AS_OF`` parsed as a date and matched to a
period of the store, the boundary version one the store has. Only the period the analyst asks
for is kept of the per-period tables (and the period before it, for change attribution); the
``indicators`` table keeps every level and boundary version but only the periods up to the one
analysed, so that nothing after ``AS_OF`` is plotted or exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from villagecov.analysis.params import PeriodChoice, check_boundary_version, choose_period
from villagecov.storage import open_store


@dataclass(frozen=True)
class AnalysisData:
    """What the notebooks analyse. ``as_of`` is the period used (see ``choice``); ``vintages`` are
    the store's periods up to it, oldest first (``all_periods``: every period of the store)."""

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
    choice: PeriodChoice | None = None
    all_periods: tuple[str, ...] = ()
    previous_summary: pd.DataFrame | None = None  # village_summary of the period before, if any
    sites: pd.DataFrame | None = None
    plans: pd.DataFrame | None = None

    @property
    def previous(self) -> str | None:
        """The period before the one analysed (None when it is the first)."""
        return self.vintages[-2] if len(self.vintages) > 1 else None

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
    """The store period for ``as_of`` (parsed as a date; see :func:`~villagecov.analysis.params.choose_period`)."""
    return choose_period(as_of, vintages).period


def load(store_url: str, as_of: str | None = None, boundary_version: str = "2019",
) -> AnalysisData:
    """Read what the analysis needs from the store at ``store_url`` (GeoPackage path or PostGIS URL).

    ``as_of``: text as typed by the analyst (``""``/None = the latest period); errors (one line,
    listing the store's periods or boundary versions) are raised before any table is read in full."""
    store = open_store(store_url)
    try:
        indicators = store.read("indicators")
        periods = sorted({str(v)[:10] for v in indicators["as_of"].dropna()})
        choice = choose_period(as_of, periods)
        admin_units = store.read("admin_units")
        version = check_boundary_version(boundary_version, admin_units["version"].dropna().unique())
        vintage = choice.period
        upto = [p for p in periods if p <= vintage]
        previous = upto[-2] if len(upto) > 1 else None
        return AnalysisData(
            store_url=store_url,
            as_of=vintage,
            boundary_version=version,
            vintages=upto,
            admin_units=admin_units,
            crosswalk=store.read("crosswalk"),
            indicators=indicators[indicators["as_of"].astype(str).str[:10] <= vintage].reset_index(drop=True),
            villages=store.read("villages", as_of=vintage),
            village_summary=store.read("village_summary", where={"as_of": vintage}),
            village_coverage=store.read("village_coverage", where={"as_of": vintage}),
            submissions=store.read("submissions"),
            choice=choice,
            all_periods=tuple(periods),
            previous_summary=store.read("village_summary", where={"as_of": previous}) if previous else None,
            sites=store.read("sites"),
            plans=store.read("plans"),
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
