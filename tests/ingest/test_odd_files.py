"""Every ingest kind over a corpus of odd files: each ends in one line on stderr naming the file,
a non-zero exit, no traceback, and the store exactly as it was (both stores)."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import py7zr
import pytest
from ingest_files import villages_frame, write_vector
from typer.testing import CliRunner

from villagecov.cli import app
from villagecov.settings import Settings
from villagecov.storage import Store

KINDS = ("villages", "sites", "coverage", "measurements", "services", "population")


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _7z(folder: Path, name: str, data: bytes) -> bytes:
    inner = folder / name
    inner.write_bytes(data)
    out = folder / f"{name}.7z"
    with py7zr.SevenZipFile(out, "w") as z:
        z.write(inner, name)
    return out.read_bytes()


def corpus(folder: Path) -> dict[str, Callable[[], bytes]]:
    """File name → content: broken, truncated, mislabelled, empty, unreadable, wrong-kind files."""
    return {
        "empty.csv": lambda: b"",
        "only_header.csv": lambda: b"lon,lat,name\n",
        "junk.csv": lambda: bytes(range(256)) * 20,
        "html_page.csv": lambda: b"<!DOCTYPE html><html><body>404 Not Found</body></html>\n",
        "truncated.csv.gz": lambda: gzip.compress(b"LTE,452,4,1,2,0,106.6,17.5,1,1,1,1,1,0\n" * 50)[:40],
        "not_gzip.csv.gz": lambda: b"this is not gzip",
        "empty.zip": lambda: _zip({}),
        "readme_only.zip": lambda: _zip({"README.txt": b"nothing here"}),
        "corrupt.zip": lambda: b"PK\x03\x04" + b"\x00" * 60,
        "traversal.zip": lambda: _zip({"../../etc/evil.csv": b"a,b\n1,2\n"}),
        "corrupt.7z": lambda: b"7z\xbc\xaf\x27\x1c" + b"\x01" * 40,
        "nested_bad.7z": lambda: _7z(folder, "inner.csv.gz", b"not gzip either"),
        "fake.xlsx": lambda: b"PK\x03\x04 this is not a workbook",
        "no_header.xlsx": lambda: _xlsx([["1", "2", "3"], ["4", "5", "6"]]),
        "fake.parquet": lambda: b"PAR1garbage",
        "fake.tif": lambda: b"II*\x00" + b"\x00" * 100,
        "text.tif": lambda: b"elevation data follows",
        "lonely.tab": lambda: b"!table\n!version 300\n!charset WindowsLatin1\n",
        "lonely.shp": lambda: b"\x00\x00\x27\x0a" + b"\x00" * 96,
        "bad.geojson": lambda: b'{"type": "FeatureCollection", "features": [',
        "utf16_garbage.csv": lambda: "ma_thon,ten\n\ud800".encode("utf-16", errors="surrogatepass"),
    }


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_every_kind_over_odd_files_gives_one_line_errors(loaded: Store, settings: Settings, files: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VILLAGECOV_ARCHIVE_DIR", str(settings.archive_dir))
    runner = CliRunner()
    ok = runner.invoke(app, ["ingest", "villages", str(write_vector(villages_frame(2), files / "v.geojson")),
                             "--as-of", "2024-06-30", "--store", loaded.url])
    assert ok.exit_code == 0, ok.output
    before = loaded.digest()
    odd = files / "odd"
    odd.mkdir()
    seen = 0
    for name, make in corpus(odd).items():
        path = files / name
        path.write_bytes(make())
        for kind in KINDS:
            extra = {"coverage": ["--operator", "viettel", "--technology", "4G"]}.get(kind, [])
            result = runner.invoke(app, ["ingest", kind, str(path), "--as-of", "2024-06-30", *extra,
                                         "--store", loaded.url])
            out = result.output.strip()
            where = f"{kind} {name}: {out!r}"
            assert result.exit_code != 0, where
            assert "Traceback" not in out and result.exception is None or isinstance(result.exception, SystemExit), where
            assert out.startswith("error: ") and "\n" not in out, where
            assert name in out or "no such file" in out, where
            seen += 1
    assert seen == len(KINDS) * len(corpus(odd))
    assert loaded.digest() == before  # nothing written by any of them
