"""``/maps/``: the built interactive maps (HTML) and their vendored JS/CSS assets.

The HTML comes from the folder ``villagecov maps build --out DIR`` wrote (``settings.maps_dir``,
default ``var/maps``); the assets from ``maps/static``.
Include with ``app.include_router(maps.router_for(settings))``. Nothing here reads the store.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

from villagecov.maps.assets import STATIC_DIR
from villagecov.settings import StoreSettings

_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}


def _safe_file(root: Path, rel: str) -> Path:
    """``root/rel`` if it is a file inside ``root`` (no ``..`` escapes), else 404."""
    base = root.resolve()
    path = (base / rel).resolve()
    if base not in path.parents or not path.is_file():
        raise HTTPException(status_code=404, detail=f"no such map file: {rel}")
    return path


def _file(path: Path, max_age: int) -> FileResponse:
    media = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media, headers={"Cache-Control": f"public, max-age={max_age}"})


def create_router(maps_dir: Path, static_dir: Path = STATIC_DIR) -> APIRouter:
    """Router serving ``maps_dir`` under ``/maps/`` and ``static_dir`` under ``/maps/static/``."""
    router = APIRouter(prefix="/maps", tags=["maps"])

    @router.get("", include_in_schema=False)
    def maps_root() -> RedirectResponse:
        return RedirectResponse(url="/maps/", status_code=307)

    @router.get("/", summary="Index of the interactive maps (Vietnamese; index.en.html in English)")
    def maps_index() -> FileResponse:
        index = maps_dir / "index.html"
        if not index.is_file():
            raise HTTPException(status_code=404, detail="maps are not built yet: run `villagecov maps build`")
        return _file(index, max_age=60)

    @router.get("/static/{path:path}", summary="Vendored Leaflet assets of the maps (no CDN)")
    def maps_static(path: str) -> FileResponse:
        return _file(_safe_file(static_dir, path), max_age=86400)

    @router.get("/{name:path}", summary="One built map (HTML) or its screenshot")
    def maps_file(name: str) -> FileResponse:
        return _file(_safe_file(maps_dir, name), max_age=60)

    return router


def router_for(settings: StoreSettings) -> APIRouter:
    """The maps router serving ``settings.maps_dir``."""
    return create_router(Path(settings.maps_dir))
