"""Property-based fuzz of ``POST /uploads`` with a valid operator key, on both stores: random
bytes under random file names with random form fields never give a 5xx, every accepted upload
ends in a final state other than ``succeeded``, and the data tables are left exactly as they were.
Bounded: a fixed number of derandomised examples per store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import BACKENDS, Seeded, seeded_store
from villagecov.apikeys import create_key
from villagecov.storage import open_store

FINAL_NOT_OK = {"rejected", "refused", "duplicate", "failed"}
DATA = ("villages", "sites", "coverage", "measurements", "services", "submissions")


@pytest.fixture(scope="module", params=BACKENDS)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with seeded_store(request.param, tmp_path_factory.mktemp(f"fuzz-{request.param}"), max_upload_mb=1) as s:
        yield s


def _counts(url: str) -> dict[str, int]:
    with open_store(url) as store:
        return {t: store.count(t) for t in DATA}


names = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["..", ".", "/", "a/../../b.csv", "x.csv\x00.zip", "Nhà mạng.csv", "", " ", "C:\\x.shp"]),
)
fields = st.fixed_dictionaries(
    {
        "kind": st.one_of(
            st.sampled_from(["sites", "coverage", "measurements", "villages"]), st.text(max_size=12)
        )
    },
    optional={
        "operator": st.one_of(st.sampled_from(["viettel", "vinaphone", ""]), st.text(max_size=40)),
        "technology": st.one_of(st.sampled_from(["4G", "9G"]), st.text(max_size=5)),
        "as_of": st.one_of(st.sampled_from(["2025-06-30", "2025-02-30", "30/06/2025"]), st.text(max_size=12)),
        "evidence": st.text(max_size=10),
        "boundaries": st.sampled_from(["2019", "2025-07", "1900"]),
        "extra": st.text(max_size=20),
    },
)
contents = st.one_of(
    st.binary(max_size=2048),
    st.sampled_from(
        [b"site_id,operator\nS1,vinaphone\n", b"PK\x03\x04" + b"\x00" * 40, b'{"type":"Feature']
    ).flatmap(lambda head: st.binary(max_size=256).map(lambda tail: head + tail)),
)


def test_random_uploads_never_break_the_server_nor_the_store(site: Seeded) -> None:
    from villagecov.api.app import create_app

    with open_store(site.settings.store) as store:
        key = create_key(store, "operator", operator="viettel")[1]
    before = _counts(site.settings.store)
    seen: dict[int, int] = {}
    with TestClient(create_app(site.settings), raise_server_exceptions=False) as c:

        @given(name=names, form=fields, content=contents)
        @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def check(name: str, form: dict[str, str], content: bytes) -> None:
            safe_name = name.replace("\x00", "")  # the HTTP client cannot send NUL in a header value
            r = c.post(
                "/uploads", headers={"X-API-Key": key}, data=form, files={"file": (safe_name, content)}
            )
            seen[r.status_code] = seen.get(r.status_code, 0) + 1
            assert r.status_code < 500, (name, form, r.status_code, r.text)
            assert r.status_code in (202, 400, 403, 413), (r.status_code, r.text)
            if r.status_code == 202:
                job = c.get(f"/uploads/{r.json()['id']}", headers={"X-API-Key": key}).json()
                assert job["status"] in FINAL_NOT_OK, job
                assert str(site.settings.archive_dir) not in str(job)

        check()
    assert _counts(site.settings.store) == before
    assert seen.get(202, 0) >= 1 and seen.get(400, 0) >= 1, seen  # both the door and the ingest were reached
