"""Downloads: villages with their coverage status as GeoPackage, CSV or GeoJSON."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from villagecov.api.deps import LayersDep, SettingsDep, StoreDep, VintageQuery, cached
from villagecov.exports import MEDIA_TYPES, encode
from villagecov.publishing import FIXED

router = APIRouter(tags=["Exports"])
MEDIA = MEDIA_TYPES


@router.get("/exports/villages.{fmt}", summary="Villages with coverage status (gpkg, csv, geojson)",
            response_class=Response,
            responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()}}})
def export_villages(
    request: Request, store: StoreDep, layers: LayersDep, settings: SettingsDep, when: VintageQuery,
    fmt: Annotated[Literal["gpkg", "csv", "geojson"], Path(description="file format")],
) -> Response:
    """CSV carries the geometry as WKT; GeoJSON is RFC 7946; GeoPackage has one layer ``villages``."""
    frame = layers.frame(store, FIXED["villages"], when.as_of if when else None)
    body = encode(frame, fmt, "villages")
    headers = {"Content-Disposition": f'attachment; filename="villages.{fmt}"'}
    return cached(request, body, MEDIA[fmt], settings.items_max_age_s, headers)
