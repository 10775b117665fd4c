"""Names and units of the Task 8 / Task 9 indicators, Vietnamese first, English second.

Indicator ids are those of the ``indicators`` table (see DESIGN.md); an id not listed here is
shown as it is. Shares are stored as fractions in [0, 1] and reported in per cent.
"""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["vi", "en"]

INDICATOR_LABELS: dict[str, tuple[str, str]] = {
    "t8.villages_4g_share": ("Tỷ lệ thôn được phủ sóng 4G", "Villages covered by 4G"),
    "t8.remote_villages_4g_share": ("Tỷ lệ thôn vùng sâu, vùng xa được phủ sóng 4G", "Remote villages covered by 4G"),
    "t8.villages_no_signal": ("Số thôn lõm sóng (không có sóng di động)", "Villages without any mobile signal"),
    "t8.villages_multi_operator_share": (
        "Tỷ lệ thôn có sóng 4G của từ 2 doanh nghiệp trở lên", "Villages with 4G from two or more operators"),
    "t8.sites_per_10k_people": ("Số trạm BTS trên 10.000 dân", "Mobile tower sites per 10,000 people"),
    "t8.median_dl_mbps": ("Tốc độ tải xuống trung vị đo được", "Median measured download speed"),
    "t9.villages_fixed_broadband_share": ("Tỷ lệ thôn có Internet băng rộng cố định", "Villages with fixed broadband"),
    "t9.villages_internet_share": ("Tỷ lệ thôn có Internet (cố định hoặc di động)", "Villages with Internet (fixed or mobile)"),
    "t9.villages_radio_share": ("Tỷ lệ thôn được nghe phát thanh", "Villages with radio"),
    "t9.villages_tv_share": ("Tỷ lệ thôn được xem truyền hình", "Villages with television"),
    "t9.villages_press_share": ("Tỷ lệ thôn có báo chí", "Villages with the press"),
    "t9.villages_all_services_share": (
        "Tỷ lệ thôn có đủ Internet, phát thanh, truyền hình và báo chí",
        "Villages with Internet, radio, TV and the press"),
}
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
    if indicator in INDICATOR_LABELS:
        return _pick(INDICATOR_LABELS[indicator], lang)
    m = _POPULATION_SHARE.match(indicator)
    if m:
        tech = f"{m.group(1)}G"
        return _pick((f"Tỷ lệ dân số được phủ sóng {tech}", f"Population covered by {tech}"), lang)
    return indicator


def level_label(level: str, lang: Lang = "vi") -> str:
    return _pick(LEVEL_LABELS[level], lang) if level in LEVEL_LABELS else level


def is_share(indicator: str) -> bool:
    """True for indicators stored as a fraction in [0, 1]."""
    return indicator.endswith("_share")


def indicator_unit(indicator: str, lang: Lang = "vi") -> str:
    """Unit in which the report shows the indicator: %, villages, sites/10,000 people, Mbit/s."""
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
