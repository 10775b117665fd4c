"""Signal classes of coverage rasters and their colours, shared by the API's PNG tiles and the
maps' legend so that the two never disagree.

Signal rasters (dBm) are classed relative to the technology's threshold (settings); class rasters
carry 0 none, 1 outdoor, 2 in-car, 3 indoor. Colours are RGBA (0–255), on the maps' colour-blind-safe
axis (maps/palette.py): orange shades lack service, blue shades have it.
"""

from __future__ import annotations

RGBA = tuple[int, int, int, int]

# (id, lower bound in dB relative to the threshold (None: open), colour), weakest first.
SIGNAL_CLASSES: tuple[tuple[str, float | None, RGBA], ...] = (
    ("no_service", None, (179, 88, 6, 170)),
    ("weak", -10.0, (253, 184, 99, 190)),
    ("fair", 0.0, (127, 205, 238, 200)),
    ("good", 10.0, (44, 127, 184, 210)),
    ("excellent", 20.0, (8, 48, 107, 220)),
)
COVERAGE_CLASSES: tuple[tuple[str, RGBA], ...] = (
    ("none", (179, 88, 6, 130)),
    ("outdoor", (127, 205, 238, 190)),
    ("in_car", (44, 127, 184, 210)),
    ("indoor", (8, 48, 107, 220)),
)


def css(rgba: RGBA) -> str:
    """``rgba(r,g,b,a)`` for HTML, alpha in [0, 1]."""
    r, g, b, a = rgba
    return f"rgba({r},{g},{b},{a / 255:.2f})"
