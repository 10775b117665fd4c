"""The house style of the analysis charts, and saving them for the report.

Colour-blind-safe Okabe–Ito colours, each with ONE meaning across every figure (:data:`COLOURS`);
time axes on real dates (ticks at the periods, labelled ``31/12/2024``); shares as per cent with a
decimal comma in Vietnamese; integer ticks for counts; targets drawn and labelled; value labels
where bars are few. :func:`save_figure` writes a 300-dpi PNG and an SVG named with the period and
boundary version. Labels come in Vietnamese unless ``lang="en"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from villagecov.analysis.fmt import fmt_date, fmt_int, fmt_num

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
COLOURS: dict[str, str] = {
    "covered": "#0072B2",    # blue: has coverage / what is achieved
    "partial": "#56B4E9",    # sky blue: partly covered
    "no_4g": "#E69F00",      # orange: without 4G (a gap)
    "no_signal": "#D55E00",  # vermillion: without any mobile signal
    "remote": "#CC79A7",     # reddish purple: remote villages
    "cost": "#009E73",       # bluish green: money
    "target": "#555555",     # grey dashed: the target
    "neutral": "#999999",
}
SERIES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")


@dataclass
class Chart:
    """A figure with its caption (what it shows, in the notebook's language) and a file stem."""

    fig: Figure
    caption: str
    stem: str
    files: dict[str, Path] = field(default_factory=dict)


def pct_formatter(lang: str = "vi", decimals: int = 0) -> FuncFormatter:
    """Axis ticks of a 0–100 axis as per cent (``80 %`` / ``80%``)."""
    return FuncFormatter(lambda v, _: f"{fmt_num(v, decimals, lang)} %" if lang == "vi" else f"{fmt_num(v, decimals, lang)}%")


def int_formatter(lang: str = "vi") -> FuncFormatter:
    return FuncFormatter(lambda v, _: fmt_int(v, lang))


def integer_axis(ax: Axes, axis: str = "y", lang: str = "vi") -> None:
    """Counts: integer ticks only, with thousands separators."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=6, integer=True))
    target.set_major_formatter(int_formatter(lang))


def date_axis(ax: Axes, periods: Sequence[str], lang: str = "vi") -> None:
    """A time axis on real dates with a tick at each period (``31/12/2019``), padded by a quarter."""
    ds = [date.fromisoformat(p[:10]) for p in periods]
    ax.set_xticks([mdates.date2num(d) for d in ds])
    ax.set_xticklabels([fmt_date(p, lang) for p in periods])
    if ds:
        pad = 90
        ax.set_xlim(mdates.date2num(min(ds)) - pad, mdates.date2num(max(ds)) + pad)


def target_line(ax: Axes, value: float, label: str, axis: str = "y") -> None:
    """The target as a grey dashed line with its label written on it."""
    if axis == "y":
        ax.axhline(value, color=COLOURS["target"], linestyle="--", linewidth=1)
        ax.annotate(label, xy=(0.01, value), xycoords=("axes fraction", "data"), va="bottom", fontsize=8,
                    color=COLOURS["target"])
    else:
        ax.axvline(value, color=COLOURS["target"], linestyle="--", linewidth=1)
        ax.annotate(label, xy=(value, 1.0), xycoords=("data", "axes fraction"), ha="right", va="bottom", fontsize=8,
                    color=COLOURS["target"])


def bar_labels(ax: Axes, container: object, texts: Sequence[str], inside: bool = False) -> None:
    """Value labels at the end of each bar (only used where bars are few)."""
    ax.bar_label(container, labels=list(texts), padding=2, fontsize=8,  # type: ignore[arg-type]
                 label_type="center" if inside else "edge")


def title(text: str, synthetic: bool) -> str:
    return ("SYNTHETIC — " if synthetic else "") + text


def legend_outside(ax: Axes, **kw: object) -> None:
    """Legend below the plot, never over the bars."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8, frameon=False, **kw)  # type: ignore[arg-type]


def new_figure(width: float = 9.0, height: float = 4.5, ncols: int = 1) -> tuple[Figure, list[Axes]]:
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), squeeze=False)
    return fig, list(axes[0])


def save_figure(chart: Chart, out_dir: Path | str, period: str, boundary_version: str,
                synthetic: bool = False) -> dict[str, Path]:
    """Write ``<stem>_<period>_<boundary version>.png`` (300 dpi) and ``.svg``; SYNTHETIC first
    when the data are. Returns and records the paths."""
    out = Path(out_dir) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    name = f"{'SYNTHETIC_' if synthetic else ''}{chart.stem}_{period}_{boundary_version}"
    chart.fig.tight_layout()
    paths = {"png": out / f"{name}.png", "svg": out / f"{name}.svg"}
    chart.fig.savefig(paths["png"], dpi=300, metadata={"Title": chart.caption})
    chart.fig.savefig(paths["svg"], metadata={"Title": chart.caption})
    chart.files = paths
    return paths


def publish(chart: Chart | None, out_dir: Path | str, period: str, boundary_version: str, synthetic: bool = False,
            lang: str = "vi", empty: str = "") -> object:
    """Save ``chart`` (:func:`save_figure`) and return its caption for the notebook to show under
    it; without a chart, the sentence saying why there is nothing to draw."""
    from villagecov.analysis.context import Note

    if chart is None:
        why = empty or ("Không có số liệu để vẽ biểu đồ này." if lang == "vi" else "No data to draw this chart.")
        return Note(f"ℹ️ {why}")
    save_figure(chart, out_dir, period, boundary_version, synthetic)
    names = ", ".join(p.name for p in chart.files.values())
    return Note(f"*{chart.caption}* ({names})")
