"""Analysis for the Department's analysts: progress, annual report, gaps, evidence quality.

Pure functions on frames read from the store by :func:`load` (the only I/O besides writing
tables and reading quarantine reports). The notebooks in ``notebooks/`` call only these.
"""

from __future__ import annotations

from villagecov.analysis.evidence import (
    agreement,
    contradicted_villages,
    declared_vs_measured,
    quarantine_by_reason,
    submissions_overview,
)
from villagecov.analysis.gaps import (
    PriorityWeights,
    gap_summary,
    name_communes,
    rank_gaps,
    shortlist,
    unit_gaps,
    village_gaps,
    village_status,
)
from villagecov.analysis.labels import indicator_label, indicator_unit, is_share
from villagecov.analysis.loader import AnalysisData, load, read_quarantine_reports, vintage_at
from villagecov.analysis.progress import (
    at_vintage,
    furthest_behind,
    lineage,
    progress_long,
    progress_wide,
)
from villagecov.analysis.report import REPORT_COLUMNS, annual_report_table, with_headings, write_table
from villagecov.compute.indicators import HEADLINE  # the province headline indicators

__all__ = [
    "HEADLINE",
    "REPORT_COLUMNS",
    "AnalysisData",
    "PriorityWeights",
    "agreement",
    "annual_report_table",
    "at_vintage",
    "contradicted_villages",
    "declared_vs_measured",
    "furthest_behind",
    "gap_summary",
    "indicator_label",
    "indicator_unit",
    "is_share",
    "lineage",
    "load",
    "name_communes",
    "progress_long",
    "progress_wide",
    "quarantine_by_reason",
    "rank_gaps",
    "read_quarantine_reports",
    "shortlist",
    "submissions_overview",
    "unit_gaps",
    "village_gaps",
    "village_status",
    "vintage_at",
    "with_headings",
    "write_table",
]
