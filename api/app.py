"""The app factory: ``create_app(settings)`` wires settings, store, routers and middleware.

Settings are read by the caller (CLI, tests, ASGI entry) and passed in; the store is opened
once per app and closed on shutdown.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

import villagecov
from villagecov.api import errors
from villagecov.api.limits import QueryGuard, SecurityHeaders, TimeBudget, UploadGuard
from villagecov.api.openapi import openapi_schema
from villagecov.api.paging import cursor_secret
from villagecov.api.routers import (
    challenges,
    collections,
    docs,
    exports,
    health,
    indicators,
    landing,
    maps,
    plans,
    rasters,
    records,
    reports,
    tiles,
    uploads,
    villages,
)
from villagecov.api.tilecache import TileCache
from villagecov.publishing import LayerCache
from villagecov.settings import Settings
from villagecov.storage import open_store

STATIC_DIR = Path(__file__).with_name("static")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The villagecov API over ``settings.store`` (read-only, apart from uploads)."""
    settings = settings or Settings()
    store = open_store(settings.store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()  # and its tile sessions

    app = FastAPI(
        title="villagecov API",
        version=villagecov.__version__,
        description="Telecom coverage of Quảng Bình's villages (plan tasks 8 and 9): OGC API – Features, "
        "vector tiles (MVT), raster tiles (PNG), indicators, exports and authenticated uploads. "
        "Geometry in CRS84 (lon/lat degrees); tiles in WebMercatorQuad.",
        docs_url=None, redoc_url=None, lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.layers = LayerCache()
    app.state.tiles = TileCache(settings.tile_cache_mb * 1024 * 1024)
    errors.install(app)

    app.state.upload_slots = threading.BoundedSemaphore(settings.upload_workers)
    app.state.cursor_key = cursor_secret(settings.cursor_secret)
    # Outermost last: headers on every answer, then the URL check, the time budget, the upload guard.
    app.add_middleware(UploadGuard, store=store, settings=settings)
    app.add_middleware(TimeBudget, seconds=settings.request_time_budget_s)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)  # default 9: more CPU per tile for little gain
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                       allow_headers=["X-API-Key", "Authorization", "Content-Type", "If-None-Match"],
                       expose_headers=["ETag", "X-Tile-Truncated", "X-Tile-Features-Dropped", "X-Tile-Cache",
                                       "Location"])
    app.add_middleware(QueryGuard)
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)
    app.openapi = lambda: openapi_schema(app)  # type: ignore[method-assign]
    for module in (landing, collections, tiles, rasters, indicators, villages, plans, exports, reports, uploads,
                   records, health, docs):
        app.include_router(module.router)
    app.include_router(challenges.router_for(settings))
    app.include_router(maps.router_for(settings))
    app.mount("/static/api", StaticFiles(directory=STATIC_DIR), name="api-static")
    return app
