"""Names and units of the Task 8 / Task 9 indicators, Vietnamese first, English second.

Indicator ids are those of the ``indicators`` table (see DESIGN.md); an id not listed here is
shown as it is. Shares are stored as fractions in [0, 1] and reported in per cent.
"""

from __future__ import annotations

import re
from typing import Literal

from villagecov.catalogue import CATALOGUE, kind, lookup

Lang = Literal["vi", "en"]

INDICATOR_LABELS: dict[str, tuple[str, str]] = {k: (d.name_vi, d.name_en) for k, d in CATALOGUE.items()}
_POPULATION_SHARE = re.compile(r"^t8\.population_(\d)g_share$")
LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "province": ("Tỉnh", "Province"),
    "district": ("Huyện", "District"),
    "commune": ("Xã", "Commune"),
    "village": ("Thôn", "Village"),
}


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "vi" else pair[1]


def indicator_label(indicator: str, lang: Lang = "vi") -> str:
    """Human name of an indicator id (the id itself when unknown)."""
    d = lookup(indicator)
    if d is not None:
        return d.name(lang)
    m = _POPULATION_SHARE.match(indicator)
    if m:
        tech = f"{m.group(1)}G"
        return _pick((f"Tỷ lệ dân số được phủ sóng {tech}", f"Population covered by {tech}"), lang)
    return indicator


def level_label(level: str, lang: Lang = "vi") -> str:
    return _pick(LEVEL_LABELS[level], lang) if level in LEVEL_LABELS else level


def is_share(indicator: str) -> bool:
    """True for indicators stored as a fraction in [0, 1]."""
    k = kind(indicator)
    return k == "share" if k is not None else indicator.endswith("_share")


def indicator_unit(indicator: str, lang: Lang = "vi") -> str:
    """Unit in which the report shows the indicator: %, villages, sites/10,000 people, Mbit/s."""
    d = lookup(indicator)
    if d is not None:
        return d.unit(lang)
    if is_share(indicator):
        return "%"
    if indicator == "t8.villages_no_signal":
        return _pick(("thôn", "villages"), lang)
    if indicator == "t8.sites_per_10k_people":
        return _pick(("trạm/10.000 dân", "sites/10,000 people"), lang)
    if indicator.endswith("_mbps"):
        return "Mbit/s"
    return ""


def report_value(indicator: str, value: float | None, decimals: int = 1) -> float | None:
    """Value as the report shows it: shares in per cent, rounded to ``decimals``; None stays None."""
    if value is None or value != value:  # NaN
        return None
    shown = float(value) * 100.0 if is_share(indicator) else float(value)
    return round(shown, decimals)
