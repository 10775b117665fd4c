"""The API as an attacker and a flaky network see it, on both stores: keys (revoked, expired,
each role against each scope), requests refused before their body is read, streaming and chunked
size limits, slow bodies, the worker process, the upload audit log, headers, links, paths."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.api.conftest import BACKENDS, Seeded, free_port, seeded_store
from villagecov.apikeys import create_key, revoke_key
from villagecov.storage import open_store


@pytest.fixture(scope="module", params=BACKENDS)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with seeded_store(
        request.param,
        tmp_path_factory.mktemp(f"sec-{request.param}"),
        max_upload_mb=1,
        upload_body_timeout_s=1.5,
        public_base_url="https://villagecov.example.gov.vn/api",
    ) as s:
        yield s


@pytest.fixture(scope="module")
def keys(site: Seeded) -> dict[str, str]:
    with open_store(site.settings.store) as store:
        out = {
            "admin": create_key(store, "admin")[1],
            "viettel": create_key(store, "operator", operator="viettel")[1],
            "vinaphone": create_key(store, "operator", operator="vinaphone")[1],
            "surveyor": create_key(store, "surveyor", communes=[site.communes[0]])[1],
            "other_surveyor": create_key(store, "surveyor", communes=[site.communes[1]])[1],
        }
        revoked_info, out["revoked"] = create_key(store, "admin")
        revoke_key(store, revoked_info.key_id)
        expiring, out["expired"] = create_key(
            store, "admin", expires_at=datetime.now(UTC) + timedelta(seconds=1)
        )
    time.sleep(1.2)
    return out


@pytest.fixture(scope="module")
def server(site: Seeded) -> Iterator[tuple[str, int]]:
    import uvicorn

    from villagecov.api.app import create_app

    port = free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(site.settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield "127.0.0.1", port
    srv.should_exit = True
    thread.join(timeout=10)


def _sites_csv(operator: str, lon: float, lat: float, site_id: str = "SYN-SEC-1") -> bytes:
    return (
        f"site_id,kind,operator,technologies,lon,lat\n{site_id},mobile_tower,{operator},4G,{lon},{lat}\n"
    ).encode()


def _post(
    c: TestClient, key: str | None, kind: str, content: bytes, name: str = "SYNTHETIC_sec.csv", **form: str
):
    headers = {"X-API-Key": key} if key else {}
    return c.post(
        "/uploads",
        headers=headers,
        data={"kind": kind, "as_of": "2025-06-30", **form},
        files={"file": (name, content, "text/csv")},
    )


def _raw(
    server: tuple[str, int], head: str, body: bytes = b"", wait_s: float = 10.0
) -> tuple[int, str, float]:
    """Send ``head`` (and ``body``) on a socket; the status, the response and when it came."""
    t0 = time.monotonic()
    with socket.create_connection(server, timeout=wait_s) as s:
        s.sendall(head.encode("latin-1") + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.settimeout(1)
        try:
            while chunk := s.recv(65536):
                data += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    text = data.decode("utf-8", "replace")
    return int(text.split(" ", 2)[1]), text, time.monotonic() - t0


def test_keys_are_refused_before_the_body_is_read(server: tuple[str, int], keys: dict[str, str]) -> None:
    """Anonymous, invalid, revoked and expired keys are answered 401 while the (chunked, huge)
    body has not even started: the server never waits for it nor spools it."""
    for key in (None, "vc_0000_nope", keys["revoked"], keys["expired"]):
        auth = f"X-API-Key: {key}\r\n" if key else ""
        head = (
            f"POST /uploads HTTP/1.1\r\nHost: x\r\n{auth}Transfer-Encoding: chunked\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n\r\n"
        )
        status, text, took = _raw(server, head)  # no body sent at all
        assert status == 401 and took < 5, (key, text)
    status, text, _ = _raw(
        server,
        f"POST /uploads HTTP/1.1\r\nHost: x\r\nX-API-Key: {keys['revoked']}\r\nContent-Length: 10\r\n\r\n",
    )
    assert "revoked" in text
    status, text, _ = _raw(
        server,
        f"POST /uploads HTTP/1.1\r\nHost: x\r\nX-API-Key: {keys['expired']}\r\nContent-Length: 10\r\n\r\n",
    )
    assert "expired" in text


def test_size_limit_covers_declared_and_chunked_bodies(
    server: tuple[str, int], keys: dict[str, str], site: Seeded
) -> None:
    auth = f"X-API-Key: {keys['admin']}\r\n"
    status, _, took = _raw(
        server,
        f"POST /uploads HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: {10**10}\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n\r\n",
    )
    assert status == 413 and took < 5
    # Chunked, no length: 2 MiB of chunks against a 1 MB limit is cut off at the limit.
    part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n' + b"x" * (
        2 << 20
    )
    chunks = (
        b"".join(
            f"{len(part[i : i + 65536]):x}\r\n".encode() + part[i : i + 65536] + b"\r\n"
            for i in range(0, len(part), 65536)
        )
        + b"0\r\n\r\n"
    )
    status, text, _ = _raw(
        server,
        f"POST /uploads HTTP/1.1\r\nHost: x\r\n{auth}Transfer-Encoding: chunked\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n\r\n",
        chunks,
    )
    assert status == 413, text
    uploads = Path(site.settings.archive_dir) / "uploads"
    assert not uploads.exists() or not list(uploads.glob(".incoming-*"))


def test_a_client_that_stops_sending_is_dropped(server: tuple[str, int], keys: dict[str, str]) -> None:
    head = (
        f"POST /uploads HTTP/1.1\r\nHost: x\r\nX-API-Key: {keys['admin']}\r\nContent-Length: 5000\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n\r\n"
    )
    status, text, took = _raw(server, head, b"--b\r\n")  # then nothing more
    assert status == 408 and 1.0 < took < 8, (status, took)


def _data(store) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Rows of every data table (the audit log and the keys grow on purpose)."""
    return {
        t: store.count(t)
        for t in ("villages", "sites", "coverage", "measurements", "services", "submissions")
    }


def test_authorisation_matrix(site: Seeded, keys: dict[str, str]) -> None:
    """Every caller against every kind: who is refused at the door (401/403) and who gets a job."""
    from villagecov.api.app import create_app

    lon, lat = site.centres["V1"]
    door = {  # caller -> kinds it may send (others: 403); None: 401 for everything
        None: None,
        "bad": None,
        "revoked": None,
        "expired": None,
        "admin": {"villages", "sites", "coverage", "measurements", "services"},
        "viettel": {"sites", "coverage", "measurements"},
        "surveyor": {"services"},
    }
    with open_store(site.settings.store) as store:
        before = _data(store)
    with TestClient(create_app(site.settings)) as c:
        for caller, allowed in door.items():
            key = keys.get(caller, "vc_abcdef_forged") if caller else None
            for kind in ("villages", "sites", "coverage", "measurements", "services"):
                r = _post(c, key, kind, b"", name="SYNTHETIC_empty.csv")
                expected = 401 if allowed is None else 400 if kind in allowed else 403
                assert r.status_code == expected, (caller, kind, r.status_code, r.text)
                assert r.headers["content-type"].startswith("application/problem+json")
        # An operator may not name another operator in the form; the rows are the ingest's to check.
        assert (
            _post(
                c, keys["viettel"], "sites", _sites_csv("viettel", lon, lat), operator="vinaphone"
            ).status_code
            == 403
        )
        cases = [
            ("viettel", "sites", _sites_csv("vinaphone", lon, lat), "refused"),
            ("vinaphone", "sites", _sites_csv("viettel", lon, lat, "SYN-SEC-2"), "refused"),
            ("other_surveyor", "services", b"village_id,as_of,radio\nV1,2025-06-30,1\n", "refused"),
            ("surveyor", "services", b"village_id,as_of,radio\nV3,2025-06-30,1\n", "refused"),
        ]
        for caller, kind, content, status in cases:
            r = _post(c, keys[caller], kind, content)
            assert r.status_code == 202, r.text
            job = c.get(f"/uploads/{r.json()['id']}", headers={"X-API-Key": keys[caller]}).json()
            assert job["status"] == status, (caller, job)
            other = "vinaphone" if caller != "vinaphone" else "viettel"
            assert c.get(f"/uploads/{job['id']}", headers={"X-API-Key": keys[other]}).status_code == 403
    with open_store(site.settings.store) as store:
        assert _data(store) == before


def test_worker_process_audit_log_and_public_reports(site: Seeded, keys: dict[str, str]) -> None:
    from villagecov.api.app import create_app

    lon, lat = site.centres["V2"]
    with TestClient(create_app(site.settings)) as c:
        r = _post(
            c,
            keys["viettel"],
            "sites",
            _sites_csv("viettel", lon, lat, "SYN-SEC-OK")
            + f"SYN-SEC-BAD,mobile_tower,viettel,9G,{lon},{lat}\n".encode(),
        )
        assert r.status_code == 202
        assert r.headers["location"] == f"https://villagecov.example.gov.vn/api/uploads/{r.json()['id']}"
        job = c.get(f"/uploads/{r.json()['id']}", headers={"X-API-Key": keys["viettel"]})
        body = job.json()
        assert body["status"] == "succeeded" and body["report"]["accepted"] == {"sites": 1}, body
        assert str(site.settings.archive_dir) not in job.text and "/tmp" not in job.text
        assert "worker_pid" not in body and "scope" not in body
        on_disk = json.loads(
            (Path(site.settings.archive_dir) / "uploads" / body["id"] / "job.json").read_text()
        )
        assert on_disk["worker_pid"] not in (None, os.getpid())  # ingested in another process
        quarantine = c.get(f"/uploads/{body['id']}/quarantine", headers={"X-API-Key": keys["viettel"]})
        assert quarantine.status_code == 200 and "unknown technology '9G'" in quarantine.text
        assert (
            c.get(f"/uploads/{body['id']}/quarantine", headers={"X-API-Key": keys["vinaphone"]}).status_code
            == 403
        )
        dup = _post(
            c,
            keys["viettel"],
            "sites",
            _sites_csv("viettel", lon, lat, "SYN-SEC-OK")
            + f"SYN-SEC-BAD,mobile_tower,viettel,9G,{lon},{lat}\n".encode(),
        )
        assert (
            c.get(f"/uploads/{dup.json()['id']}", headers={"X-API-Key": keys["viettel"]}).json()["status"]
            == "duplicate"
        )
        # A file named ".." is stored under a safe name, never as a folder.
        dots = _post(c, keys["viettel"], "sites", _sites_csv("viettel", lon, lat, "SYN-SEC-DOTS"), name="..")
        assert (
            dots.status_code == 202
            and c.get(f"/uploads/{dots.json()['id']}", headers={"X-API-Key": keys["viettel"]}).json()[
                "filename"
            ]
            == "upload"
        )
    with open_store(site.settings.store) as store:
        audit = store.read("upload_audit")
    mine = audit[audit["job_id"].isin([body["id"], dup.json()["id"]])]
    assert sorted(mine["status"]) == ["duplicate", "succeeded"]
    assert set(mine["operator"]) == {"viettel"} and mine["rows_accepted"].max() == 1
    assert {"forbidden", "refused"} <= set(audit["status"])  # the matrix above left its traces
    assert audit["received_at"].notna().all() and audit["key_id"].notna().all()
    # 401s are written too: who the caller claimed to be (never a secret), refused at the door.
    door = audit[audit["status"] == "unauthenticated"]
    assert {"anonymous", "abcdef"} <= set(door["key_id"]), door
    assert door["job_id"].isna().all() and door["role"].isna().all()
    assert door["detail"].str.contains("API key").all()
    assert not audit.astype(str).apply(lambda col: col.str.contains("forged")).any().any()


def test_a_worker_that_dies_fails_the_job_not_the_server(site: Seeded, keys: dict[str, str]) -> None:
    from villagecov.api.app import create_app

    lon, lat = site.centres["V2"]
    starved = site.settings.model_copy(update={"upload_job_memory_mb": 64})  # Python cannot even start
    with TestClient(create_app(starved)) as c:
        r = _post(c, keys["viettel"], "sites", _sites_csv("viettel", lon, lat, "SYN-SEC-OOM"))
        job = c.get(f"/uploads/{r.json()['id']}", headers={"X-API-Key": keys["viettel"]}).json()
        assert job["status"] == "failed" and "out of memory: over its 64 MB cap" in job["error"], job
        assert c.get("/collections").status_code == 200


def test_keys_cli_list_and_revoke(site: Seeded) -> None:
    from villagecov.cli import app

    runner = CliRunner()
    env = {"VILLAGECOV_STORE": site.settings.store}
    made = runner.invoke(
        app,
        [
            "keys",
            "create",
            "--role",
            "operator",
            "--operator",
            "mobifone",
            "--label",
            "MobiFone Quảng Bình",
            "--expires",
            "30d",
        ],
        env=env,
    )
    assert made.exit_code == 0, made.output
    text = made.stdout.strip().splitlines()[-1]
    key_id = text.split("_")[1]
    listed = runner.invoke(app, ["keys", "list"], env=env)
    line = next(x for x in listed.stdout.splitlines() if x.startswith(key_id))
    assert (
        "operator\tmobifone\tactive" in line and "MobiFone Quảng Bình" in line and text not in listed.stdout
    )
    assert runner.invoke(app, ["keys", "revoke", key_id], env=env).exit_code == 0
    assert f"{key_id}\toperator\tmobifone\trevoked" in runner.invoke(app, ["keys", "list"], env=env).stdout
    missing = runner.invoke(app, ["keys", "revoke", "nosuchkey"], env=env)
    assert missing.exit_code != 0 and "no API key" in missing.output
    past = runner.invoke(app, ["keys", "create", "--role", "admin", "--expires", "2020-01-01"], env=env)
    assert past.exit_code == 2 and "--expires" in past.output


def test_exports_neutralise_formula_cells(site: Seeded) -> None:
    import geopandas as gpd
    import pandas as pd
    import shapely

    from villagecov.api.app import create_app
    from villagecov.spreadsheet import neutralise_formulas

    lon, lat = site.centres["V1"]
    evil = '=HYPERLINK("http://x","Thôn")'
    village = gpd.GeoDataFrame(
        {
            "village_id": ["V-EVIL"],
            "name": [evil],
            "commune_code": [site.communes[0]],
            "population": [10],
            "synthetic": [True],
            "as_of": ["2024-01-01"],
            "source": ["@SUM(1+1)*cmd|' /C calc'!A0"],
        },
        geometry=[shapely.box(lon + 0.02, lat, lon + 0.021, lat + 0.001)],
        crs="EPSG:4326",
    )
    with open_store(site.settings.store) as store, store.transaction() as tx:
        tx.append("villages", village)
    with TestClient(create_app(site.settings)) as c:
        text = c.get("/exports/villages.csv").text
    row = next(line for line in text.splitlines() if "V-EVIL" in line)
    assert "'=HYPERLINK" in row and ",=" not in row and ',"=' not in row
    frame = neutralise_formulas(
        pd.DataFrame(
            {"t": ["=1+2", "+x", "-y", "@z", "\tq", "-105.5", "Thôn =", None], "n": [1, 2, 3, 4, 5, 6, 7, 8]}
        )
    )
    assert frame["t"].tolist()[:7] == ["'=1+2", "'+x", "'-y", "'@z", "'\tq", "-105.5", "Thôn ="]
    assert pd.isna(frame["t"].iloc[7])
    assert frame["n"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]


def test_headers_links_and_strict_parameters(site: Seeded) -> None:
    from villagecov.api.app import create_app

    with TestClient(create_app(site.settings)) as c:
        landing = c.get("/", headers={"Host": "evil.example"})
        assert "evil.example" not in landing.text
        assert all(
            link["href"].startswith("https://villagecov.example.gov.vn/api")
            for link in landing.json()["links"]
        )
        for r in (landing, c.get("/collections/villages/items?limit=1"), c.get("/docs")):
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "no-referrer"
            assert "frame-ancestors" in r.headers["content-security-policy"]
        assert "frame-ancestors 'self'" in c.get("/docs").headers["content-security-policy"]
        for url in (
            "/indicators?as_of=2025-02-30",
            "/indicators?as_of=2025-1-1",
            "/villages/V1?as_of=2024-13-01",
            "/collections/villages/items?bbox=100,10,200,20",
            "/collections/villages/items?bbox=1,2,3",
            "/collections/villages/items?datetime=2025-02-30",
            "/indicators?code=V1%00",
            "/collections/villages/items?name=Th%C3%B4n%0d%0aX",
            "/indicators?code=%7f",
        ):
            r = c.get(url)
            assert r.status_code == 400, (url, r.status_code, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
        wrong = c.delete("/collections")
        assert wrong.status_code == 405 and "GET" in wrong.headers["allow"]
        doc = c.get("/openapi.json").json()
        codes = {code for path in doc["paths"].values() for op in path.values() for code in op["responses"]}
        assert "422" not in codes and "400" in doc["paths"]["/indicators"]["get"]["responses"]
        as_of = next(p for p in doc["paths"]["/indicators"]["get"]["parameters"] if p["name"] == "as_of")
        assert as_of["schema"]["format"] == "date"


def test_doctor_repair_fails_jobs_whose_process_died(site: Seeded) -> None:
    from villagecov.cli import app
    from villagecov.jobs import Jobs
    from villagecov.scope import UploadScope

    jobs = Jobs(site.settings)
    jobs.root.mkdir(parents=True, exist_ok=True)
    staged = jobs.staging()
    (staged / "x.csv").write_text("a\n1\n")
    job = jobs.create(
        staged, {"kind": "sites", "filename": "x.csv", "options": {}}, UploadScope("admin"), "k"
    )
    before = jobs.pending()
    job.update(status="running", worker_pid=2**22 + 12345)  # no such process
    jobs.save(job)
    assert jobs.pending() == before  # still open: counted once, from its marker
    abandoned = jobs.staging()
    r = CliRunner().invoke(
        app,
        ["doctor", "--repair"],
        env={
            "VILLAGECOV_STORE": site.settings.store,
            "VILLAGECOV_ARCHIVE_DIR": str(site.settings.archive_dir),
        },
    )
    assert r.exit_code == 0, r.output
    assert jobs.load(job["id"])["status"] == "failed" and not abandoned.exists()
    assert f"upload {job['id']} was running" in r.output
    assert jobs.pending() == before - 1 and not (jobs.root / ".open" / job["id"]).exists()


def _wait(base: str, job_id: str, key: str, timeout_s: float = 240) -> dict:  # type: ignore[type-arg]
    import httpx

    deadline = time.monotonic() + timeout_s
    while True:
        job = httpx.get(f"{base}/uploads/{job_id}", headers={"X-API-Key": key}, timeout=30).json()
        if job["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.3)


def test_six_simultaneous_uploads_of_one_file_are_ingested_once(
    server: tuple[str, int], keys: dict[str, str], site: Seeded
) -> None:
    import httpx

    base = f"http://{server[0]}:{server[1]}"
    lon, lat = site.centres["V2"]
    content = _sites_csv("viettel", lon, lat, "SYN-SEC-RACE")
    barrier = threading.Barrier(6)
    answers: list[httpx.Response] = []

    def send() -> None:
        barrier.wait()
        answers.append(
            httpx.post(
                f"{base}/uploads",
                headers={"X-API-Key": keys["viettel"]},
                data={"kind": "sites", "as_of": "2025-06-30"},
                files={"file": ("SYNTHETIC_race.csv", content, "text/csv")},
                timeout=120,
            )
        )

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in answers] == [202] * 6
    statuses = sorted(_wait(base, r.json()["id"], keys["viettel"])["status"] for r in answers)
    assert statuses == ["duplicate"] * 5 + ["succeeded"], statuses
    with open_store(site.settings.store) as store:
        assert len(store.read("sites", where={"site_id": "SYN-SEC-RACE"})) == 1


def test_bounded_load_has_no_errors(server: tuple[str, int]) -> None:
    """20 clients × 5 s on loopback (the full 30 × 30 s run is benchmarks/load_bench.py): every
    answer is the expected one, none is an error."""
    import asyncio

    import httpx

    base = f"http://{server[0]}:{server[1]}"
    mix = [
        ("/", 200),
        ("/collections", 200),
        ("/collections/villages/items?limit=5", 200),
        ("/indicators?level=province", 200),
        ("/collections/villages/tiles/WebMercatorQuad/9/226/408", 200),
        ("/indicators?as_of=2025-02-30", 400),
        ("/villages/V1", 200),
    ]
    errors: list[str] = []
    done = 0

    async def client(k: int, until: float) -> None:
        nonlocal done
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            i = k
            while time.monotonic() < until:
                path, expected = mix[i % len(mix)]
                i += 1
                try:
                    r = await c.get(path)
                    if r.status_code not in (expected, 204):
                        errors.append(f"{path}: {r.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"{path}: {type(exc).__name__}")
                done += 1

    async def run() -> None:
        until = time.monotonic() + 5
        await asyncio.gather(*(client(k, until) for k in range(20)))

    asyncio.run(run())
    assert done >= 20 and errors == [], errors[:5]  # every client answered; no error (figures: the benchmark)
