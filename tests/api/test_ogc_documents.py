"""The OGC documents are typed (api/ogc.py): /openapi.json names a schema for each, and each real
response, on both stores, is exactly what its model says (validated and dumped back unchanged)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from villagecov.api import ogc

DOCUMENTS: list[tuple[str, str, type[BaseModel]]] = [
    ("/", "/", ogc.LandingPage),
    ("/conformance", "/conformance", ogc.Conformance),
    ("/collections", "/collections", ogc.Collections),
    ("/collections/villages", "/collections/{collection_id}", ogc.CollectionDoc),
    ("/collections/coverage", "/collections/{collection_id}", ogc.CollectionDoc),
    ("/tileMatrixSets", "/tileMatrixSets", ogc.TileMatrixSets),
    ("/collections/villages/tiles", "/collections/{collection_id}/tiles", ogc.TileSets),
    ("/collections/villages/tiles/WebMercatorQuad/tilejson.json",
     "/collections/{collection_id}/tiles/WebMercatorQuad/tilejson.json", ogc.TileJSON),
]


@pytest.mark.parametrize(("url", "path", "model"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_each_document_is_its_model(client: TestClient, url: str, path: str, model: type[BaseModel]) -> None:
    spec = client.get("/openapi.json").json()
    schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": f"#/components/schemas/{model.__name__}"}
    assert spec["components"]["schemas"][model.__name__]["required"], "a real schema, not an empty object"
    body = client.get(url).json()
    assert model.model_validate(body).model_dump(mode="json", by_alias=True, exclude_unset=True) == body


def test_the_tilejson_keeps_its_extension_member(client: TestClient) -> None:
    body = client.get("/collections/villages/tiles/WebMercatorQuad/tilejson.json").json()
    assert body["x-villagecov-max-features"] and body["vector_layers"][0]["id"] == "villages"
    raster = client.get("/rasters").json()["rasters"]
    if raster:
        doc = client.get(f"/rasters/{raster[0]['id']}/tilejson.json").json()
        assert ogc.TileJSON.model_validate(doc).model_dump(mode="json", by_alias=True, exclude_unset=True) == doc


@pytest.mark.parametrize("collection", ["villages", "gaps", "sites", "measurements"])
def test_geojson_pages_and_features_are_their_models(client: TestClient, collection: str) -> None:
    spec = client.get("/openapi.json").json()
    ops = spec["paths"]
    page_schema = ops["/collections/{collection_id}/items"]["get"]["responses"]["200"]["content"]["application/geo+json"]
    one_schema = ops["/collections/{collection_id}/items/{feature_id}"]["get"]["responses"]["200"]["content"]
    assert page_schema["schema"] == {"$ref": "#/components/schemas/FeatureCollection"}
    assert one_schema["application/geo+json"]["schema"] == {"$ref": "#/components/schemas/Feature"}
    assert {"Feature", "FeatureCollection", "Link"} <= set(spec["components"]["schemas"])
    page = client.get(f"/collections/{collection}/items?limit=3").json()
    assert ogc.FeatureCollection.model_validate(page).model_dump(mode="json", exclude_unset=True) == page
    if page["features"]:
        one = client.get(f"/collections/{collection}/items/{page['features'][0]['id']}").json()
        assert ogc.Feature.model_validate(one).model_dump(mode="json", exclude_unset=True) == one
