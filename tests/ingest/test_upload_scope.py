"""One authority for upload scope, on both stores: every file form that once slipped another
operator's rows (or villages of other communes) past the old column-name check is refused as a
whole by the ingest itself, the store left exactly as it was; the same forms within scope pass."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from ingest_files import encode_cp1258, place, square, villages_frame, write_vector

from villagecov.errors import OutOfScope
from villagecov.ingest import ingest_file
from villagecov.scope import UploadScope
from villagecov.settings import Settings
from villagecov.sources.common import IngestOptions
from villagecov.storage import Store

AS_OF = "2025-06-30"
VIETTEL = UploadScope("operator", "viettel")


def _sites_csv(folder: Path, column: str, other: str, encoding: str = "utf-8") -> Path:
    """Two towers: one Viettel, one of ``other`` named in the operator column called ``column``."""
    _, lon, lat = place(40)
    text = (
        f"site_id,kind,{column},technologies,lon,lat\r\n"
        f"T1,mobile_tower,Viettel,4G,{lon},{lat}\r\n"
        f"T2,mobile_tower,{other},4G,{lon + 0.01},{lat}\r\n"
    )
    path = folder / f"tram_{abs(hash((column, other, encoding)))}.csv"
    path.write_bytes(encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def _drive_csv(folder: Path, mnc: str) -> Path:
    _, lon, lat = place(70)
    lines = ["time,lon,lat,MNC,technology,rsrp_dbm,dl_mbps"]
    lines += [
        f"2025-03-01T08:0{k}:00,{lon + k * 1e-4:.6f},{lat:.6f},{m},LTE,-90,20"
        for k, m in enumerate(["4", mnc, "4"])
    ]
    path = folder / f"do_kiem_{mnc}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _polygons(operators: list[str], start: int) -> gpd.GeoDataFrame:
    geoms = [square(*place(start + k)[1:], half=0.01) for k in range(len(operators))]
    return gpd.GeoDataFrame({"operator": operators, "technology": "4G"}, geometry=geoms, crs="EPSG:4326")


def _geojson(folder: Path, other: str) -> Path:
    return write_vector(_polygons(["viettel", other], 50), folder / f"phu_song_{other}.geojson")


def _gpkg_two_layers(folder: Path, other: str) -> Path:
    path = folder / f"phu_song_{other}.gpkg"
    write_vector(_polygons(["viettel"], 50), path, layer="vung_a")
    write_vector(_polygons([other], 55), path, layer="vung_b")
    return path


def _zip_two_shapefiles(folder: Path, other: str) -> Path:
    out = folder / f"phu_song_{other}.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, frame in (("a_viettel", _polygons(["viettel"], 50)), ("b_khac", _polygons([other], 55))):
            shp = folder / f"{name}_{other}"
            shp.mkdir()
            frame.to_file(shp / f"{name}.shp", driver="ESRI Shapefile", encoding="UTF-8")
            for f in sorted(shp.iterdir()):
                zf.write(f, f.name)
    return out


# (kind, file maker taking (folder, the other operator as the file spells it))
OPERATOR_FORMS: dict[str, tuple[str, Callable[[Path, str], Path]]] = {
    "column Operator": ("sites", lambda d, o: _sites_csv(d, "Operator", o)),
    "column nha_mang": ("sites", lambda d, o: _sites_csv(d, "nha_mang", o)),
    "column Nhà mạng": ("sites", lambda d, o: _sites_csv(d, "Nhà mạng", o)),
    "Windows-1258 CSV": ("sites", lambda d, o: _sites_csv(d, "Nhà mạng", o, "cp1258")),
    "UTF-8 BOM CSV": ("sites", lambda d, o: _sites_csv(d, "NHÀ MẠNG", o, "utf-8-sig")),
    "column MNC": ("measurements", lambda d, o: _drive_csv(d, {"VinaPhone": "2", "Viettel": "4"}[o])),
    "GeoJSON properties": ("coverage", lambda d, o: _geojson(d, o.lower())),
    "2nd GeoPackage layer": ("coverage", lambda d, o: _gpkg_two_layers(d, o.lower())),
    "2nd Shapefile in a zip": ("coverage", lambda d, o: _zip_two_shapefiles(d, o.lower())),
}


def _options(kind: str) -> IngestOptions:
    # What the API passes for an operator key: the form's operator forced to the key's.
    return IngestOptions(operator="viettel", as_of=AS_OF, technology="4G" if kind == "coverage" else None)


@pytest.mark.parametrize("form", list(OPERATOR_FORMS))
def test_operator_key_cannot_write_another_operators_rows(
    loaded: Store, settings: Settings, files: Path, form: str
) -> None:
    kind, make = OPERATOR_FORMS[form]
    before = loaded.digest()
    path = make(files, "VinaPhone")
    with pytest.raises(OutOfScope, match="outside this key's scope") as err:
        ingest_file(settings, loaded, kind, path, _options(kind), scope=VIETTEL)
    assert err.value.report["field"] == "operator" and "vinaphone" in err.value.report["values"]
    assert path.name in str(err.value) and "nothing was ingested" in str(err.value)
    assert loaded.digest() == before
    # The same file within scope (only Viettel's rows) is ingested in full by the same key.
    ok = make(files, "Viettel")
    report = ingest_file(settings, loaded, kind, ok, _options(kind), scope=VIETTEL)
    table = {"sites": "sites", "measurements": "measurements", "coverage": "coverage"}[kind]
    stored = loaded.read(table, where={"sha256": report.sha256})
    assert report.rejected == 0 and len(stored) == report.accepted[table] >= 2
    assert set(stored["operator"]) == {"viettel"}


def test_admin_ingest_of_the_same_files_keeps_every_operator(
    loaded: Store, settings: Settings, files: Path
) -> None:
    """The refused files really hold the other operator's rows as ingest stores them."""
    path = _gpkg_two_layers(files, "vinaphone")
    report = ingest_file(settings, loaded, "coverage", path, _options("coverage"))
    assert set(loaded.read("coverage", where={"sha256": report.sha256})["operator"]) == {
        "viettel",
        "vinaphone",
    }


def test_surveyor_key_only_writes_villages_of_its_communes(
    loaded: Store, settings: Settings, files: Path
) -> None:
    villages = write_vector(villages_frame(3), files / "thon.geojson")
    ingest_file(settings, loaded, "villages", villages, IngestOptions(as_of="2024-06-30"))
    mine = str(loaded.read("villages", where={"village_id": "V1"})["commune_code"].iloc[0])
    scope = UploadScope("surveyor", communes=frozenset({mine}))
    before = loaded.digest()
    cases = {
        "Village_ID": "Village_ID,as_of,internet_co_dinh,radio\r\nV1,2025-06-30,1,1\r\nV2,2025-06-30,0,1\r\n",
        "Mã thôn": "Mã thôn,Ngày,Truyền thanh\r\nV3,30/06/2025,có\r\n",
    }
    for header, text in cases.items():
        for encoding in ("utf-8", "cp1258"):
            path = files / f"khao_sat_{len(header)}_{encoding}.csv"
            path.write_bytes(encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
            with pytest.raises(OutOfScope, match="village_id") as err:
                ingest_file(settings, loaded, "services", path, IngestOptions(), scope=scope)
            assert err.value.report["rows"] >= 1 and mine not in str(err.value.report["values"])
            assert loaded.digest() == before
    # Kinds other than services, whatever the file holds, are not the surveyor's to write.
    with pytest.raises(OutOfScope, match="cannot write villages"):
        ingest_file(settings, loaded, "villages", villages, IngestOptions(as_of="2025-01-01"), scope=scope)
    ok = files / "khao_sat_ok.csv"
    ok.write_text("Mã thôn,Ngày,Truyền thanh,Truyền hình\r\nV1,30/06/2025,có,không\r\n", encoding="utf-8")
    report = ingest_file(settings, loaded, "services", ok, IngestOptions(), scope=scope)
    assert report.accepted == {"services": 2}
    assert loaded.digest() != before


def test_out_of_scope_rows_in_a_later_chunk_roll_back_the_earlier_ones(
    loaded: Store, settings: Settings, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large drive-test file is written chunk by chunk: one foreign row far down refuses it all."""
    import villagecov.sources.measurements as m

    monkeypatch.setattr(m, "CHUNK_ROWS", 4)
    _, lon, lat = place(70)
    n = 3 * m.CHUNK_ROWS + 1
    rows = [
        f"2025-03-01T08:00:00,{lon + (k % 100) * 1e-5:.6f},{lat:.6f},{'2' if k == n - 1 else '4'},LTE,-90,20"
        for k in range(n)
    ]
    path = files / "do_kiem_lon.csv"
    path.write_text(
        "time,lon,lat,mnc,technology,rsrp_dbm,dl_mbps\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    before = loaded.digest()
    with pytest.raises(OutOfScope):
        ingest_file(settings, loaded, "measurements", path, _options("measurements"), scope=VIETTEL)
    assert loaded.digest() == before
