"""The report's tables as plain frames with headed columns: what the XLSX, CSV and PDF writers lay
out. Shares in per cent (one decimal), other values as the catalogue's unit says."""

from __future__ import annotations

import math

import pandas as pd

from villagecov.catalogue import lookup
from villagecov.reporting.model import Report, Row, Source
from villagecov.reporting.names import label

ROW_FIELDS = ("indicator", "name", "unit", "value", "numerator", "denominator", "baseline", "baseline_period",
              "target", "target_year", "target_source", "trajectory", "status")


def shown(indicator: str, value: float, decimals: int = 1) -> float | None:
    """Value as the report shows it: shares in per cent; None when missing."""
    if value is None or not math.isfinite(value):
        return None
    d = lookup(indicator)
    v = value * 100.0 if d is not None and d.kind == "share" else value
    return round(v, decimals if d is None or d.kind != "count" else 0)


def text(v: object, lang: str) -> str:
    """A cell as text: numbers with the language's separators, missing as an en dash."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, float | int) and not isinstance(v, bool):
        s = f"{v:,.1f}" if isinstance(v, float) and not float(v).is_integer() else f"{int(v):,}"
        return s.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "vi" else s
    return str(v)


def rows_frame(rows: list[Row], lang: str) -> pd.DataFrame:
    """Task or group rows with the report's headings (value, baseline, target, trajectory shown)."""
    recs = []
    for r in rows:
        recs.append({
            "indicator": r.indicator, "name": r.name, "unit": r.unit, "value": shown(r.indicator, r.value),
            "numerator": None if not math.isfinite(r.numerator) else round(r.numerator, 2),
            "denominator": None if not math.isfinite(r.denominator) else round(r.denominator, 2),
            "baseline": shown(r.indicator, r.baseline), "baseline_period": r.baseline_period,
            "target": shown(r.indicator, r.target), "target_year": r.target_year, "target_source": r.target_source,
            "trajectory": shown(r.indicator, r.trajectory), "status": r.status_label,
        })
    frame = pd.DataFrame(recs, columns=list(ROW_FIELDS))
    return frame.rename(columns={c: label(c, lang) if c != "name" else label("indicator", lang) for c in ROW_FIELDS}
                        | {"indicator": label("code", lang)})


def sources_frame(sources: list[Source], lang: str) -> pd.DataFrame:
    recs = [{label("kind", lang): s.kind, label("name", lang): s.name, label("first", lang): s.first,
             label("last", lang): s.last, label("rows", lang): s.rows,
             label("synthetic", lang): ("SYNTHETIC" if s.synthetic else label("no", lang))} for s in sources]
    return pd.DataFrame(recs)


def annex_frame(report: Report) -> pd.DataFrame:
    a = report.annex
    if a.empty:
        return a
    out = pd.DataFrame({label("code", report.lang): a["unit_code"], label("commune", report.lang): a["unit_name"]})
    for col in a.columns[2:]:
        d = lookup(str(col))
        head = f"{d.name(report.lang)} ({d.unit(report.lang)})" if d else str(col)
        out[head] = [shown(str(col), float(v)) if pd.notna(v) else None for v in a[col]]
    return out


def cover_lines(report: Report) -> list[tuple[str, str]]:
    lang = report.lang
    lines = [
        (label("body", lang), report.names.reporting_body(lang)),
        (label("period", lang), report.period),
        (label("as_of", lang), report.as_of),
        (label("level", lang), label(report.level, lang)),
        (label("boundaries", lang), report.boundaries),
        (label("recipients", lang), "; ".join(report.names.recipients)),
        (label("media_recipients", lang), "; ".join(report.names.media_recipients)),
        (label("run", lang), f"{report.run_id}" + (f" ({report.run_finished} UTC)" if report.run_finished else "")),
    ]
    if report.synthetic:
        lines.insert(0, ("SYNTHETIC", label("synthetic_banner", lang)))
    return lines


def long_frame(report: Report) -> pd.DataFrame:
    """Every row of every unit's tables in one long frame (the CSV): section, unit, then the row."""
    parts = []
    for u in report.units:
        for section, rows in (("task8", u.tasks["8"]), ("task9", u.tasks["9"]), ("groups", u.groups)):
            if not rows:
                continue
            f = pd.DataFrame([{k: getattr(r, k) if k != "status" else r.status for k in ROW_FIELDS} for r in rows])
            for col in ("value", "baseline", "target", "trajectory"):
                f[col] = [shown(i, v) for i, v in zip(f["indicator"], f[col], strict=True)]
            f.insert(0, "unit_name", u.unit_name)
            f.insert(0, "unit_code", u.unit_code)
            f.insert(0, "level", u.level)
            f.insert(0, "section", section)
            parts.append(f)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["section", "level", "unit_code"])
    out.insert(0, "as_of", report.as_of)
    out.insert(0, "period", report.period)
    out["run_id"] = report.run_id
    out["synthetic"] = report.synthetic
    return out
