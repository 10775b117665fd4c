"""Progress charts of the report: each headline indicator over the vintages (actual) beside its
trajectory to the official target (dashed), as one PNG of small multiples (matplotlib, Agg)."""

from __future__ import annotations

import math
from pathlib import Path

from villagecov.catalogue import lookup
from villagecov.reporting.model import Report
from villagecov.reporting.names import label
from villagecov.reporting.tables import shown


def progress_png(report: Report, path: Path) -> Path | None:
    """Write the charts to ``path``; None when there is nothing to draw."""
    s = report.series
    if s is None or s.empty:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ids = list(dict.fromkeys(s["indicator"]))
    cols = 2
    rows = math.ceil(len(ids) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(10, 2.6 * rows), squeeze=False)
    for ax, indicator in zip(axes.flat, ids, strict=False):
        g = s[s["indicator"] == indicator].sort_values("as_of")
        d = lookup(indicator)
        x = list(g["as_of"])
        ax.plot(x, [shown(indicator, float(v)) for v in g["value"]], marker="o", label=label("actual", report.lang))
        traj = [shown(indicator, float(v)) for v in g["trajectory"]]
        if any(v is not None for v in traj):
            ax.plot(x, traj, linestyle="--", color="grey", label=label("trajectory", report.lang))
        title = d.name(report.lang) if d else indicator
        ax.set_title(title if len(title) < 60 else title[:57] + "…", fontsize=9)
        ax.set_ylabel(d.unit(report.lang) if d else "", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(ids):]:
        ax.axis("off")
    heading = label("charts", report.lang)
    if report.synthetic:
        heading = f"{heading} — SYNTHETIC"
    fig.suptitle(heading, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
