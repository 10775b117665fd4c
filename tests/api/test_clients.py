"""Real clients: OWSLib's OGC API – Features client against a real uvicorn server, and a short
schemathesis run against /openapi.json that must find no server error."""

from __future__ import annotations

import time

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from tests.api.conftest import Seeded, free_port


def test_owslib_lists_collections_and_pages(server: str) -> None:
    from owslib.ogcapi.features import Features

    api = Features(server)
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in api.conformance()["conformsTo"]
    ids = [c["id"] for c in api.collections()["collections"]]
    assert "villages" in ids and "communes-2019" in ids
    assert api.collection("villages")["title"].startswith("[SYNTHETIC] Villages")
    assert "population" in api.collection_queryables("villages")["properties"]
    seen: list[str] = []
    offset = 0
    while True:
        page = api.collection_items("communes-2019", limit=40, offset=offset)
        assert page["numberMatched"] == 159
        seen += [f["id"] for f in page["features"]]
        if not any(link["rel"] == "next" for link in page["links"]):
            break
        offset += 40
    assert len(seen) == 159 == len(set(seen))
    one = api.collection_item("villages", "V1")
    assert one["properties"]["name"] == "Thôn Một"
    filtered = api.collection_items("villages", remote="true")
    assert sorted(f["id"] for f in filtered["features"]) == ["V3", "V4"]


def test_openapi_no_server_errors(seeded: Seeded) -> None:
    """Every operation of /openapi.json, a few generated requests each: no 5xx answer."""
    from villagecov.api.app import create_app

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(seeded.settings))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate])
        def check(case: schemathesis.Case) -> None:
            # No 500, and every status answered is one the OpenAPI document lists (400, not 422).
            case.call_and_validate(checks=[not_a_server_error, status_code_conformance])

        check()


def test_cli_serve_runs_uvicorn(seeded: Seeded) -> None:
    """`villagecov serve --port P` answers /health and /collections, then stops on SIGTERM."""
    import json
    import os
    import subprocess
    import sys
    import urllib.request

    port = free_port()
    env = {**os.environ, "VILLAGECOV_ARCHIVE_DIR": str(seeded.settings.archive_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "villagecov.cli", "serve", "--store", seeded.settings.store,
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    assert json.load(r)["status"] == "ok"
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/collections/villages/items?limit=2", timeout=5) as r:
            assert json.load(r)["numberReturned"] == 2
    finally:
        proc.terminate()
        proc.wait(timeout=20)
