"""The notebooks' parameters, parsed and checked against the store before anything is read.

``AS_OF`` is a date, never compared as text: ``2024-12-31``, ``31/12/2024`` (also ``31.12.2024``,
``31-12-2024``), ``12/2024`` or ``2024-12`` (the store's period in that month) and ``2024`` (the
store's period in that year; the latest when there are several). A full date selects the latest
period at or before it, as ``villagecov indicators --as-of`` does; a date before the first period,
a month or a year without a period is an error that lists the store's periods.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from villagecov.errors import ConfigError, NotFound

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(?:(\d{1,2})[/.](\d{4})|(\d{4})-(\d{1,2}))$")
FORMS = "YYYY-MM-DD, DD/MM/YYYY, MM/YYYY, YYYY-MM or YYYY"


@dataclass(frozen=True)
class PeriodChoice:
    """The period chosen for a requested ``AS_OF``: ``period`` (ISO date of a store period),
    what was asked (``requested``, "" for the latest) and how it was matched."""

    period: str
    requested: str
    how: str  # "latest" | "exact" | "at or before" | "in year" | "in month"

    def describe(self, lang: str = "vi") -> str:
        """One line saying which period is analysed and why."""
        vi = {
            "latest": f"kỳ mới nhất {self.period}",
            "exact": f"kỳ {self.period}",
            "at or before": f"kỳ {self.period} (kỳ gần nhất trước ngày {self.requested})",
            "in year": f"kỳ {self.period} (kỳ của năm {self.requested})",
            "in month": f"kỳ {self.period} (kỳ của tháng {self.requested})",
        }
        en = {
            "latest": f"latest period {self.period}",
            "exact": f"period {self.period}",
            "at or before": f"period {self.period} (the latest at or before {self.requested})",
            "in year": f"period {self.period} (the period of {self.requested})",
            "in month": f"period {self.period} (the period of {self.requested})",
        }
        return (vi if lang == "vi" else en)[self.how]


def _date(y: int, m: int, d: int, text: str) -> date:
    try:
        return date(y, m, d)
    except ValueError as e:
        raise ConfigError(f"AS_OF {text!r} is not a valid date ({e}); use {FORMS}") from None


def parse_as_of(text: str | None) -> tuple[str, date | None]:
    """``(kind, value)``: kind "latest" (empty), "date", "month" or "year"; value a date (the first
    day of the month or year for those)."""
    t = (text or "").strip()
    if not t:
        return "latest", None
    if m := _ISO.match(t):
        return "date", _date(int(m[1]), int(m[2]), int(m[3]), t)
    if m := _DMY.match(t):
        return "date", _date(int(m[3]), int(m[2]), int(m[1]), t)
    if m := _YEAR.match(t):
        return "year", _date(int(m[1]), 1, 1, t)
    if m := _MONTH.match(t):
        year, month = (m[2], m[1]) if m[1] else (m[3], m[4])
        return "month", _date(int(year), int(month), 1, t)
    raise ConfigError(f"AS_OF {t!r} is not a date; use {FORMS}")


def choose_period(text: str | None, periods: Sequence[str]) -> PeriodChoice:
    """The store period for ``AS_OF`` ``text`` among ``periods`` (ISO dates); errors list them."""
    ps = sorted({str(p)[:10] for p in periods})
    if not ps:
        raise NotFound("no computed periods in the store: run `villagecov compute` first")
    listed = ", ".join(ps)
    kind, value = parse_as_of(text)
    requested = (text or "").strip()
    if kind == "latest" or value is None:
        return PeriodChoice(ps[-1], "", "latest")
    if kind == "date":
        iso = value.isoformat()
        earlier = [p for p in ps if p <= iso]
        if not earlier:
            raise NotFound(f"AS_OF {requested!r}: no period at or before {iso}; the store's periods are {listed}")
        return PeriodChoice(earlier[-1], iso, "exact" if earlier[-1] == iso else "at or before")
    if kind == "year":
        inside = [p for p in ps if p[:4] == f"{value.year:04d}"]
        if not inside:
            raise NotFound(f"AS_OF {requested!r}: no period in {value.year}; the store's periods are {listed}")
        return PeriodChoice(inside[-1], f"{value.year:04d}", "in year")
    month = f"{value.year:04d}-{value.month:02d}"
    inside = [p for p in ps if p[:7] == month]
    if not inside:
        raise NotFound(f"AS_OF {requested!r}: no period in {month}; the store's periods are {listed}")
    return PeriodChoice(inside[-1], month, "in month")


def check_boundary_version(version: str, versions: Sequence[str]) -> str:
    """``version`` when the store has boundaries of it, else an error listing the versions."""
    known = sorted({str(v) for v in versions})
    v = str(version).strip()
    if v not in known:
        raise NotFound(f"BOUNDARY_VERSION {version!r} is not in the store; its boundary versions are "
                       f"{', '.join(known) or 'none (run `villagecov ingest boundaries`)'}")
    return v
