"""Dependencies of the routers: settings, store, layer cache, API key, query-parameter groups.

Routers take ``Annotated`` aliases from here (``StoreDep``, ``ItemsQuery`` …) and stay thin.

The dependencies that neither block nor touch the store are ``async def``: FastAPI runs a plain
``def`` dependency in the thread pool, and five such hops per tile request (each a wake-up of the
event loop and of a worker thread) showed as queueing at the 95th percentile under load. The
key lookup reads the store and stays a thread-pool dependency.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import AfterValidator

from villagecov.api.features import TimeFilter, parse_bbox, parse_datetime
from villagecov.apikeys import ApiKey, verify_key
from villagecov.errors import NotFound
from villagecov.publishing import LayerCache
from villagecov.settings import Settings
from villagecov.storage import Store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_layers(request: Request) -> LayerCache:
    return request.app.state.layers


SettingsDep = Annotated[Settings, Depends(get_settings)]


def calendar_date(value: str | None) -> str | None:
    """``value`` when it is a real calendar date (``2025-02-30`` is not): 400 otherwise."""
    if value is not None:
        date.fromisoformat(value)
    return value


DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# An RFC 3339 instant, or an interval of two (either may be open: ``..`` or empty), as OGC API says.
_INSTANT = r"\d{4}-\d{2}-\d{2}([Tt ][0-9:.]+([Zz]|[+-]\d{2}:?\d{2})?)?"
DATETIME_PATTERN = rf"^(\.\.|{_INSTANT})?(/(\.\.|{_INSTANT})?)?$"
# A vintage date parameter: YYYY-MM-DD and a real date (in the OpenAPI schema: format "date").
IsoDate = Annotated[str | None, Query(pattern=DATE_PATTERN, description="vintage date YYYY-MM-DD (default: latest)",
                                      json_schema_extra={"format": "date"}), AfterValidator(calendar_date)]


StoreDep = Annotated[Store, Depends(get_store)]
LayersDep = Annotated[LayerCache, Depends(get_layers)]


def get_api_key(
    store: StoreDep,
    x_api_key: Annotated[str | None, Header(description="API key printed by `villagecov keys create`")] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> ApiKey:
    """The caller's key from ``X-API-Key`` (or ``Authorization: Bearer``); 401 when missing/invalid."""
    text = x_api_key
    if not text and authorization and authorization.lower().startswith("bearer "):
        text = authorization[7:].strip()
    return verify_key(store, text)


ApiKeyDep = Annotated[ApiKey, Depends(get_api_key)]


@dataclass(frozen=True)
class ItemsParams:
    limit: int
    offset: int
    bbox: tuple[float, float, float, float] | None
    when: TimeFilter | None
    cursor: str | None = None


async def items_params(
    settings: SettingsDep,
    limit: Annotated[int | None, Query(ge=1, description="features per page (capped by the server)")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="features to skip")] = 0,
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat (CRS84 degrees)",
                                      pattern=r"^[^,]+(,[^,]+){3}(,[^,]+,[^,]+)?$")] = None,
    datetime: Annotated[str | None, Query(description="instant or interval (RFC 3339): the vintage to show",
                                          pattern=DATETIME_PATTERN, max_length=80)] = None,
    cursor: Annotated[str | None, Query(max_length=2000, description=(
        "where the page starts, as issued in the `next` link of a large layer (measurements): the "
        "server seeks there instead of skipping `offset` features; ignored by other layers"))] = None,
) -> ItemsParams:
    cap = settings.items_limit_max
    return ItemsParams(min(limit or settings.items_limit_default, cap), offset, parse_bbox(bbox),
                       parse_datetime(datetime), cursor)


ItemsQuery = Annotated[ItemsParams, Depends(items_params)]


async def vintage_param(
    datetime: Annotated[str | None, Query(description="instant or interval (RFC 3339): the vintage to show",
                                          pattern=DATETIME_PATTERN, max_length=80)] = None,
) -> TimeFilter | None:
    return parse_datetime(datetime)


VintageQuery = Annotated[TimeFilter | None, Depends(vintage_param)]


@dataclass(frozen=True)
class TileXYZ:
    z: int
    y: int  # row
    x: int  # column


async def tile_params(
    z: Annotated[int, Path(ge=0, le=24, description="zoom (TileMatrix)")],
    y: Annotated[int, Path(ge=0, description="TileRow")],
    x: Annotated[int, Path(ge=0, description="TileCol")],
) -> TileXYZ:
    if x >= 2**z or y >= 2**z:
        raise NotFound(f"no tile {z}/{y}/{x} in WebMercatorQuad")
    return TileXYZ(z, y, x)


TileQuery = Annotated[TileXYZ, Depends(tile_params)]


def cached(
    request: Request, body: bytes, media_type: str, max_age: int, headers: dict[str, str] | None = None
) -> Response:
    """``body`` with a strong ETag and ``Cache-Control``; 304 when ``If-None-Match`` matches."""
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    base = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", **(headers or {})}
    inm = request.headers.get("if-none-match", "")
    if etag in [t.strip().removeprefix("W/") for t in inm.split(",")]:
        return Response(status_code=304, headers=base)
    return Response(content=body, media_type=media_type, headers=base)
