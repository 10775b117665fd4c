"""The OpenAPI document as the server really answers: 400 (problem+json) for invalid
parameters instead of FastAPI's default 422, the problem schema, and the API key scheme."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from villagecov.api.ogc import GEOJSON_MODELS

PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
    "required": ["title", "status", "detail"],
}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    # GeoJSON answers are plain Responses (their own media type): their models go in by hand
    _, defs = models_json_schema([(m, "serialization") for m in GEOJSON_MODELS],
                                 ref_template="#/components/schemas/{model}")
    for name, schema in defs.get("$defs", {}).items():
        schemas.setdefault(name, schema)
    for route, path in doc.get("paths", {}).items():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            had_validation = responses.pop("422", None) is not None
            if had_validation or operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", _problem("invalid parameter (named in `detail`)"))
            if "{" in route or method in ("get", "head"):  # a named thing, or one not built yet (maps, plans)
                responses.setdefault("404", _problem("no such resource"))
            if any(p.get("in") == "header" and p.get("name", "").lower() == "x-api-key"
                   for p in operation.get("parameters", [])):  # the API key dependency (api.deps.get_api_key)
                responses.setdefault("401", _problem("no, invalid, revoked or expired API key"))
                responses.setdefault("403", _problem("the key's role or scope does not allow this"))
            if method in ("get", "head"):
                responses.setdefault("503", _problem("over the request time budget or the store is unreachable "
                                                     "(Retry-After)"))
            for code, response in responses.items():
                if code[:1] in "45" and "content" not in response:
                    response.update(_problem(response.get("description", "error")))
            responses.setdefault("500", _problem("server error (details only in the server log)"))
    app.openapi_schema = doc
    return doc
