"""`villagecov report` on both stores: values, baselines, targets, trajectory and status against
hand-computed figures; the XLSX opens; the PDF embeds its font and renders Vietnamese (pdftotext,
pdftoppm); the boundary reforms are said plainly.

The small province of tests/compute/test_catalogue_indicators.py, with a second coverage
vintage (2025-06-30) where viettel's 4G also covers v2: villages with 4G 1/3 → 2/3, people with
4G 300 → 900 of 1,000. Targets (a test file): villages with 4G 100 % in 2026, people with 4G 95 %
in 2025.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import shapely
from PIL import Image
from typer.testing import CliRunner

from tests.compute.helpers import box, coverage
from tests.compute.test_catalogue_indicators import _fill
from villagecov.cli import app
from villagecov.compute_pipeline import compute_all
from villagecov.reporting import write_report
from villagecov.reporting.load import load_report
from villagecov.reporting.names import ReportNames
from villagecov.schema import STORAGE_CRS
from villagecov.settings import Settings
from villagecov.storage import Store
from villagecov.targets import load_targets

TARGETS = """indicator,year,value,denominator,document,article,statement,checked
t8.villages_4g_share,2026,1.0,villages,Quyết định thử nghiệm,Điều 2,test,test
t8.population_4g_share,2025,0.95,people,Quyết định thử nghiệm,Điều 3,test,test
t9.villages_radio_share,,no official target,villages,Quyết định 1497/QĐ-TTg,,none,test
"""


@pytest.fixture
def computed(store: Store, tmp_path: Path) -> Settings:
    _fill(store)
    both = shapely.MultiPolygon([box(0, 0, 5000, 10000), box(10000, 0, 10000, 10000)])  # v0 and v2
    later = coverage([{"geometry": both, "operator": "viettel", "technology": "4G", "as_of": "2025-06-30"}])
    with store.transaction() as tx:
        tx.append("coverage", gpd.GeoDataFrame(later, crs=STORAGE_CRS))
    targets = tmp_path / "targets.csv"
    targets.write_text(TARGETS, encoding="utf-8")
    settings = Settings(store=store.url, archive_dir=tmp_path / "archive", targets_file=targets)
    compute_all(settings)
    return settings


def _report(store: Store, settings: Settings, period: str = "2025", **kw):  # type: ignore[no-untyped-def]
    return load_report(store, period=period, level=kw.pop("level", "province"), boundaries=kw.pop("boundaries", "2019"),
                       targets=load_targets(settings.targets_file), names=ReportNames(), **kw)


def test_rows_baseline_target_trajectory_status(store: Store, computed: Settings) -> None:
    report = _report(store, computed)
    assert report.as_of == "2025-06-30" and report.run_id == store.read("runs")["run_id"].iloc[0]
    assert [u.unit_code for u in report.units] == ["P"]
    rows = {r.indicator: r for r in report.units[0].tasks["8"]}
    v4 = rows["t8.villages_4g_share"]
    assert (v4.value, v4.numerator, v4.denominator) == (pytest.approx(2 / 3), 2, 3)
    assert v4.baseline == pytest.approx(1 / 3) and v4.baseline_period == "2024-01-01"
    assert v4.target == 1.0 and v4.target_year == 2026 and "Điều 2" in v4.target_source
    assert v4.trajectory == pytest.approx(1 / 3 + (1 - 1 / 3) / 2)  # half-way from 2024 to 2026
    assert v4.status == "on_track" and v4.status_label == "Đúng lộ trình"
    p4 = rows["t8.population_4g_share"]
    assert p4.value == pytest.approx(0.9) and p4.target == 0.95 and p4.status == "behind"
    radio = {r.indicator: r for r in report.units[0].tasks["9"]}["t9.villages_radio_share"]
    # no radio survey in the fixture: no data (never 0), and still no official target beside it
    assert np.isnan(radio.value) and np.isnan(radio.target) and radio.status == "no_data"
    assert radio.target_source.startswith("Chưa có mục tiêu chính thức")
    # the baseline is the first period with data: no 2024 value → the 2025 value is its own baseline
    assert {r.indicator for r in report.units[0].tasks["8"]} >= {"t8.communes_post_share", "t8.shared_towers_share"}
    early = _report(store, computed, period="2024")
    e4 = {r.indicator: r for r in early.units[0].tasks["8"]}["t8.villages_4g_share"]
    assert early.as_of == "2024-01-01" and e4.value == pytest.approx(1 / 3) and e4.status == "on_track"
    assert list(report.annex["unit_code"]) == ["c1", "c2"]
    communes = _report(store, computed, level="commune", unit="c2")
    c2 = {r.indicator: r for r in communes.units[0].tasks["8"]}["t8.villages_4g_share"]
    assert (c2.baseline, c2.value) == (0.0, 1.0) and c2.status == "achieved"


def test_english_and_reforms(store: Store, computed: Settings) -> None:
    en = _report(store, computed, lang="en")
    assert en.units[0].tasks["8"][0].name == "Villages covered by 4G"
    assert en.units[0].tasks["8"][0].status_label == "On track"
    from villagecov.errors import NotFound

    with pytest.raises(NotFound, match="districts were abolished on 1 July 2025"):
        _report(store, computed, level="district", boundaries="2025-07")


def test_xlsx_opens_with_every_section(store: Store, computed: Settings, tmp_path: Path) -> None:
    path = write_report(_report(store, computed), tmp_path, "xlsx")
    assert path.name == "SYNTHETIC_bao-cao_2025_province_2019.xlsx"  # the fixture's villages are SYNTHETIC
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:4] == ["Trang bìa", "Nguồn dữ liệu", "Nhiệm vụ 8", "Nhiệm vụ 9"]
    cover = {r[0]: r[1] for r in wb["Trang bìa"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert cover["SYNTHETIC"].startswith("SYNTHETIC — DỮ LIỆU MÔ PHỎNG")
    assert cover["Cơ quan báo cáo"] == "Sở Khoa học và Công nghệ tỉnh Quảng Trị"
    assert "Bộ Khoa học và Công nghệ" in cover["Nơi nhận"]
    assert "Sở Văn hóa, Thể thao và Du lịch" in cover["Nơi nhận (báo chí, phát thanh, truyền hình)"]
    assert cover["Lần tính toán (run)"].startswith("compute-")
    t8 = list(wb["Nhiệm vụ 8"].iter_rows(values_only=True))
    head = t8[0]
    row = next(r for r in t8 if r[0] == "t8.villages_4g_share")
    rec = dict(zip(head, row, strict=True))
    assert rec["Giá trị"] == pytest.approx(66.7) and rec["Kỳ gốc"] == pytest.approx(33.3)
    assert rec["Mục tiêu"] == 100.0 and rec["Lộ trình năm báo cáo"] == pytest.approx(66.7)
    assert rec["Kỳ gốc (ngày có số liệu đầu tiên)"] == "2024-01-01" and rec["Đánh giá"] == "Đúng lộ trình"
    annex = list(wb["Phụ lục"].iter_rows(values_only=True))
    assert [r[0] for r in annex[1:]] == ["c1", "c2"] and annex[0][1] == "Xã"
    charts = wb["Tiến độ so với lộ trình"]
    assert len(charts._images) == 1


def test_pdf_embeds_font_and_renders_vietnamese(store: Store, computed: Settings, tmp_path: Path) -> None:
    assert shutil.which("pdftoppm"), "poppler-utils is missing: scripts/test.sh installs it"
    path = write_report(_report(store, computed), tmp_path / "r.pdf", "pdf")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # emb
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for phrase in ("Sở Khoa học và Công nghệ tỉnh Quảng Trị", "Báo cáo kết quả thực hiện nhiệm vụ 8 và 9",
                   "Tỷ lệ thôn được phủ sóng 4G", "Đúng lộ trình", "Chưa có mục tiêu chính thức"):
        assert phrase in " ".join(text.split()), phrase
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "60", "-png", str(path), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    pixels = np.asarray(Image.open(png).convert("L"))
    assert pixels.shape[1] > pixels.shape[0]  # landscape
    assert (pixels < 128).mean() > 0.005  # text drawn, not a blank page


def test_cli_report_and_plain_reform_error(store: Store, computed: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for fmt in ("csv", "xlsx", "pdf"):
        r = CliRunner().invoke(app, ["report", "--store", store.url, "--period", "2025", "--level", "province",
                                     "--boundaries", "2019", "--format", fmt, "--out", str(out)],
                               env={"VILLAGECOV_TARGETS_FILE": str(computed.targets_file)})
        assert r.exit_code == 0, r.output
    files = sorted(p.name for p in out.iterdir())
    assert files == ["SYNTHETIC_bao-cao_2025_province_2019.csv", "SYNTHETIC_bao-cao_2025_province_2019.pdf",
                     "SYNTHETIC_bao-cao_2025_province_2019.xlsx"]
    csv = (out / "SYNTHETIC_bao-cao_2025_province_2019.csv").read_text(encoding="utf-8-sig")
    assert "t8.villages_4g_share" in csv and "on_track" in csv
    bad = CliRunner().invoke(app, ["report", "--store", store.url, "--period", "2025", "--level", "district",
                                   "--boundaries", "2025-07", "--format", "pdf", "--out", str(out)])
    assert bad.exit_code != 0 and "districts were abolished on 1 July 2025" in bad.output
    none = CliRunner().invoke(app, ["report", "--store", store.url, "--period", "2019", "--format", "csv",
                                    "--out", str(out)])
    assert none.exit_code != 0 and "no indicators for period 2019" in none.output


def test_xlsx_opens_in_libreoffice(store: Store, computed: Settings, tmp_path: Path) -> None:
    """LibreOffice (headless Calc) opens the workbook and reads every sheet back with its values."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice Calc is missing: scripts/test.sh installs libreoffice-calc-nogui"
    path = write_report(_report(store, computed), tmp_path, "xlsx")
    out = tmp_path / "lo"
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"  # every sheet, UTF-8
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--norestore",
                    "--convert-to", csv_filter, "--outdir", str(out), str(path)], check=True, capture_output=True,
                   timeout=180)
    sheets = {p.name[len(path.stem) + 1:].removesuffix(".csv"): p.read_text(encoding="utf-8") for p in out.glob("*.csv")}
    assert {"Trang bìa", "Nhiệm vụ 8", "Nhiệm vụ 9", "Phụ lục"} <= set(sheets)
    assert "Sở Khoa học và Công nghệ tỉnh Quảng Trị" in sheets["Trang bìa"]
    row = next(line for line in sheets["Nhiệm vụ 8"].splitlines() if line.startswith("t8.villages_4g_share,"))
    assert "66.7" in row and "33.3" in row and "Đúng lộ trình" in row
