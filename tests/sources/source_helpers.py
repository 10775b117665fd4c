"""Helpers for the reader tests: Windows-1258 bytes as Vietnamese Windows writes them, and the
quadkey of a lon/lat point (Bing / Ookla tile scheme)."""

from __future__ import annotations

import math
import unicodedata

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 has precomposed â/ă/ơ… but writes tone marks as combining characters."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
        out.append((base + "".join(c for c in d if c in TONES)).encode("cp1258"))
    return b"".join(out)


def tile_quadkey(lon: float, lat: float, zoom: int) -> str:
    n = 1 << zoom
    x = min(n - 1, int((lon + 180) / 360 * n))
    y = min(n - 1, int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))
    return "".join(str(((x >> (z - 1)) & 1) + 2 * ((y >> (z - 1)) & 1)) for z in range(zoom, 0, -1))
