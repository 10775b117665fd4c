"""Swagger UI and ReDoc served from vendored assets (api/static; no CDN)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
STATIC = "/static/api"

REDOC = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>villagecov API — ReDoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body {{ margin: 0; padding: 0; }}</style></head>
<body><redoc spec-url="{openapi}"></redoc><script src="{static}/redoc/redoc.standalone.js"></script></body></html>
"""


@router.get("/docs")
def swagger() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json", title="villagecov API — Swagger UI",
        swagger_js_url=f"{STATIC}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{STATIC}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{STATIC}/swagger-ui/favicon-32x32.png",
    )


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return HTMLResponse(REDOC.format(openapi="/openapi.json", static=STATIC))
