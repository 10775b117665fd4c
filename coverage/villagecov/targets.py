"""Official targets of the indicators, from the versioned file ``data/targets/targets.csv``.

One row per indicator and target year: ``indicator, year, value, denominator, document, article,
statement, checked``. ``value`` is a fraction for shares (0.8 = 80 %) or the literal
``no official target`` where the documents give no number: such an indicator has no target
(never 100 % by default), no trajectory and the status ``no_target``. A breakdown
(``<id>:<group>``) has the target of its indicator.

The trajectory runs in a straight line from the baseline (the earliest period that has data for
the series) to each target in turn; a value is *on track* when it has reached the trajectory of
its year, *behind* when not, *achieved* once it has reached the target itself.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from villagecov.catalogue import CATALOGUE, lookup, split_id
from villagecov.errors import InputError

NO_TARGET = "no official target"
COLUMNS = ("indicator", "year", "value", "denominator", "document", "article", "statement", "checked")
STATUSES = ("achieved", "on_track", "behind", "no_target", "no_data")
STATUS_LABELS = {
    "achieved": ("Đã đạt mục tiêu", "Target reached"),
    "on_track": ("Đúng lộ trình", "On track"),
    "behind": ("Chậm so với lộ trình", "Behind"),
    "no_target": ("Chưa có mục tiêu chính thức", "No official target"),
    "no_data": ("Không có số liệu", "No data"),
}


@dataclass(frozen=True)
class Target:
    indicator: str
    year: int | None
    value: float | None  # None: no official target
    denominator: str
    document: str
    article: str
    statement: str
    checked: str

    @property
    def citation(self) -> str:
        return ", ".join(p for p in (self.document, self.article) if p)


@dataclass(frozen=True)
class Targets:
    rows: tuple[Target, ...]
    path: str = ""

    def of(self, indicator: str) -> list[Target]:
        """Numeric targets of an indicator (its base id for a breakdown), by year."""
        base = split_id(indicator)[0]
        found = [t for t in self.rows if t.indicator == base and t.value is not None and t.year is not None]
        return sorted(found, key=lambda t: t.year or 0)

    def stated(self, indicator: str) -> Target | None:
        """The file's row saying there is no official target, if any."""
        base = split_id(indicator)[0]
        return next((t for t in self.rows if t.indicator == base and t.value is None), None)

    def for_year(self, indicator: str, year: int) -> Target | None:
        """The target in force in ``year``: the first whose year is ≥ ``year``, else the last one."""
        ts = self.of(indicator)
        if not ts:
            return None
        return next((t for t in ts if (t.year or 0) >= year), ts[-1])


def load_targets(path: Path | str) -> Targets:
    """Read and validate the targets file; one-line :class:`InputError` naming file, row and field."""
    p = Path(path)
    if not p.exists():
        raise InputError("targets file not found", file=str(p))
    with open(p, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("indicator", "year", "value", "document") if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"missing column {missing[0]!r}", file=str(p), field=missing[0])
        rows = []
        for n, r in enumerate(reader, start=2):
            rows.append(_row(r, n, str(p)))
    return Targets(tuple(rows), str(p))


def _row(r: dict[str, str], n: int, file: str) -> Target:
    indicator = (r.get("indicator") or "").strip()
    if split_id(indicator)[0] not in CATALOGUE:
        raise InputError(f"unknown indicator {indicator!r}", file=file, row=n, field="indicator")
    raw_value = (r.get("value") or "").strip()
    raw_year = (r.get("year") or "").strip()
    document = (r.get("document") or "").strip()
    if not document:
        raise InputError("every target names the document it comes from", file=file, row=n, field="document")
    value: float | None
    if raw_value.lower() == NO_TARGET:
        value = None
    else:
        try:
            value = float(raw_value)
        except ValueError:
            raise InputError(f"value {raw_value!r} is neither a number nor {NO_TARGET!r}", file=file, row=n,
                             field="value") from None
        d = lookup(indicator)
        if d is not None and d.kind == "share" and not 0.0 <= value <= 1.0:
            raise InputError(f"share target {raw_value} is not a fraction in [0, 1]", file=file, row=n, field="value")
    year: int | None = None
    if raw_year:
        try:
            year = int(raw_year)
        except ValueError:
            raise InputError(f"year {raw_year!r} is not a year", file=file, row=n, field="year") from None
    elif value is not None:
        raise InputError("a numeric target needs its year", file=file, row=n, field="year")
    return Target(indicator, year, value, (r.get("denominator") or "").strip(), document,
                  (r.get("article") or "").strip(), (r.get("statement") or "").strip(), (r.get("checked") or "").strip())


def expected(targets: Targets, indicator: str, baseline: float, baseline_year: int, year: int) -> float:
    """The trajectory's value in ``year``: straight lines from the baseline through each target;
    NaN without a numeric target or baseline; the target itself from its year on."""
    ts = targets.of(indicator)
    if not ts or not math.isfinite(baseline):
        return math.nan
    x0, y0 = baseline_year, baseline
    for t in ts:
        assert t.year is not None and t.value is not None
        if t.year <= x0:
            continue
        if year <= t.year:
            return y0 + (t.value - y0) * (year - x0) / (t.year - x0) if year >= x0 else y0
        x0, y0 = t.year, t.value
    return float(ts[-1].value)  # type: ignore[arg-type]


def status(targets: Targets, indicator: str, value: float, baseline: float, baseline_year: int, year: int) -> str:
    """achieved / on_track / behind / no_target / no_data (lower-is-better indicators reversed)."""
    if value is None or not math.isfinite(value):
        return "no_data"
    target = targets.for_year(indicator, year)
    if target is None or target.value is None:
        return "no_target"
    d = lookup(indicator)
    lower = bool(d and d.lower_is_better)
    reached = value <= target.value if lower else value >= target.value
    if reached:
        return "achieved"
    due = expected(targets, indicator, baseline, baseline_year, year)
    if not math.isfinite(due):
        return "behind"
    ok = value <= due + 1e-12 if lower else value >= due - 1e-12
    return "on_track" if ok else "behind"
