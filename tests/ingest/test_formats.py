"""Each kind from each listed format, on both backends (GeoPackage and PostGIS)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from ingest_files import (
    coverage_geotiff,
    coverage_polygons,
    drive_csv,
    frame_to_csv,
    generic_sites,
    ookla_csv,
    opencellid_csv,
    place,
    services_csv,
    villages_frame,
    villages_points_csv,
    write_vector,
    zip_shapefile,
)

from villagecov.ingest import IngestReport, ingest_file
from villagecov.settings import Settings
from villagecov.sources.common import IngestOptions, parse_columns
from villagecov.storage import Store

AS_OF = "2024-06-30"


def run(settings: Settings, store: Store, kind: str, path: Path, **opts: object) -> IngestReport:
    return ingest_file(settings, store, kind, path, IngestOptions(**opts))  # type: ignore[arg-type]


def check_villages(store: Store, n: int, derived: bool = False) -> pd.DataFrame:
    v = store.read("villages")
    assert len(v) == n
    assert v["name"].str.startswith(("Thôn Đồng Thuận", "Bản Khe Ngát")).all()  # diacritics intact
    assert (v["derived"] == derived).all()
    assert (v["as_of"] == AS_OF).all() and v["sha256"].notna().all()
    assert set(v.geometry.geom_type) == {"MultiPolygon"}
    return v


# -- villages ---------------------------------------------------------------------------------------


def test_villages_geojson(loaded: Store, settings: Settings, files: Path) -> None:
    src = villages_frame()
    report = run(settings, loaded, "villages", write_vector(src, files / "thon.geojson"), as_of=AS_OF)
    assert report.accepted == {"villages": 4} and report.rejected == 0
    v = check_villages(loaded, 4)
    assert v["population"].tolist() == [100, 200, 300, 400]
    assert v["remote"].tolist() == [True, False, True, False]
    assert v["commune_code"].tolist() == src["commune_code"].tolist()
    assert np.allclose(v.geometry.area, src.geometry.area)
    sub = loaded.read("submissions", where={"kind": "villages"})
    assert sub["rows_accepted"].tolist() == [4] and sub["filename"].tolist() == ["thon.geojson"]
    assert report.archive_path.read_bytes() == (files / "thon.geojson").read_bytes()
    assert report.archive_path.parent.name == report.sha256
    assert report.archive_path.parent.parent.name == report.sha256[:2]


def test_villages_geopackage_layer(loaded: Store, settings: Settings, files: Path) -> None:
    path = files / "register.gpkg"
    write_vector(villages_frame(2), path, layer="other")
    write_vector(villages_frame(3, start=15).drop(columns="commune_code"), path, layer="thon_2024")
    report = run(settings, loaded, "villages", path, layer="thon_2024", as_of=AS_OF)
    assert report.accepted == {"villages": 3}
    v = check_villages(loaded, 3)
    assert v["commune_code"].tolist() == [place(15 + k)[0] for k in range(3)]  # filled by spatial join


def test_villages_zipped_shapefile_projected(loaded: Store, settings: Settings, files: Path) -> None:
    src = villages_frame().to_crs("EPSG:32648")
    report = run(settings, loaded, "villages", zip_shapefile(src, files, "thon_shp"), as_of=AS_OF)
    assert report.accepted == {"villages": 4}
    v = check_villages(loaded, 4)
    assert np.allclose(v.to_crs("EPSG:32648").area, src.area, rtol=1e-6)


def test_villages_geoparquet(loaded: Store, settings: Settings, files: Path) -> None:
    path = files / "thon.parquet"
    villages_frame().to_parquet(path)
    assert run(settings, loaded, "villages", path, as_of=AS_OF).accepted == {"villages": 4}
    check_villages(loaded, 4)


def test_villages_kml(loaded: Store, settings: Settings, files: Path) -> None:
    src = villages_frame()[["village_id", "name", "geometry"]]
    report = run(settings, loaded, "villages", write_vector(src, files / "thon.kml"), as_of=AS_OF)
    assert report.accepted == {"villages": 4}
    v = check_villages(loaded, 4)
    assert sorted(v["village_id"]) == ["V1", "V2", "V3", "V4"]


def test_villages_csv_points_become_settlement_footprints(loaded: Store, settings: Settings, files: Path) -> None:
    path = villages_points_csv(files / "thon_diem.csv", register_names=True)
    report = run(settings, loaded, "villages", path, as_of=AS_OF)
    assert report.accepted == {"villages": 3}
    v = check_villages(loaded, 3, derived=True)
    code = place(20)[0]
    assert (v["commune_code"] == code).all()
    commune = loaded.read("admin_units", where={"version": "2019", "code": code}).to_crs("EPSG:32648").geometry.iloc[0]
    cells = v.to_crs("EPSG:32648").geometry
    # Settlement footprints: Voronoi cells within a population-sized disc (120-122 people: the
    # 250 m minimum radius), no overlap, inside the commune — not commune-sized cells.
    assert cells.area.sum() == pytest.approx(shapely.union_all(cells.values).area, rel=1e-6)
    assert shapely.union_all(cells.values).difference(commune).area < 1e-6 * commune.area
    assert (cells.area <= np.pi * 250.0**2).all() and cells.area.sum() < 0.1 * commune.area
    src = pd.read_csv(path)
    for _, r in src.iterrows():
        pt = gpd.GeoSeries([shapely.Point(r["lon"], r["lat"])], crs=4326).to_crs("EPSG:32648").iloc[0]
        assert cells[v["village_id"] == r["ma_thon"]].iloc[0].contains(pt)


def test_villages_csv_wkt_with_column_mapping(loaded: Store, settings: Settings, files: Path) -> None:
    src = villages_frame()
    table = pd.DataFrame({"Mã thôn": src["village_id"], "Tên": src["name"], "xa": src["commune_code"],
                          "nguoi": src["population"], "wkt": src.geometry.to_wkt()})
    path = files / "thon_wkt.csv"
    table.to_csv(path, index=False)
    columns = parse_columns("Tên=name,xa=commune_code", '{"nguoi": "population"}')
    report = run(settings, loaded, "villages", path, as_of=AS_OF, columns=columns)
    assert report.accepted == {"villages": 4}
    assert check_villages(loaded, 4)["population"].tolist() == [100, 200, 300, 400]


# -- sites ------------------------------------------------------------------------------------------


def test_sites_opencellid_aggregates_cells(loaded: Store, settings: Settings, files: Path) -> None:
    report = run(settings, loaded, "sites", opencellid_csv(files / "cells.csv"))
    assert report.accepted == {"sites": 3}
    s = loaded.read("sites")
    by = s.set_index(["operator", "n_cells"])
    tower = by.loc[("viettel", 3)]
    assert tower["technologies"] == "2G,4G" and tower["kind"] == "mobile_tower"
    assert tower["in_service_from"] == "2019-01-01"
    assert by.loc[("viettel", 1)]["technologies"] == "3G"
    assert by.loc[("vinaphone", 1)]["technologies"] == "4G"
    assert (s["as_of"] == "2024-02-01").all()  # latest 'updated'


def test_sites_generic_csv_all_kinds(loaded: Store, settings: Settings, files: Path) -> None:
    path = frame_to_csv(generic_sites(), files / "sites.csv", sep=";")
    report = run(settings, loaded, "sites", path, as_of=AS_OF)
    assert report.accepted == {"sites": 6}
    s = loaded.read("sites").set_index("site_id")
    assert s.loc["S1", "technologies"] == "2G,4G" and s.loc["S1", "operator"] == "viettel"
    assert s.loc["S2", "kind"] == "post_office" and s.loc["S2", "operator"] == "vnpost"
    assert pd.isna(s.loc["S3", "operator"])
    assert s.loc["S6", "height_m"] == 35.0 and s.loc["S1", "in_service_from"] == "2020-05-01"


def test_sites_generic_geojson(loaded: Store, settings: Settings, files: Path) -> None:
    path = write_vector(generic_sites(), files / "SYNTHETIC_sites.geojson")
    assert run(settings, loaded, "sites", path, as_of=AS_OF).accepted == {"sites": 6}
    assert loaded.read("sites")["synthetic"].all()


# -- coverage ---------------------------------------------------------------------------------------


def test_coverage_geojson_declared(loaded: Store, settings: Settings, files: Path) -> None:
    path = write_vector(coverage_polygons(), files / "viettel_4g.geojson")
    report = run(settings, loaded, "coverage", path, operator="Viettel", technology="LTE", as_of=AS_OF)
    assert report.accepted == {"coverage": 3}
    c = loaded.read("coverage")
    assert set(c["operator"]) == {"viettel"} and set(c["technology"]) == {"4G"}
    assert set(c["evidence"]) == {"declared"} and set(c["value_kind"]) == {"polygon"}


def test_coverage_geopackage_layer_per_technology(loaded: Store, settings: Settings, files: Path) -> None:
    path = files / "mobifone.gpkg"
    for k, tech in enumerate(("2G", "3G", "4G")):
        write_vector(coverage_polygons(k + 1), path, layer=tech)
    report = run(settings, loaded, "coverage", path, operator="1", as_of=AS_OF)
    assert report.accepted == {"coverage": 6}
    c = loaded.read("coverage")
    assert c.groupby("technology").size().to_dict() == {"2G": 1, "3G": 2, "4G": 3}
    assert set(c["operator"]) == {"mobifone"}


def test_coverage_zipped_shapefile_any_crs(loaded: Store, settings: Settings, files: Path) -> None:
    src = coverage_polygons().to_crs("EPSG:3857")
    path = zip_shapefile(src, files, "vina_3g")
    run(settings, loaded, "coverage", path, operator="vinaphone", technology="3G", as_of=AS_OF, evidence="modelled")
    c = loaded.read("coverage")
    assert len(c) == 3 and set(c["evidence"]) == {"modelled"}
    expected = coverage_polygons().to_crs("EPSG:32648").area.to_numpy()
    assert np.allclose(c.to_crs("EPSG:32648").area.to_numpy(), expected, rtol=1e-4)


def test_coverage_kml(loaded: Store, settings: Settings, files: Path) -> None:
    path = write_vector(coverage_polygons(2), files / "gmobile_2g.kml")
    assert run(settings, loaded, "coverage", path, operator="gmobile", technology="2G", as_of=AS_OF).accepted == {
        "coverage": 2}


def test_coverage_geotiff_dbm_becomes_cog(loaded: Store, settings: Settings, files: Path) -> None:
    import rasterio

    path = coverage_geotiff(files / "viettel_4g_rsrp.tif", tags={"VILLAGECOV_SYNTHETIC": "yes"})
    report = run(settings, loaded, "coverage", path, operator="viettel", technology="4G", as_of=AS_OF,
                 evidence="modelled")
    c = loaded.read("coverage")
    assert len(c) == 1 and c["value_kind"].iloc[0] == "signal_dbm" and bool(c["synthetic"].iloc[0])
    cog = Path(c["raster_path"].iloc[0])
    assert cog.parent == report.archive_path.parent
    with rasterio.open(cog) as src, rasterio.open(path) as orig:
        assert src.profile["tiled"] and src.overviews(1) == [] or src.overviews(1)  # COG layout (tiny: no ovr)
        assert src.crs == orig.crs and np.array_equal(src.read(1), orig.read(1))
    # footprint: the valid disc (radius 64/2.5 px of 100 m) ≈ π·2560² m²
    area = c.to_crs("EPSG:32648").area.iloc[0]
    assert area == pytest.approx(np.pi * 2560**2, rel=0.1)


def test_coverage_geotiff_classes(loaded: Store, settings: Settings, files: Path) -> None:
    path = coverage_geotiff(files / "mobi_classes.tif", crs="EPSG:4326", classes=True)
    run(settings, loaded, "coverage", path, operator="mobifone", technology="3G", as_of=AS_OF, value="class")
    c = loaded.read("coverage")
    assert c["value_kind"].tolist() == ["class"] and c["evidence"].tolist() == ["declared"]


# -- measurements and services ------------------------------------------------------------------------


def test_measurements_drive_test(loaded: Store, settings: Settings, files: Path) -> None:
    path = drive_csv(files / "drive.csv", sep=";", decimal_comma=True)
    report = run(settings, loaded, "measurements", path)
    assert report.accepted == {"measurements": 5}
    m = loaded.read("measurements").sort_values("rsrp_dbm", ascending=False)
    assert m["rsrp_dbm"].tolist() == [-80.5, -81.5, -82.5, -83.5, -84.5]
    assert set(m["operator"]) == {"viettel"} and set(m["technology"]) == {"4G"}
    assert m["dl_mbps"].iloc[0] == 35.5 and m["sinr_db"].iloc[0] == 12.25
    first = m[m["rsrp_dbm"] == -80.5].iloc[0]
    assert first["time"] == pd.Timestamp("2024-03-01T01:00:00Z")  # 08:00 in Viet Nam
    assert first["as_of"] == "2024-03-01"


def test_measurements_ookla_tiles(loaded: Store, settings: Settings, files: Path) -> None:
    report = run(settings, loaded, "measurements", ookla_csv(files / "ookla.csv"), as_of="2024-04-01")
    assert report.accepted == {"measurements": 3}
    m = loaded.read("measurements")
    assert set(m["kind"]) == {"ookla_tile"} and set(m["operator"]) == {"ANY"}
    assert sorted(m["dl_mbps"]) == [25.0, 25.001, 25.002]
    for k in range(3):  # each tile contains the point it was made from
        assert m.geometry.contains(shapely.Point(*place(80 + k)[1:])).sum() == 1


def test_services_survey(loaded: Store, settings: Settings, files: Path) -> None:
    run(settings, loaded, "villages", write_vector(villages_frame(3), files / "v.geojson"), as_of=AS_OF)
    report = run(settings, loaded, "services", services_csv(files / "khao_sat.csv", ["V1", "V2", "V3"]))
    assert report.accepted == {"services": 14}  # one blank answer
    s = loaded.read("services").set_index(["village_id", "service"])
    assert s.loc[("V1", "fixed_broadband"), "available"] == True  # noqa: E712
    assert s.loc[("V2", "radio"), "available"] == False  # noqa: E712
    assert ("V3", "press") not in s.index
    assert set(s["source"]) == {"Khảo sát xã"}
