"""Numbers, shares and dates as the Department writes them: Vietnamese first (``13.250``, ``89,2 %``,
``31/12/2024``), English on request (``13,250``, ``89.2%``, ``31 Dec 2024``)."""

from __future__ import annotations

import math
from datetime import date

Lang = str  # "vi" | "en"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_int(value: object, lang: Lang = "vi") -> str:
    """Whole number with thousands separators ("." in Vietnamese, "," in English); "—" if missing."""
    if _missing(value):
        return "—"
    text = f"{round(float(value)):,}"  # type: ignore[arg-type]
    return (text.replace(",", ".") if lang == "vi" else text).replace("-", "−")


def fmt_num(value: object, decimals: int = 1, lang: Lang = "vi") -> str:
    """Number with ``decimals`` decimals and separators in the language's convention."""
    if _missing(value):
        return "—"
    text = f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text.replace("-", "−")  # a true minus sign


def fmt_pct(share: object, decimals: int = 1, lang: Lang = "vi") -> str:
    """A fraction in [0, 1] as per cent: ``89,2 %`` (vi) or ``89.2%`` (en)."""
    if _missing(share):
        return "—"
    body = fmt_num(100.0 * float(share), decimals, lang)  # type: ignore[arg-type]
    return f"{body} %" if lang == "vi" else f"{body}%"


def fmt_pp(points: object, decimals: int = 1, lang: Lang = "vi") -> str:
    """A change of a share, in percentage points with its sign: ``+3,4 điểm %`` / ``+3.4 pp``."""
    if _missing(points):
        return "—"
    v = 100.0 * float(points)  # type: ignore[arg-type]
    body = fmt_num(abs(v), decimals, lang)
    sign = "+" if v > 0 else ("−" if v < 0 else "±")
    return f"{sign}{body} điểm %" if lang == "vi" else f"{sign}{body} pp"


def fmt_date(iso: object, lang: Lang = "vi") -> str:
    """An ISO date as ``31/12/2024`` (vi) or ``31 Dec 2024`` (en)."""
    if _missing(iso) or iso == "":
        return "—"
    d = date.fromisoformat(str(iso)[:10])
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if lang == "vi" else f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def fmt_vnd(value: object, lang: Lang = "vi") -> str:
    """Money in VND, in millions: ``1.250 triệu đồng`` / ``VND 1,250 million``."""
    if _missing(value):
        return "—"
    millions = fmt_int(float(value) / 1e6, lang)  # type: ignore[arg-type]
    return f"{millions} triệu đồng" if lang == "vi" else f"VND {millions} million"
