"""Helpers for the reader tests: Windows-1258 bytes as Vietnamese Windows writes them, and the
quadkey of a lon/lat point (Bing / Ookla tile scheme)."""

from __future__ import annotations

import math

from tests.ingest.ingest_files import encode_cp1258

__all__ = ["encode_cp1258", "tile_quadkey"]


def tile_quadkey(lon: float, lat: float, zoom: int) -> str:
    n = 1 << zoom
    x = min(n - 1, int((lon + 180) / 360 * n))
    y = min(n - 1, int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))
    return "".join(str(((x >> (z - 1)) & 1) + 2 * ((y >> (z - 1)) & 1)) for z in range(zoom, 0, -1))
