"""Signal classes of coverage rasters and their colours, shared by the API's PNG tiles and the
maps' legend so that the two never disagree.

Signal rasters (dBm) are classed relative to the technology's threshold (settings); class rasters
carry 0 none, 1 outdoor, 2 in-car, 3 indoor. Colours are RGBA (0–255).
"""

from __future__ import annotations

RGBA = tuple[int, int, int, int]

# (id, lower bound in dB relative to the threshold (None: open), colour), weakest first.
SIGNAL_CLASSES: tuple[tuple[str, float | None, RGBA], ...] = (
    ("no_service", None, (215, 25, 28, 160)),
    ("weak", -10.0, (253, 174, 97, 190)),
    ("fair", 0.0, (255, 255, 140, 200)),
    ("good", 10.0, (166, 217, 106, 210)),
    ("excellent", 20.0, (26, 150, 65, 220)),
)
COVERAGE_CLASSES: tuple[tuple[str, RGBA], ...] = (
    ("none", (215, 25, 28, 120)),
    ("outdoor", (253, 174, 97, 190)),
    ("in_car", (166, 217, 106, 210)),
    ("indoor", (26, 150, 65, 220)),
)


def css(rgba: RGBA) -> str:
    """``rgba(r,g,b,a)`` for HTML, alpha in [0, 1]."""
    r, g, b, a = rgba
    return f"rgba({r},{g},{b},{a / 255:.2f})"
