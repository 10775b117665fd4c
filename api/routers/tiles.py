"""Vector tiles (OGC API – Tiles, WebMercatorQuad, MVT) and TileJSON of each collection."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from villagecov.api.deps import LayersDep, SettingsDep, StoreDep, TileQuery, VintageQuery, cached
from villagecov.api.mvt import MVT, TMS, cap_metadata, render_tile
from villagecov.api.ogc import TileJSON, TileMatrixSets, TileSets, base_url
from villagecov.api.routers.collections import CollectionId

router = APIRouter(tags=["Vector tiles"])
TILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {MVT: {}}, "description": "Mapbox Vector Tile; empty body when no feature",
          "headers": {"X-Tile-Truncated": {"description": "true when the feature cap dropped features"},
                      "X-Tile-Features-Dropped": {"description": "how many features were dropped"}}},
}


@router.get("/tileMatrixSets", summary="Tile matrix sets", response_model=TileMatrixSets,
            response_model_exclude_unset=True)
def tile_matrix_sets(request: Request) -> dict[str, Any]:
    base = base_url(request)
    return {"tileMatrixSets": [{"id": "WebMercatorQuad", "title": "Google Maps compatible (EPSG:3857)",
                                "links": [{"href": f"{base}/tileMatrixSets/WebMercatorQuad", "rel": "self",
                                           "type": "application/json"}]}]}


@router.get("/tileMatrixSets/WebMercatorQuad", summary="The WebMercatorQuad tile matrix set")
def tile_matrix_set() -> Response:
    return Response(TMS.model_dump_json(exclude_none=True), media_type="application/json")


@router.get("/collections/{collection_id}/tiles", summary="Vector tilesets of a layer", response_model=TileSets,
            response_model_exclude_unset=True)
def tilesets(request: Request, store: StoreDep, layers: LayersDep, collection_id: str = CollectionId) -> dict[str, Any]:
    coll = layers.collection(store, collection_id)
    base = f"{base_url(request)}/collections/{coll.id}/tiles/WebMercatorQuad"
    return {"tilesets": [{
        "title": coll.title, "dataType": "vector", "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad",
        "links": [
            {"href": base, "rel": "self", "type": "application/json"},
            {"href": f"{base}/tilejson.json", "rel": "describedby", "type": "application/json"},
            {"href": base + "/{tileMatrix}/{tileRow}/{tileCol}", "rel": "item", "type": MVT, "templated": True},
        ],
    }]}


@router.get("/collections/{collection_id}/tiles/WebMercatorQuad/tilejson.json", summary="TileJSON 3.0 of a layer",
            response_model=TileJSON, response_model_exclude_unset=True)
def tilejson(request: Request, store: StoreDep, layers: LayersDep, settings: SettingsDep,
             collection_id: str = CollectionId) -> dict[str, Any]:
    coll = layers.collection(store, collection_id)
    frame = layers.frame(store, coll, None)
    bounds = [float(v) for v in frame.total_bounds] if len(frame) else [105.6, 16.9, 107.1, 18.1]
    url = f"{base_url(request)}/collections/{coll.id}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}"
    fields = {p: coll.prop_kind(p).replace("str", "String").replace("int", "Number").replace("float", "Number")
              .replace("bool", "Boolean").replace("date", "String") for p in coll.tile_properties}
    return {
        "tilejson": "3.0.0", "name": coll.id, "description": coll.description, "scheme": "xyz",
        "tiles": [url + (f"?{request.url.query}" if request.url.query else "")],
        "minzoom": 0, "maxzoom": 22, "bounds": bounds,
        "center": [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 8],
        "vector_layers": [{"id": coll.id, "fields": fields, "minzoom": 0, "maxzoom": 22}],
        # How many features a tile keeps at most, by zoom (beyond: X-Tile-Truncated on the tile).
        "x-villagecov-max-features": cap_metadata(coll, settings),
    }


@router.get("/collections/{collection_id}/tiles/WebMercatorQuad/{z}/{y}/{x}", summary="One vector tile (MVT)",
            response_class=Response, responses=TILE_RESPONSES)
def tile(
    request: Request, store: StoreDep, layers: LayersDep, settings: SettingsDep, xyz: TileQuery, when: VintageQuery,
    collection_id: str = CollectionId,
) -> Response:
    """Layer named after the collection; a tile capped at ``tile_max_features`` says so in its headers.
    Plan layers show the latest plan, or the one named by ``plan_id=``."""
    coll = layers.collection(store, collection_id)
    as_of = when.as_of if when and coll.temporal == "vintage" else None
    version = layers.version(store, coll, request.query_params.get(coll.version_column)) if coll.version_column \
        else None
    result, hit = request.app.state.tiles.get_or_render(
        store, layers, (coll.id if version is None else f"{coll.id}@{version}", xyz.z, xyz.x, xyz.y, as_of),
        lambda: render_tile(store, layers, coll, xyz.z, xyz.x, xyz.y, as_of, settings, version))
    headers = {"X-Tile-Features": str(result.features), "X-Tile-Cache": "hit" if hit else "miss"}
    if result.dropped:
        headers.update({"X-Tile-Truncated": "true", "X-Tile-Features-Dropped": str(result.dropped)})
    return cached(request, result.data, MVT, settings.tiles_max_age_s, headers)


