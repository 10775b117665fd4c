"""SYNTHETIC data is labelled in the API's own metadata, real boundaries are not."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_collections_flag_synthetic_layers_in_title_description_and_field(client: TestClient) -> None:
    colls = {c["id"]: c for c in client.get("/collections").json()["collections"]}
    for cid in ("villages", "sites", "coverage", "measurements"):
        assert colls[cid]["synthetic"] is True
        assert colls[cid]["title"].startswith("[SYNTHETIC] ")
        assert "SYNTHETIC demo data, not real" in colls[cid]["description"]
    for cid in ("communes-2019", "districts-2019", "province"):
        assert colls[cid]["synthetic"] is False
        assert "SYNTHETIC" not in colls[cid]["title"] + colls[cid]["description"]
    one = client.get("/collections/villages").json()
    assert one["synthetic"] is True


def test_landing_page_says_the_store_holds_synthetic_data(client: TestClient) -> None:
    landing = client.get("/").json()
    assert landing["synthetic"] is True
    assert "DỮ LIỆU GIẢ LẬP" in landing["description"]
