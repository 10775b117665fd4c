"""Reporting periods: a year (``2024``), a quarter (``2024Q3``), a month (``2024-07``) or a date.

Figures are computed once per period that has data, as of the latest input date inside it, so a
correction dated inside a period updates that period instead of making a new one. The period
length is chosen by the user (setting ``reporting_period``, ``compute --periods``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from villagecov.errors import InputError

GRANULARITIES = ("year", "quarter", "month", "date")
_PATTERNS = (
    ("year", re.compile(r"^(\d{4})$")),
    ("quarter", re.compile(r"^(\d{4})-?[Qq]([1-4])$")),
    ("month", re.compile(r"^(\d{4})-(\d{2})$")),
    ("date", re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
)


def label(day: str, granularity: str) -> str:
    """The period ``day`` (ISO date) falls in."""
    y, m = day[:4], int(day[5:7])
    if granularity == "year":
        return y
    if granularity == "quarter":
        return f"{y}Q{(m - 1) // 3 + 1}"
    if granularity == "month":
        return day[:7]
    if granularity == "date":
        return day[:10]
    raise InputError(f"unknown period length {granularity!r}: use {', '.join(GRANULARITIES)}", field="--periods")


def parse(text: str) -> tuple[str, str]:
    """(granularity, canonical label) of a period as users write it: 2024, 2024Q3, 2024-q3, 2024-07, 2024-07-15."""
    t = text.strip()
    for kind, pattern in _PATTERNS:
        m = pattern.match(t)
        if not m:
            continue
        try:
            if kind == "month":
                date(int(m[1]), int(m[2]), 1)
            if kind == "date":
                date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            break
        return kind, (f"{m[1]}Q{m[2]}" if kind == "quarter" else t)
    raise InputError(f"--period {text!r} is not a period: give a year (2024), a quarter (2024Q3), "
                     "a month (2024-07) or a date (2024-07-15)", field="--period")


def granularity_of(labels: Iterable[str]) -> str | None:
    """The period length of stored labels (they share one), None when there are none."""
    for lab in labels:
        return parse(lab)[0]
    return None


def by_period(dates: Iterable[str], granularity: str) -> list[tuple[str, str]]:
    """(period, vintage date) per period with data, oldest first: the latest date inside each period."""
    latest: dict[str, str] = {}
    for d in sorted(dates):
        latest[label(d, granularity)] = d
    return sorted(latest.items(), key=lambda kv: kv[1])
