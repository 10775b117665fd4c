"""The one palette of every map: one meaning per colour and per symbol, safe for colour-blind readers.

Meanings (the same on every map, legend and popup):

* **blue shades** — the village *has* it (5G darkest … 2G lightest; a Task 9 service available);
* **orange shades** — the village *lacks* it (dark: none at all; light: partly);
* **grey** — no data;
* **wine, dashed outline** — coverage an operator *declares* (its own legend entry);
* **black dot with a white number** — a village without 4G, numbered by people affected;
* **dashed black ring** — a remote village;
* **magenta "!"** — a village someone has challenged (report under review);
* **white square with black letters** — a mobile site (letters name the operator, not colours);
* **white circle with black letters** — other infrastructure (post office, radio, TV, fibre).

Blue against orange is the axis that deuteranopes, protanopes and tritanopes all keep apart;
:func:`min_distance` checks it with the Machado–Oliveira–Fernandes (2009) simulation matrices
(severity 1.0, applied in linear RGB) and CIE 1976 ΔE*ab, and the tests keep every pair that
shares a legend ≥ :data:`MIN_DELTA_E` apart under normal vision, deuteranopia and protanopia.
"""

from __future__ import annotations

from itertools import combinations

# village classes: best technology covered by any operator
CLASS_COLOURS: dict[str, str] = {
    "5G": "#08306b",
    "4G": "#2c7fb8",
    "3G": "#7fcdee",
    "2G": "#d4ecf7",
    "partial": "#fdb863",
    "none": "#b35806",
    "unknown": "#8c8c8c",
}
# Task 9: all services / some missing / none (as the classes: blue has, orange lacks)
SERVICE_CLASS_COLOURS: dict[str, str] = {
    "all": "#2c7fb8",
    "some": "#fdb863",
    "no": "#b35806",
    "unknown": "#8c8c8c",
}
# one Task 9 service: available / not available / not surveyed
SERVICE_YES_NO: dict[str, str] = {"yes": "#2c7fb8", "no": "#b35806", "unknown": "#8c8c8c"}
DECLARED_COLOUR = "#8e0152"
GAP_COLOUR = "#000000"
REMOTE_COLOUR = "#000000"
CHALLENGE_COLOUR = "#c51b7d"
NEWLY_COVERED_COLOUR = "#08306b"
SITE_FILL = "#ffffff"
# Site markers name the operator in letters (the colour is the same for all).
OPERATOR_LETTERS: dict[str, str] = {
    "viettel": "VT",
    "vinaphone": "VP",
    "mobifone": "MF",
    "vietnamobile": "VN",
    "gmobile": "GM",
}
KIND_LETTERS: dict[str, str] = {
    "post_office": "BĐ",
    "commune_radio": "TT",
    "fm_transmitter": "FM",
    "dtt_transmitter": "TH",
    "fibre_pop": "CQ",
}
# Signal classes of the modelled-signal rasters: villagecov.signal_classes (same axis, shared with the API tiles).

MIN_DELTA_E = 10.0

# Machado, Oliveira & Fernandes (2009), severity 1.0, linear RGB.
CVD_MATRICES: dict[str, tuple[tuple[float, float, float], ...]] = {
    "normal": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
}


def _to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    return tuple(_to_linear(int(h[i : i + 2], 16) / 255) for i in (0, 2, 4))  # type: ignore[return-value]


def simulate(hex_colour: str, kind: str) -> tuple[float, float, float]:
    """Linear RGB of ``hex_colour`` as seen with ``kind`` (normal, deuteranopia, protanopia)."""
    r, g, b = _rgb(hex_colour)
    m = CVD_MATRICES[kind]
    return tuple(min(1.0, max(0.0, row[0] * r + row[1] * g + row[2] * b)) for row in m)  # type: ignore[return-value]


def lab(linear_rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of a linear sRGB triple."""
    r, g, b = linear_rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str, kind: str = "normal") -> float:
    """CIE76 ΔE*ab between two colours as seen with ``kind``."""
    la, lb = lab(simulate(a, kind)), lab(simulate(b, kind))
    return sum((p - q) ** 2 for p, q in zip(la, lb, strict=True)) ** 0.5


def min_distance(colours: dict[str, str]) -> tuple[float, str, str, str]:
    """The closest pair of ``colours`` under any of :data:`CVD_MATRICES`: (ΔE, vision, name, name)."""
    best = (float("inf"), "", "", "")
    for (n1, c1), (n2, c2) in combinations(colours.items(), 2):
        for kind in CVD_MATRICES:
            d = delta_e(c1, c2, kind)
            if d < best[0]:
                best = (d, kind, n1, n2)
    return best


def relative_luminance(hex_colour: str) -> float:
    r, g, b = _rgb(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two colours (≥ 4.5 for body text)."""
    hi, lo = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
