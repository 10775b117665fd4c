"""Limits that need no store: zip archives (entry count, total and whole-archive ratio, checked
before anything is extracted) and the per-request time budget (503 with Retry-After)."""

from __future__ import annotations

import asyncio
import time
import zipfile
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from villagecov.api.limits import TimeBudget
from villagecov.errors import InputError
from villagecov.sources.vector_io import MAX_ZIP_ENTRIES, safe_extract


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_zip_limits_are_checked_before_extracting(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    many = _zip(tmp_path / "many.zip", {f"f{i}.txt": b"x" for i in range(MAX_ZIP_ENTRIES + 1)})
    with pytest.raises(InputError, match="entries"):
        safe_extract(many, dest, "many.zip", 2**40)
    # 1,100 small entries (each under the per-entry check) expanding 1 GiB-like as a whole: refused unread.
    bomb = _zip(tmp_path / "bomb.zip", {f"part{i}.bin": b"\0" * (256 * 1024) for i in range(200)})
    with pytest.raises(InputError, match="as a whole"):
        safe_extract(bomb, dest, "bomb.zip", 2**40)
    assert not dest.exists()
    ok = _zip(tmp_path / "ok.zip", {"thon.geojson": b'{"type": "FeatureCollection", "features": []}'})
    assert [p.name for p in safe_extract(ok, dest, "ok.zip", 2**20)] == ["thon.geojson"]


def test_time_budget_answers_503_with_retry_after() -> None:
    app = FastAPI()

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(5)
        return {"late": "yes"}

    @app.get("/quick")
    def quick() -> dict[str, str]:
        return {"ok": "yes"}

    with TestClient(TimeBudget(app, seconds=0.3)) as c:
        t0 = time.monotonic()
        r = c.get("/slow")
        assert r.status_code == 503 and int(r.headers["retry-after"]) > 0 and "0.3 s" in r.json()["detail"]
        assert c.get("/quick").json() == {"ok": "yes"}
    assert time.monotonic() - t0 < 10


def test_xlsx_and_csv_tables_keep_formulas_as_text(tmp_path: Path) -> None:
    import openpyxl
    import pandas as pd

    from villagecov.analysis.report import write_table

    frame = pd.DataFrame(
        {
            "xã": ['=HYPERLINK("http://x","Xã")', "Quảng Hợp"],
            "giá trị": [-0.5, 1.0],
            "ghi chú": ["@SUM(A1)", "-10%"],
        }
    )
    paths = write_table(frame, tmp_path, "bang")
    sheet = openpyxl.load_workbook(paths["xlsx"])["data"]
    cells = {(c.row, c.column): c for row in sheet.iter_rows() for c in row}
    assert cells[(2, 1)].data_type == "s" and cells[(2, 1)].value == '\'=HYPERLINK("http://x","Xã")'
    assert cells[(2, 3)].value == "'@SUM(A1)" and cells[(3, 3)].value == "'-10%"
    assert cells[(2, 2)].value == -0.5 and cells[(3, 1)].value == "Quảng Hợp"
    text = paths["csv"].read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=" not in text and ",=" not in text
