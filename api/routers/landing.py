"""Landing page and conformance (OGC API – Common / Features Part 1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from villagecov.api.deps import LayersDep, StoreDep
from villagecov.api.ogc import CONFORMANCE, SYNTHETIC_NOTE, Conformance, LandingPage, base_url, is_synthetic

router = APIRouter(tags=["OGC API – Features"])

@router.get("/", summary="Landing page", response_model=LandingPage, response_model_exclude_unset=True)
def landing(request: Request, store: StoreDep, layers: LayersDep) -> dict[str, Any]:
    base = base_url(request)
    synthetic = any(is_synthetic(store, layers, t) for t in ("villages", "sites", "coverage", "services"))
    return {
        "title": "villagecov — độ phủ sóng viễn thông các thôn, bản Quảng Bình",
        "description": "Telecom coverage and infrastructure of Quảng Bình's villages (plan tasks 8 and 9): "
        "OGC API – Features, vector and raster tiles, indicators, exports and uploads."
        + (f" This store holds {SYNTHETIC_NOTE}" if synthetic else ""),
        "synthetic": synthetic,
        "links": [
            {"href": f"{base}/", "rel": "self", "type": "application/json", "title": "this document"},
            {"href": f"{base}/openapi.json", "rel": "service-desc",
             "type": "application/vnd.oai.openapi+json;version=3.0", "title": "API definition"},
            {"href": f"{base}/docs", "rel": "service-doc", "type": "text/html", "title": "API documentation"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json",
             "title": "conformance classes"},
            {"href": f"{base}/collections", "rel": "data", "type": "application/json", "title": "collections"},
            {"href": f"{base}/rasters", "rel": "data", "type": "application/json", "title": "coverage rasters"},
            {"href": f"{base}/indicators", "rel": "data", "type": "application/json", "title": "indicators"},
            {"href": f"{base}/tileMatrixSets", "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
             "type": "application/json", "title": "tile matrix sets"},
        ],
    }


@router.get("/conformance", summary="Conformance classes", response_model=Conformance)
def conformance() -> dict[str, list[str]]:
    return {"conformsTo": CONFORMANCE}
