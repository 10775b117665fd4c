"""Downloads: villages with their coverage status as GeoPackage, CSV or GeoJSON."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from villagecov.api.deps import LayersDep, SettingsDep, StoreDep, VintageQuery, cached
from villagecov.exports import MEDIA_TYPES, encode
from villagecov.publishing import FIXED, villages_frame

router = APIRouter(tags=["Exports"])


@router.get("/exports/villages.{fmt}", summary="Villages with coverage status (gpkg, csv, geojson)",
            response_class=Response,
            responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()}}})
def export_villages(
    request: Request, store: StoreDep, layers: LayersDep, settings: SettingsDep, when: VintageQuery,
    fmt: Annotated[Literal["gpkg", "csv", "geojson"], Path(description="file format")],
    run: Annotated[str | None, Query(pattern=r"^compute-[0-9a-f]{16}$",
                                     description="a compute run (GET /runs): its kept statuses and indicators")] = None,
) -> Response:
    """CSV carries the geometry as WKT; GeoJSON is RFC 7946; GeoPackage has one layer ``villages``.
    With ``run=``, the statuses and village indicators are those the run kept (a published run's
    official figures), whatever was ingested or computed since."""
    as_of = when.as_of if when else None
    frame = villages_frame(store, as_of, run) if run else layers.frame(store, FIXED["villages"], as_of)
    body = encode(frame, fmt, "villages")
    name = f"villages-{run}.{fmt}" if run else f"villages.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return cached(request, body, MEDIA_TYPES[fmt], settings.items_max_age_s, headers)
