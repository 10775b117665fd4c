"""Uploads and API keys on both stores: allowed uploads are ingested in the background; every
forbidden case answers 401/403/413 and leaves the store (digest) and the job folder unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.api.conftest import BACKENDS, Seeded, seeded_store
from villagecov.apikeys import create_key, hash_key
from villagecov.storage import open_store


@pytest.fixture(scope="module", params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """A seeded store of each backend for this module (the tests add keys and uploads to it)."""
    with seeded_store(request.param, tmp_path_factory.mktemp(f"up-{request.param}"), max_upload_mb=1) as s:
        yield s


def _sites_csv(operator: str, lon: float, lat: float) -> bytes:
    return ("site_id,kind,operator,technologies,height_m,eirp_dbm,in_service_from,in_service_to,lon,lat\n"
            f"SYN-UP-1,mobile_tower,{operator},2G;4G,30,60,2024-01-01,,{lon},{lat}\n").encode()


def _services_csv(village: str) -> bytes:
    return f"village_id,as_of,source,fixed_broadband,radio,tv,press,post\n{village},2025-06-30,survey,1,1,0,1,0\n".encode()


def _post(c: TestClient, key: str | None, kind: str, content: bytes, name: str = "SYNTHETIC_upload.csv",
          **form: str):
    headers = {"X-API-Key": key} if key else {}
    return c.post("/uploads", headers=headers, data={"kind": kind, **form}, files={"file": (name, content, "text/csv")})


def _data(store) -> str:  # type: ignore[no-untyped-def]
    """The store's content but the upload audit log (which records even refusals)."""
    import hashlib

    from villagecov.schema import TABLES

    return hashlib.sha256("".join(store.read(t).drop(columns="geometry", errors="ignore").to_csv(index=False)
                                  for t in TABLES if t != "upload_audit").encode()).hexdigest()


def test_keys_are_hashed(fresh: Seeded) -> None:
    with open_store(fresh.settings.store) as store:
        info, text = create_key(store, "operator", operator="viettel")
        rows = store.read("api_keys", where={"key_id": info.key_id})
        assert text not in store.read("api_keys").to_csv()
    assert len(rows) == 1 and rows["key_hash"].iloc[0] == hash_key(text) and rows["operator"].iloc[0] == "viettel"


def test_forbidden_uploads_change_nothing(fresh: Seeded) -> None:
    from villagecov.api.app import create_app

    with open_store(fresh.settings.store) as store:
        _, admin = create_key(store, "admin")
        _, viettel = create_key(store, "operator", operator="viettel")
        _, surveyor = create_key(store, "surveyor", communes=[fresh.communes[0]])
        before = _data(store)
    lon, lat = fresh.centres["V1"]
    uploads = Path(fresh.settings.archive_dir) / "uploads"
    with TestClient(create_app(fresh.settings)) as c:
        cases = [
            (None, "sites", _sites_csv("viettel", lon, lat), {}, 401),
            ("vc_0000_nope", "sites", _sites_csv("viettel", lon, lat), {}, 401),
            (viettel[:-2] + "xx", "sites", _sites_csv("viettel", lon, lat), {}, 401),
            (viettel, "villages", b"village_id,name\nX,Y\n", {}, 403),
            (viettel, "sites", _sites_csv("viettel", lon, lat), {"operator": "vinaphone"}, 403),
            (viettel, "services", _services_csv("V1"), {}, 403),
            (surveyor, "sites", _sites_csv("viettel", lon, lat), {}, 403),
            (admin, "sites", b"x" * (1024 * 1024 + 10), {}, 413),  # caught while streaming to disk
            (admin, "sites", b"x" * (2 * 1024 * 1024), {}, 413),  # caught from Content-Length
        ]
        for key, kind, content, form, status in cases:
            r = _post(c, key, kind, content, **form)
            assert r.status_code == status, (kind, form, r.text)
            assert r.headers["content-type"] == "application/problem+json"
        assert c.get("/uploads/" + "0" * 32).status_code == 401
        assert c.get("/uploads/" + "0" * 32, headers={"X-API-Key": admin}).status_code == 404
        assert not uploads.exists() or not [p for p in uploads.iterdir()]
        # Rows outside the key's scope: the ingest itself refuses the whole file (the file is kept).
        for key, kind, content, status in [
            (viettel, "sites", _sites_csv("vinaphone", lon, lat), "refused"),
            (surveyor, "services", _services_csv("V3"), "refused"),  # V3 lies in another commune
            (surveyor, "services", _services_csv("V999"), "rejected"),  # not in the register: quarantined
        ]:
            r = _post(c, key, kind, content, as_of="2025-06-30")
            assert r.status_code == 202, r.text
            job = c.get(f"/uploads/{r.json()['id']}", headers={"X-API-Key": key}).json()
            assert job["status"] == status, job
            assert (uploads / job["id"] / job["filename"]).read_bytes() == content
            assert status != "refused" or "outside this key's scope" in job["error"]
    with open_store(fresh.settings.store) as store:
        assert _data(store) == before


def test_allowed_uploads_are_ingested(fresh: Seeded) -> None:
    from villagecov.api.app import create_app

    with open_store(fresh.settings.store) as store:
        _, viettel = create_key(store, "operator", operator="viettel")
        _, vinaphone = create_key(store, "operator", operator="vinaphone")
        _, surveyor = create_key(store, "surveyor", communes=[fresh.communes[0]])
    lon, lat = fresh.centres["V1"]
    with TestClient(create_app(fresh.settings)) as c:
        before = c.get("/collections/sites/items").json()["numberMatched"]
        r = _post(c, viettel, "sites", _sites_csv("viettel", lon, lat), as_of="2025-06-30")
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        assert r.headers["location"].endswith(f"/uploads/{job_id}")
        job = c.get(f"/uploads/{job_id}", headers={"X-API-Key": viettel}).json()
        assert job["status"] == "succeeded", job
        assert job["operator"] == "viettel" and job["report"]["accepted"]["sites"] == 1
        assert c.get(f"/uploads/{job_id}", headers={"X-API-Key": vinaphone}).status_code == 403
        sites = c.get("/collections/sites/items").json()
        assert sites["numberMatched"] == before + 1
        assert "SYN-UP-1" in {f["id"] for f in sites["features"]}
        again = _post(c, viettel, "sites", _sites_csv("viettel", lon, lat), as_of="2025-06-30")
        assert c.get(f"/uploads/{again.json()['id']}", headers={"X-API-Key": viettel}).json()["status"] == "duplicate"
        r = _post(c, surveyor, "services", _services_csv("V1"))
        assert r.status_code == 202
        job = c.get(f"/uploads/{r.json()['id']}", headers={"X-API-Key": surveyor}).json()
        assert job["status"] == "succeeded", job
        services = {s["service"]: s["available"] for s in c.get("/villages/V1").json()["services"]}
        assert services["tv"] is False and services["press"] is True
        bad = _post(c, viettel, "measurements", b"time,lon,lat\n", name="SYNTHETIC_empty.csv")
        job = c.get(f"/uploads/{bad.json()['id']}", headers={"X-API-Key": viettel}).json()
        assert job["status"] == "rejected" and job["error"]


def test_cli_keys_create(fresh: Seeded) -> None:
    from villagecov.cli import app

    runner = CliRunner()
    env = {"VILLAGECOV_STORE": fresh.settings.store}
    r = runner.invoke(app, ["keys", "create", "--role", "surveyor", "--communes", ",".join(fresh.communes[:2])], env=env)
    assert r.exit_code == 0, r.output
    key = r.stdout.strip().splitlines()[-1]
    assert key.startswith("vc_")
    with open_store(fresh.settings.store) as store:
        rows = store.read("api_keys", where={"role": "surveyor"})
        assert ",".join(sorted(fresh.communes[:2])) in set(rows["communes"])
        assert key not in rows.to_csv()
    bad = runner.invoke(app, ["keys", "create", "--role", "operator"], env=env)
    assert bad.exit_code == 2 and "--operator" in bad.output


def test_tile_cache_hits_and_empties_on_store_change(fresh: Seeded) -> None:
    import time

    import geopandas as gpd
    import mapbox_vector_tile
    import morecantile
    import shapely

    from villagecov.api.app import create_app

    lon, lat = fresh.centres["V2"]
    t = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, 13)
    url = f"/collections/villages/tiles/WebMercatorQuad/13/{t.y}/{t.x}"

    def ids(content: bytes) -> set[str]:
        feats = mapbox_vector_tile.decode(content)["villages"]["features"] if content else []
        return {f["properties"]["village_id"] for f in feats}

    with TestClient(create_app(fresh.settings)) as c:
        first = c.get(url)
        again = c.get(url)
        assert first.headers["x-tile-cache"] == "miss" and again.headers["x-tile-cache"] == "hit"
        assert again.content == first.content and "V7" not in ids(first.content)
        village = gpd.GeoDataFrame({"village_id": ["V7"], "name": ["Thôn Bảy"], "commune_code": [fresh.communes[0]],
                                    "population": [50], "synthetic": [True], "as_of": ["2024-01-01"],
                                    "source": ["SYNTHETIC test fixture (tests/api)"]},
                                   geometry=[shapely.box(lon - 0.001, lat + 0.005, lon + 0.001, lat + 0.007)],
                                   crs="EPSG:4326")
        with open_store(fresh.settings.store) as store, store.transaction() as tx:
            tx.append("villages", village)
        time.sleep(c.app.state.layers.token_ttl_s + 0.2)  # another process's write shows within the TTL
        after = c.get(url)
        assert after.headers["x-tile-cache"] == "miss" and "V7" in ids(after.content)
    off = fresh.settings.model_copy(update={"tile_cache_mb": 0})
    with TestClient(create_app(off)) as c:
        assert c.get(url).headers["x-tile-cache"] == "miss" and c.get(url).headers["x-tile-cache"] == "miss"


def test_uploads_take_the_reading_options_of_the_cli(fresh: Seeded, tmp_path: Path) -> None:
    """A commune's workbook with one survey sheet per year: the upload form's ``sheet`` picks the
    year (as ``--sheet`` does); a sheet that is not there fails the job with a one-line error."""
    from openpyxl import load_workbook

    from tests.ingest.publisher_files import survey_xlsx
    from villagecov.api.app import create_app

    path = survey_xlsx(tmp_path / "SYNTHETIC_khao_sat.xlsx", [("V1", "Thôn 1", ["Có", "Có", "Có", "x", ""])])
    book = load_workbook(path)
    book["Khảo sát"].title = "Năm 2024"
    later = book.copy_worksheet(book["Năm 2024"])
    later.title = "Năm 2025"
    later["E4"] = "Không"  # Truyền hình: no TV in 2025
    book.save(path)
    with open_store(fresh.settings.store) as store:
        _, surveyor = create_key(store, "surveyor", communes=[fresh.communes[0]])
    content = path.read_bytes()
    with TestClient(create_app(fresh.settings)) as c:
        r = _post(c, surveyor, "services", content, name=path.name, as_of="2025-09-30", sheet="Năm 2025")
        assert r.status_code == 202, r.text
        job = c.get(f"/uploads/{r.json()['id']}", headers={"X-API-Key": surveyor}).json()
        assert job["status"] == "succeeded", job
        assert job["options"]["sheet"] == "Năm 2025"
        services = {s["service"]: s["available"] for s in c.get("/villages/V1").json()["services"]}
        assert services["tv"] is False and services["radio"] is True
        r = _post(c, surveyor, "services", content, name=path.name, as_of="2025-10-31", sheet="Năm 2030")
        job = c.get(f"/uploads/{r.json()['id']}", headers={"X-API-Key": surveyor}).json()
        assert job["status"] == "rejected" and "Năm 2030" in job["error"], job
        assert _post(c, surveyor, "services", content, name=path.name, assume_crs="WGS84").status_code == 400
