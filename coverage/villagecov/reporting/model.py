"""The annual report as data: cover, sources, one table per task, target groups, commune annex,
trajectories. Pure: frames in (as read from the store), a :class:`Report` out; the writers
(:mod:`.xlsx`, :mod:`.pdf`, :mod:`.csvout`) only lay it out.

Values come unchanged from the ``indicators`` table of the run; the baseline of a row is the
value at the earliest period that has data for its series (labelled with that period), the target
the one in force in the report's year from :mod:`villagecov.targets` (or "no official target"),
the trajectory the straight line from the baseline to the target, and the status on track /
behind / achieved against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from villagecov.boundary_reforms import check_level
from villagecov.catalogue import CATALOGUE, GROUPS, HEADLINE, lookup, order_key, split_id
from villagecov.errors import NotFound
from villagecov.reporting.names import ReportNames, label
from villagecov.targets import NO_TARGET, STATUS_LABELS, Targets, expected, status

ANNEX = ("t8.villages_4g_share", "t8.population_at_least_4g_share", "t8.villages_no_signal", "t8.communes_post_share",
         "t9.villages_internet_share", "t9.villages_radio_share", "t9.villages_all_services_share")


@dataclass
class Row:
    indicator: str
    name: str
    unit: str
    kind: str
    value: float
    numerator: float
    denominator: float
    baseline: float
    baseline_period: str | None
    target: float
    target_year: int | None
    target_source: str
    trajectory: float
    status: str
    status_label: str


@dataclass
class UnitTables:
    level: str
    unit_code: str
    unit_name: str
    tasks: dict[str, list[Row]]  # "8" / "9" -> rows
    groups: list[Row]


@dataclass
class Source:
    kind: str
    name: str
    first: str | None
    last: str | None
    rows: int
    synthetic: bool


@dataclass
class Report:
    names: ReportNames
    lang: str
    period: str
    as_of: str
    level: str
    boundaries: str
    province: str
    run_id: str
    run_finished: str | None
    units: list[UnitTables]
    annex: pd.DataFrame
    sources: list[Source]
    series: pd.DataFrame  # indicator, unit_code, as_of, value, trajectory: the charts' data
    synthetic: bool
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.names.title(self.period, self.province, self.lang)

    def t(self, key: str) -> str:
        return label(key, self.lang)


def pick_vintage(dates: list[str], period: str) -> str:
    """The latest computed vintage of the period: within the year for a year (``2024``), at or
    before the date for a date (``2024-06-30``). A year without a vintage has no report (the
    figures of an earlier year are not passed off as this year's)."""
    ordered = sorted(dates)
    if len(period) == 4:
        inside = [d for d in ordered if d[:4] == period]
    else:
        inside = [d for d in ordered if d <= period]
    if not inside:
        span = f"{ordered[0]} … {ordered[-1]}" if ordered else "none"
        raise NotFound(f"no indicators for period {period}: the computed vintages are {span}")
    return inside[-1]


def _row(rec: dict, series: pd.DataFrame, targets: Targets, year: int, lang: str) -> Row:
    d = lookup(str(rec["indicator"]))
    assert d is not None
    has = series[series["value"].notna()].sort_values("as_of")
    baseline_period = str(has["as_of"].iloc[0]) if len(has) else None
    baseline = float(has["value"].iloc[0]) if len(has) else math.nan
    value = float(rec["value"]) if pd.notna(rec["value"]) else math.nan
    b_year = int(baseline_period[:4]) if baseline_period else year
    t = targets.for_year(d.id, year)
    stated = targets.stated(d.id)
    if t is not None:
        source, target, t_year = t.citation, float(t.value), t.year  # type: ignore[arg-type]
    else:
        source, target, t_year = (stated.citation if stated else "") or "", math.nan, None
        source = f"{label('no_target', lang)}" + (f" ({source})" if source else "")
    trajectory = expected(targets, d.id, baseline, b_year, year)
    st = status(targets, d.id, value, baseline, b_year, year)
    return Row(d.id, d.name(lang), d.unit(lang), d.kind, value, _f(rec.get("numerator")), _f(rec.get("denominator")),
               baseline, baseline_period, target, t_year, source, trajectory, st, STATUS_LABELS[st][0 if lang == "vi"
                                                                                                    else 1])


def _f(v: object) -> float:
    return float(v) if v is not None and pd.notna(v) else math.nan  # type: ignore[arg-type]


def unit_tables(ind: pd.DataFrame, level: str, code: str, name: str, as_of: str, targets: Targets,
                lang: str) -> UnitTables:
    """The task tables and the target-group table of one unit at ``as_of``."""
    mine = ind[(ind["level"] == level) & (ind["unit_code"] == code)]
    history = mine[mine["as_of"] <= as_of]
    now = mine[mine["as_of"] == as_of].set_index("indicator")
    year = int(as_of[:4])
    tasks: dict[str, list[Row]] = {"8": [], "9": []}
    groups: list[Row] = []
    for indicator in sorted(now.index, key=order_key):
        base, group = split_id(indicator)
        if base not in CATALOGUE:
            continue
        rec = now.loc[indicator]
        rec = (rec.iloc[0] if isinstance(rec, pd.DataFrame) else rec).to_dict() | {"indicator": indicator}
        row = _row(rec, history[history["indicator"] == indicator], targets, year, lang)
        if group is None:
            tasks[CATALOGUE[base].task].append(row)
        elif group in GROUPS:
            groups.append(row)
    return UnitTables(level, code, name, tasks, groups)


def annex_table(ind: pd.DataFrame, as_of: str, lang: str) -> pd.DataFrame:
    """One row per commune: code, name and the value of the :data:`ANNEX` indicators."""
    c = ind[(ind["level"] == "commune") & (ind["as_of"] == as_of) & ind["indicator"].isin(ANNEX)]
    if c.empty:
        return pd.DataFrame(columns=["unit_code", "unit_name", *ANNEX])
    wide = c.pivot_table(index=["unit_code", "unit_name"], columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(columns=[i for i in ANNEX if i in wide.columns]).reset_index()
    return wide.sort_values("unit_code", kind="stable").reset_index(drop=True)


def chart_series(ind: pd.DataFrame, level: str, code: str, as_of: str, targets: Targets) -> pd.DataFrame:
    """Headline indicators of one unit over the vintages up to ``as_of``, with the trajectory."""
    rows = []
    mine = ind[(ind["level"] == level) & (ind["unit_code"] == code) & (ind["as_of"] <= as_of)
               & ind["indicator"].isin(HEADLINE)]
    for indicator, s in mine.groupby("indicator", sort=False):
        s = s.sort_values("as_of")
        has = s[s["value"].notna()]
        if has.empty:
            continue
        b, b_year = float(has["value"].iloc[0]), int(str(has["as_of"].iloc[0])[:4])
        for r in s.itertuples(index=False):
            rows.append({"indicator": indicator, "unit_code": code, "as_of": r.as_of, "value": r.value,
                         "trajectory": expected(targets, str(indicator), b, b_year, int(str(r.as_of)[:4]))})
    return pd.DataFrame(rows, columns=["indicator", "unit_code", "as_of", "value", "trajectory"])


def build_report(indicators: pd.DataFrame, *, period: str, level: str, boundaries: str, targets: Targets,
                 names: ReportNames, run_id: str, run_finished: str | None, sources: list[Source],
                 province: str, lang: str = "vi", unit: str | None = None) -> Report:
    """The report of ``period`` at ``level`` (``province``: the province with a commune annex;
    ``commune``: every commune, or ``unit``) on the ``boundaries`` version."""
    check_level(level, boundaries)
    ind = indicators[indicators["boundary_version"] == boundaries]
    if ind.empty:
        raise NotFound(f"no indicators on the {boundaries} boundaries in run {run_id}")
    as_of = pick_vintage(sorted(ind["as_of"].unique()), period)
    units = ind[(ind["level"] == level) & (ind["as_of"] == as_of)][["unit_code", "unit_name"]].drop_duplicates()
    units = units.sort_values("unit_code", kind="stable")
    if unit is not None:
        units = units[units["unit_code"] == unit]
        if units.empty:
            raise NotFound(f"no {level} {unit!r} on the {boundaries} boundaries")
    tables = [unit_tables(ind, level, str(u.unit_code), str(u.unit_name or u.unit_code), as_of, targets, lang)
              for u in units.itertuples(index=False)]
    annex = annex_table(ind, as_of, lang) if level == "province" else pd.DataFrame()
    series = pd.concat([chart_series(ind, level, t.unit_code, as_of, targets) for t in tables[:1]] or [pd.DataFrame()],
                       ignore_index=True)
    synthetic = any(s.synthetic for s in sources)
    return Report(names, lang, period, as_of, level, boundaries, province, run_id, run_finished, tables, annex,
                  sources, series, synthetic)


def no_target_text(lang: str) -> str:
    return label("no_target", lang) if lang == "vi" else NO_TARGET
