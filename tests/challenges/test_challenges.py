"""Challenges ("report a problem here"): the library on both stores, and the API round trip
(public submit, rate limit, admin list and resolve, the public list of challenged villages)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.maps.sample import sample_inputs
from villagecov import challenges
from villagecov.apikeys import create_key
from villagecov.errors import InputError, NotFound
from villagecov.settings import Settings
from villagecov.storage import Store, open_store


def fill(store: Store) -> None:
    with store.transaction() as tx:
        tx.append("villages", sample_inputs().villages)


def test_submit_list_resolve_on_both_stores(store: Store) -> None:
    fill(store)
    first = challenges.submit(store, challenges.ChallengeIn("V3", "no_signal", "viettel", "4G", "Không có sóng ở bản",
                                                            "0912 345 678"))
    assert first["status"] == "open" and first["challenge_id"].startswith("C") and first["contact"] == "0912 345 678"
    challenges.submit(store, challenges.ChallengeIn("V3", "slow_data"))
    other = challenges.submit(store, challenges.ChallengeIn("V5", "weak_signal", technology="3G"))
    assert challenges.challenged_villages(store) == [
        {"village_id": "V3", "open": 2, "problems": ["no_signal", "slow_data"]},
        {"village_id": "V5", "open": 1, "problems": ["weak_signal"]}]
    listed = challenges.list_challenges(store)
    assert len(listed) == 3 and {c["village_id"] for c in listed} == {"V3", "V5"}
    assert next(c for c in listed if c["challenge_id"] == first["challenge_id"])["details"] == "Không có sóng ở bản"

    done = challenges.resolve(store, first["challenge_id"], "upheld", "đo kiểm xác nhận", by="K1")
    assert done["status"] == "upheld" and done["resolved_by"] == "K1" and done["resolved_at"]
    challenges.resolve(store, other["challenge_id"], "rejected")
    assert challenges.challenged_villages(store) == [{"village_id": "V3", "open": 1, "problems": ["slow_data"]}]
    assert [c["status"] for c in challenges.list_challenges(store, "upheld")] == ["upheld"]
    up = challenges.upheld(store)
    assert list(up["village_id"]) == ["V3"] and list(up["operator"]) == ["viettel"] and list(up["technology"]) == ["4G"]


def test_bad_reports_are_refused_and_leave_the_store_as_it_was(store: Store) -> None:
    fill(store)
    before = store.digest()
    with pytest.raises(NotFound, match="no village 'NOPE'"):
        challenges.submit(store, challenges.ChallengeIn("NOPE", "no_signal"))
    with pytest.raises(InputError, match="field problem"):
        challenges.submit(store, challenges.ChallengeIn("V1", "bad"))
    with pytest.raises(InputError, match="field operator"):
        challenges.submit(store, challenges.ChallengeIn("V1", "no_signal", operator="acme"))
    with pytest.raises(InputError, match="field contact"):
        challenges.submit(store, challenges.ChallengeIn("V1", "no_signal", contact="x" * 201))
    with pytest.raises(NotFound):
        challenges.resolve(store, "C1-none", "upheld")
    with pytest.raises(InputError, match="field status"):
        challenges.resolve(store, "C1-none", "open")
    assert store.digest() == before


@pytest.fixture
def api(store_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, str, str]]:
    from villagecov.api.app import create_app

    with open_store(store_url, initialize=True) as st:
        fill(st)
        _, admin = create_key(st, "admin", label="test admin")
        _, surveyor = create_key(st, "surveyor", communes=["0101"], label="test surveyor")
    settings = Settings(store=store_url, maps_dir=tmp_path / "maps", archive_dir=tmp_path / "archive",
                        challenges_per_hour=3)
    with TestClient(create_app(settings)) as client:
        yield client, admin, surveyor


def test_api_round_trip_and_rate_limit(api: tuple[TestClient, str, str]) -> None:
    client, admin, surveyor = api
    r = client.post("/challenges", json={"village_id": "V2", "problem": "no_signal", "operator": "vinaphone",
                                         "technology": "4G", "details": "Cả bản không gọi được", "contact": "a@b.vn"})
    assert r.status_code == 201, r.text
    body = r.json()
    cid = body["challenge_id"]
    assert body["status"] == "open" and "contact" not in body and r.headers["location"] == f"/challenges/{cid}"
    assert client.post("/challenges", json={"village_id": "NOPE", "problem": "no_signal"}).status_code == 404
    assert client.post("/challenges", json={"village_id": "V2", "problem": "broken"}).status_code == 400
    public = client.get("/challenges/villages").json()
    assert public == {"villages": [{"village_id": "V2", "open": 1, "problems": ["no_signal"]}]}

    assert client.get("/challenges").status_code == 401
    assert client.get("/challenges", headers={"X-API-Key": surveyor}).status_code == 403
    listed = client.get("/challenges", headers={"X-API-Key": admin}).json()["challenges"]
    assert [(c["challenge_id"], c["contact"], c["details"]) for c in listed] == [(cid, "a@b.vn", "Cả bản không gọi được")]
    r = client.post(f"/challenges/{cid}/resolve", json={"status": "upheld", "note": "đã kiểm tra"},
                    headers={"X-API-Key": admin})
    assert r.status_code == 200 and r.json()["status"] == "upheld" and r.json()["resolution"] == "đã kiểm tra"
    assert client.post(f"/challenges/{cid}/resolve", json={"status": "upheld"},
                       headers={"X-API-Key": surveyor}).status_code == 403
    assert client.get("/challenges/villages").json() == {"villages": []}
    assert client.get("/challenges?status=upheld", headers={"X-API-Key": admin}).json()["challenges"][0]["status"] == "upheld"

    # three tries per hour and address: the 201 and the 404 above and this one (an invalid body is
    # refused before it reaches the limiter)
    assert client.post("/challenges", json={"village_id": "V1", "problem": "weak_signal"}).status_code == 201
    r = client.post("/challenges", json={"village_id": "V1", "problem": "weak_signal"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.headers["content-type"].startswith("application/problem+json")


def test_rate_limiter_window() -> None:
    from villagecov.api.ratelimit import RateLimiter

    now = [0.0]
    limiter = RateLimiter(2, 60.0, clock=lambda: now[0])
    assert limiter.hit("a") == 0 and limiter.hit("a") == 0 and limiter.hit("b") == 0
    assert limiter.hit("a") == 60.0
    now[0] = 61.0
    assert limiter.hit("a") == 0
