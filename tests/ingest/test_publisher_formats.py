"""Real publishers' formats go in as shipped and move the indicators they should (before/after),
on both stores: OpenCelliD ``452.csv.gz`` (headerless), re-packed copies, Ookla Parquet and zipped
Shapefile tiles (mobile and fixed)."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pandas as pd
import py7zr
import pytest
from ingest_files import tile_quadkey, villages_frame, write_vector
from publisher_files import (
    ookla_parquet,
    ookla_shapefile_zip,
    ookla_tiles,
    opencellid_cells,
    opencellid_gz,
    survey_ods,
    survey_xlsx,
    village_register_xlsx,
    weighted_median,
)

from villagecov.compute_pipeline import compute_all
from villagecov.errors import DuplicateSubmission
from villagecov.ingest import IngestReport, ingest_file
from villagecov.settings import Settings
from villagecov.sources.common import IngestOptions
from villagecov.sources.sites import towers_and_bts
from villagecov.storage import Store, open_store

AS_OF = "2024-12-31"


def run(settings: Settings, store: Store, kind: str, path: Path, **opts: object) -> IngestReport:
    return ingest_file(settings, store, kind, path, IngestOptions(**opts))  # type: ignore[arg-type]


def province(settings: Settings, indicator: str) -> float:
    """The province value of ``indicator`` (2019 boundaries) after a fresh compute; NaN if absent."""
    compute_all(settings)
    with open_store(settings.store) as st:
        ind = st.read("indicators")
    row = ind[(ind["indicator"] == indicator) & (ind["level"] == "province") & (ind["boundary_version"] == "2019")
              & (ind["as_of"] == AS_OF)]
    return float(row["value"].iloc[0]) if len(row) and pd.notna(row["value"].iloc[0]) else float("nan")


def with_villages(settings: Settings, store: Store, files: Path) -> None:
    run(settings, store, "villages", write_vector(villages_frame(), files / "thon.geojson"), as_of=AS_OF)


# -- OpenCelliD --------------------------------------------------------------------------------------


def test_opencellid_country_export_gz_groups_cells_into_bts_and_towers(loaded: Store, settings: Settings,
                                                                         files: Path) -> None:
    with_villages(settings, loaded, files)
    before = province(settings, "t8.sites_per_10k_people")
    _, expected = opencellid_cells()
    report = run(settings, loaded, "sites", opencellid_gz(files / "452.csv.gz"))
    assert report.accepted == {"sites": expected["bts"]} and report.rejected == 0
    assert any("gzip" in n for n in report.notes)
    assert any(f"{expected['cells']} cells grouped into {expected['bts']} BTS" in n and f"on {expected['towers']} towers"
               in n for n in report.notes), report.notes
    sites = loaded.read("sites")
    assert towers_and_bts(sites) == (expected["towers"], expected["bts"])
    main = sites[(sites["operator"] == "viettel") & (sites["n_cells"] == 4)]
    assert len(main) == 1 and main["technologies"].iloc[0] == "2G,4G"  # 3 sectors ~300 m apart + GSM: one site
    assert main["in_service_from"].iloc[0] == "2010-01-01"
    shared = sites[sites.geometry.to_wkb() == main.geometry.to_wkb().iloc[0]]
    assert set(shared["operator"]) == {"viettel", "vinaphone"}  # one tower, two BTS
    assert (sites["as_of"] == "2024-06-30").all()  # latest 'updated'
    after = province(settings, "t8.sites_per_10k_people")
    # no site register yet: no data (null), not 0 (issue 15)
    assert before != before and after == pytest.approx(expected["bts"] / (1000 / 10_000))


def test_same_cells_repacked_are_one_submission(loaded: Store, settings: Settings, files: Path) -> None:
    lines, expected = opencellid_cells()
    run(settings, loaded, "sites", opencellid_gz(files / "452.csv.gz"))
    plain = files / "452.csv"
    plain.write_bytes(gzip.decompress((files / "452.csv.gz").read_bytes()))
    with zipfile.ZipFile(files / "cells.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(plain, "export/452.csv")
    with py7zr.SevenZipFile(files / "cells.7z", "w") as z:
        z.write(plain, "452.csv")
    for copy in (plain, files / "cells.zip", files / "cells.7z"):
        with pytest.raises(DuplicateSubmission):
            run(settings, loaded, "sites", copy)
    assert len(loaded.read("sites")) == expected["bts"]
    assert len(loaded.read("submissions").query("kind == 'sites'")) == 1


def test_opencellid_7z_and_zip_of_gz_go_in(loaded: Store, settings: Settings, files: Path) -> None:
    gz = opencellid_gz(files / "452.csv.gz")
    with zipfile.ZipFile(files / "download.zip", "w") as zf:
        zf.write(gz, "452.csv.gz")
    report = run(settings, loaded, "sites", files / "download.zip")
    assert report.accepted == {"sites": opencellid_cells()[1]["bts"]}
    assert any("zip → gzip" in n for n in report.notes)


# -- Ookla -----------------------------------------------------------------------------------------


SPEEDS = [(10.0, 100), (50.0, 1), (60.0, 1), (70.0, 1)]  # Mbit/s, tests: one busy slow tile


@pytest.mark.parametrize("packing", ["parquet", "shapefile-zip"])
def test_ookla_mobile_tiles_weighted_by_tests(loaded: Store, settings: Settings, files: Path, packing: str) -> None:
    with_villages(settings, loaded, files)
    before = province(settings, "t8.median_dl_mbps")
    tiles = ookla_tiles(villages_frame(), SPEEDS)
    if packing == "parquet":  # a global file: tiles elsewhere (Hà Nội, Lima) are skipped while reading
        elsewhere = ookla_tiles(villages_frame(2), [(5.0, 900), (6.0, 900)]).assign(
            quadkey=[tile_quadkey(105.85, 21.03), tile_quadkey(-77.04, -12.05)])
        path = ookla_parquet(pd.concat([tiles, elsewhere], ignore_index=True), files)
    else:
        path = ookla_shapefile_zip(tiles, files)
    report = run(settings, loaded, "measurements", path)  # no --as-of: the date is in the name
    assert report.accepted == {"measurements": 4} and report.rejected == 0
    m = loaded.read("measurements")
    assert set(m["kind"]) == {"ookla_tile"} and (m["as_of"] == "2024-10-01").all()
    assert sorted(m["tests"]) == [1, 1, 1, 100] and sorted(m["dl_mbps"]) == [10.0, 50.0, 60.0, 70.0]
    after = province(settings, "t8.median_dl_mbps")
    expected = weighted_median([s for s, _ in SPEEDS], [t for _, t in SPEEDS])
    assert pd.isna(before) and after == pytest.approx(expected) == pytest.approx(10.0)  # unweighted would be 55


def test_ookla_fixed_tiles_count_as_fixed_broadband_not_mobile(loaded: Store, settings: Settings,
                                                                files: Path) -> None:
    with_villages(settings, loaded, files)
    before = province(settings, "t9.villages_fixed_broadband_share")
    v = villages_frame()
    fixed = ookla_tiles(v.iloc[:2], [(80.0, 5), (90.0, 3)])
    report = run(settings, loaded, "measurements", ookla_shapefile_zip(fixed, files, service="fixed"))
    assert report.accepted == {"measurements": 2}
    assert set(loaded.read("measurements")["kind"]) == {"ookla_fixed_tile"}
    assert before != before and province(settings, "t9.villages_fixed_broadband_share") == pytest.approx(0.5)
    assert pd.isna(province(settings, "t8.median_dl_mbps"))  # fixed speeds are not mobile speeds


# -- spreadsheets ------------------------------------------------------------------------------------


def test_village_register_xlsx_as_kept(loaded: Store, settings: Settings, files: Path) -> None:
    path, expected = village_register_xlsx(files / "danh_sach_thon_2024.xlsx")
    report = run(settings, loaded, "villages", path, as_of=AS_OF)
    assert report.accepted == {"villages": expected["villages"]} and report.rejected == 0, report.notes
    v = loaded.read("villages").sort_values("name").reset_index(drop=True)
    assert v["commune_code"].tolist() == [expected["codes"][i] for i in (1, 3, 0, 2)]
    assert sorted(v["population"].tolist()) == sorted(expected["population"])
    assert v.set_index("name").loc["Thôn Đồng Thuận 1", "remote"] == True  # noqa: E712  ("x")
    assert v.set_index("name").loc["Thôn Đồng Thuận 3", "remote"] == False  # noqa: E712
    unlocated = v[v.geometry.isna()]
    assert unlocated["name"].tolist() == ["Bản Khe Ngát 4"]
    assert any("ty_le_ho_ngheo" in n for n in report.notes)  # the unknown column named
    assert any("1 totals row" in n or "total" in n for n in report.notes)
    fill = report.archive_path.parent / "unlocated-villages.csv"
    assert "Bản Khe Ngát 4" in fill.read_text(encoding="utf-8-sig")
    located = v[v.geometry.notna()].to_crs("EPSG:32648")
    assert (located.area < 3.2e6).all()  # settlement footprints, not commune-sized Voronoi cells


def test_village_register_as_legacy_xls(loaded: Store, settings: Settings, files: Path) -> None:
    """The same register saved as Excel 97-2003 (.xls, BIFF8) by LibreOffice, as many district
    offices still send it: the same villages, populations and flags as the .xlsx."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is needed to write a real .xls; scripts/test.sh installs it")
    path, expected = village_register_xlsx(files / "danh_sach_thon_2024.xlsx")
    profile = files / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xls",
                    "--outdir", str(files / "xls"), str(path)], check=True, capture_output=True, timeout=180)
    xls = files / "xls" / "danh_sach_thon_2024.xls"
    assert xls.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE2 compound file, not XLSX
    report = run(settings, loaded, "villages", xls, as_of=AS_OF)
    assert report.accepted == {"villages": expected["villages"]} and report.rejected == 0, report.notes
    v = loaded.read("villages").sort_values("name").reset_index(drop=True)
    assert v["commune_code"].tolist() == [expected["codes"][i] for i in (1, 3, 0, 2)]
    assert sorted(v["population"].tolist()) == sorted(expected["population"])
    assert v.set_index("name").loc["Thôn Đồng Thuận 1", "remote"] == True  # noqa: E712  ("x")
    assert v[v.geometry.isna()]["name"].tolist() == ["Bản Khe Ngát 4"]


def test_survey_xlsx_vietnamese_headings_and_unknown_answers(loaded: Store, settings: Settings, files: Path) -> None:
    run(settings, loaded, "villages", write_vector(villages_frame(), files / "thon.geojson"), as_of=AS_OF)
    before = province(settings, "t9.villages_radio_share")
    path = survey_xlsx(files / "khao_sat.xlsx", [
        ("V1", "Thôn Đồng Thuận 1", ["Có", "x", "Có", "", 1]),
        ("V2", "Thôn Đồng Thuận 2", ["Không", 3, "Không", "Có", 0]),
        ("V3", "Thôn Đồng Thuận 3", ["", "", "", "", ""]),
        ("V4", "Thôn Đồng Thuận 4", ["", "Không", "", "", ""]),
    ])
    report = run(settings, loaded, "services", path, as_of=AS_OF)
    s = loaded.read("services")
    radio = s[s["service"] == "radio"].set_index("village_id")["available"]
    assert radio.to_dict() == {"V1": True, "V2": True, "V4": False}  # V3 blank: unknown, no row
    assert "V3" not in set(s["village_id"])
    assert any("chi_so_la" in n for n in report.notes)
    assert any("blank answers kept as unknown" in n for n in report.notes)
    assert before != before and province(settings, "t9.villages_radio_share") == pytest.approx(0.5)


# -- villages without coordinates ----------------------------------------------------------------------


def test_unlocated_villages_counted_with_uniform_commune_evidence(loaded: Store, settings: Settings,
                                                                  files: Path) -> None:
    import geopandas as gpd
    from ingest_files import COMMUNES_2019

    communes = gpd.read_file(COMMUNES_2019).set_index("commune_code")
    a, b, c = (str(communes.index[i]) for i in (20, 21, 22))
    register = files / "so_thon.csv"  # the usual register: codes, names, people, no coordinates
    register.write_text(f"Mã thôn;Tên thôn;Mã xã;Dân số\nT1;Thôn Một;{a};120\nT2;Thôn Hai;{b};80\nT3;Thôn Ba;{c};95\n"
                        , encoding="utf-8-sig")
    report = run(settings, loaded, "villages", register, as_of=AS_OF)
    assert report.accepted == {"villages": 3} and loaded.read("villages").geometry.isna().all()
    assert any("3 villages have no coordinates" in n for n in report.notes)
    before = province(settings, "t8.villages_4g_share")
    whole = communes.loc[[a]].geometry.to_crs("EPSG:32648").buffer(50).to_crs("EPSG:4326")
    half = communes.loc[[c]].geometry.iloc[0]
    x0, y0, x1, y1 = half.bounds
    cover = gpd.GeoDataFrame({"ten": ["vùng A", "nửa xã C"]},
                             geometry=[whole.iloc[0], half.intersection(
                                 __import__("shapely").box(x0, y0, (x0 + x1) / 2, y1))], crs="EPSG:4326")
    run(settings, loaded, "coverage", write_vector(cover, files / "viettel_4g.geojson"), operator="viettel",
        technology="4G", as_of=AS_OF)
    after = province(settings, "t8.villages_4g_share")
    # T1 covered (its whole commune is), T2 not (none of its commune is), T3 unknown (half): 1 of 2 known
    assert before != before and after == pytest.approx(0.5)


# -- MapInfo ------------------------------------------------------------------------------------------


def _mapinfo(folder: Path, driver_ext: str) -> Path:
    import geopandas as gpd
    from ingest_files import coverage_polygons

    path = folder / f"vung_phu_4g.{driver_ext}"
    coverage_polygons().to_crs("EPSG:32648").to_file(path, driver="MapInfo File", engine="pyogrio",
                                                    **({"FORMAT": "MIF"} if driver_ext == "mif" else {}))
    assert gpd.read_file(path).crs is not None
    return path


@pytest.mark.parametrize("ext", ["tab", "mif"])
def test_mapinfo_bare_archives_side_files_and_zipped(loaded: Store, settings: Settings, files: Path, ext: str) -> None:
    path = _mapinfo(files, ext)
    report = run(settings, loaded, "coverage", path, operator="vinaphone", technology="4G", as_of=AS_OF)
    assert report.accepted == {"coverage": 3}
    archived = {p.suffix.lower() for p in report.archive_path.parent.iterdir()}
    assert archived >= ({".tab", ".dat", ".map", ".id"} if ext == "tab" else {".mif", ".mid"})
    zipped = files / "vung_phu.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for f in files.glob("vung_phu_4g.*"):
            zf.write(f, f"MapInfo/{f.name}")
    with pytest.raises(DuplicateSubmission):  # the same layer zipped: one submission
        run(settings, loaded, "coverage", zipped, operator="vinaphone", technology="4G", as_of=AS_OF)
    assert len(loaded.read("coverage")) == 3


def test_mapinfo_tab_without_its_side_files_is_one_line_error(loaded: Store, settings: Settings, files: Path) -> None:
    from villagecov.errors import InputError

    path = _mapinfo(files, "tab")
    (files / "vung_phu_4g.map").unlink()
    with pytest.raises(InputError, match=r"vung_phu_4g.tab: cannot read vung_phu_4g.tab: its side file vung_phu_4g.map"):
        run(settings, loaded, "coverage", path, operator="vinaphone", technology="4G", as_of=AS_OF)
    assert loaded.read("coverage").empty


# -- class rasters, all operators, outliers, polygon levels ---------------------------------------------


def _village_raster(path: Path, values: list[int], dtype: str = "uint8", nodata: float | None = 255,
                    fill: float = 255) -> Path:
    """A GeoTIFF (EPSG:4326, ~100 m pixels) with ``values[k]`` over village k of villages_frame()."""
    import numpy as np
    import rasterio
    from affine import Affine

    v = villages_frame()
    x0, y0, x1, y1 = v.total_bounds
    step = 0.001
    w, h = int((x1 - x0) / step) + 4, int((y1 - y0) / step) + 4
    arr = np.full((h, w), fill, dtype=dtype)
    t = Affine(step, 0, x0 - 2 * step, 0, -step, y1 + 2 * step)
    for k, geom in enumerate(v.geometry):
        gx0, gy0, gx1, gy1 = geom.bounds
        c0, c1 = int((gx0 - t.c) / step), int((gx1 - t.c) / step) + 1
        r0, r1 = int((t.f - gy1) / step), int((t.f - gy0) / step) + 1
        arr[r0:r1, c0:c1] = values[k]
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=1, dtype=dtype, crs="EPSG:4326",
                       transform=t, nodata=nodata) as dst:
        dst.write(arr, 1)
    return path


def test_gsma_class_raster_all_operators(loaded: Store, settings: Settings, files: Path) -> None:
    with_villages(settings, loaded, files)
    before = province(settings, "t8.villages_4g_share")
    path = _village_raster(files / "GSMA_MCE_VNM_4G_2024.tif", [1, 1, 2, 0])  # 1 strong, 2 variable, 0 none
    report = run(settings, loaded, "coverage", path, operator="ANY", technology="4G", as_of=AS_OF)
    assert any("1 → indoor" in n and "2 → outdoor" in n for n in report.notes), report.notes
    c = loaded.read("coverage")
    assert c["operator"].tolist() == ["ANY"] and c["value_kind"].tolist() == ["class"]
    after = province(settings, "t8.villages_4g_share")
    assert before != before and after == pytest.approx(0.75)  # strong and variable cover, class 0 does not
    with open_store(settings.store) as st:
        vc = st.read("village_coverage")
    assert vc["best_signal_dbm"].isna().all()  # a class is never a dBm


def test_declared_classes_and_reversed_scale(loaded: Store, settings: Settings, files: Path) -> None:
    path = _village_raster(files / "vung_phu_lop.tif", [3, 3, 5, 5])
    from villagecov.errors import InputError

    with pytest.raises(InputError, match="value 5 is not a declared class"):
        run(settings, loaded, "coverage", path, operator="viettel", technology="4G", as_of=AS_OF,
            classes="3=strong")
    assert loaded.read("coverage").empty
    report = run(settings, loaded, "coverage", path, operator="viettel", technology="4G", as_of=AS_OF,
                 classes="3=strong,5=variable")
    assert report.accepted == {"coverage": 1}


def test_rsrp_raster_with_an_outlier_pixel_is_kept_and_flagged(loaded: Store, settings: Settings, files: Path) -> None:
    path = _village_raster(files / "viettel_4g_rsrp.tif", [-85, -95, -19, -130], dtype="float32", nodata=-9999,
                           fill=-120)
    report = run(settings, loaded, "coverage", path, operator="viettel", technology="4G", as_of=AS_OF)
    assert report.accepted == {"coverage": 1}
    assert any("outside -160…-20 dBm" in n and "-19" in n for n in report.notes), report.notes


def test_polygon_coverage_levels_are_kept(loaded: Store, settings: Settings, files: Path) -> None:
    import geopandas as gpd
    from ingest_files import coverage_polygons

    polys = coverage_polygons()
    polys["Mức phủ sóng"] = ["Trong nhà", "Trong xe", "Ngoài trời"]
    run(settings, loaded, "coverage", write_vector(gpd.GeoDataFrame(polys), files / "mobi_4g.geojson"),
        operator="mobifone", technology="4G", as_of=AS_OF)
    kinds = sorted(loaded.read("coverage")["value_kind"])
    assert kinds == ["polygon_in_car", "polygon_indoor", "polygon_outdoor"]


# -- population grid --------------------------------------------------------------------------------------


def worldpop_tif(path: Path, people_at: tuple[float, float], people: float = 500.0) -> Path:
    """A WorldPop-style grid: float32 people per 3-arc-second pixel, EPSG:4326, nodata -99999,
    everyone of the area in the pixels around ``people_at``."""
    import numpy as np
    import rasterio
    from affine import Affine

    step = 1 / 1200  # 3″ ≈ 90 m
    lon0, lat0 = 106.0, 18.2
    w, h = 1400, 1400  # 106.0–107.17 E, 17.03–18.2 N
    arr = np.zeros((h, w), dtype="float32")
    arr[-50:, :50] = -99999  # sea: nodata
    c, r = int((people_at[0] - lon0) / step), int((lat0 - people_at[1]) / step)
    arr[r - 1:r + 2, c - 1:c + 2] = people / 9
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=1, dtype="float32", crs="EPSG:4326",
                       transform=Affine(step, 0, lon0, 0, -step, lat0), nodata=-99999, compress="deflate") as dst:
        dst.write(arr, 1)
    return path


def test_population_grid_weights_coverage_and_is_in_the_run_record(loaded: Store, settings: Settings,
                                                                    files: Path) -> None:
    import json

    import geopandas as gpd
    import shapely

    v = villages_frame(1)
    run(settings, loaded, "villages", write_vector(v, files / "thon.geojson"), as_of=AS_OF)
    x0, y0, x1, y1 = v.geometry.iloc[0].bounds
    east = gpd.GeoDataFrame({"ten": ["nửa đông"]}, geometry=[shapely.box((x0 + x1) / 2, y0 - 0.001, x1 + 0.001,
                                                                          y1 + 0.001)], crs="EPSG:4326")
    run(settings, loaded, "coverage", write_vector(east, files / "viettel_4g.geojson"), operator="viettel",
        technology="4G", as_of=AS_OF)
    before = province(settings, "t8.population_4g_share")  # area share: half the village
    grid = worldpop_tif(files / "vnm_ppp_2020_constrained.tif", (x1 - (x1 - x0) / 5, (y0 + y1) / 2))
    from villagecov.sources.population import ingest_population

    info = ingest_population(settings, loaded, grid)
    assert info["people"] == pytest.approx(500.0, rel=1e-3) and info["cells"] == 9
    after = province(settings, "t8.population_4g_share")  # everyone lives in the covered east
    assert before == pytest.approx(0.5, abs=0.05) and after == pytest.approx(1.0)
    with open_store(settings.store) as st:
        details = json.loads(st.read("runs").sort_values("finished_at")["details"].iloc[-1])  # runs are kept
    assert details["population_grid"]["sha256"] == info["sha256"]
    with pytest.raises(DuplicateSubmission):
        ingest_population(settings, loaded, grid)
    from typer.testing import CliRunner

    from villagecov.cli import app

    again = CliRunner().invoke(app, ["ingest", "population", str(grid), "--store", loaded.url],
                               env={"VILLAGECOV_ARCHIVE_DIR": str(settings.archive_dir)})
    assert again.exit_code == 0 and "unchanged:" in again.output, again.output


def test_survey_ods_zipped(loaded: Store, settings: Settings, files: Path) -> None:
    run(settings, loaded, "villages", write_vector(villages_frame(2), files / "thon.geojson"), as_of=AS_OF)
    ods = survey_ods(files / "khao_sat_xa.ods", [
        ["BÁO CÁO KHẢO SÁT"], [],
        ["Mã thôn", "Tên thôn", "Đài truyền thanh", "Truyền hình", "Ngày khảo sát"],
        ["V1", "Thôn Đồng Thuận 1", "Có", 1, "2024-12-31"],
        ["V2", "Thôn Đồng Thuận 2", "Không", 0, "2024-12-31"],
    ])
    packed = files / "khao_sat.zip"
    with zipfile.ZipFile(packed, "w") as zf:
        zf.write(ods, ods.name)
    report = run(settings, loaded, "services", packed)
    assert report.accepted == {"services": 4}
    s = loaded.read("services").set_index(["village_id", "service"])["available"]
    assert s[("V1", "radio")] and not s[("V2", "radio")] and s[("V1", "tv")] and not s[("V2", "tv")]
