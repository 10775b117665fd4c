"""OGC API – Features: collections, queryables, items and single features (GeoJSON)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from villagecov.api.deps import ItemsQuery, LayersDep, SettingsDep, StoreDep, cached
from villagecov.api.errors import BadQuery
from villagecov.api.features import (
    GEOJSON,
    feature_collection_json,
    features_json,
    properties_of,
    queryables_schema,
    select,
)
from villagecov.api.ogc import (
    SYNTHETIC_NOTE,
    CollectionDoc,
    Collections,
    Feature,
    FeatureCollection,
    base_url,
    geojson_response,
    is_synthetic,
)
from villagecov.api.paging import Cursor, store_page
from villagecov.errors import NotFound
from villagecov.publishing import BIG, Collection, LayerCache
from villagecov.storage import Store

router = APIRouter(tags=["OGC API – Features"])
STANDARD_PARAMS = {"limit", "offset", "bbox", "datetime", "f", "bbox-crs", "crs", "cursor"}
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
# Coordinates are served and filtered in CRS84 only (Part 2 clients may name it explicitly).
SUPPORTED_CRS = {CRS84, "http://www.opengis.net/def/crs/OGC/1.3/CRS84h", "[OGC:CRS84]"}
CollectionId = Path(description="collection id, e.g. villages, communes-2019, gaps", pattern=r"^[A-Za-z0-9_.-]+$",
                    examples=["villages"])


def _temporal(store: Store, layers: LayerCache, coll: Collection) -> list[str | None] | None:
    if coll.temporal == "fixed":
        return None
    if coll.temporal == "time":
        frame = layers.frame(store, coll, None)
        times = frame["time"].dropna()
        return [min(times), max(times)] if len(times) else [None, None]
    dates = layers.get(store, ("vintages:" + coll.table, None), lambda: store.vintages(coll.table))
    return [dates[0], dates[-1]] if dates else [None, None]


PROVINCE_BBOX = [105.6, 16.9, 107.1, 18.1]  # Quảng Bình, CRS84 degrees (used when a layer is not loaded)


SYNTHETIC_MARK = "[SYNTHETIC]"


def describe(request: Request, store: Store, layers: LayerCache, coll: Collection) -> dict[str, Any]:
    base = f"{base_url(request)}/collections/{coll.id}"
    # Measurements can hold millions of points: the listing does not load them just for an extent.
    big = coll.table == "measurements"
    frame = layers.peek(coll, None) if big else layers.frame(store, coll, None)
    bbox = ([float(v) for v in frame.total_bounds]
            if frame is not None and len(frame) and frame.geometry.notna().any() else None)
    extent: dict[str, Any] = {"spatial": {"bbox": [bbox or PROVINCE_BBOX], "crs": CRS84}}
    interval = _temporal(store, layers, coll) if not big or frame is not None else None
    if interval is not None:
        extent["temporal"] = {"interval": [interval], "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    synthetic = is_synthetic(store, layers, coll.table)
    return {
        "id": coll.id,
        "title": f"{SYNTHETIC_MARK} {coll.title}" if synthetic else coll.title,
        "description": f"{SYNTHETIC_NOTE} {coll.description}" if synthetic else coll.description,
        "synthetic": synthetic,
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": extent,
        "links": [
            {"href": base, "rel": "self", "type": "application/json", "title": coll.title},
            {"href": f"{base}/items", "rel": "items", "type": GEOJSON, "title": "items"},
            {"href": f"{base}/queryables", "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
             "type": "application/schema+json", "title": "queryables"},
            {"href": f"{base}/tiles", "rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
             "type": "application/json", "title": "vector tiles"},
            {"href": f"{base}/tiles/WebMercatorQuad/tilejson.json", "rel": "describedby",
             "type": "application/json", "title": "TileJSON"},
        ],
    }


@router.get("/collections", summary="The published layers", response_model=Collections,
            response_model_exclude_unset=True)
def collections(request: Request, store: StoreDep, layers: LayersDep) -> dict[str, Any]:
    base = base_url(request)
    return {
        "links": [{"href": f"{base}/collections", "rel": "self", "type": "application/json", "title": "collections"}],
        "collections": [describe(request, store, layers, c) for c in layers.catalog(store).values()],
    }


@router.get("/collections/{collection_id}", summary="One layer", response_model=CollectionDoc,
            response_model_exclude_unset=True)
def collection(request: Request, store: StoreDep, layers: LayersDep,
               collection_id: str = CollectionId) -> dict[str, Any]:
    return describe(request, store, layers, layers.collection(store, collection_id))


@router.get("/collections/{collection_id}/queryables", summary="Properties one can filter items on",
            responses={200: {"content": {"application/schema+json": {}}}})
def queryables(request: Request, store: StoreDep, layers: LayersDep, collection_id: str = CollectionId) -> Response:
    coll = layers.collection(store, collection_id)
    # The big layers' properties are their fixed columns: no need to load them to list these.
    props = list(coll.properties) if coll.id in BIG else properties_of(layers.frame(store, coll, None))
    url = f"{base_url(request)}/collections/{coll.id}/queryables"
    return Response(json.dumps(queryables_schema(coll, props, url), ensure_ascii=False),
                    media_type="application/schema+json")


def _filters(request: Request, props: list[str]) -> dict[str, str]:
    for name in ("bbox-crs", "crs"):
        value = request.query_params.get(name)
        if value is not None and value not in SUPPORTED_CRS:
            raise BadQuery(f"{name} {value!r} is not supported: coordinates are CRS84 ({CRS84})")
    out = {}
    for name, value in request.query_params.items():
        if name in STANDARD_PARAMS:
            continue
        if name not in props:
            raise BadQuery(f"unknown parameter {name!r}; filterable properties: see queryables")
        out[name] = value
    return out


def _page_url(request: Request, offset: int, limit: int, cursor: Cursor | None = None, context: str = "") -> str:
    params = dict(request.query_params)
    params.update(offset=str(offset), limit=str(limit))
    params.pop("cursor", None)
    if cursor is not None:
        params["cursor"] = cursor.encode(request.app.state.cursor_key, context)
    return f"{base_url(request)}{request.url.path}?{urlencode(params)}"


@router.get("/collections/{collection_id}/items", summary="Features of a layer (GeoJSON)",
            responses=geojson_response(FeatureCollection))
def items(
    request: Request, store: StoreDep, layers: LayersDep, settings: SettingsDep, params: ItemsQuery,
    collection_id: str = CollectionId,
    f: str | None = Query(None, pattern="^(json|geojson)$", description="output format"),
) -> Response:
    """Paged GeoJSON. Any queryable property given as a query parameter filters by equality."""
    coll = layers.collection(store, collection_id)
    version = request.query_params.get(coll.version_column) if coll.version_column else None
    paged, cursor, after = None, None, None
    # One page from the store (a time filter served by its index), never the whole layer in memory.
    if coll.id in BIG and params.bbox is None and (params.when is None or coll.temporal == "time"):
        cursor = Cursor.decode(params.cursor, request.app.state.cursor_key, coll.id) if params.cursor else None
        paged = store_page(store, coll, _filters(request, list(coll.properties)), params.offset, params.limit, cursor,
                           params.when)
    if paged is not None:
        page, n_matched, after = paged
    else:  # the whole frame (a cursor, if any, has no meaning here: the offset counts)
        cursor = None
        frame = layers.frame_in(store, coll, params.bbox,
                                params.when.as_of if params.when and coll.temporal == "vintage" else None, version)
        filters = _filters(request, [c for c in frame.columns if c != "geometry"])
        matched = select(frame, coll, bbox=params.bbox, filters=filters, when=params.when)
        page, n_matched = matched.iloc[params.offset: params.offset + params.limit], len(matched)
    base = f"{base_url(request)}/collections/{coll.id}"
    links = [
        {"href": _page_url(request, params.offset, params.limit, cursor, coll.id), "rel": "self", "type": GEOJSON,
         "title": "this page"},
        {"href": base, "rel": "collection", "type": "application/json", "title": coll.title},
    ]
    if params.offset + params.limit < n_matched:
        links.append({"href": _page_url(request, params.offset + params.limit, params.limit, after, coll.id),
                      "rel": "next",
                      "type": GEOJSON, "title": "next page"})
    if params.offset > 0:
        links.append({"href": _page_url(request, max(0, params.offset - params.limit), params.limit), "rel": "prev",
                      "type": GEOJSON, "title": "previous page"})
    body = feature_collection_json(page, coll, matched=n_matched, links=links).encode("utf-8")
    return cached(request, body, GEOJSON, settings.items_max_age_s)


@router.get("/collections/{collection_id}/items/{feature_id}", summary="One feature (GeoJSON)",
            responses=geojson_response(Feature))
def item(
    request: Request, store: StoreDep, layers: LayersDep, settings: SettingsDep,
    collection_id: str = CollectionId, feature_id: str = Path(description="feature id"),
) -> Response:
    coll = layers.collection(store, collection_id)
    version = None
    if coll.version_column:  # the feature may belong to an earlier version (plan) than the latest
        row = store.read(coll.table, where={coll.id_column: feature_id})
        version = str(row[coll.version_column].iloc[0]) if len(row) else None
    row = layers.feature(store, coll, feature_id, version)
    if row.empty:
        raise NotFound(f"no feature {feature_id!r} in {coll.id}")
    feature = json.loads(features_json(row.iloc[:1], coll)[0])
    base = f"{base_url(request)}/collections/{coll.id}"
    feature["links"] = [
        {"href": f"{base}/items/{feature_id}", "rel": "self", "type": GEOJSON, "title": "this feature"},
        {"href": base, "rel": "collection", "type": "application/json", "title": coll.title},
    ]
    body = json.dumps(feature, ensure_ascii=False).encode("utf-8")
    return cached(request, body, GEOJSON, settings.items_max_age_s)
