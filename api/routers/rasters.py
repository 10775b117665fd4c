"""Coverage and predicted-signal rasters: list, metadata, PNG tiles, point values."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from villagecov.api.deps import LayersDep, SettingsDep, StoreDep, TileQuery, cached
from villagecov.api.mvt import Tile
from villagecov.api.ogc import TileJSON, base_url
from villagecov.raster_tiles import PNG, info, legend, point, raster_layer, raster_layers, tile_png

router = APIRouter(tags=["Raster tiles"])
RasterId = Path(description="coverage id of a raster coverage", pattern=r"^[A-Za-z0-9_.:-]+$")


def _summary(request: Request, layer: Any) -> dict[str, Any]:
    base = f"{base_url(request)}/rasters/{layer.id}"
    return {
        "id": layer.id, "operator": layer.operator, "technology": layer.technology, "evidence": layer.evidence,
        "value_kind": layer.value_kind, "as_of": layer.as_of, "synthetic": layer.synthetic,
        "links": [
            {"href": base, "rel": "self", "type": "application/json"},
            {"href": base + "/tiles/WebMercatorQuad/{z}/{y}/{x}.png", "rel": "item", "type": PNG, "templated": True},
            {"href": base + "/tilejson.json", "rel": "describedby", "type": "application/json"},
        ],
    }


@router.get("/rasters", summary="Coverage rasters")
def rasters(request: Request, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    return {"rasters": [_summary(request, r) for r in raster_layers(store, settings)]}


@router.get("/rasters/{raster_id}", summary="One raster: bounds, zooms, legend")
def raster(request: Request, store: StoreDep, settings: SettingsDep, raster_id: str = RasterId) -> dict[str, Any]:
    layer = raster_layer(store, settings, raster_id)
    return {**_summary(request, layer), **info(layer), "legend": legend(layer, settings)}


@router.get("/rasters/{raster_id}/tilejson.json", summary="TileJSON of a raster", response_model=TileJSON,
            response_model_exclude_unset=True)
def raster_tilejson(request: Request, store: StoreDep, settings: SettingsDep,
                    raster_id: str = RasterId) -> dict[str, Any]:
    layer = raster_layer(store, settings, raster_id)
    meta = info(layer)
    b = meta["bounds"]
    return {"tilejson": "3.0.0", "name": layer.id, "scheme": "xyz",
            "tiles": [f"{base_url(request)}/rasters/{layer.id}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}.png"],
            "minzoom": meta["minzoom"], "maxzoom": meta["maxzoom"], "bounds": b,
            "center": [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, meta["minzoom"]]}


@router.get("/rasters/{raster_id}/tiles/WebMercatorQuad/{z}/{y}/{x}.png", summary="PNG tile (RGBA, nodata transparent)",
            response_class=Response, responses={200: {"content": {PNG: {}}}})
def raster_tile(request: Request, store: StoreDep, settings: SettingsDep, layers: LayersDep, xyz: TileQuery,
                raster_id: str = RasterId) -> Response:
    layer = raster_layer(store, settings, raster_id, layers)
    result, hit = request.app.state.tiles.get_or_render(
        store, layers, ("raster:" + layer.id, xyz.z, xyz.x, xyz.y, None),
        lambda: Tile(tile_png(layer, xyz.z, xyz.x, xyz.y, settings), 0, 0))
    return cached(request, result.data, PNG, settings.tiles_max_age_s, {"X-Tile-Cache": "hit" if hit else "miss"})


@router.get("/rasters/{raster_id}/point/{lon},{lat}", summary="Value at a point (lon, lat in degrees)")
def raster_point(store: StoreDep, settings: SettingsDep, layers: LayersDep, raster_id: str = RasterId,
                 lon: float = Path(ge=-180, le=180), lat: float = Path(ge=-90, le=90)) -> dict[str, Any]:
    return point(raster_layer(store, settings, raster_id, layers), lon, lat, settings)
