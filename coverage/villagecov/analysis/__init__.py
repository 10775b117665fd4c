"""Analysis for the Department's analysts: progress, annual report, gaps, evidence quality.

Pure functions on frames read from the store by :func:`load` (the only I/O besides writing
tables and reading quarantine reports). The notebooks in ``notebooks/`` call only these.
"""

from __future__ import annotations

from villagecov.analysis import change, charts, figures, figures_plan, sensitivity, siteplan
from villagecov.analysis.context import caption, header, or_why, thresholds_note
from villagecov.analysis.evidence import (
    agreement,
    contradicted_villages,
    declared_vs_measured,
    quarantine_by_reason,
    submissions_overview,
)
from villagecov.analysis.export import export_name, export_table, for_officials, heading
from villagecov.analysis.findings import (
    evidence_findings,
    findings_markdown,
    findings_table,
    gap_findings,
    progress_findings,
)
from villagecov.analysis.findings_more import change_findings, plan_findings, sensitivity_findings
from villagecov.analysis.fmt import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_pp, fmt_vnd
from villagecov.analysis.gaps import (
    PriorityWeights,
    gap_summary,
    in_boundaries,
    name_communes,
    rank_gaps,
    shortlist,
    unit_gaps,
    village_gaps,
    village_status,
)
from villagecov.analysis.labels import indicator_label, indicator_unit, is_share
from villagecov.analysis.loader import AnalysisData, load, read_quarantine_reports, vintage_at
from villagecov.analysis.operators import (
    operator_coverage,
    single_operator_villages,
    testing_reach,
    village_intervals,
    wilson,
    with_intervals,
)
from villagecov.analysis.params import check_boundary_version, choose_period, parse_as_of
from villagecov.analysis.people import people_without_4g, reconcile_people, village_people
from villagecov.analysis.progress import (
    at_vintage,
    furthest_behind,
    lineage,
    progress_long,
    progress_table,
    progress_wide,
)
from villagecov.analysis.report import REPORT_COLUMNS, annual_report_table, with_headings, write_table
from villagecov.compute.indicators import HEADLINE  # the province headline indicators
from villagecov.compute.people import people_without  # the one definition of people without coverage

__all__ = [
    "sensitivity_findings",
    "plan_findings",
    "change_findings",
    "siteplan",
    "sensitivity",
    "figures_plan",
    "change",
    "with_intervals",
    "wilson",
    "village_intervals",
    "testing_reach",
    "single_operator_villages",
    "operator_coverage",
    "evidence_findings",
    "AnalysisData",
    "HEADLINE",
    "PriorityWeights",
    "REPORT_COLUMNS",
    "agreement",
    "annual_report_table",
    "at_vintage",
    "caption",
    "charts",
    "check_boundary_version",
    "choose_period",
    "contradicted_villages",
    "declared_vs_measured",
    "export_name",
    "export_table",
    "figures",
    "findings_markdown",
    "findings_table",
    "fmt_date",
    "fmt_int",
    "fmt_num",
    "fmt_pct",
    "fmt_pp",
    "fmt_vnd",
    "for_officials",
    "furthest_behind",
    "gap_findings",
    "gap_summary",
    "header",
    "heading",
    "in_boundaries",
    "indicator_label",
    "indicator_unit",
    "is_share",
    "lineage",
    "load",
    "name_communes",
    "or_why",
    "parse_as_of",
    "people_without",
    "people_without_4g",
    "progress_findings",
    "progress_long",
    "progress_table",
    "progress_wide",
    "quarantine_by_reason",
    "rank_gaps",
    "read_quarantine_reports",
    "reconcile_people",
    "shortlist",
    "submissions_overview",
    "thresholds_note",
    "unit_gaps",
    "village_gaps",
    "village_people",
    "village_status",
    "vintage_at",
    "with_headings",
    "write_table",
]
