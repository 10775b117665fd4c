"""Writing frames to files users open elsewhere: GeoJSON, CSV (geometry as WKT), GeoPackage."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from villagecov.errors import InputError
from villagecov.spreadsheet import neutralise_formulas


def write_frame(frame: pd.DataFrame, fmt: str, out: Path | None, *, layer: str) -> None:
    """Write ``frame`` as ``fmt``; ``out=None`` writes GeoJSON/CSV to stdout (UTF-8)."""
    if fmt == "gpkg" and out is None:
        raise InputError("GeoPackage output needs --out PATH", field="--out")
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        table = pd.DataFrame(frame)
        if isinstance(frame, gpd.GeoDataFrame):
            table = table.assign(geometry=frame.geometry.to_wkt())
        text = neutralise_formulas(table).to_csv(index=False)
        if out is None:
            sys.stdout.write(text)
        else:
            Path(out).write_text(text, encoding="utf-8")
        return
    driver = {"geojson": "GeoJSON", "gpkg": "GPKG"}[fmt]
    if out is None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{layer}.geojson"
            _write(frame, path, driver, layer)
            sys.stdout.write(path.read_text(encoding="utf-8"))
        return
    if Path(out).exists():
        Path(out).unlink()
    _write(frame, Path(out), driver, layer)


def _write(frame: pd.DataFrame, path: Path, driver: str, layer: str) -> None:
    kwargs: dict[str, object] = {"driver": driver, "layer": layer}
    if driver == "GeoJSON":
        kwargs["RFC7946"] = "YES" if isinstance(frame, gpd.GeoDataFrame) else "NO"
    pyogrio.write_dataframe(frame, path, **kwargs)
