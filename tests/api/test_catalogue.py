"""The indicator catalogue served by the API: the same definitions the engine computes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from villagecov.catalogue import CATALOGUE


def test_catalogue_lists_every_indicator_with_definition(client: TestClient) -> None:
    body = client.get("/indicators/catalogue").json()
    rows = {r["indicator"]: r for r in body["indicators"]}
    assert list(rows) == list(CATALOGUE)
    post = rows["t8.communes_post_share"]
    assert post["name"] == "Tỷ lệ xã có điểm phục vụ bưu chính" and post["unit"] == "%"
    assert post["numerator"] and post["denominator"] == "communes" and "sites" in post["source"]
    assert rows["t8.people_per_post_point"]["lower_is_better"] is True
    en = client.get("/indicators/catalogue", params={"lang": "en"}).json()
    assert en["indicators"][0]["name"] == "Villages covered by 4G"
    assert {g["group"] for g in en["groups"]} >= {"especially_difficult", "zone_iii", "border", "ethnic_minority"}
    assert client.get("/indicators/catalogue", params={"lang": "fr"}).status_code == 400
