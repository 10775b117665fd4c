"""Downloads: villages with their coverage status as GeoPackage, CSV or GeoJSON."""

from __future__ import annotations

import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from villagecov.api.deps import LayersDep, SettingsDep, StoreDep, VintageQuery, cached
from villagecov.api.layers import FIXED

router = APIRouter(tags=["Exports"])
MEDIA = {"gpkg": "application/geopackage+sqlite3", "csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


@router.get("/exports/villages.{fmt}", summary="Villages with coverage status (gpkg, csv, geojson)",
            response_class=Response,
            responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()}}})
def export_villages(
    request: Request, store: StoreDep, layers: LayersDep, settings: SettingsDep, when: VintageQuery,
    fmt: Annotated[Literal["gpkg", "csv", "geojson"], Path(description="file format")],
) -> Response:
    """CSV carries the geometry as WKT; GeoJSON is RFC 7946; GeoPackage has one layer ``villages``."""
    from villagecov.sources.io_write import write_frame

    frame = layers.frame(store, FIXED["villages"], when.as_of if when else None)
    with tempfile.TemporaryDirectory() as tmp:
        out = FsPath(tmp) / f"villages.{fmt}"
        write_frame(frame, fmt, out, layer="villages")
        body = out.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="villages.{fmt}"'}
    return cached(request, body, MEDIA[fmt], settings.items_max_age_s, headers)
