"""Submissions, withdrawal, runs and kept figures through the API (both stores)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient
from updates_helpers import coverage_file, ingest, two_districts, villages_file

from villagecov import runs
from villagecov.apikeys import create_key
from villagecov.compute_pipeline import compute_all
from villagecov.settings import Settings
from villagecov.storage import Store


def test_submissions_withdraw_and_runs_over_the_api(loaded: Store, settings: Settings, files: Path) -> None:
    from villagecov.api.app import create_app

    places = two_districts(loaded)
    province = loaded.read("admin_units", where={"version": "2019", "level": "province"}).geometry.iloc[0]
    ingest(settings, loaded, "villages", villages_file(files / "villages.geojson", places), as_of="2024-01-01")
    cov = ingest(settings, loaded, "coverage", coverage_file(files / "full.geojson", [province]), as_of="2024-01-01",
                 operator="viettel", technology="4G")
    first = compute_all(settings)
    runs.publish(loaded, first.run_id, "thanh")
    _, admin = create_key(loaded, "admin", label="Sở KH&CN")
    _, viettel = create_key(loaded, "operator", operator="viettel")
    with TestClient(create_app(settings)) as c:
        assert c.get("/submissions").status_code == 401
        assert c.get("/submissions", headers={"X-API-Key": viettel}).status_code == 403
        listed = c.get("/submissions", headers={"X-API-Key": admin}).json()["submissions"]
        assert [s["kind"] for s in listed] == ["boundaries", "villages", "coverage"]
        row = listed[2]
        assert row["submission_id"] == cov.submission_id and row["sha256"] == cov.sha256
        assert row["submitted_by"] == "tester" and row["rows_accepted"] == 1 and row["status"] == "ingested"
        assert row["extent"].startswith("footprint")

        url = f"/submissions/{cov.submission_id}/withdraw"
        assert c.post(url, json={"reason": "x"}, headers={"X-API-Key": viettel}).status_code == 403
        assert c.post(url, json={"reason": ""}, headers={"X-API-Key": admin}).status_code == 400
        missing = c.post("/submissions/sub-000000000000/withdraw", json={"reason": "x"}, headers={"X-API-Key": admin})
        assert missing.status_code == 404
        done = c.post(url, json={"reason": "sai nhà mạng"}, headers={"X-API-Key": admin})
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "withdrawn" and done.json()["withdrawn_by"].endswith("(Sở KH&CN)")
        assert c.post(url, json={"reason": "again"}, headers={"X-API-Key": admin}).status_code == 400
        log = c.get("/changes", headers={"X-API-Key": admin}).json()["changes"]
        assert {"action": "withdraw", "target": cov.submission_id} in [
            {"action": e["action"], "target": e["target"]} for e in log]

    second = compute_all(settings)  # without the coverage: a new run; 4G is now no data
    with TestClient(create_app(settings)) as c:
        listed = c.get("/runs").json()["runs"]
        assert [(r["run_id"], r["status"], r["current"]) for r in listed] == [
            (second.run_id, "draft", True), (first.run_id, "published", False)]
        record = c.get(f"/runs/{first.run_id}").json()
        assert cov.sha256 in {s["sha256"] for s in record["inputs"]["submissions"]}
        kept = c.get(f"/runs/{first.run_id}/results/indicators")
        assert kept.status_code == 200 and kept.content == runs.read_file(loaded, first.run_id, "indicators").data
        assert kept.headers["content-type"].startswith("text/csv")
        old = c.get("/indicators", params={"run": first.run_id, "level": "province", "boundaries": "2019",
                                           "indicator": "t8.villages_4g_share"}).json()["indicators"]
        assert [r["value"] for r in old] == [1.0]
        now = c.get("/indicators", params={"level": "province", "boundaries": "2019",
                                           "indicator": "t8.villages_4g_share"}).json()["indicators"]
        assert now[0]["value"] is None and now[0]["status"] == "no_data" and "4G coverage" in now[0]["reason"]
        assert c.get("/runs/compute-nope/results/indicators").status_code == 404

        # the villages download of the published run: its statuses and indicators, not today's
        kept_csv = c.get(f"/exports/villages.csv?run={first.run_id}")
        assert kept_csv.status_code == 200, kept_csv.text
        assert f'villages-{first.run_id}.csv' in kept_csv.headers["content-disposition"]
        then = pd.read_csv(io.StringIO(kept_csv.text), dtype={"village_id": str})
        today = pd.read_csv(io.StringIO(c.get("/exports/villages.csv").text), dtype={"village_id": str})
        assert sorted(then["village_id"]) == sorted(today["village_id"]) and len(then) > 0
        assert set(then["status_4g"]) == {"covered"} and (then["pop_share_4g"] == 1.0).all()
        assert not (today["status_4g"] == "covered").any()
        summary = runs.read_table(loaded, first.run_id, "village_summary")
        assert set(summary["status_4g"]) == {"covered"} and summary["remote"].dtype == "boolean"
        geo = c.get(f"/exports/villages.geojson?run={first.run_id}").json()
        assert {f["properties"]["status_4g"] for f in geo["features"]} == {"covered"}
        assert c.get("/exports/villages.csv?run=compute-0000000000000000").status_code == 404
        assert c.get("/exports/villages.csv?run=bad id").status_code == 400
