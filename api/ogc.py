"""OGC API documents' shared parts: the base URL of every link, links, conformance classes and the
SYNTHETIC note. One place, so routers never import each other for them."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from villagecov.publishing import LayerCache
from villagecov.schema import TABLES
from villagecov.storage import Store

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/png",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
]


def base_url(request: Request) -> str:
    """The base of every link the API writes: ``settings.public_base_url`` when set, else the
    address the server itself listens on — never the client's ``Host`` header, which a client
    (or a cache poisoner) chooses."""
    configured = request.app.state.settings.public_base_url
    if configured:
        return str(configured).rstrip("/")
    scheme = request.scope.get("scheme", "http")
    host, port = request.scope.get("server") or (request.app.state.settings.api_host,
                                                 request.app.state.settings.api_port)
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = f"[{host}]" if ":" in str(host) else str(host)
    if port is not None and port != default:
        netloc += f":{port}"
    return f"{scheme}://{netloc}{request.scope.get('root_path', '')}".rstrip("/")


def link(href: str, rel: str, type_: str = "application/json", title: str | None = None) -> dict[str, Any]:
    """One OGC link object."""
    out: dict[str, Any] = {"href": href, "rel": rel, "type": type_}
    if title is not None:
        out["title"] = title
    return out


SYNTHETIC_NOTE = ("SYNTHETIC demo data, not real (DỮ LIỆU GIẢ LẬP, không dùng để ra quyết định); "
                  "features carry synthetic=true.")


def is_synthetic(store: Store, layers: LayerCache, table_name: str) -> bool:
    """Whether any row of ``table_name`` is flagged synthetic (cached with the layer frames)."""
    if "synthetic" not in TABLES[table_name].columns:
        return False
    return bool(layers.get(store, ("synthetic:" + table_name, None),
                           lambda: store.count(table_name, {"synthetic": True}) > 0))


class Link(BaseModel):
    """An OGC / RFC 8288 link."""

    href: str
    rel: str
    type: str | None = None
    title: str | None = None
    hreflang: str | None = None
    templated: bool | None = Field(None, description="href is a URI template ({tileMatrix}, …)")


class LandingPage(BaseModel):
    title: str
    description: str
    synthetic: bool = Field(description="whether the store holds SYNTHETIC (demo) data")
    links: list[Link]


class Conformance(BaseModel):
    conformsTo: list[str]


class SpatialExtent(BaseModel):
    bbox: list[list[float]]
    crs: str


class TemporalExtent(BaseModel):
    interval: list[list[str | None]]
    trs: str


class Extent(BaseModel):
    spatial: SpatialExtent
    temporal: TemporalExtent | None = None


class CollectionDoc(BaseModel):
    """One collection (OGC API – Features Part 1, /collections/{collectionId})."""

    id: str
    title: str
    description: str
    synthetic: bool = Field(description="whether any feature of the layer is SYNTHETIC (demo) data")
    itemType: str
    crs: list[str]
    storageCrs: str
    extent: Extent
    links: list[Link]


class Collections(BaseModel):
    links: list[Link]
    collections: list[CollectionDoc]


class TileMatrixSetRef(BaseModel):
    id: str
    title: str
    links: list[Link]


class TileMatrixSets(BaseModel):
    tileMatrixSets: list[TileMatrixSetRef]  # the OGC member names


class TileSet(BaseModel):
    """A vector tileset of a collection (OGC API – Tiles)."""

    title: str
    dataType: str  # the OGC member names
    crs: str
    tileMatrixSetURI: str
    links: list[Link]


class TileSets(BaseModel):
    tilesets: list[TileSet]


class VectorLayer(BaseModel):
    id: str
    fields: dict[str, str]
    minzoom: int
    maxzoom: int


class TileJSON(BaseModel):
    """TileJSON 3.0.0, with the tile feature caps by zoom as an extension member."""

    model_config = ConfigDict(populate_by_name=True)

    tilejson: str
    name: str
    description: str | None = None
    scheme: str
    tiles: list[str]
    minzoom: int
    maxzoom: int
    bounds: list[float]
    center: list[float]
    vector_layers: list[VectorLayer] | None = None
    max_features: list[dict[str, int]] | None = Field(
        None, alias="x-villagecov-max-features",
        description="the most features a tile keeps, by zoom (beyond: X-Tile-Truncated on the tile)")


class Feature(BaseModel):
    """A GeoJSON feature (RFC 7946) of a collection; geometry in CRS84, null for an unlocated one."""

    type: Literal["Feature"]
    id: str | int
    geometry: dict[str, Any] | None
    properties: dict[str, Any]
    links: list[Link] | None = None


class FeatureCollection(BaseModel):
    """A page of a collection's features (OGC API – Features Part 1, GeoJSON)."""

    type: Literal["FeatureCollection"]
    features: list[Feature]
    numberMatched: int | None = None  # the OGC member names
    numberReturned: int
    timeStamp: str | None = None
    links: list[Link]


def geojson_response(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """An OpenAPI ``responses`` entry: 200 as GeoJSON described by ``model`` (a component, see
    :func:`villagecov.api.openapi.openapi_schema`)."""
    return {200: {"content": {"application/geo+json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


GEOJSON_MODELS: tuple[type[BaseModel], ...] = (Feature, FeatureCollection)
