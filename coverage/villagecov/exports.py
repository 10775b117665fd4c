"""Downloads as bytes: a frame encoded as GeoPackage, CSV (geometry as WKT) or GeoJSON (RFC 7946),
through the same writer as ``villagecov export`` (:func:`villagecov.sources.io_write.write_frame`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from villagecov.sources.io_write import write_frame

MEDIA_TYPES = {"gpkg": "application/geopackage+sqlite3", "csv": "text/csv; charset=utf-8",
               "geojson": "application/geo+json"}


def encode(frame: pd.DataFrame, fmt: str, layer: str) -> bytes:
    """``frame`` as the bytes of a ``fmt`` file (GeoPackage needs a real file, hence the temporary folder)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{layer}.{fmt}"
        write_frame(frame, fmt, out, layer=layer)
        return out.read_bytes()
