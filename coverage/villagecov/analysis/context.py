"""What every notebook states up front (period, boundaries, the thresholds in force, SYNTHETIC),
and what an empty section says instead of an empty table."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from villagecov.analysis.fmt import fmt_date, fmt_num, fmt_pct
from villagecov.analysis.loader import AnalysisData
from villagecov.settings import Settings


@dataclass(frozen=True)
class Note:
    """Markdown text that Jupyter renders (``_repr_markdown_``) — no IPython import needed here."""

    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def _vi(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def thresholds_note(settings: Settings, lang: str = "vi") -> str:
    """The rules in force: covered/partial shares, signal thresholds, the contradiction rule."""
    dbm = ", ".join(f"{t} {fmt_num(settings.threshold_dbm(t), 0, lang)} dBm" for t in ("2G", "3G", "4G", "5G"))
    return _vi(
        lang,
        f"**Ngưỡng áp dụng:** thôn *được phủ sóng* khi ≥ {fmt_pct(settings.covered_share, 0, lang)} dân số trong "
        f"vùng phủ, *phủ một phần* khi ≥ {fmt_pct(settings.partial_share, 0, lang)}; ngưỡng tín hiệu ngoài trời: {dbm}; "
        f"vùng phủ công bố bị *bác bỏ* khi có ≥ {settings.contradiction_min_tests} lần đo trong vùng công bố và "
        f"≥ {fmt_pct(settings.contradiction_fail_share, 0, lang)} số lần đo không đạt ngưỡng.",
        f"**Thresholds in force:** a village is *covered* when ≥ {fmt_pct(settings.covered_share, 0, lang)} of its "
        f"people are inside coverage, *partial* when ≥ {fmt_pct(settings.partial_share, 0, lang)}; outdoor signal "
        f"thresholds: {dbm}; declared coverage is *contradicted* when ≥ {settings.contradiction_min_tests} tests fall "
        f"inside it and ≥ {fmt_pct(settings.contradiction_fail_share, 0, lang)} of them miss the threshold.",
    )


def header(data: AnalysisData, settings: Settings, lang: str = "vi") -> Note:
    """SYNTHETIC banner, the period analysed and why, the boundary version, the thresholds."""
    lines = []
    if data.synthetic:
        lines.append("> ⚠️ **SYNTHETIC** — dữ liệu giả lập, không phải số liệu thật của Quảng Bình / "
                     "synthetic demo data, not real figures.")
    chosen = data.choice.describe(lang) if data.choice else data.as_of
    periods = ", ".join(fmt_date(p, lang) for p in data.all_periods or data.vintages)
    lines.append(_vi(lang, f"**Kỳ phân tích:** {chosen}. Các kỳ trong kho: {periods}. **Ranh giới:** {data.boundary_version}.",
                     f"**Period analysed:** {chosen}. Periods in the store: {periods}. "
                     f"**Boundaries:** {data.boundary_version}."))
    lines.append(thresholds_note(settings, lang))
    return Note("\n\n".join(lines))


def or_why(frame: pd.DataFrame, why_vi: str, why_en: str, lang: str = "vi") -> pd.DataFrame | Note:
    """``frame`` when it has rows, else a sentence saying why the section is empty."""
    if len(frame):
        return frame
    return Note("ℹ️ " + _vi(lang, why_vi, why_en))


def caption(text: str) -> Note:
    """A figure caption shown under the figure."""
    return Note(f"*{text}*")
